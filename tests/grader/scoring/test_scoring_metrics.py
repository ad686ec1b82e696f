"""Every metric equals scikit-learn's on random inputs, or raises ScoringError where
scikit-learn refuses, returns nan, or Podio documents the metric as undefined."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from grader.scoring import METRICS, ScoringError, get_metric, metrics_for_task

FEW = settings(max_examples=40, deadline=None)
NAN = float("nan")

# The classes as a solution may spell them: codes index the sorted classes.
CLASS_SETS = st.sampled_from(
    [
        [0, 1, 2, 3, 4],
        [-3, 0, 7, 10, 12],
        ["ant", "bee", "cat", "dog", "eel"],
        ["No", "Yes", "maybe", "never", "yes"],
    ]
)


def _agrees(name: str, y_true, y_pred, reference) -> None:
    """Podio's metric on the codes equals ``reference()`` on the labels, or both refuse."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = float(reference())
        except ValueError:
            expected = NAN
    if math.isfinite(expected):
        got = get_metric(name).compute(y_true, y_pred)
        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9), (got, expected)
    else:
        with pytest.raises(ScoringError, match=r"\w+"):
            get_metric(name).compute(y_true, y_pred)


@st.composite
def labelled(draw, n_classes: int | None = None):
    """(classes, true codes, predicted codes): each side draws from its own subset of the
    classes, so classes absent from one side or both, a single class, and constant
    predictions all come up."""
    k = n_classes or draw(st.integers(2, 5))
    classes = sorted(draw(CLASS_SETS)[:k])
    n = draw(st.integers(1, 40))
    every = list(range(k))
    truth_codes = sorted(draw(st.sets(st.sampled_from(every), min_size=1)))
    predicted_codes = sorted(draw(st.sets(st.sampled_from(every), min_size=1)))
    truth = draw(st.lists(st.sampled_from(truth_codes), min_size=n, max_size=n))
    predicted = draw(st.lists(st.sampled_from(predicted_codes), min_size=n, max_size=n))
    return classes, np.array(truth), np.array(predicted)


def _names(codes, classes):
    return np.array(classes, dtype=object if isinstance(classes[0], str) else None)[codes]


LABEL_REFERENCES = {
    "accuracy": skm.accuracy_score,
    "balanced_accuracy": skm.balanced_accuracy_score,
    "f1_macro": lambda t, p: skm.f1_score(t, p, average="macro"),
    "f1_micro": lambda t, p: skm.f1_score(t, p, average="micro"),
    "f1_weighted": lambda t, p: skm.f1_score(t, p, average="weighted"),
    "precision_macro": lambda t, p: skm.precision_score(t, p, average="macro"),
    "recall_macro": lambda t, p: skm.recall_score(t, p, average="macro"),
    "mcc": skm.matthews_corrcoef,
    "cohen_kappa": skm.cohen_kappa_score,
    "quadratic_weighted_kappa": lambda t, p: skm.cohen_kappa_score(t, p, weights="quadratic"),
}


@pytest.mark.parametrize("name", sorted(LABEL_REFERENCES))
@FEW
@given(case=labelled())
def test_label_metric_equals_sklearn(name, case):
    classes, truth, predicted = case
    t, p = _names(truth, classes), _names(predicted, classes)
    _agrees(name, truth, predicted, lambda: LABEL_REFERENCES[name](t, p))


@FEW
@given(case=labelled(n_classes=2))
def test_binary_f1_equals_sklearn_with_the_last_class_positive(case):
    classes, truth, predicted = case
    t, p = _names(truth, classes), _names(predicted, classes)
    _agrees("f1", truth, predicted, lambda: skm.f1_score(t, p, pos_label=classes[1]))


PROBABILITIES = st.one_of(
    st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]),  # ties, and the ends
    st.floats(0, 1, allow_subnormal=False),
)


@st.composite
def binary_probabilities(draw):
    classes, truth, _ = draw(labelled(n_classes=2))
    probability = draw(st.lists(PROBABILITIES, min_size=len(truth), max_size=len(truth)))
    return classes, truth, np.array(probability)


def _without_positives_is_undefined(reference):
    def checked(t, p, classes):
        return reference(t, p, classes) if classes[1] in set(t) else NAN

    return checked


PROBABILITY_REFERENCES = {
    "roc_auc": lambda t, p, classes: skm.roc_auc_score(t, p),
    # scikit-learn warns and returns 0 without positives; Podio calls it undefined.
    "average_precision": _without_positives_is_undefined(
        lambda t, p, classes: skm.average_precision_score(t, p, pos_label=classes[1])
    ),
    "log_loss": lambda t, p, classes: skm.log_loss(t, p, labels=classes),
    "brier_score": lambda t, p, classes: skm.brier_score_loss(t, p, pos_label=classes[1]),
}


@pytest.mark.parametrize("name", sorted(PROBABILITY_REFERENCES))
@FEW
@given(case=binary_probabilities())
def test_probability_metric_equals_sklearn(name, case):
    classes, truth, probability = case
    t = _names(truth, classes)
    reference = PROBABILITY_REFERENCES[name]
    _agrees(name, truth, probability, lambda: reference(t, probability, classes))


