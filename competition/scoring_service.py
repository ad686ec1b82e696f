"""Scoring a stored submission: the worker's side of a submission's life.

Only ScoringError messages (written for the student) reach the student; any other
failure is Podio's own, logged with its traceback and shown as such.
"""

import functools
import logging
import os
import time
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from competition import leaderboard
from competition.models import RescoreRun, Submission
from grader import scoring
from grader.scoring import keras_model, sandbox
from grader.scoring.errors import ScoringError

logger = logging.getLogger("podio.scoring")
MAX_ATTEMPTS = 3
# A compressed upload may expand to this many times the upload limit, no more.
DECOMPRESSED_LIMIT_FACTOR = 10


def submission_score(*, submission_id: int, task_id: str = "") -> str:
    submission = _claim(submission_id, task_id)
    if submission is None:
        return "finished already"
    logger.info(
        "submission %s started (attempt %d, waited %.1fs)",
        submission.pk, submission.attempts, _waited(submission),
        extra={
            "event": "submission.started", "submission": submission.pk,
            "attempt": submission.attempts, "waited_s": round(_waited(submission), 3),
        },
    )  # fmt: skip
    try:
        _inject_faults()
        is_model = submission.kind == Submission.Kind.KERAS
        result = _run_model(submission) if is_model else _run(submission)
    except ScoringError as error:
        return _finish(submission, status=Submission.Status.FAILED, error=str(error))
    except SoftTimeLimitExceeded:
        message = _("Scoring took longer than the time limit; the instructors were told.")
        logger.error("submission %s: soft time limit", submission.pk)
        return _finish(submission, status=Submission.Status.FAILED, error=message)
    except Exception:
        logger.exception("submission %s: scoring error", submission.pk)
        message = _("Scoring error on Podio's side (not your file); the instructors were told.")
        return _finish(submission, status=Submission.Status.FAILED, error=message)
    return _finish(
        submission,
        status=Submission.Status.SCORED,
        public_score=result.public,
        private_score=result.private,
        rows=result.rows,
    )


def submission_rescore(*, submission_id: int, run_id: int | None = None) -> str:
    """Scores a finished submission again, in place: its old scores stay on the
    leaderboard until the new ones replace them. Safe to run twice."""
    submission = Submission.objects.select_related("competition").filter(pk=submission_id).first()
    if submission is None:
        return "gone"
    fields: dict = {"error": ""}
    try:
        is_model = submission.kind == Submission.Kind.KERAS
        result = _run_model(submission) if is_model else _run(submission)
    except ScoringError as error:
        fields.update(status=Submission.Status.FAILED, error=str(error))
        fields.update(public_score=None, private_score=None)
    except SoftTimeLimitExceeded:
        fields.update(status=Submission.Status.FAILED)
        fields["error"] = _("Scoring took longer than the time limit; the instructors were told.")
    except Exception:
        logger.exception("submission %s: rescoring error", submission.pk)
        fields.update(status=Submission.Status.FAILED)
        fields["error"] = _(
            "Scoring error on Podio's side (not your file); the instructors were told."
        )
    else:
        fields.update(
            status=Submission.Status.SCORED,
            public_score=result.public,
            private_score=result.private,
            rows=result.rows,
        )
    changed = any(getattr(submission, name) != value for name, value in fields.items())
    with transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(
            finished_at=timezone.now(), stage="", **fields
        )
        leaderboard.touch(submission.competition_id)
        if run_id is not None and changed:
            RescoreRun.objects.filter(pk=run_id).update(changed=F("changed") + 1)
    logger.info("submission %s rescored: %s", submission.pk, fields["status"])
    return fields["status"]


def _waited(submission: Submission) -> float:
    return ((submission.started_at or timezone.now()) - submission.created_at).total_seconds()


def _inject_faults() -> None:
    """Faults on purpose, for the fault tests only (PODIO_FAULT_INJECTION=1, never in a
    deployment): stall the scoring, or kill the worker process that runs it."""
    if not settings.PODIO_FAULT_INJECTION:
        return
    time.sleep(settings.PODIO_FAULT_SLEEP_SECONDS)
    if settings.PODIO_FAULT_CRASH:
        os._exit(70)


