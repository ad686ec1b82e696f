"""The sweep re-sends stuck submissions and never scores one twice; the claim that
makes that so; the health endpoint; the queue page; the submission's logged life."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from competition import queueing, scoring_service
from competition.models import Submission
from tests.factories import predictions, upload, web_client

pytestmark = pytest.mark.django_db


def _stored(hosted, alpha, alice, **fields) -> Submission:
    return Submission.objects.create(
        competition=hosted, team=alpha, user=alice, file=upload(predictions(correct=14)),
        **fields,
    )  # fmt: skip


def test_the_sweep_sends_what_was_never_sent_and_leaves_the_rest(hosted, alpha, alice):
    old = timezone.now() - timedelta(minutes=5)
    unsent = _stored(hosted, alpha, alice, created_at=old)
    just_now = _stored(hosted, alpha, alice)  # its own on-commit send may still come
    sent = _stored(hosted, alpha, alice, created_at=old, sent_at=timezone.now())
    counts = queueing.sweep()
    assert counts == {"unsent": 1, "lost": 0, "stale": 0}
    assert Submission.objects.get(pk=unsent.pk).status == "scored"  # eager: scored at once
    assert Submission.objects.get(pk=just_now.pk).status == "queued"
    assert Submission.objects.get(pk=sent.pk).status == "queued"


def test_the_sweep_resends_a_message_lost_with_the_broker(hosted, alpha, alice, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.PODIO_SWEEP_QUEUED_AFTER + 5)
    lost = _stored(hosted, alpha, alice, created_at=long_ago, sent_at=long_ago)
    assert queueing.sweep()["lost"] == 1
    assert Submission.objects.get(pk=lost.pk).status == "scored"


def test_a_submission_running_past_the_time_limit_is_claimed_again(hosted, alpha, alice):
    started = timezone.now() - queueing.running_limit() - timedelta(seconds=1)
    stale = _stored(
        hosted, alpha, alice, status="running", started_at=started, attempts=1, task_id="dead"
    )
    assert queueing.sweep()["stale"] == 1
    stale.refresh_from_db()
    assert stale.status == "scored" and stale.attempts == 2


def test_a_duplicate_message_never_scores_a_running_submission_twice(hosted, alpha, alice):
    running = _stored(
        hosted, alpha, alice, status="running", started_at=timezone.now(), attempts=1,
        task_id="first",
    )  # fmt: skip
    assert scoring_service.submission_score(submission_id=running.pk, task_id="second") == (
        "finished already"
    )
    running.refresh_from_db()
    assert running.status == "running" and running.attempts == 1
    # The same message delivered again (its worker died) takes it over.
    assert scoring_service.submission_score(submission_id=running.pk, task_id="first") == "scored"
    running.refresh_from_db()
    assert running.attempts == 2


def test_a_finished_submission_is_never_scored_again(hosted, alpha, alice):
    done = _stored(hosted, alpha, alice, status="scored", public_score=0.5, attempts=1)
    assert scoring_service.submission_score(submission_id=done.pk, task_id="x") == (
        "finished already"
    )
    assert Submission.objects.get(pk=done.pk).public_score == 0.5
    assert queueing.sweep() == {"unsent": 0, "lost": 0, "stale": 0}


def test_the_sweep_command(hosted, alpha, alice, capsys):
    _stored(hosted, alpha, alice, created_at=timezone.now() - timedelta(minutes=1))
    call_command("sweep_submissions")
    assert "re-sent: 1 never sent, 0 lost in the queue, 0 stuck running" in capsys.readouterr().out


def test_a_broker_that_refuses_leaves_the_submission_queued(
    hosted, alpha, alice, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from competition import services, tasks

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.score_submission, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.submission_create(
            competition=hosted, user=alice, upload=upload(predictions())
        )
    submission.refresh_from_db()
    assert submission.status == "queued" and submission.sent_at is None


def test_the_life_of_a_submission_is_logged_with_its_fields(
    hosted, alpha, alice, caplog, django_capture_on_commit_callbacks
):
    from competition import services

    with caplog.at_level("INFO"), django_capture_on_commit_callbacks(execute=True):
        submission = services.submission_create(
            competition=hosted, user=alice, upload=upload(predictions(correct=10))
        )
    events = [r for r in caplog.records if getattr(r, "submission", None) == submission.pk]
    # Eager tasks run inside the send, so "queued" comes last here.
    assert [r.event for r in events] == [
        "submission.received", "submission.started", "submission.scored", "submission.queued",
    ]  # fmt: skip
    scored = events[2]
    assert scored.public_score == 0.5 and scored.run_s >= 0 and scored.total_s >= scored.run_s


def test_json_logs_carry_the_event_fields():
    import json
    import logging

    from config.logging import JsonFormatter

    record = logging.makeLogRecord(
        {"name": "podio.submissions", "levelname": "INFO", "msg": "submission %s scored",
         "args": (7,), "event": "submission.scored", "submission": 7, "run_s": 0.12}
    )  # fmt: skip
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "submission 7 scored"
    assert line["event"] == "submission.scored" and line["run_s"] == 0.12


def test_health_says_which_part_is_down(client, monkeypatch):
    from config.celery import app

    monkeypatch.setattr(app.control, "ping", lambda timeout: [])
    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"]
    assert body["checks"]["workers"] == {"ok": False, "answered": []}


def test_the_queue_page_shows_the_oldest_waiting_submission(hosted, alpha, alice, instructor):
    _stored(hosted, alpha, alice, created_at=timezone.now() - timedelta(minutes=3))
    _stored(hosted, alpha, alice)
    oldest = Submission.objects.order_by("created_at").first()
    page = web_client(instructor).get(reverse("queue"))
    text = page.content.decode()
    assert "<strong>2</strong> queued" in text
    assert f"The oldest waiting submission is #{oldest.pk} (Alpha, Dígitos)" in text
    assert web_client(alice).get(reverse("queue")).status_code == 403
