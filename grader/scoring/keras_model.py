"""A Keras model submission, turned into predictions: check the archive, run the model
in the sandbox on the hidden inputs, and write the predictions as the CSV a student
would have uploaded. From there it is scored like any CSV (one scorer, two ways in).
"""

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from grader.scoring import sandbox
from grader.scoring.errors import ScoringError
from grader.scoring.keras_archive import check_archive
from grader.scoring.metrics import CLASS_PROBABILITIES, PROBABILITY
from grader.scoring.solution import Solution

ARGMAX, PROBABILITIES, VALUE = "argmax", "probabilities", "value"


@dataclass(frozen=True)
class ModelSpec:
    """What the competition expects of a model."""

    input_shape: tuple[int, ...]
    input_dtype: str = "float32"
    output: str = ARGMAX
    max_params: int = 5_000_000


def read_inputs(path: str | Path | BinaryIO, spec: ModelSpec) -> np.ndarray:
    """The ids of the hidden inputs, after checking the file (for instructors)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if "x" not in data.files or "ids" not in data.files:
                raise ScoringError("Model inputs: the .npz file needs two arrays, x and ids.")
            x_shape, ids = data["x"].shape, data["ids"]
    except (OSError, ValueError) as error:
        raise ScoringError(f"Model inputs: not a readable .npz file ({error}).") from None
    if tuple(x_shape[1:]) != tuple(spec.input_shape):
        raise ScoringError(
            f"Model inputs: x holds examples of shape {tuple(x_shape[1:])}, but the "
            f"competition states {tuple(spec.input_shape)}."
        )
    if len(ids) != x_shape[0]:
        raise ScoringError(f"Model inputs: x has {x_shape[0]} rows but ids has {len(ids)}.")
    return ids


def allowed_outputs(solution: Solution, spec: ModelSpec) -> list[int]:
    if spec.output == VALUE:
        return [1]
    classes = len(solution.classes.values)
    if spec.output == PROBABILITIES and solution.metric.prediction_form == PROBABILITY:
        return [1, 2]
    return [classes, 1] if classes == 2 and spec.output == ARGMAX else [classes]


def predictions_csv(
    model: Path,
    inputs: Path,
    solution: Solution,
    spec: ModelSpec,
    limits: sandbox.Limits,
    hide: list = (),
) -> bytes:
    """Runs the model on the hidden inputs; the predictions as a submission CSV.
    ``hide``: the server's folders, which look empty to the model."""
    check_archive(model)
    ids = read_inputs(inputs, spec)
    outputs = run(model, inputs, spec, allowed_outputs(solution, spec), limits, hide)
    return to_csv(ids, outputs, solution, spec)


def run(
    model: Path,
    inputs: Path,
    spec: ModelSpec,
    outputs: list[int],
    limits: sandbox.Limits,
    hide: list = (),
) -> np.ndarray:
    job = {
        "model": "model.keras", "inputs": "inputs.npz", "input_shape": list(spec.input_shape),
        "input_dtype": spec.input_dtype, "outputs": outputs, "max_params": spec.max_params,
        "batch_memory": limits.memory_bytes // 4,
    }  # fmt: skip
    files = {"model.keras": Path(model), "inputs.npz": Path(inputs)}
    with sandbox.workspace(files) as folder:
        argv = ["python", "-m", "grader.scoring.keras_runner", json.dumps(job)]
        outcome = sandbox.run(argv, folder, limits, hide=hide)
        _raise_for(outcome, limits)
        return np.load(folder / "outputs.npy", allow_pickle=False)


def _raise_for(outcome: sandbox.Outcome, limits: sandbox.Limits) -> None:
    if outcome.timed_out:
        raise ScoringError(
            f"Your model ran past the time limit of {limits.wall_seconds:g} seconds "
            "(loading it included); make it smaller or faster."
        )
    if outcome.killed_by in ("SIGXCPU", "SIGKILL") or "ResourceExhausted" in outcome.stderr:
        raise ScoringError(
            f"Your model used more than its CPU time ({limits.cpu_seconds} s) or memory; "
            "make it smaller or faster."
        )
    message = _message(outcome.stdout)
    if message == "out of memory" or _out_of_memory(outcome.stderr):
        raise ScoringError(
            f"Your model ran out of memory (the limit is {limits.memory_bytes // 2**20} MB); "
            "make it smaller."
        )
    if message:
        raise ScoringError(message)
    if outcome.returncode != 0:
        raise RuntimeError(f"sandbox exited {outcome.returncode}: {outcome.stderr[-2000:]}")


def _message(stdout: str) -> str | None:
    for line in reversed(stdout.strip().splitlines()):
        try:
            result = json.loads(line)
        except ValueError:
            continue
        return result.get("error") if isinstance(result, dict) else None
    return None


def _out_of_memory(stderr: str) -> bool:
    return any(
        sign in stderr
        for sign in ("MemoryError", "std::bad_alloc", "Cannot allocate memory", "OOM")
    )


def to_csv(ids: np.ndarray, outputs: np.ndarray, solution: Solution, spec: ModelSpec) -> bytes:
    """The model's outputs as the CSV the competition's metric expects."""
    outputs = outputs.reshape(len(outputs), -1)
    columns, values = _columns(outputs, solution, spec)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([solution.id_column, *columns])
    for row_id, row in zip(ids.tolist(), values, strict=True):
        writer.writerow([row_id, *(_text(v) for v in row)])
    return out.getvalue().encode()


def _text(value) -> str:
    return repr(float(value)) if isinstance(value, float | np.floating) else str(value)


def _columns(outputs: np.ndarray, solution: Solution, spec: ModelSpec):
    target = solution.target_column
    if spec.output == VALUE:
        return [target], outputs[:, :1].tolist()
    form = solution.metric.prediction_form
    if form == CLASS_PROBABILITIES:
        return list(solution.classes.names), outputs.tolist()
    if form == PROBABILITY:
        positive = outputs[:, -1]
        return [target], positive[:, None].tolist()
    labels = np.array(solution.classes.values, dtype=object)
    codes = (outputs[:, 0] >= 0.5).astype(int) if outputs.shape[1] == 1 else outputs.argmax(1)
    return [target], labels[codes][:, None].tolist()
