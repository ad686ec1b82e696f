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


def test_a_real_worker_rescores_every_submission_with_progress():
    import time

    from competition import leaderboard, services
    from competition.models import RescoreRun
    from tests.factories import SOLUTION

    competition = host(make_competition())
    alice, charlie = make_user("alice"), make_user("charlie")
    ines = make_user("ines")
    make_team(competition, "Alpha", alice)
    make_team(competition, "Gamma", charlie)
    with celery_worker(queues=("cpu",)):
        subs = [
            services.submission_create(
                competition=competition, user=user, upload=upload(predictions(correct=n))
            )
            for user, n in ((alice, 20), (charlie, 10), (alice, 15))
        ]
        before = {s.pk: wait_finished(s.pk).public_score for s in subs}
        assert [r.name for r in leaderboard.public_leaderboard(competition)] == ["Alpha", "Gamma"]

        # The instructors fix the solution: the public rows labelled 1 were meant to be 2.
        fixed = SOLUTION.replace(",1,Public", ",2,Public")
        services.competition_set_solution(competition=competition, data=fixed.encode())
        run = services.competition_rescore(competition=competition, user=ines)
        deadline = time.monotonic() + 120
        while not run.is_finished and time.monotonic() < deadline:
            time.sleep(0.2)
            run.refresh_from_db()

    assert run.is_finished and run.total == 3
    after = {s.pk: s.public_score for s in competition.submissions.all()}
    assert after != before and run.changed == sum(after[pk] != before[pk] for pk in before)
    assert RescoreRun.objects.get().done == 3
    ranked = leaderboard.public_leaderboard(competition)
    assert {r.name: r.score for r in ranked}["Alpha"] == max(after[subs[0].pk], after[subs[2].pk])
