"""A submitted prediction file: its header, its ids and its values, checked against a solution."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from grader.scoring import reading
from grader.scoring.errors import ScoringError
from grader.scoring.ids import listing, show
from grader.scoring.metrics import CLASS_PROBABILITIES, LABEL, PROBABILITY, Metric
from grader.scoring.solution import Solution

_LABELS = pa.dictionary(pa.int32(), pa.string())


def read_predictions(
    solution: Solution, source: reading.Source, *, max_bytes: int = reading.DEFAULT_MAX_BYTES
) -> tuple[np.ndarray, np.ndarray]:
    """Per submitted row: its row in the solution, and its prediction (see metrics)."""
    data = reading.read_text(source, max_bytes=max_bytes)
    check_header(reading.read_header(data), solution.header)
    form = solution.metric.prediction_form
    kind = _LABELS if form == LABEL else pa.float64()
    table = reading.parse_csv(data, dict.fromkeys(solution.prediction_columns, kind))
    positions = _positions(solution, table)
    return positions, _predictions(solution, table)


def check_header(header: list[str], expected: list[str]) -> None:
    """The header must hold exactly the expected columns, in any order."""
    if sorted(header) == sorted(expected):
        return
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ScoringError(f"Column {repeated[0]!r} appears more than once in the header.")
    missing = [name for name in expected if name not in header]
    unexpected = [name for name in header if name not in expected]
    problems = []
    if missing:
        problems.append(f"{_columns(missing)} missing")
    if unexpected:
        problems.append(f"{_columns(unexpected)} not expected")
    hint = _delimiter_hint(header) or ""
    raise ScoringError(f"The header must be {','.join(expected)}; {' and '.join(problems)}.{hint}")


def _columns(names: list[str]) -> str:
    quoted = [repr(name) for name in names]
    noun = "column" if len(names) == 1 else "columns"
    verb = "is" if len(names) == 1 else "are"
    return f"{noun} {listing(quoted[:5], total=len(quoted))} {verb}"


def _delimiter_hint(header: list[str]) -> str | None:
    if len(header) == 1:
        for sign, name in ((";", "semicolons"), ("\t", "tabs")):
            if sign in header[0]:
                return f" The file separates values with {name}; Podio needs commas."
    return None


def _positions(solution: Solution, table: pa.Table) -> np.ndarray:
    ids = table.column(solution.id_column)
    if ids.null_count:
        row = int(np.argmax(pc.is_null(ids).to_numpy(False)))
        if all(value is None for value in table.slice(row, 1).to_pylist()[0].values()):
            raise ScoringError(f"Row {row + 2} is empty; delete it.")
        raise ScoringError(f"Row {row + 2}: the id is empty.")
    positions = solution.ids.locate(ids)
    _no_unknown(positions, ids)
    counts = np.bincount(positions, minlength=len(solution.ids))
    _no_repeated(positions, counts, ids)
    _no_missing(counts, solution)
    return positions


def _no_unknown(positions: np.ndarray, ids: pa.ChunkedArray) -> None:
    unknown = np.flatnonzero(positions < 0)
    if len(unknown):
        examples = [f"{show(ids[int(i)].as_py())} (row {i + 2})" for i in unknown[:3]]
        if len(unknown) == 1:
            raise ScoringError(f"Id {examples[0]} is not in the test set.")
        raise ScoringError(
            f"{len(unknown)} ids are not in the test set, for example {listing(examples)}."
        )


def _no_repeated(positions: np.ndarray, counts: np.ndarray, ids: pa.ChunkedArray) -> None:
    repeated = counts > 1
    if repeated.any():
        first = int(np.argmax(repeated[positions]))
        rows = np.flatnonzero(positions == positions[first]) + 2
        others = int(np.count_nonzero(repeated)) - 1
        more = f" {others} other ids appear more than once too." if others else ""
        raise ScoringError(
            f"Id {show(ids[first].as_py())} appears {len(rows)} times"
            f" (rows {listing([str(r) for r in rows[:3]], total=len(rows))}).{more}"
        )


def _no_missing(counts: np.ndarray, solution: Solution) -> None:
    missing = np.flatnonzero(counts == 0)
    if len(missing):
        examples = [show(solution.ids.array[int(i)].as_py()) for i in missing[:3]]
        if len(missing) == 1:
            raise ScoringError(f"Id {examples[0]} is missing.")
        raise ScoringError(f"{len(missing)} ids are missing, for example {listing(examples)}.")


def _predictions(solution: Solution, table: pa.Table) -> np.ndarray:
    form = solution.metric.prediction_form
    columns = solution.prediction_columns
    for name in columns:
        _no_empty(table.column(name), name)
    if form == LABEL:
        return solution.classes.encode(table.column(columns[0]), columns[0])
    values = [table.column(name).to_numpy() for name in columns]
    for name, column in zip(columns, values, strict=True):
        _check_numbers(column, name, solution.metric)
    if form == CLASS_PROBABILITIES:
        matrix = np.column_stack(values)
        _check_sums(matrix)
        return matrix
    return values[0]


def _no_empty(column: pa.ChunkedArray, name: str) -> None:
    if column.null_count:
        row = int(np.argmax(pc.is_null(column).to_numpy(False))) + 2
        raise ScoringError(f"Row {row}: {name!r} is empty.")


def _check_numbers(values: np.ndarray, name: str, metric: Metric) -> None:
    for bad, why in _number_rules(values, metric):
        if bad.any():
            row = int(np.argmax(bad))
            raise ScoringError(f"Row {row + 2}: {name!r} is {float(values[row])!r}{why}")


def _number_rules(values: np.ndarray, metric: Metric):
    """(rows breaking a rule, why) pairs, computed one at a time."""
    if not np.isfinite(values).all():
        yield np.isnan(values), "; every row needs a number."
        yield np.isinf(values), "; it must be a finite number."
    if metric.prediction_form in (PROBABILITY, CLASS_PROBABILITIES):
        yield (values < 0) | (values > 1), ", but a probability must be between 0 and 1."
    if metric.min_value is not None:
        why = f", but {metric.label} needs predictions of {metric.min_value:g} or more."
        yield values < metric.min_value, why


def _check_sums(matrix: np.ndarray) -> None:
    sums = matrix.sum(axis=1)
    bad = ~np.isclose(1.0, sums)
    if bad.any():
        row = int(np.argmax(bad))
        raise ScoringError(
            f"Row {row + 2}: the class probabilities add up to {sums[row]:.6g}, not 1;"
            " write them with more decimals or divide each by the row's sum."
        )
