"""Whatever bytes arrive, the reader answers with a score or a ScoringError, nothing else."""

import gzip

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.scoring import Result, ScoringError, load_solution, score

SOLUTION = b"id,label,Usage\n1,cat,Public\n2,dog,Private\n3,cat,Public\n"
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# CSV-ish text reaches deeper than random bytes: headers, quotes, numbers, blanks.
CELLS = st.sampled_from(["id", "label", "Usage", "1", "2", "3", "cat", "dog", "", '"', "1e9",
                         "nan", "-1", " ", "Public", "gato", "ñ", "\x00", "0.5"])  # fmt: skip
ROWS = st.lists(st.lists(CELLS, max_size=4).map(",".join), max_size=6)
CSV_LIKE = ROWS.map(lambda rows: "\n".join(rows).encode())
ANY_BYTES = st.one_of(st.binary(max_size=300), CSV_LIKE, CSV_LIKE.map(gzip.compress))


def _scores_or_explains(action) -> None:
    try:
        assert isinstance(action(), Result)
    except ScoringError as error:
        assert str(error).strip()


@FUZZ
@given(data=ANY_BYTES)
def test_any_submission_scores_or_raises_scoring_error(data):
    solution = load_solution(SOLUTION, "accuracy")
    _scores_or_explains(lambda: score(solution, data))


@FUZZ
@given(data=ANY_BYTES, metric=st.sampled_from(["accuracy", "roc_auc", "rmse", "roc_auc_ovr"]))
def test_any_solution_loads_or_raises_scoring_error(data, metric):
    try:
        load_solution(data, metric)
    except ScoringError as error:
        assert str(error).startswith("Solution file: ")


@FUZZ
@given(values=st.lists(st.sampled_from(["0.5", "1", "-0", "2", "x", "", "inf", "1e-300"]),
                       min_size=3, max_size=3))  # fmt: skip
def test_any_probabilities_score_or_raise_scoring_error(values):
    solution = load_solution(b"id,y\n1,0\n2,1\n3,1\n", "log_loss")
    rows = "".join(f"{i},{v}\n" for i, v in enumerate(values, start=1))
    _scores_or_explains(lambda: score(solution, ("id,y\n" + rows).encode()))


def test_repeated_nan_ids_in_a_solution_are_named():
    """Found by the fuzzer above: NaN never equals NaN, and the message crashed."""
    with pytest.raises(ScoringError, match=r"Id nan appears 2 times \(rows 2 and 3\)"):
        load_solution(b"id,label\nNaN,1\nNaN,0\n3,1\n", "accuracy")
