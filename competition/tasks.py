"""Celery tasks: thin wrappers that load by id and call a service."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from competition import scoring_service

# Both scoring tasks: acknowledged only when done, given to another worker if theirs
# dies, retried when the database blips, bounded in time.
SCORING = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 5,
    "max_retries": 5,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.CELERY_TASK_HARD_TIME_LIMIT,
    # The outcome is in the Submission row; storing it in the result backend too would
    # cost a round trip per task.
    "ignore_result": True,
}


@shared_task(bind=True, name="competition.score_submission", queue="cpu", **SCORING)
def score_submission(self, submission_id: int) -> str:
    """Scores one submission; running it twice leaves the same row, never two."""
    return scoring_service.submission_score(
        submission_id=submission_id, task_id=self.request.id or ""
    )


@shared_task(bind=True, name="competition.score_model", queue="gpu", **SCORING)
def score_model(self, submission_id: int) -> str:
    """Runs an uploaded Keras model in the sandbox (on the GPU where the worker has one),
    then scores its predictions like a CSV."""
    return scoring_service.submission_score(
        submission_id=submission_id, task_id=self.request.id or ""
    )


@shared_task(name="competition.sweep", queue="cpu", ignore_result=True)
def sweep() -> dict:
    """Re-sends stuck submissions (Celery beat runs it every minute)."""
    from competition import queueing

    return queueing.sweep()


@shared_task(name="competition.rescore_submission", queue="cpu", **SCORING)
def rescore_submission(submission_id: int, run_id: int | None = None) -> str:
    """Scores a finished submission again after the solution or the metric changed."""
    return scoring_service.submission_rescore(submission_id=submission_id, run_id=run_id)


@shared_task(name="competition.rescore_model", queue="gpu", **SCORING)
def rescore_model(submission_id: int, run_id: int | None = None) -> str:
    return scoring_service.submission_rescore(submission_id=submission_id, run_id=run_id)
