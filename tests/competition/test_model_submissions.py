"""Keras model submissions through the site: hosting the hidden inputs, uploads, and a
real worker on the gpu queue running each model in the sandbox."""

import io
import os

import numpy as np
import pytest

from competition import services
from competition.models import Submission
from competition.services import RuleViolation
from tests.factories import api_client, host, make_competition, make_team, make_user, upload

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
N = 60
SOLUTION = "id,label\n" + "".join(f"{i},{i % 10}\n" for i in range(1, N + 1))


def _inputs(ids=None, shape=(8, 8, 1)) -> bytes:
    ids = np.arange(1, N + 1) if ids is None else ids
    out = io.BytesIO()
    np.savez(out, x=np.random.default_rng(0).random((len(ids), *shape)), ids=ids)
    return out.getvalue()


def _keras_competition():
    competition = host(make_competition(accepts_keras=True, model_input_shape="8,8,1"), SOLUTION)
    services.competition_set_model_inputs(competition=competition, data=_inputs())
    return competition


def _model_bytes(tmp_path, *, lambda_layer: bool = False) -> bytes:
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    first = keras.layers.Lambda(lambda t: t * 2) if lambda_layer else keras.layers.Rescaling(0.5)
    model = keras.Sequential(
        [keras.Input((8, 8, 1)), first, keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    path = tmp_path / "m.keras"
    model.save(path)
    return path.read_bytes()


@pytest.mark.django_db
def test_model_inputs_must_match_the_solutions_ids():
    competition = host(make_competition(accepts_keras=True, model_input_shape="8,8,1"), SOLUTION)

    with pytest.raises(RuleViolation, match="1 missing, 1 extra"):
        services.competition_set_model_inputs(
            competition=competition, data=_inputs(ids=np.arange(2, N + 2))
        )
    with pytest.raises(RuleViolation, match=r"shape \(28, 28, 1\), but the competition states"):
        services.competition_set_model_inputs(
            competition=competition, data=_inputs(shape=(28, 28, 1))
        )


@pytest.mark.django_db
def test_legacy_h5_upload_is_refused_at_once(alice):
    _keras_competition()

    response = api_client(alice).post(
        "/api/v1/competitions/digitos/submissions/",
        {"file": upload(b"\x89HDF\r\n\x1a\n", "model.h5")},
        format="multipart",
    )

    assert response.status_code == 400
    assert "model.save('model.keras')" in response.json()["detail"]
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_csv_only_competition_refuses_models(hosted, alice, tmp_path):
    with pytest.raises(RuleViolation, match="does not accept Keras models"):
        services.submission_create(
            competition=hosted, user=alice, upload=upload(b"PK\x03\x04", "m.keras")
        )


@pytest.mark.django_db
def test_overview_tells_students_what_the_model_must_accept_and_return(alice):
    from django.urls import reverse

    from tests.factories import web_client

    _keras_competition()

    html = web_client(alice).get(reverse("competition:detail", args=["digitos"])).content.decode()

    assert "(None, 8, 8, 1)" in html and "(None, 10)" in html
    assert "Rescaling" in html


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_gpu_queue_worker_runs_models_and_survives_bad_ones(tmp_path):
    from tests.workers import celery_worker, wait_finished

    competition = _keras_competition()
    competition.daily_limit = 1
    competition.save()
    alice = make_user("alice")
    make_team(competition, "Alpha", alice)
    client = api_client(alice)
    url = "/api/v1/competitions/digitos/submissions/"
    bad = [
        (b"no soy un modelo", "texto.keras"),
        (_model_bytes(tmp_path, lambda_layer=True), "l.keras"),
    ]

    with celery_worker(queues=("gpu",)) as worker:
        for content, name in bad:
            sent = client.post(url, {"file": upload(content, name)}, format="multipart").json()
            failed = wait_finished(sent["id"])
            assert failed.status == "failed" and failed.error
            assert worker["process"].poll() is None  # the worker is still alive
        good = client.post(
            url, {"file": upload(_model_bytes(tmp_path), "bueno.keras")}, format="multipart"
        )
        assert good.status_code == 201, good.json()  # failed ones did not use the daily limit
        scored = wait_finished(good.json()["id"])
        assert worker["process"].poll() is None

    assert scored.status == "scored" and scored.kind == "keras"
    assert scored.public_score is not None
    assert scored.predictions.read().decode().startswith("id,label\n")
    errors = [s.error for s in Submission.objects.filter(status="failed").order_by("id")]
    assert errors[0].startswith("This is not a Keras model file.")
    assert errors[1].startswith("This model contains a Lambda layer")
