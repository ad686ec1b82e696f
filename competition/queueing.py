"""Sending submissions to the workers, and the sweep that re-sends what got stuck.

A submission is saved before it is sent: when the broker is down the student still
gets it, marked queued, and the sweep sends it once the broker is back. Sending twice
is harmless: the worker that claims a submission first scores it, and any other
message for it finds it running or finished and does nothing.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from competition.models import Submission

logger = logging.getLogger("podio.submissions")


def _task(kind: str):
    from competition import tasks

    return tasks.score_model if kind == Submission.Kind.KERAS else tasks.score_submission


def send(submission_id: int, kind: str) -> bool:
    """Sends one submission to its queue; False (logged, nothing raised) if the broker
    cannot be reached, and the submission stays queued for the sweep."""
    task = _task(kind)
    try:
        task.apply_async(
            (submission_id,),
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
        )
    except Exception as error:  # kombu raises several kinds when the broker is down
        logger.warning(
            "submission %s not sent, the broker is unreachable (%s); the sweep re-sends it",
            submission_id,
            error,
            extra={"event": "submission.unsent", "submission": submission_id},
        )
        return False
    Submission.objects.filter(pk=submission_id).update(sent_at=timezone.now())
    logger.info(
        "submission %s queued on %s",
        submission_id,
        task.queue,
        extra={"event": "submission.queued", "submission": submission_id, "queue": task.queue},
    )
    return True


def send_rescore(run_id: int, submissions: list[tuple[int, str]]) -> None:
    """Sends a rescore run's tasks. What the broker refuses leaves the run (so that its
    progress can finish, and the instructors may start another)."""
    from competition import tasks
    from competition.models import RescoreRun

    unsent = []
    for pk, kind in submissions:
        task = tasks.rescore_model if kind == Submission.Kind.KERAS else tasks.rescore_submission
        try:
            task.apply_async((pk, run_id), retry=True, retry_policy={"max_retries": 1})
        except Exception as error:
            logger.warning("rescore of submission %s not sent: %s", pk, error)
            unsent.append(pk)
    if unsent:
        with transaction.atomic():
            run = RescoreRun.objects.select_for_update().get(pk=run_id)
            run.submission_ids = [pk for pk in run.submission_ids if pk not in set(unsent)]
            run.save(update_fields=["submission_ids"])


def send_on_commit(submission: Submission) -> None:
    transaction.on_commit(partial(send, submission.pk, submission.kind), robust=True)


def sweep(now=None) -> dict[str, int]:
    """Re-sends submissions that are stuck: queued but never sent, queued for longer
    than PODIO_SWEEP_QUEUED_AFTER since sent (a message lost with the broker), or
    running past the hard time limit (their worker died). Safe at any time: a
    re-sent submission is claimed once (see scoring_service._claim)."""
    now = now or timezone.now()
    queued = Submission.objects.filter(status=Submission.Status.QUEUED)
    # Never sent (the broker was down): after a grace for its own on-commit send.
    grace = timedelta(seconds=settings.PODIO_SWEEP_UNSENT_AFTER)
    unsent = queued.filter(sent_at__isnull=True, created_at__lt=now - grace)
    lost = queued.filter(sent_at__lt=now - timedelta(seconds=settings.PODIO_SWEEP_QUEUED_AFTER))
    stale = Submission.objects.filter(
        status=Submission.Status.RUNNING, started_at__lt=now - running_limit()
    )
    counts = {}
    for name, subs in (("unsent", unsent), ("lost", lost), ("stale", stale)):
        rows = list(subs.order_by("created_at").values_list("pk", "kind")[:1000])
        counts[name] = sum(send(pk, kind) for pk, kind in rows)
    if any(counts.values()):
        logger.warning("sweep re-sent %s", counts, extra={"event": "submission.sweep", **counts})
    return counts


def running_limit() -> timedelta:
    """How long a submission may be running before its worker is presumed dead."""
    return timedelta(seconds=settings.CELERY_TASK_HARD_TIME_LIMIT + 60)
