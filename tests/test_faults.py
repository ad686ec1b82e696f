"""Faults, for real: workers killed with SIGKILL, a poison submission, the broker down
when a student submits. Each test runs its own redis-server, so that stopping it never
touches the tests running beside it, and real worker processes on the test database."""

import os
import signal
import subprocess
import sys
import time

import pytest
import requests
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from accounts.services import token_get_or_create
from competition.models import Submission
from tests import workers
from tests.factories import host, make_competition, make_team, make_user, predictions, upload
from tests.workers import ROOT, celery_worker, private_redis, web_server

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _queued_submission() -> Submission:
    """A stored submission, queued and not yet sent anywhere."""
    competition = host(make_competition())
    alice = make_user("alice")
    team = make_team(competition, "Alpha", alice)
    return Submission.objects.create(
        competition=competition, team=team, user=alice, file=upload(predictions(correct=12))
    )


def _wait(pk: int, condition, timeout: float = 90) -> Submission:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission = Submission.objects.get(pk=pk)
        if condition(submission):
            return submission
        time.sleep(0.2)
    raise AssertionError(f"submission {pk}: still {submission.status} after {timeout} s")


def _output(worker: dict) -> str:
    worker["process"].terminate()
    worker["process"].wait(timeout=30)
    return worker["log"].read_text()


def test_a_worker_killed_while_scoring_is_replaced_and_the_submission_scored_once():
    submission = _queued_submission()
    # Hard limit 6 s, so the broker gives an unacknowledged task to another worker
    # after 12 s (the visibility timeout is twice the hard limit).
    limits = {"PODIO_TASK_HARD_TIME_LIMIT": "6"}
    with private_redis() as redis:
        stalls = {"PODIO_FAULT_INJECTION": "1", "PODIO_FAULT_SLEEP_SECONDS": "4"}
        with celery_worker(queues=("cpu",), env={**redis.env, **limits, **stalls}) as first:
            task_id = redis.send("competition.score_submission", submission.pk)
            running = _wait(submission.pk, lambda s: s.status == "running")
            assert running.task_id == task_id and running.attempts == 1
            os.killpg(first["process"].pid, signal.SIGKILL)  # the worker and its pool
            first["process"].wait()
        with celery_worker(queues=("cpu",), env={**redis.env, **limits}) as second:
            scored = _wait(submission.pk, lambda s: s.is_finished)
            time.sleep(1)  # time for any second scoring to show
            log = _output(second)
    assert scored.status == "scored" and scored.public_score is not None
    assert scored.attempts == 2 and scored.task_id == task_id  # the same message, again
    assert log.count(f"submission {submission.pk} scored") == 1
    assert Submission.objects.get(pk=submission.pk).finished_at == scored.finished_at


def test_a_poison_submission_fails_after_a_bounded_number_of_attempts():
    submission = _queued_submission()
    crashes = {"PODIO_FAULT_INJECTION": "1", "PODIO_FAULT_CRASH": "1"}
    with (
        private_redis() as redis,
        celery_worker(queues=("cpu",), env={**redis.env, **crashes}) as worker,
    ):
        redis.send("competition.score_submission", submission.pk)
        failed = _wait(submission.pk, lambda s: s.is_finished, timeout=120)
        time.sleep(2)  # it does not come back
        log = _output(worker)
    assert failed.status == "failed"
    # Workers write messages in the site's language (Spanish).
    with translation.override(settings.LANGUAGE_CODE):
        expected = gettext("Scoring stopped its worker %(n)d times; it was given up.") % {"n": 3}
    assert failed.error == expected
    assert Submission.objects.get(pk=submission.pk).attempts == 3
    assert log.count("WorkerLostError") >= 3


def test_broker_down_when_a_student_submits_then_the_sweep_sends_it():
    competition = host(make_competition())
    alice = make_user("alice")
    make_team(competition, "Alpha", alice)
    headers = {"Authorization": f"Token {token_get_or_create(user=alice).key}"}
    with private_redis() as redis:
        env = {**redis.env, "PODIO_SWEEP_UNSENT_AFTER": "0"}
        with web_server(env) as site:
            redis.stop()  # the broker goes down
            response = requests.post(
                f"{site}/api/v1/competitions/digitos/submissions/",
                headers=headers,
                files={"file": ("preds.csv", predictions(correct=15))},
                timeout=60,
            )
            assert response.status_code == 201, response.text
            body = response.json()
            assert body["status"] == "queued"
            seen = requests.get(
                f"{site}/api/v1/submissions/{body['id']}/", headers=headers, timeout=10
            )
            assert seen.json()["status"] == "queued"
            assert Submission.objects.get(pk=body["id"]).sent_at is None

            redis.start()  # back, empty: the message was never sent
            with celery_worker(queues=("cpu",), env=env):
                sweep = _manage(env, "sweep_submissions")
                assert "re-sent: 1 never sent" in sweep
                scored = _wait(body["id"], lambda s: s.is_finished)
                assert "re-sent: 0 never sent, 0 lost in the queue, 0 stuck running" in (
                    _manage(env, "sweep_submissions")
                )
    assert scored.status == "scored" and scored.attempts == 1
    assert Submission.objects.filter(competition=competition).count() == 1


def _manage(env: dict[str, str], *args: str) -> str:
    from django.conf import settings

    full = {**os.environ, "DATABASE_URL": workers.test_database_url(), **env}
    full["PODIO_VAR_DIR"] = str(settings.VAR_DIR)
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full, capture_output=True,
        text=True, timeout=120, check=True,
    )  # fmt: skip
    return result.stdout
