"""The solution: its checks, its Public/Private/Ignored split, and the sample submission."""

import io

import numpy as np
import pyarrow.csv as pcsv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, f1_score

from grader.scoring import (
    METRICS,
    ScoringError,
    check_solution,
    load_solution,
    sample_submission,
    score,
    score_submission,
    usage_split,
)


def _csv(header: str, rows) -> bytes:
    return (header + "\n" + "".join(f"{','.join(map(str, r))}\n" for r in rows)).encode()


def _load_message(data: bytes, metric: str, **options) -> str:
    with pytest.raises(ScoringError) as caught:
        check_solution(load_solution(data, metric, **options))
    return str(caught.value)


# --- checks -------------------------------------------------------------------------------


def test_usage_values_must_be_known():
    data = _csv("id,label,Usage", [(1, "a", "Public"), (2, "b", "public2")])
    assert _load_message(data, "accuracy") == (
        "Solution file: Row 3: Usage is 'public2'; it must be Public, Private or Ignored."
    )


def test_usage_is_read_without_regard_to_case_or_spaces():
    data = _csv("id,label,Usage", [(1, "a", " public"), (2, "b", "PRIVATE"), (3, "a", "ignored")])
    assert load_solution(data, "accuracy").usage.tolist() == [0, 1, 2]


def test_duplicate_ids_in_solution():
    data = _csv("id,label", [(1, "a"), (2, "b"), (1, "b")])
    assert _load_message(data, "accuracy") == "Solution file: Id 1 appears 2 times (rows 2 and 4)."


def test_duplicate_text_ids_in_solution():
    data = _csv("id,label", [("x", "a"), ("y", "b"), ("y", "b")])
    assert _load_message(data, "accuracy") == (
        "Solution file: Id 'y' appears 2 times (rows 3 and 4)."
    )


def test_empty_id_in_solution():
    data = _csv("id,label", [(1, "a"), ("", "b")])
    assert _load_message(data, "accuracy") == "Solution file: Row 3: 'id' is empty."


def test_missing_target_in_solution():
    data = _csv("id,label", [(1, "a"), (2, "")])
    assert _load_message(data, "accuracy") == "Solution file: Row 3: 'label' is empty."


def test_solution_without_the_id_column():
    data = _csv("key,label", [(1, "a")])
    assert _load_message(data, "accuracy") == (
        "Solution file: The solution has no 'id' column (its header is key,label)."
    )


def test_target_column_must_be_named_when_ambiguous():
    data = _csv("id,label,notes", [(1, "a", "x"), (2, "b", "y")])
    assert _load_message(data, "accuracy") == (
        "Solution file: Say which column is the target: besides 'id' the solution has 2,"
        " label and notes."
    )
    assert load_solution(data, "accuracy", target_column="label").header == ["id", "label"]


@pytest.mark.parametrize(
    ("rows", "metric", "message"),
    [
        ([(1, "a"), (2, "b"), (3, "c")], "roc_auc", "ROC AUC needs exactly 2 classes, but"
         " 'label' has 3: a, b, c."),
        ([(1, 0), (2, 1)], "roc_auc_ovr", "ROC AUC (one-vs-rest, macro) needs at least 3"
         " classes, but 'label' has 2: 0, 1."),
        ([(1, 0), (2, 1), (3, 2)], "top_3_accuracy", "Top-3 accuracy needs at least 4"
         " classes, but 'label' has 3: 0, 1, 2."),
        ([(1, "a"), (2, "a")], "accuracy", "Accuracy needs at least 2 classes, but 'label'"
         " has 1: a."),
        ([(1, "cat"), (2, "dog")], "rmse", "RMSE needs numbers in 'label'. Row 2: 'cat' in"
         " column 'label' is not a number."),
        ([(1, 0.5), (2, 1.5)], "accuracy", "Accuracy needs class labels, but 'label' holds"
         " decimal numbers such as 0.5; choose a regression metric."),
        ([(1, 2.0), (2, -1.0)], "rmsle", "Row 3: 'label' is -1.0, which RMSLE cannot use as"
         " a true value."),
    ],
)  # fmt: skip
def test_metric_must_fit_the_target(rows, metric, message):
    assert _load_message(_csv("id,label", rows), metric) == f"Solution file: {message}"


