"""Scoring a submission against a solution, and the sample submission students start from."""

import csv
import io
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from grader.scoring import reading
from grader.scoring.errors import ScoringError
from grader.scoring.metrics import CLASS_PROBABILITIES, LABEL, PROBABILITY, Metric
from grader.scoring.solution import PRIVATE, PUBLIC, Solution, load_solution
from grader.scoring.submission import read_predictions


@dataclass(frozen=True)
class Result:
    """Public and Private scores (None where the split has no rows) and rows read."""

    public: float | None
    private: float | None
    rows: int


def score(
    solution: Solution, submission: reading.Source, *, max_bytes: int = reading.DEFAULT_MAX_BYTES
) -> Result:
    """Score one submission file against a loaded solution; Ignored rows never count."""
    positions, predictions = read_predictions(solution, submission, max_bytes=max_bytes)
    in_solution_order = np.empty_like(predictions)
    in_solution_order[positions] = predictions
    return Result(
        public=_score_split(solution, in_solution_order, PUBLIC),
        private=_score_split(solution, in_solution_order, PRIVATE),
        rows=len(positions),
    )


def _score_split(solution: Solution, predictions: np.ndarray, usage: int) -> float | None:
    rows, truth = solution.split(usage)
    if len(rows) == 0:
        return None
    try:
        return solution.metric.compute(truth, predictions[rows])
    except ScoringError as error:
        name = "Public" if usage == PUBLIC else "Private"
        raise ScoringError(f"The {name} score cannot be computed: {error}") from None


def score_submission(
    solution: reading.Source,
    submission: reading.Source,
    metric: Metric | str,
    *,
    id_column: str = "id",
    target_column: str | None = None,
    public_fraction: float | None = None,
    seed: int = 0,
    max_bytes: int = reading.DEFAULT_MAX_BYTES,
) -> Result:
    """Read both files, check them, align the ids and score the Public and Private rows."""
    loaded = load_solution(
        solution,
        metric,
        id_column=id_column,
        target_column=target_column,
        public_fraction=public_fraction,
        seed=seed,
        max_bytes=max_bytes,
    )
    return score(loaded, submission, max_bytes=max_bytes)


def sample_submission(solution: Solution) -> bytes:
    """A valid CSV with every test id (Ignored ones too) and a placeholder prediction."""
    columns = solution.prediction_columns
    table = pa.table(
        [solution.ids.array, *(_placeholder(solution) for _ in columns)],
        names=[solution.id_column, *columns],
    )
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(solution.header)
    body = io.BytesIO()
    pcsv.write_csv(table, body, write_options=pcsv.WriteOptions(include_header=False))
    return header.getvalue().encode() + body.getvalue()


def _placeholder(solution: Solution) -> pa.Array:
    n = len(solution.ids)
    form = solution.metric.prediction_form
    if form == LABEL:
        first = solution.classes.values[0]
        return pa.array(np.full(n, first) if solution.classes.numeric else [first] * n)
    if form == PROBABILITY:
        return pa.array(np.full(n, 0.5))
    if form == CLASS_PROBABILITIES:
        return pa.array(np.full(n, 1 / len(solution.classes.names)))
    return pa.array(np.zeros(n))


def check_solution(solution: Solution) -> Result:
    """Score the sample submission: a ScoringError here means the solution cannot be used
    with its metric (say ROC AUC on a split holding one class); the result is a baseline."""
    try:
        return score(solution, sample_submission(solution))
    except ScoringError as error:
        raise ScoringError(f"Solution file: {error}") from None