@st.composite
def class_probabilities(draw):
    classes, truth, _ = draw(labelled(n_classes=draw(st.integers(4, 5))))
    k = len(classes)
    weights = draw(st.lists(st.lists(st.integers(0, 3), min_size=k, max_size=k),
                            min_size=len(truth), max_size=len(truth)))  # fmt: skip
    matrix = np.array(weights, dtype=np.float64) + (np.array(weights).sum(1) == 0)[:, None]
    return classes, truth, matrix / matrix.sum(axis=1, keepdims=True)


CLASS_PROBABILITY_REFERENCES = {
    "roc_auc_ovr": lambda t, p, c: skm.roc_auc_score(t, p, multi_class="ovr", labels=c),
    "log_loss_multiclass": lambda t, p, c: skm.log_loss(t, p, labels=c),
    "top_3_accuracy": lambda t, p, c: skm.top_k_accuracy_score(t, p, k=3, labels=c),
}


@pytest.mark.parametrize("name", sorted(CLASS_PROBABILITY_REFERENCES))
@FEW
@given(case=class_probabilities())
def test_class_probability_metric_equals_sklearn(name, case):
    classes, truth, matrix = case
    t = _names(truth, classes)
    reference = CLASS_PROBABILITY_REFERENCES[name]
    _agrees(name, truth, matrix, lambda: reference(t, matrix, classes))


VALUES = st.one_of(
    st.sampled_from([0.0, 1.0, 2.5, -1.0]),  # ties, zeros and negatives
    st.floats(-1e3, 1e3, allow_subnormal=False),
)


@st.composite
def regression(draw):
    n = draw(st.integers(1, 40))
    truth = draw(st.lists(VALUES, min_size=n, max_size=n))
    if draw(st.booleans()):
        predicted = [draw(VALUES)] * n
    else:
        predicted = draw(st.lists(VALUES, min_size=n, max_size=n))
    return np.array(truth), np.array(predicted)


def _r2(t, p):
    # Podio: undefined when the truth is constant (scikit-learn: nan or -inf, or a
    # meaningless finite number when rounding makes the variance tiny but not 0).
    return NAN if t.min() == t.max() else skm.r2_score(t, p, force_finite=False)


REGRESSION_REFERENCES = {
    "rmse": skm.root_mean_squared_error,
    "mse": skm.mean_squared_error,
    "mae": skm.mean_absolute_error,
    "median_absolute_error": skm.median_absolute_error,
    "r2": _r2,
    # Podio refuses negative values (scikit-learn only those <= -1)...
    "rmsle": lambda t, p: (
        NAN if min(t.min(), p.min()) < 0 else skm.root_mean_squared_log_error(t, p)
    ),
    # ...and a 0 in the truth for MAPE (scikit-learn divides by 2.2e-16 instead).
    "mape": lambda t, p: NAN if (t == 0).any() else skm.mean_absolute_percentage_error(t, p),
}


@pytest.mark.parametrize("name", sorted(REGRESSION_REFERENCES))
@FEW
@given(case=regression())
def test_regression_metric_equals_sklearn(name, case):
    truth, predicted = case
    _agrees(name, truth, predicted, lambda: REGRESSION_REFERENCES[name](truth, predicted))


def test_every_metric_is_checked_against_sklearn():
    checked = {
        "f1",
        *LABEL_REFERENCES,
        *PROBABILITY_REFERENCES,
        *CLASS_PROBABILITY_REFERENCES,
        *REGRESSION_REFERENCES,
    }
    assert checked == set(METRICS)


def test_undefined_results_name_the_reason():
    with pytest.raises(ScoringError, match="only one class"):
        get_metric("roc_auc").compute(np.array([1, 1]), np.array([0.2, 0.7]))
    with pytest.raises(ScoringError, match="every true value"):
        get_metric("r2").compute(np.array([3.0, 3.0]), np.array([1.0, 2.0]))
    with pytest.raises(ScoringError, match="true value is 0"):
        get_metric("mape").compute(np.array([0.0, 3.0]), np.array([1.0, 2.0]))


def test_unknown_metric_lists_the_known_ones():
    with pytest.raises(ScoringError, match=r"^There is no metric called 'acc'; the metrics are: "):
        get_metric("acc")


def test_metrics_for_task_fit_the_task():
    assert {m.name for m in metrics_for_task("binary")} >= {"accuracy", "roc_auc", "f1"}
    assert "roc_auc" not in {m.name for m in metrics_for_task("multiclass")}
    assert {m.prediction_form for m in metrics_for_task("regression")} == {"value"}
    assert metrics_for_task("ranking") == []


def test_metric_declares_what_the_site_needs():
    metric = get_metric("log_loss")
    assert (metric.label, metric.higher_is_better, metric.prediction_form) == (
        "Log loss",
        False,
        "probability",
    )
    assert metric.task_types == {"binary"}