@pytest.mark.parametrize(
    ("rows", "metric", "message"),
    [
        (
            [(1, 0, "Public"), (2, 0, "Public"), (3, 1, "Private"), (4, 0, "Private")],
            "roc_auc",
            "The Public score cannot be computed: ROC AUC is undefined when the scored rows"
            " hold only one class.",
        ),
        (
            [(1, 2.0, "Public"), (2, 3.0, "Public"), (3, 1.0, "Private"), (4, 1.0, "Private")],
            "r2",
            "The Private score cannot be computed: R² is undefined when every true value of"
            " the scored rows is the same.",
        ),
        (
            [(1, 2.0, "Public"), (2, 0.0, "Public")],
            "mape",
            "The Public score cannot be computed: MAPE is undefined when a true value is 0.",
        ),
    ],
)
def test_check_solution_finds_splits_a_metric_cannot_score(rows, metric, message):
    data = _csv("id,label,Usage", rows)
    assert _load_message(data, metric) == f"Solution file: {message}"


# --- the split ----------------------------------------------------------------------------

TRUTH = [0, 1, 2, 1, 0, 2, 2, 1, 0, 0]
USAGE = ["Public", "Private", "Ignored", "Public", "Private"] * 2
SOLUTION = _csv("id,label,Usage", zip(range(10), TRUTH, USAGE, strict=True))


@settings(max_examples=25, deadline=None)
@given(predictions=st.lists(st.integers(0, 2), min_size=10, max_size=10))
def test_public_and_private_score_their_own_rows_and_ignored_rows_never_count(predictions):
    solution = load_solution(SOLUTION, "f1_macro")
    result = score(solution, _csv("id,label", enumerate(predictions)))
    for split, value in (("Public", result.public), ("Private", result.private)):
        rows = [i for i, usage in enumerate(USAGE) if usage == split]
        t, p = np.array(TRUTH)[rows], np.array(predictions)[rows]
        assert value == pytest.approx(f1_score(t, p, average="macro"), abs=1e-12)
    changed = [(p + 1) % 3 if USAGE[i] == "Ignored" else p for i, p in enumerate(predictions)]
    assert score(solution, _csv("id,label", enumerate(changed))) == result


def test_split_without_rows_scores_none():
    data = _csv("id,label,Usage", [(1, "a", "Public"), (2, "b", "Public"), (3, "b", "Ignored")])
    result = score_submission(data, _csv("id,label", [(1, "a"), (2, "a"), (3, "a")]), "accuracy")
    assert (result.public, result.private, result.rows) == (0.5, None, 3)


def test_without_usage_every_row_is_public():
    data = _csv("id,label", [(1, "a"), (2, "b")])
    result = score_submission(data, _csv("id,label", [(1, "a"), (2, "a")]), "accuracy")
    assert (result.public, result.private) == (0.5, None)


def test_usage_split_is_deterministic_and_exact():
    first = usage_split(1000, 0.3, seed=7)
    assert first.tolist() == usage_split(1000, 0.3, seed=7).tolist()
    assert (first == "Public").sum() == 300
    assert set(first.tolist()) == {"Public", "Private"}
    assert first.tolist() != usage_split(1000, 0.3, seed=8).tolist()


def test_usage_split_is_stable_across_versions():
    # Podio's own hash: these values must never change, or stored splits would move.
    public = np.flatnonzero(usage_split(20, 0.25, seed=7) == "Public")
    assert public.tolist() == [1, 4, 11, 13, 17]


