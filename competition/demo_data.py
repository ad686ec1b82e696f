"""Demo competitions built from data sets that scikit-learn ships: digits (multiclass,
accuracy), breast cancer (binary probabilities, ROC AUC) and diabetes (regression,
RMSE). Each comes with train and test files, a hidden solution, and predictions from
a few simple models to serve as baselines and as the demo teams' submissions."""

import io
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class DemoSet:
    slug: str
    title: str
    description: str
    task_type: str
    metric: str
    target: str
    train: bytes
    test: bytes
    solution: bytes
    predictions: dict[str, bytes] = field(default_factory=dict)


def _csv(frame: pd.DataFrame) -> bytes:
    out = io.StringIO()
    frame.to_csv(out, index=False, lineterminator="\n")
    return out.getvalue().encode()


def _split(x, y, seed: int):
    from sklearn.model_selection import train_test_split

    return train_test_split(x, y, test_size=0.35, random_state=seed)


def _frames(x_train, x_test, y_train, y_test, target: str, start_id: int):
    columns = [f"x{i}" for i in range(x_train.shape[1])]
    train = pd.DataFrame(x_train, columns=columns)
    train.insert(0, "id", range(1, len(train) + 1))
    train[target] = y_train
    ids = np.arange(start_id, start_id + len(x_test))
    test = pd.DataFrame(x_test, columns=columns)
    test.insert(0, "id", ids)
    solution = pd.DataFrame({"id": ids, target: y_test})
    return train, test, solution, ids


def digits() -> DemoSet:
    from sklearn.datasets import load_digits
    from sklearn.neighbors import KNeighborsClassifier, NearestCentroid
    from sklearn.tree import DecisionTreeClassifier

    data = load_digits()
    x_train, x_test, y_train, y_test = _split(data.data, data.target, seed=7)
    train, test, solution, ids = _frames(x_train, x_test, y_train, y_test, "label", 10_001)
    models = {
        "centroid": NearestCentroid(),
        "tree": DecisionTreeClassifier(max_depth=6, random_state=0),
        "knn": KNeighborsClassifier(n_neighbors=3),
    }
    with warnings.catch_warnings():
        # NearestCentroid notes that some pixels are constant in a class: expected here.
        warnings.simplefilter("ignore", UserWarning)
        predictions = {
            name: _csv(
                pd.DataFrame({"id": ids, "label": model.fit(x_train, y_train).predict(x_test)})
            )
            for name, model in models.items()
        }
    return DemoSet(
        slug="digitos",
        title="Dígitos escritos a mano / Hand-written digits",
        description=DIGITS_TEXT,
        task_type="multiclass",
        metric="accuracy",
        target="label",
        train=_csv(train),
        test=_csv(test),
        solution=_csv(solution),
        predictions=predictions,
    )


def breast_cancer() -> DemoSet:
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = load_breast_cancer()
    x_train, x_test, y_train, y_test = _split(data.data, data.target, seed=3)
    train, test, solution, ids = _frames(x_train, x_test, y_train, y_test, "benign", 20_001)
    models = {
        "logistic": make_pipeline(StandardScaler(), LogisticRegression()),
        "bayes": GaussianNB(),
    }
    predictions = {
        name: _csv(
            pd.DataFrame(
                {"id": ids, "benign": model.fit(x_train, y_train).predict_proba(x_test)[:, 1]}
            )
        )
        for name, model in models.items()
    }
    return DemoSet(
        slug="cancer-de-mama",
        title="Diagnóstico de cáncer de mama / Breast cancer diagnosis",
        description=CANCER_TEXT,
        task_type="binary",
        metric="roc_auc",
        target="benign",
        train=_csv(train),
        test=_csv(test),
        solution=_csv(solution),
        predictions=predictions,
    )


