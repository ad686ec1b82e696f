"""The whole path with real processes: API upload, broker, a worker, the database."""

import pytest

from tests.factories import (
    api_client,
    host,
    make_competition,
    make_team,
    make_user,
    predictions,
    upload,
)
from tests.workers import celery_worker, wait_finished

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_scores_uploads_from_the_api():
    competition = host(make_competition())
    alice = make_user("alice")
    make_team(competition, "Alpha", alice)
    client = api_client(alice)

    with celery_worker(queues=("cpu",)):
        good = client.post(
            "/api/v1/competitions/digitos/submissions/",
            {"file": upload(predictions(correct=10))},
            format="multipart",
        ).json()
        bad = client.post(
            "/api/v1/competitions/digitos/submissions/",
            {"file": upload(b"id,label\n1,0\n")},
            format="multipart",
        ).json()
        assert good["status"] == "queued"
        scored, failed = wait_finished(good["id"]), wait_finished(bad["id"])

    assert scored.status == "scored" and scored.public_score is not None
    assert scored.attempts == 1
    assert failed.status == "failed" and "19 ids are missing" in failed.error