def test_fraction_and_seed_split_a_solution_without_usage():
    rows = [(i, i % 2) for i in range(40)]
    solution = load_solution(_csv("id,label", rows), "accuracy", public_fraction=0.25, seed=3)
    expected = usage_split(40, 0.25, seed=3)
    assert solution.usage.tolist() == [0 if u == "Public" else 1 for u in expected]
    predictions = _csv("id,label", [(i, 0) for i in range(40)])
    result = score(solution, predictions)
    truth = np.array([r[1] for r in rows])
    assert result.public == accuracy_score(truth[expected == "Public"], np.zeros(10))


def test_public_fraction_out_of_range():
    with pytest.raises(ScoringError, match=r"^Solution file: The public fraction must be between"):
        load_solution(_csv("id,label", [(1, 0), (2, 1)]), "accuracy", public_fraction=1.5)


# --- the sample submission ----------------------------------------------------------------


def _solution_for(metric_name: str) -> bytes:
    metric = METRICS[metric_name]
    rng = np.random.default_rng(0)
    n_classes = 2 if "binary" in metric.task_types else 5
    if metric.is_classification:
        names = ["cat", "dog", "eel", "fox", "gnu"][:n_classes]
        labels = [names[i % n_classes] for i in range(30)]
    else:
        labels = rng.uniform(1, 10, 30).round(3).tolist()
    usage = ["Public", "Private", "Ignored"] * 10
    return _csv("key,target,Usage", zip(range(100, 130), labels, usage, strict=True))


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_sample_submission_is_valid_for_every_metric(metric):
    solution = load_solution(_solution_for(metric), metric, id_column="key")
    sample = sample_submission(solution)
    table = pcsv.read_csv(io.BytesIO(sample))
    assert table.column_names == solution.header
    assert table.column("key").to_pylist() == list(range(100, 130))
    result = score(solution, sample)
    assert result == check_solution(solution)
    assert result.rows == 30


# --- id alignment -------------------------------------------------------------------------

ID_SCHEMES = {
    "range": lambda n: [str(i) for i in range(n)],
    "sparse": lambda n: [str(i * 7919 + 3) for i in range(n)],
    "text": lambda n: [f"img_{i:03d}" for i in range(n)],
}


@settings(max_examples=30, deadline=None)
@given(
    scheme=st.sampled_from(sorted(ID_SCHEMES)),
    data=st.data(),
)
def test_rows_in_any_order_align_by_id(scheme, data):
    n = data.draw(st.integers(2, 30))
    ids = ID_SCHEMES[scheme](n)
    truth = data.draw(st.lists(st.floats(-100, 100), min_size=n, max_size=n))
    predicted = data.draw(st.lists(st.floats(-100, 100), min_size=n, max_size=n))
    order = data.draw(st.permutations(range(n)))
    solution = _csv("id,y", zip(ids, map(repr, truth), strict=True))
    submission = _csv("id,y", [(ids[i], repr(predicted[i])) for i in order])
    result = score_submission(solution, submission, "mae")
    expected = np.mean(np.abs(np.array(truth) - np.array(predicted)))
    assert result.public == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("scheme", sorted(ID_SCHEMES))
def test_unknown_and_missing_ids_whatever_the_ids(scheme):
    ids = ID_SCHEMES[scheme](5)
    solution = load_solution(_csv("id,y", [(i, 1.0) for i in ids]), "mae")
    stranger = "img_999" if scheme == "text" else "99999"
    with pytest.raises(ScoringError) as caught:
        score(solution, _csv("id,y", [(i, 1.0) for i in [*ids[:4], stranger]]))
    shown = f"'{stranger}'" if scheme == "text" else stranger
    assert str(caught.value) == f"Id {shown} (row 6) is not in the test set."
    with pytest.raises(ScoringError) as caught:
        score(solution, _csv("id,y", [(i, 1.0) for i in ids[1:]]))
    shown = f"'{ids[0]}'" if scheme == "text" else ids[0]
    assert str(caught.value) == f"Id {shown} is missing."
