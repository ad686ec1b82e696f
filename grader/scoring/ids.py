"""Finding each submitted id among the solution's ids."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from grader.scoring.errors import ScoringError


def show(value: object) -> str:
    """An id or a label as a message shows it: numbers bare, text quoted."""
    return str(value) if isinstance(value, int | float | np.number) else repr(str(value))


def listing(values: list[str], *, total: int | None = None) -> str:
    """'a', 'a and b' or 'a, b and c'."""
    total = len(values) if total is None else total
    if len(values) == 1:
        return values[0]
    text = f"{', '.join(values[:-1])} and {values[-1]}"
    return text if total == len(values) else f"{', '.join(values)}, …"


def _column(ids: pa.ChunkedArray | pa.Array) -> pa.Array:
    return ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids


class IdIndex:
    """The solution's ids, unique, ready to locate a submission's ids."""

    def __init__(self, ids: pa.ChunkedArray | pa.Array) -> None:
        self.array = _column(ids)
        self.is_integer = pa.types.is_integer(self.array.type)
        self._strings: pa.Array | None = None
        self._lookup: np.ndarray | None = None
        self._index: pd.Index | None = None
        if self.is_integer:
            self._prepare_integers(self.array.to_numpy().astype(np.int64, copy=False))
        else:
            self._check_unique(self.strings())

    def __len__(self) -> int:
        return len(self.array)

    def strings(self) -> pa.Array:
        """The ids as text, for matching ids that are not all integers."""
        if self._strings is None:
            self._strings = pc.cast(self.array, pa.string())
        return self._strings

    def _prepare_integers(self, values: np.ndarray) -> None:
        """Ids that are a shuffled range get a lookup table; others a pandas index."""
        self._low = int(values.min())
        if int(values.max()) - self._low + 1 == len(values):
            offsets = values - self._low
            if np.all(np.bincount(offsets, minlength=len(values)) == 1):
                self._lookup = np.empty(len(values), dtype=np.int64)
                self._lookup[offsets] = np.arange(len(values))
                return
        self._index = pd.Index(values)
        if not self._index.is_unique:
            self._duplicate(self._index)

    def _check_unique(self, strings: pa.Array) -> None:
        if len(pc.unique(strings)) != len(strings):
            self._duplicate(pd.Index(strings.to_pandas()))

    def _duplicate(self, keys: pd.Index) -> None:
        """Names the first repeated id and its rows (keys: the ids as they were compared)."""
        first = int(np.argmax(keys.duplicated()))
        value = self.array[first].as_py()
        key = keys[first]
        # Empty ids (and NaN) never compare equal: look for them as such.
        same = keys.isna() if pd.isna(key) else keys == key
        rows = np.flatnonzero(np.asarray(same)) + 2
        where = f"(rows {listing([str(r) for r in rows[:3]], total=len(rows))})"
        if value is None:
            raise ScoringError(f"The id is empty in {len(rows)} rows {where}.")
        raise ScoringError(f"Id {show(value)} appears {len(rows)} times {where}.")

    def locate(self, ids: pa.ChunkedArray | pa.Array) -> np.ndarray:
        """For each id, its row in the solution (0-based), or -1 where it is unknown."""
        ids = _column(ids)
        if not (self.is_integer and pa.types.is_integer(ids.type)):
            found = pc.index_in(pc.cast(ids, pa.string()), value_set=self.strings())
            return found.fill_null(-1).to_numpy().astype(np.int64, copy=False)
        values = ids.to_numpy().astype(np.int64, copy=False)
        if self._index is not None:
            return self._index.get_indexer(values)
        offsets = values - self._low
        if offsets.min() >= 0 and offsets.max() < len(self._lookup):
            return self._lookup[offsets]
        inside = (offsets >= 0) & (offsets < len(self._lookup))
        positions = np.full(len(values), -1, dtype=np.int64)
        positions[inside] = self._lookup[offsets[inside]]
        return positions
