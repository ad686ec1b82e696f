"""What the operators look at: the health of the parts, and the queue."""

import logging
import time

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone

from competition.models import Submission

logger = logging.getLogger("podio.health")


def health(*, worker_timeout: float = 1.0) -> dict:
    """Checks the database, the broker, and that at least one worker answers a ping."""
    checks: dict[str, dict] = {}
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True}
    except Exception as error:
        checks["database"] = {"ok": False, "error": type(error).__name__}
    from config.celery import app

    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = {"ok": True}
    except Exception as error:
        checks["broker"] = {"ok": False, "error": type(error).__name__}
    workers = []
    if checks["broker"]["ok"]:
        try:
            replies = app.control.ping(timeout=worker_timeout) or []
            workers = sorted(name for reply in replies for name in reply)
        except Exception as error:
            logger.warning("worker ping failed: %s", error)
    checks["workers"] = {"ok": bool(workers), "answered": workers}
    ok = all(check["ok"] for check in checks.values())
    return {"ok": ok, "checks": checks, "seconds": round(time.monotonic() - started, 3)}


def queue_status() -> dict:
    """Submissions waiting and running, the oldest waiting one, and the broker's queues."""
    now = timezone.now()
    rows = (
        Submission.objects.filter(status__in=(Submission.Status.QUEUED, Submission.Status.RUNNING))
        .order_by()
        .values("status", "kind")
        .annotate(n=Count("id"), oldest=Min("created_at"))
    )
    counts = {(row["status"], row["kind"]): row for row in rows}
    oldest = (
        Submission.objects.filter(status=Submission.Status.QUEUED)
        .select_related("competition", "team")
        .order_by("created_at")
        .first()
    )
    return {
        "rows": [
            {
                "status": status,
                "kind": kind,
                "count": row["n"],
                "oldest_age": (now - row["oldest"]).total_seconds(),
            }
            for (status, kind), row in sorted(counts.items())
        ],
        "queued": sum(r["n"] for (s, _k), r in counts.items() if s == Submission.Status.QUEUED),
        "running": sum(r["n"] for (s, _k), r in counts.items() if s == Submission.Status.RUNNING),
        "oldest": oldest,
        "oldest_age": (now - oldest.created_at).total_seconds() if oldest else None,
        "broker": broker_queue_lengths(),
    }


def broker_queue_lengths() -> dict[str, int | None]:
    """Messages waiting in each broker queue (None where the broker cannot say)."""
    from config.celery import app

    lengths: dict[str, int | None] = {}
    for name in settings.CELERY_TASK_QUEUES_NAMES:
        try:
            with app.connection_for_read() as conn:
                _name, count, _consumers = conn.default_channel.queue_declare(
                    queue=name, passive=True
                )
            lengths[name] = count
        except Exception:
            lengths[name] = None
    return lengths
