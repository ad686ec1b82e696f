"""The metric registry: what each metric expects and how it is computed.

Metric functions take arrays already checked and aligned by the reader:

* classification truth is an integer code per row, the index of its class among the
  solution's sorted classes (so with classes ``0, 1`` or ``no, yes`` the positive class,
  code 1, is the last one);
* ``label`` predictions are codes too; ``probability`` predictions are the probability of
  code 1; ``class_probabilities`` are an ``(n, k)`` array, column ``j`` for code ``j``;
* regression truth and ``value`` predictions are floats.

Each function agrees with scikit-learn's (tests/grader/scoring proves it). Where
scikit-learn's input checks dominate at a million rows, an exactly equivalent numpy
formula is used instead. scikit-learn is imported inside the functions that need it,
because importing it takes over a second.
"""

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from grader.scoring.errors import ScoringError

LABEL = "label"
PROBABILITY = "probability"
CLASS_PROBABILITIES = "class_probabilities"
VALUE = "value"
BINARY = "binary"
MULTICLASS = "multiclass"
REGRESSION = "regression"
CLASSIFICATION = frozenset({BINARY, MULTICLASS})

Function = Callable[[np.ndarray, np.ndarray], float]


@dataclass(frozen=True)
class Metric:
    """One way to score predictions; ``function(y_true, y_pred)`` follows the module doc."""

    name: str
    label: str
    higher_is_better: bool
    prediction_form: str
    task_types: frozenset[str]
    function: Function = field(repr=False, compare=False)
    min_classes: int = 2
    min_value: float | None = None

    @property
    def is_classification(self) -> bool:
        return self.prediction_form != VALUE

    def compute(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        """The score, or ScoringError where the metric is undefined for these rows."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = float(self.function(y_true, y_pred))
        if not math.isfinite(value):
            raise ScoringError(f"{self.label} is undefined for these rows (it came out {value}).")
        return value

    def class_count_problem(self, n_classes: int) -> str | None:
        """Why a target with ``n_classes`` classes does not fit this metric, if it does not."""
        if MULTICLASS not in self.task_types and n_classes != 2:
            return f"{self.label} needs exactly 2 classes"
        if BINARY not in self.task_types and n_classes < max(self.min_classes, 3):
            return f"{self.label} needs at least {max(self.min_classes, 3)} classes"
        if n_classes < self.min_classes:
            return f"{self.label} needs at least {self.min_classes} classes"
        return None


def _sklearn_metrics():
    import sklearn.metrics  # here, not at the top: the import takes over a second

    return sklearn.metrics


# --- confusion-matrix metrics (numpy, equal to scikit-learn's) -------------------------


def _confusion(y_true: np.ndarray, y_pred: np.ndarray, *, keep_all: bool = False) -> np.ndarray:
    """Counts[true, predicted] over the classes present in either array, as sklearn does."""
    k = int(max(y_true.max(), y_pred.max())) + 1
    if keep_all:
        k = max(k, 2)
    counts = np.bincount(y_true.astype(np.int64) * k + y_pred, minlength=k * k).reshape(k, k)
    if keep_all:
        return counts.astype(np.float64)
    present = (counts.sum(axis=0) + counts.sum(axis=1)) > 0
    return counts[np.ix_(present, present)].astype(np.float64)


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Elementwise division with 0 where the denominator is 0 (sklearn's zero_division)."""
    safe = np.where(denominator == 0, 1.0, denominator)
    return np.where(denominator == 0, 0.0, numerator / safe)


def _per_class(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class true positives, predicted totals and true totals."""
    return np.diag(counts), counts.sum(axis=0), counts.sum(axis=1)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.count_nonzero(y_true == y_pred) / len(y_true))


def balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    tp, _, true_sum = _per_class(_confusion(y_true, y_pred))
    seen = true_sum > 0
    return float(np.mean(tp[seen] / true_sum[seen]))


def _f1(counts: np.ndarray) -> np.ndarray:
    tp, pred_sum, true_sum = _per_class(counts)
    return _divide(2 * tp, true_sum + pred_sum)


def f1_macro(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(_f1(_confusion(y_true, y_pred))))


def f1_weighted(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    counts = _confusion(y_true, y_pred)
    return float(np.average(_f1(counts), weights=counts.sum(axis=1)))


def f1_binary(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(_f1(_confusion(y_true, y_pred, keep_all=True))[1])


def precision_macro(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    tp, pred_sum, _ = _per_class(_confusion(y_true, y_pred))
    return float(np.mean(_divide(tp, pred_sum)))


def recall_macro(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    tp, _, true_sum = _per_class(_confusion(y_true, y_pred))
    return float(np.mean(_divide(tp, true_sum)))


def matthews(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    counts = _confusion(y_true, y_pred)
    t_sum, p_sum = counts.sum(axis=1), counts.sum(axis=0)
    n = p_sum.sum()
    cov_ytyp = np.trace(counts) * n - np.dot(t_sum, p_sum)
    cov_ypyp_ytyt = (n**2 - np.dot(p_sum, p_sum)) * (n**2 - np.dot(t_sum, t_sum))
    return 0.0 if cov_ypyp_ytyt == 0 else float(cov_ytyp / np.sqrt(cov_ypyp_ytyt))


def _kappa(y_true: np.ndarray, y_pred: np.ndarray, *, quadratic: bool) -> float:
    counts = _confusion(y_true, y_pred)
    expected = np.outer(counts.sum(axis=0), counts.sum(axis=1)) / counts.sum()
    position = np.arange(len(counts), dtype=np.float64)
    weights = (position[:, None] - position[None, :]) ** 2
    if not quadratic:
        weights = (weights > 0).astype(np.float64)
    denominator = np.sum(weights * expected)
    if denominator == 0:
        raise ScoringError(
            "Cohen's kappa is undefined when the solution and the predictions hold"
            " one and the same class only."
        )
    return float(1 - np.sum(weights * counts) / denominator)


def cohen_kappa(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return _kappa(y_true, y_pred, quadratic=False)


def quadratic_kappa(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return _kappa(y_true, y_pred, quadratic=True)


# --- probability metrics ------------------------------------------------------------------


def _both_classes(y_true: np.ndarray, what: str) -> None:
    if np.all(y_true == y_true[0]):
        raise ScoringError(f"{what} is undefined when the scored rows hold only one class.")


def roc_auc(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    _both_classes(y_true, "ROC AUC")
    return _sklearn_metrics().roc_auc_score(y_true, y_pred)


def roc_auc_ovr(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    k = y_pred.shape[1]
    if np.count_nonzero(np.bincount(y_true, minlength=k)) < k:
        raise ScoringError(
            "ROC AUC (one-vs-rest) is undefined unless every class appears among the scored rows."
        )
    labels = np.arange(k)
    return _sklearn_metrics().roc_auc_score(y_true, y_pred, multi_class="ovr", labels=labels)


def average_precision(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    if not np.any(y_true == 1):
        raise ScoringError("Average precision is undefined when no scored row is positive.")
    return _sklearn_metrics().average_precision_score(y_true, y_pred)


def log_loss_binary(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return _sklearn_metrics().log_loss(y_true, y_pred, labels=[0, 1])


def log_loss_multiclass(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return _sklearn_metrics().log_loss(y_true, y_pred, labels=np.arange(y_pred.shape[1]))


def brier(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return _sklearn_metrics().brier_score_loss(y_true, y_pred, pos_label=1, labels=[0, 1])


def top_3_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    labels = np.arange(y_pred.shape[1])
    return _sklearn_metrics().top_k_accuracy_score(y_true, y_pred, k=3, labels=labels)


# --- regression metrics -------------------------------------------------------------------


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean((y_true - y_pred) ** 2))


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.sqrt(mse(y_true, y_pred)))


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(np.abs(y_pred - y_true)))


def median_absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.median(np.abs(y_pred - y_true)))


def r2(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    if y_true.min() == y_true.max():
        raise ScoringError("R² is undefined when every true value of the scored rows is the same.")
    return _sklearn_metrics().r2_score(y_true, y_pred, force_finite=False)


def rmsle(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    if min(y_true.min(), y_pred.min()) < 0:
        raise ScoringError("RMSLE needs values of 0 or more, in the solution and the predictions.")
    return _sklearn_metrics().root_mean_squared_log_error(y_true, y_pred)


def mape(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    if np.any(y_true == 0):
        raise ScoringError("MAPE is undefined when a true value is 0.")
    return _sklearn_metrics().mean_absolute_percentage_error(y_true, y_pred)


# --- the registry -------------------------------------------------------------------------

_BIN = frozenset({BINARY})
_MULTI = frozenset({MULTICLASS})
_REG = frozenset({REGRESSION})

METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        Metric("accuracy", "Accuracy", True, LABEL, CLASSIFICATION, accuracy),
        Metric(
            "balanced_accuracy", "Balanced accuracy", True, LABEL, CLASSIFICATION, balanced_accuracy
        ),
        Metric("f1", "F1 (positive class)", True, LABEL, _BIN, f1_binary),
        Metric("f1_macro", "F1 (macro)", True, LABEL, CLASSIFICATION, f1_macro),
        Metric("f1_micro", "F1 (micro)", True, LABEL, CLASSIFICATION, accuracy),
        Metric("f1_weighted", "F1 (weighted)", True, LABEL, CLASSIFICATION, f1_weighted),
        Metric(
            "precision_macro", "Precision (macro)", True, LABEL, CLASSIFICATION, precision_macro
        ),
        Metric("recall_macro", "Recall (macro)", True, LABEL, CLASSIFICATION, recall_macro),
        Metric("mcc", "Matthews correlation", True, LABEL, CLASSIFICATION, matthews),
        Metric("cohen_kappa", "Cohen's kappa", True, LABEL, CLASSIFICATION, cohen_kappa),
        Metric(
            "quadratic_weighted_kappa",
            "Quadratic weighted kappa",
            True,
            LABEL,
            CLASSIFICATION,
            quadratic_kappa,
        ),
        Metric("roc_auc", "ROC AUC", True, PROBABILITY, _BIN, roc_auc),
        Metric(
            "average_precision", "Average precision", True, PROBABILITY, _BIN, average_precision
        ),
        Metric("log_loss", "Log loss", False, PROBABILITY, _BIN, log_loss_binary),
        Metric("brier_score", "Brier score", False, PROBABILITY, _BIN, brier),
        Metric(
            "roc_auc_ovr",
            "ROC AUC (one-vs-rest, macro)",
            True,
            CLASS_PROBABILITIES,
            _MULTI,
            roc_auc_ovr,
        ),
        Metric(
            "log_loss_multiclass",
            "Log loss (multiclass)",
            False,
            CLASS_PROBABILITIES,
            _MULTI,
            log_loss_multiclass,
        ),
        Metric(
            "top_3_accuracy",
            "Top-3 accuracy",
            True,
            CLASS_PROBABILITIES,
            _MULTI,
            top_3_accuracy,
            min_classes=4,
        ),
        Metric("rmse", "RMSE", False, VALUE, _REG, rmse),
        Metric("mse", "MSE", False, VALUE, _REG, mse),
        Metric("mae", "MAE", False, VALUE, _REG, mae),
        Metric(
            "median_absolute_error",
            "Median absolute error",
            False,
            VALUE,
            _REG,
            median_absolute_error,
        ),
        Metric("r2", "R²", True, VALUE, _REG, r2),
        Metric("rmsle", "RMSLE", False, VALUE, _REG, rmsle, min_value=0.0),
        Metric("mape", "MAPE", False, VALUE, _REG, mape),
    ]
}


def get_metric(name: str) -> Metric:
    """The metric called ``name``; ScoringError naming the known ones if there is none."""
    try:
        return METRICS[name]
    except KeyError:
        known = ", ".join(METRICS)
        raise ScoringError(
            f"There is no metric called {name!r}; the metrics are: {known}."
        ) from None


def metrics_for_task(task_type: str) -> list[Metric]:
    """The metrics that fit ``task_type`` (binary, multiclass or regression)."""
    return [metric for metric in METRICS.values() if task_type in metric.task_types]