def diabetes() -> DemoSet:
    from sklearn.datasets import load_diabetes
    from sklearn.dummy import DummyRegressor
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import Ridge

    data = load_diabetes()
    x_train, x_test, y_train, y_test = _split(data.data, data.target, seed=5)
    train, test, solution, ids = _frames(x_train, x_test, y_train, y_test, "progression", 30_001)
    models = {
        "mean": DummyRegressor(),
        "ridge": Ridge(alpha=0.1),
        "forest": RandomForestRegressor(n_estimators=50, random_state=0),
    }
    predictions = {
        name: _csv(
            pd.DataFrame({"id": ids, "progression": model.fit(x_train, y_train).predict(x_test)})
        )
        for name, model in models.items()
    }
    return DemoSet(
        slug="diabetes",
        title="Progresión de la diabetes / Diabetes progression",
        description=DIABETES_TEXT,
        task_type="regression",
        metric="rmse",
        target="progression",
        train=_csv(train),
        test=_csv(test),
        solution=_csv(solution),
        predictions=predictions,
    )


DIGITS_TEXT = """\
Reconoce dígitos escritos a mano: imágenes de 8×8 píxeles (64 columnas `x0`…`x63`,
valores de 0 a 16) de los dígitos 0 a 9, el conjunto *digits* que trae scikit-learn.

**Recognize hand-written digits**: 8×8 pixel images (64 columns, values 0–16) of the
digits 0 to 9.

- Métrica / metric: *accuracy*. Envía / submit `id,label`.
- Equipos de hasta 3 personas / teams of up to 3.
- Informe final: máximo 1 carilla / final report: one page at most.
"""

CANCER_TEXT = """\
Predice si un tumor es benigno (`benign` = 1) a partir de 30 medidas de la imagen.
Envía la **probabilidad** de benigno, entre 0 y 1.

**Predict whether a tumour is benign** from 30 measurements. Submit the probability
of `benign`, between 0 and 1. Metric: ROC AUC.
"""

DIABETES_TEXT = """\
Predice la progresión de la diabetes un año después a partir de 10 variables.

**Predict disease progression** one year later from 10 variables. Metric: RMSE
(lower is better).
"""


@dataclass
class ImageDemo:
    slug: str
    title: str
    description: str
    solution: bytes
    inputs: bytes
    train: bytes
    baseline_model: bytes


def _npz(**arrays) -> bytes:
    out = io.BytesIO()
    np.savez_compressed(out, **arrays)
    return out.getvalue()


def digit_images() -> ImageDemo:
    """Digits as 8×8×1 images: students train a Keras model and upload it; Podio runs it
    on the hidden test images. The baseline is a small dense network trained here."""
    import os
    import tempfile

    from sklearn.datasets import load_digits

    data = load_digits()
    x = data.images.reshape(-1, 8, 8, 1).astype("float32")
    x_train, x_test, y_train, y_test = _split(x, data.target, seed=11)
    ids = np.arange(50_001, 50_001 + len(x_test))
    solution = pd.DataFrame({"id": ids, "label": y_test})
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((8, 8, 1)), keras.layers.Rescaling(1 / 16), keras.layers.Flatten(),
        keras.layers.Dense(32, activation="relu"), keras.layers.Dense(10, activation="softmax"),
    ])  # fmt: skip
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train, epochs=15, batch_size=32, verbose=0)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "baseline.keras")
        model.save(path)
        with open(path, "rb") as file:
            baseline = file.read()
    return ImageDemo(
        slug="digitos-keras",
        title="Dígitos con Keras / Digits with Keras",
        description=KERAS_TEXT,
        solution=_csv(solution),
        inputs=_npz(x=x_test, ids=ids),
        train=_npz(x=x_train, y=y_train),
        baseline_model=baseline,
    )


KERAS_TEXT = """\
Entrena un modelo de Keras que reconozca dígitos de 8×8 píxeles (valores 0 a 16) y
sube el modelo (`model.save("modelo.keras")`): Podio lo ejecuta sobre imágenes de
prueba ocultas. `train.npz` tiene `x` (N×8×8×1) e `y` (0–9).

**Train a Keras model** on 8×8 digit images and upload the model itself; Podio runs
it on hidden test images. Métrica / metric: *accuracy*.
"""
