"""Podio's scoring engine: metrics, reading and checking CSV files, scoring. No Django here.

The Django side calls :func:`load_solution` once per solution file (check it with
:func:`check_solution` when an instructor uploads it), then :func:`score` per submission,
or :func:`score_submission` for both at once. Only :class:`ScoringError` carries a message
for the student; anything else is Podio's own fault.
"""

from grader.scoring.errors import ScoringError
from grader.scoring.metrics import METRICS, Metric, get_metric, metrics_for_task
from grader.scoring.reading import DEFAULT_MAX_BYTES, Source
from grader.scoring.score import Result, check_solution, sample_submission, score, score_submission
from grader.scoring.solution import Solution, load_solution, usage_split

__all__ = [
    "DEFAULT_MAX_BYTES",
    "METRICS",
    "Metric",
    "Result",
    "ScoringError",
    "Solution",
    "Source",
    "check_solution",
    "get_metric",
    "load_solution",
    "metrics_for_task",
    "sample_submission",
    "score",
    "score_submission",
    "usage_split",
]
