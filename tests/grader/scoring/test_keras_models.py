"""Keras model submissions: real model files made here, run in the real sandbox."""

import os
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from grader.scoring import ScoringError, load_solution, sandbox, score
from grader.scoring.keras_archive import check_archive
from grader.scoring.keras_model import ModelSpec, predictions_csv

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SPEC = ModelSpec(input_shape=(8, 8, 1))
LIMITS = sandbox.Limits(wall_seconds=120)


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    return keras


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    from sklearn.datasets import load_digits

    data = load_digits()
    folder = tmp_path_factory.mktemp("digits")
    x = data.images.reshape(-1, 8, 8, 1).astype("float32")
    ids = np.arange(1, len(x) + 1)
    np.savez(folder / "inputs.npz", x=x, ids=ids)
    truth = "id,label\n" + "".join(f"{i},{t}\n" for i, t in zip(ids, data.target, strict=True))
    solution = load_solution(truth.encode(), "accuracy", public_fraction=0.3, seed=7)
    return {"x": x, "y": data.target, "inputs": folder / "inputs.npz", "solution": solution}


def _save(model, folder: Path, name: str) -> Path:
    path = folder / name
    model.save(path)
    return path


def _dense(keras, *, input_shape=(8, 8, 1), outputs=10, hidden=0):
    layers = [keras.Input(input_shape), keras.layers.Rescaling(1 / 16), keras.layers.Flatten()]
    if hidden:
        layers.append(keras.layers.Dense(hidden, activation="relu"))
    layers.append(keras.layers.Dense(outputs, activation="softmax"))
    return keras.Sequential(layers)


@pytest.fixture(scope="module")
def models(keras, digits, tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    good = _dense(keras)
    good.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    good.fit(digits["x"], digits["y"], epochs=3, verbose=0)
    lambda_model = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Lambda(lambda t: t / 16), keras.layers.Flatten(),
         keras.layers.Dense(10)]
    )  # fmt: skip

    @keras.saving.register_keras_serializable(package="alumnos")
    class Doble(keras.layers.Layer):
        def call(self, inputs):
            return inputs * 2

    custom = keras.Sequential([keras.Input((8, 8, 1)), Doble(), keras.layers.Flatten(),
                               keras.layers.Dense(10)])  # fmt: skip
    text = folder / "texto.keras"
    text.write_text("hola, esto no es un modelo")
    not_model = folder / "zip.keras"
    with zipfile.ZipFile(not_model, "w") as archive:
        archive.writestr("notas.txt", "hola")
    return {
        "good": _save(good, folder, "good.keras"),
        "good_model": good,
        "lambda": _save(lambda_model, folder, "lambda.keras"),
        "custom": _save(custom, folder, "custom.keras"),
        "wrong_input": _save(_dense(keras, input_shape=(7, 7, 1)), folder, "in.keras"),
        "wrong_output": _save(_dense(keras, outputs=5), folder, "out.keras"),
        "big": _save(_dense(keras, hidden=2000), folder, "big.keras"),
        "text": text,
        "zip": not_model,
    }


def _run(models, digits, name, spec=SPEC, limits=LIMITS) -> bytes:
    return predictions_csv(models[name], digits["inputs"], digits["solution"], spec, limits)


def test_good_model_scores_exactly_what_the_bare_computation_gives(models, digits):
    from sklearn.metrics import accuracy_score

    result = score(digits["solution"], _run(models, digits, "good"))

    labels = models["good_model"].predict(digits["x"], verbose=0).argmax(axis=1)
    public = digits["solution"].usage == 0
    assert result.public == accuracy_score(digits["y"][public], labels[public])
    assert result.private == accuracy_score(digits["y"][~public], labels[~public])
    assert result.rows == len(digits["y"])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("lambda", "which runs arbitrary code; replace it with built-in layers"),
        ("custom", "This model uses a custom class 'Doble'"),
        ("text", "This is not a Keras model file. Save your model with model.save('model.keras')"),
        ("zip", "This zip file does not hold a Keras model's config.json"),
    ],
)  # fmt: skip
def test_refused_before_any_sandbox_starts(models, name, message):
    with pytest.raises(ScoringError) as error:
        check_archive(models[name])

    assert message in str(error.value)
    if name == "lambda":
        assert str(error.value).startswith("This model contains a Lambda layer (lambda")


def test_legacy_h5_is_refused_with_the_way_out(keras, tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)

    with pytest.raises(ScoringError, match=r"save it with model.save\('model.keras'\)"):
        check_archive(path)


@pytest.mark.parametrize(
    ("name", "spec", "message"),
    [
        ("wrong_input", SPEC, "The model's input shape is (None, 7, 7, 1); this competition's "
                              "inputs are (None, 8, 8, 1)."),
        ("wrong_output", SPEC, "The model's output shape is (None, 5); it must be (None, 10)."),
        ("big", ModelSpec(input_shape=(8, 8, 1), max_params=100_000),
         "The model has 150,010 parameters; the limit is 100,000."),
    ],
)  # fmt: skip
def test_models_that_do_not_fit_are_refused_with_both_shapes(models, digits, name, spec, message):
    with pytest.raises(ScoringError) as error:
        _run(models, digits, name, spec)

    assert str(error.value) == message


def test_a_model_past_the_time_limit_is_stopped(models, digits):
    with pytest.raises(ScoringError, match="ran past the time limit of 2 seconds"):
        _run(models, digits, "good", limits=sandbox.Limits(wall_seconds=2))


def test_a_model_out_of_memory_is_stopped(models, digits):
    with pytest.raises(ScoringError, match="ran out of memory"):
        _run(models, digits, "good", limits=sandbox.Limits(memory_bytes=400 * 2**20))


needs_root = pytest.mark.skipif(
    not sandbox.isolation()["namespaces"], reason="namespaces need root (the worker image's)"
)


@needs_root
def test_the_sandbox_has_no_network(tmp_path):
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    code = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=3)"
    try:
        outside = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
        inside = sandbox.run(["python", "-c", code], tmp_path, sandbox.Limits(wall_seconds=30))
    finally:
        server.close()

    assert outside.returncode == 0, outside.stderr  # reachable from outside the sandbox
    assert inside.returncode != 0
    assert "Network is unreachable" in inside.stderr or "refused" in inside.stderr


@needs_root
def test_the_sandbox_cannot_read_the_secret_key(tmp_path, settings):
    secret = Path(settings.VAR_DIR) / "secret_key"
    if not secret.exists():
        secret.write_text("not-for-models")
    code = (
        "import os; print(os.environ.get('DJANGO_SECRET_KEY'));"
        f" print(open({str(secret)!r}).read())"
    )

    outcome = sandbox.run(
        ["python", "-c", code], tmp_path, sandbox.Limits(wall_seconds=30), hide=[settings.VAR_DIR]
    )

    assert outcome.returncode != 0
    assert outcome.stdout.strip() == "None"
    assert settings.SECRET_KEY not in outcome.stdout + outcome.stderr
    assert "No such file" in outcome.stderr or "Permission denied" in outcome.stderr


def test_the_sandbox_environment_holds_no_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://secret@db/podio")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "very-secret")
    code = "import os, json; print(json.dumps(dict(os.environ)))"

    outcome = sandbox.run(["python", "-c", code], tmp_path, sandbox.Limits(wall_seconds=30))

    assert "very-secret" not in outcome.stdout and "postgres://" not in outcome.stdout
    assert outcome.returncode == 0
