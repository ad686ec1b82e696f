"""Class labels: the solution's sorted classes and the encoding of labels as class codes."""

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa

from grader.scoring.errors import ScoringError
from grader.scoring.metrics import Metric


def _as_integer(text: str) -> int | None:
    """The integer a label stands for ('3', '3.0'), or None."""
    try:
        number = float(text)
    except ValueError:
        return None
    if "_" in text or not math.isfinite(number) or number != int(number):
        return None
    return int(number)


def _is_decimal(text: str) -> bool:
    try:
        return math.isfinite(float(text)) and "_" not in text
    except ValueError:
        return False


def _dictionary(column: pa.ChunkedArray) -> tuple[list[str], np.ndarray]:
    """The distinct texts of a labels column and, per row, the index of its text."""
    column = column.unify_dictionaries()
    if column.num_chunks == 0:
        return [], np.zeros(0, dtype=np.int32)
    array = column.combine_chunks()
    return array.dictionary.to_pylist(), array.indices.to_numpy(zero_copy_only=False)


@dataclass(frozen=True)
class Classes:
    """The sorted classes of a target; class codes index ``values``."""

    values: tuple  # sorted ints when every label is an integer, else sorted texts
    names: tuple[str, ...]  # as written in a header of class-probability columns

    @property
    def numeric(self) -> bool:
        return bool(self.values) and isinstance(self.values[0], int)

    @classmethod
    def from_solution(cls, column: pa.ChunkedArray, name: str, metric: Metric) -> "Classes":
        """The classes of a solution's target; ScoringError if they do not fit ``metric``."""
        classes = cls._from_texts(_dictionary(column)[0], name, metric)
        problem = metric.class_count_problem(len(classes.values))
        if problem:
            count = len(classes.values)
            raise ScoringError(f"{problem}, but {name!r} has {count}: {classes.describe()}.")
        return classes

    @classmethod
    def _from_texts(cls, texts: list[str], name: str, metric: Metric) -> "Classes":
        integers = [_as_integer(text) for text in texts]
        if None not in integers:
            values = tuple(sorted(set(integers)))
            return cls(values, tuple(str(value) for value in values))
        if all(_is_decimal(text) for text in texts):
            raise ScoringError(
                f"{metric.label} needs class labels, but {name!r} holds decimal numbers such as"
                f" {texts[integers.index(None)]}; choose a regression metric."
            )
        values = tuple(sorted(set(texts)))
        return cls(values, values)

    def describe(self, limit: int = 10) -> str:
        """'cat, dog', or the first ``limit`` names and how many there are."""
        shown = ", ".join(self.names[:limit])
        return shown if len(self.names) <= limit else f"{shown}, … ({len(self.names)} in all)"

    def code(self, text: str) -> int:
        """The code of a label written as ``text``, or -1 if it is no class."""
        value = _as_integer(text) if self.numeric else text
        position = self._positions.get(value)
        return -1 if position is None else position

    @cached_property
    def _positions(self) -> dict:
        return {value: code for code, value in enumerate(self.values)}

    def encode(self, column: pa.ChunkedArray, name: str) -> np.ndarray:
        """The class code of every row; ScoringError at the first label that is no class."""
        texts, indices = _dictionary(column)
        lookup = np.array([self.code(text) for text in texts] or [0], dtype=np.int64)
        codes = lookup[indices]
        if (codes < 0).any():
            row = int(np.argmax(codes < 0))
            raise ScoringError(
                f"Row {row + 2}: {texts[indices[row]]!r} is not one of the classes:"
                f" {self.describe()}."
            )
        return codes
