"""The hidden solution: ids, true values, classes and the Public/Private/Ignored split."""

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from grader.scoring import reading
from grader.scoring.errors import ScoringError
from grader.scoring.ids import IdIndex, listing, show
from grader.scoring.labels import Classes
from grader.scoring.metrics import CLASS_PROBABILITIES, Metric, get_metric

USAGE_COLUMN = "Usage"
PUBLIC, PRIVATE, IGNORED = 0, 1, 2
USAGE_NAMES = ("Public", "Private", "Ignored")
_LABELS = pa.dictionary(pa.int32(), pa.string())


@dataclass(frozen=True, eq=False)
class Solution:
    """A checked solution, ready to score any number of submissions."""

    metric: Metric
    id_column: str
    target_column: str
    ids: IdIndex
    truth: np.ndarray  # class codes (see metrics) or floats, in file order
    usage: np.ndarray  # PUBLIC, PRIVATE or IGNORED per row
    classes: Classes | None  # None for regression

    @property
    def prediction_columns(self) -> list[str]:
        """The columns a submission holds besides the id."""
        if self.metric.prediction_form == CLASS_PROBABILITIES:
            return list(self.classes.names)
        return [self.target_column]

    @property
    def header(self) -> list[str]:
        return [self.id_column, *self.prediction_columns]

    def split(self, usage: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows of one split (PUBLIC or PRIVATE) and their true values."""
        return self._splits[usage]

    @cached_property
    def _splits(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        rows = {usage: np.flatnonzero(self.usage == usage) for usage in (PUBLIC, PRIVATE)}
        return {usage: (r, self.truth[r]) for usage, r in rows.items()}


def load_solution(
    source: reading.Source,
    metric: Metric | str,
    *,
    id_column: str = "id",
    target_column: str | None = None,
    public_fraction: float | None = None,
    seed: int = 0,
    max_bytes: int = reading.DEFAULT_MAX_BYTES,
) -> Solution:
    """Read and check a solution CSV for ``metric``; messages start with 'Solution file:'.

    Without a Usage column, ``public_fraction`` of the rows (chosen by ``seed``) are
    Public and the rest Private; without that too, every row is Public.
    """
    metric = get_metric(metric) if isinstance(metric, str) else metric
    try:
        return _load(source, metric, id_column, target_column, (public_fraction, seed), max_bytes)
    except ScoringError as error:
        raise ScoringError(f"Solution file: {error}") from None


def _load(source, metric, id_column, target_column, split, max_bytes) -> Solution:
    data = reading.read_text(source, max_bytes=max_bytes)
    header = reading.read_header(data)
    target_column = _target_column(header, id_column, target_column)
    table = _parse(data, metric, header, id_column, target_column)
    for column in (id_column, target_column):
        _no_empty(table.column(column), column)
    ids = IdIndex(table.column(id_column))
    truth, classes = _truth(table.column(target_column), metric, target_column)
    usage = _usage(table, *split)
    return Solution(metric, id_column, target_column, ids, truth, usage, classes)


def _target_column(header: list[str], id_column: str, target_column: str | None) -> str:
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ScoringError(f"Column {repeated[0]!r} appears more than once in the header.")
    if id_column not in header:
        found = ",".join(header)
        raise ScoringError(f"The solution has no {id_column!r} column (its header is {found}).")
    if target_column is not None:
        if target_column not in header:
            raise ScoringError(f"The solution has no {target_column!r} column.")
        return target_column
    others = [name for name in header if name not in (id_column, USAGE_COLUMN)]
    if not others:
        raise ScoringError(f"The solution has no target column besides {id_column!r}.")
    if len(others) != 1:
        raise ScoringError(
            f"Say which column is the target: besides {id_column!r} the solution has"
            f" {len(others)}, {listing(others)}."
        )
    return others[0]


def _parse(data, metric, header, id_column, target_column) -> pa.Table:
    types = {target_column: _LABELS if metric.is_classification else pa.float64()}
    types[USAGE_COLUMN] = _LABELS
    try:
        table = reading.parse_csv(data, types)
    except reading.NotANumber as error:
        raise ScoringError(f"{metric.label} needs numbers in {target_column!r}. {error}") from None
    wanted = [id_column, target_column] + ([USAGE_COLUMN] if USAGE_COLUMN in header else [])
    return table.select(wanted)


def _no_empty(column: pa.ChunkedArray, name: str) -> None:
    if column.null_count:
        row = int(np.argmax(pc.is_null(column).to_numpy(False))) + 2
        raise ScoringError(f"Row {row}: {name!r} is empty.")


def _truth(column: pa.ChunkedArray, metric: Metric, name: str):
    if not metric.is_classification:
        values = column.to_numpy()
        _finite(values, name, metric)
        return values, None
    classes = Classes.from_solution(column, name, metric)
    return classes.encode(column, name), classes


def _finite(values: np.ndarray, name: str, metric: Metric) -> None:
    bad = ~np.isfinite(values)
    if metric.min_value is not None:
        bad |= values < metric.min_value
    if bad.any():
        row = int(np.argmax(bad))
        raise ScoringError(
            f"Row {row + 2}: {name!r} is {show(float(values[row]))}, which {metric.label} cannot"
            " use as a true value."
        )


def _usage(table: pa.Table, public_fraction: float | None, seed: int) -> np.ndarray:
    if USAGE_COLUMN not in table.column_names:
        if public_fraction is None:
            return np.full(table.num_rows, PUBLIC, dtype=np.int8)
        return _usage_codes(table.num_rows, public_fraction, seed)
    column = table.column(USAGE_COLUMN)
    _no_empty(column, USAGE_COLUMN)
    return _usage_codes_of(column.unify_dictionaries().combine_chunks())


def _usage_codes_of(column: pa.DictionaryArray) -> np.ndarray:
    """PUBLIC, PRIVATE or IGNORED per row, whatever the case or spaces around the name."""
    names = [name.strip().lower() for name in column.dictionary.to_pylist()]
    known = [usage.lower() for usage in USAGE_NAMES]
    lookup = np.array([known.index(n) if n in known else -1 for n in names], dtype=np.int8)
    codes = lookup[column.indices.to_numpy()]
    if (codes < 0).any():
        row = int(np.argmax(codes < 0))
        raise ScoringError(
            f"Row {row + 2}: Usage is {column[row].as_py()!r};"
            " it must be Public, Private or Ignored."
        )
    return codes


def usage_split(n_rows: int, public_fraction: float, seed: int) -> np.ndarray:
    """A Usage value ('Public' or 'Private') per row: the same for the same arguments.

    Exactly ``round(public_fraction * n_rows)`` rows are Public. The choice is made by
    Podio's own hash of (seed, row), so it does not change with library versions.
    """
    return np.array(USAGE_NAMES, dtype=object)[_usage_codes(n_rows, public_fraction, seed)]


def _usage_codes(n_rows: int, public_fraction: float, seed: int) -> np.ndarray:
    if not 0 <= public_fraction <= 1:
        raise ScoringError(f"The public fraction must be between 0 and 1, not {public_fraction}.")
    keys = _mix(np.arange(n_rows, dtype=np.uint64) + _mix(np.array([seed % 2**64], np.uint64)))
    public = np.argsort(keys)[: math.floor(public_fraction * n_rows + 0.5)]
    codes = np.full(n_rows, PRIVATE, dtype=np.int8)
    codes[public] = PUBLIC
    return codes


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a fixed bijection on 64-bit integers that scatters them."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))
