"""Model scoring time against the bare script a teaching assistant would run by hand.

For the digits model (8x8x1 inputs) and for a small CNN on 10,000 random 28x28x1
inputs: Podio's model scoring, from the task's start to the scores saved (the
sandboxed process that loads the model with safe mode and predicts, the conversion to
a predictions CSV, the scoring, the database writes), against a fresh Python process
that imports Keras, loads the model, predicts and computes the metric. Both pay the
import of TensorFlow, so the ratio shows what Podio's safety and bookkeeping add.

    .venv/bin/python bench/bench_model.py [--repeat 3]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BARE = textwrap.dedent("""
    import sys, numpy as np, keras
    from sklearn.metrics import accuracy_score
    model = keras.saving.load_model(sys.argv[1], safe_mode=True, compile=False)
    data = np.load(sys.argv[2])
    labels = model.predict(data["x"], batch_size=1024, verbose=0).argmax(axis=1)
    truth = np.loadtxt(sys.argv[3], delimiter=",", skiprows=1, usecols=1)
    print(accuracy_score(truth, labels))
""")


def make_cases(folder: Path) -> dict[str, dict]:
    import keras
    from sklearn.datasets import load_digits

    digits = load_digits()
    x8 = digits.images.reshape(-1, 8, 8, 1).astype("float32")
    dense = keras.Sequential([
        keras.Input((8, 8, 1)), keras.layers.Rescaling(1 / 16), keras.layers.Flatten(),
        keras.layers.Dense(32, activation="relu"), keras.layers.Dense(10, activation="softmax"),
    ])  # fmt: skip
    dense.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    dense.fit(x8, digits.target, epochs=5, verbose=0)
    rng = np.random.default_rng(0)
    x28 = rng.random((10_000, 28, 28, 1), dtype=np.float32)
    cnn = keras.Sequential([
        keras.Input((28, 28, 1)), keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.MaxPooling2D(), keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(), keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ])  # fmt: skip
    cases = {
        "digits dense": (dense, x8, digits.target, (8, 8, 1)),
        "CNN 10k x 28x28x1": (cnn, x28, rng.integers(0, 10, len(x28)), (28, 28, 1)),
    }
    out = {}
    for name, (model, x, y, shape) in cases.items():
        slug = name.split()[0].lower()
        ids = np.arange(1, len(x) + 1)
        model.save(folder / f"{slug}.keras")
        np.savez(folder / f"{slug}.npz", x=x, ids=ids)
        lines = "".join(f"{i},{t}\n" for i, t in zip(ids, y, strict=True))
        (folder / f"{slug}.csv").write_text("id,label\n" + lines)
        out[name] = {"slug": slug, "shape": shape}
    return out


def bare(folder: Path, slug: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", BARE, str(folder / f"{slug}.keras"), str(folder / f"{slug}.npz"),
         str(folder / f"{slug}.csv")],
        check=True, capture_output=True, env={**os.environ, "KERAS_BACKEND": "tensorflow"},
    )  # fmt: skip
    return time.perf_counter() - start


def podio(folder: Path, slug: str, shape, competition_cache: dict) -> float:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from competition import scoring_service, services
    from competition.models import Competition

    if slug not in competition_cache:
        competition_cache[slug] = Competition.objects.create(
            slug=slug, title=slug, is_published=True, metric="accuracy", accepts_keras=True,
            model_input_shape=",".join(map(str, shape)), model_max_params=10_000_000,
            model_time_limit=600, start_at=datetime(2020, 1, 1, tzinfo=UTC),
            end_at=datetime(2100, 1, 1, tzinfo=UTC),
            daily_limit=1000,
        )  # fmt: skip
        competition = competition_cache[slug]
        services.competition_set_solution(
            competition=competition, data=(folder / f"{slug}.csv").read_bytes()
        )
        services.competition_set_model_inputs(
            competition=competition, data=(folder / f"{slug}.npz").read_bytes()
        )
    competition = competition_cache[slug]
    user, _ = User.objects.get_or_create(username="ta", defaults={"email": "ta@example.edu"})
    upload = SimpleUploadedFile("m.keras", (folder / f"{slug}.keras").read_bytes())
    submission = services.baseline_create(
        competition=competition, user=user, upload=upload, name="bench"
    )
    start = time.perf_counter()
    scoring_service.submission_score(submission_id=submission.pk)
    elapsed = time.perf_counter() - start
    submission.refresh_from_db()
    assert submission.status == "scored", submission.error
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="podio-bench-model-"))
    os.environ.update(
        PODIO_VAR_DIR=str(work / "var"), DJANGO_SETTINGS_MODULE="config.settings",
        KERAS_BACKEND="tensorflow", PODIO_LOG_LEVEL="WARNING", DATABASE_URL="",
    )  # fmt: skip
    os.environ.pop("DATABASE_URL")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    cases = make_cases(work)
    cache: dict = {}
    for name, case in cases.items():
        times_bare, times_podio = [], []
        for _ in range(args.repeat):  # interleaved, so that noise hits both alike
            times_bare.append(bare(work, case["slug"]))
            times_podio.append(podio(work, case["slug"], case["shape"], cache))
        b, p = statistics.median(times_bare), statistics.median(times_podio)
        print(f"{name:20s} bare script {b:6.2f} s   Podio {p:6.2f} s   ratio {p / b:.2f}x")


if __name__ == "__main__":
    main()