@transaction.atomic
def _claim(submission_id: int, task_id: str = "") -> Submission | None:
    """Marks the submission running, once. Returns None when there is nothing to do:
    it is finished, or another message for it is being scored right now (a duplicate
    sent by the sweep). The same message delivered again (its worker died) claims it
    again, up to MAX_ATTEMPTS."""
    submission = (
        Submission.objects.select_for_update()
        .select_related("competition")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None or submission.is_finished:
        return None
    if submission.status == Submission.Status.RUNNING and _running_elsewhere(submission, task_id):
        logger.info(
            "submission %s is being scored by another message; this one does nothing",
            submission.pk,
            extra={"event": "submission.duplicate", "submission": submission.pk},
        )
        return None
    if submission.attempts >= MAX_ATTEMPTS:
        # The worker died on every earlier try: this file is poison, stop here.
        submission.status = Submission.Status.FAILED
        submission.error = _("Scoring stopped its worker %(n)d times; it was given up.") % {
            "n": submission.attempts
        }
        submission.finished_at = timezone.now()
        submission.save(update_fields=["status", "error", "finished_at"])
        logger.error(
            "submission %s failed: its worker died %d times",
            submission.pk, submission.attempts,
            extra={"event": "submission.failed", "submission": submission.pk, "poison": True},
        )  # fmt: skip
        return None
    submission.status = Submission.Status.RUNNING
    submission.attempts += 1
    submission.started_at = timezone.now()
    submission.task_id = task_id
    submission.save(update_fields=["status", "attempts", "started_at", "task_id"])
    return submission


def _running_elsewhere(submission: Submission, task_id: str) -> bool:
    from competition.queueing import running_limit

    if not task_id or not submission.task_id or submission.task_id == task_id:
        return False
    return timezone.now() - submission.started_at < running_limit()


def _run(submission: Submission) -> scoring.Result:
    competition = submission.competition
    solution = competition_solution(competition)
    limit = DECOMPRESSED_LIMIT_FACTOR * competition.max_upload_mb * 1024 * 1024
    return scoring.score(solution, submission.file.path, max_bytes=limit)


def _run_model(submission: Submission) -> scoring.Result:
    """Runs the uploaded model in the sandbox, keeps its predictions, scores them."""
    competition = submission.competition
    solution = competition_solution(competition)
    spec = keras_model.ModelSpec(
        input_shape=competition.input_shape,
        input_dtype=competition.model_input_dtype,
        output=competition.model_output,
        max_params=competition.model_max_params,
    )
    limits = sandbox.Limits(
        wall_seconds=competition.model_time_limit,
        cpu_seconds=2 * competition.model_time_limit,
        memory_bytes=settings.PODIO_MODEL_MEMORY_MB * 1024 * 1024,
    )
    _stage(submission, "running model")
    hide = [settings.VAR_DIR, settings.MEDIA_ROOT, settings.HIDDEN_ROOT]
    csv = keras_model.predictions_csv(
        Path(submission.file.path), Path(competition.model_inputs.path), solution, spec, limits,
        hide=hide,
    )  # fmt: skip
    submission.predictions.save("predictions.csv", ContentFile(csv), save=False)
    Submission.objects.filter(pk=submission.pk).update(predictions=submission.predictions.name)
    _stage(submission, "scoring")
    return scoring.score(solution, csv)


def _stage(submission: Submission, stage: str) -> None:
    submission.stage = stage
    Submission.objects.filter(pk=submission.pk).update(stage=stage)


def competition_solution(competition) -> scoring.Solution:
    """The competition's loaded solution, kept while its file and settings are unchanged:
    a worker scoring many submissions of one competition reads the solution once."""
    path = competition.solution.path
    stat = os.stat(path)
    return _load_solution(
        path, stat.st_mtime_ns, stat.st_size, competition.metric, competition.id_column,
        competition.target_column,
    )  # fmt: skip


@functools.lru_cache(maxsize=4)
def _load_solution(path, mtime_ns, size, metric, id_column, target_column) -> scoring.Solution:
    return scoring.load_solution(
        path, metric, id_column=id_column, target_column=target_column or None
    )


def _finish(submission: Submission, *, status: str, **fields) -> str:
    fields.setdefault("error", "")
    now = timezone.now()
    updated = Submission.objects.filter(pk=submission.pk, status=Submission.Status.RUNNING).update(
        status=status, finished_at=now, stage="", **fields
    )
    if not updated:
        return "finished already"
    leaderboard.touch(submission.competition_id)
    ran = (now - submission.started_at).total_seconds()
    total = (now - submission.created_at).total_seconds()
    logger.info(
        "submission %s %s in %.3fs (%.3fs after upload)%s",
        submission.pk, status, ran, total,
        f": {fields['error']}" if fields["error"] else "",
        extra={
            "event": f"submission.{status}", "submission": submission.pk,
            "competition": submission.competition.slug, "attempt": submission.attempts,
            "run_s": round(ran, 3), "total_s": round(total, 3),
            "public_score": fields.get("public_score"), "error": fields["error"],
        },
    )  # fmt: skip
    return status
