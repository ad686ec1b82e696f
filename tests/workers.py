"""A real Celery worker in a subprocess, on the broker the settings name (the
file-system broker by default, Redis when REDIS_URL is set), and on the test database."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

# Set by isolate_broker() at the start of the session: what a worker started by a
# test needs in its environment to share this test process's broker.
BROKER_ENV: dict[str, str] = {}


def isolate_broker() -> None:
    """Gives this test process (one per xdist worker) a broker of its own, so that
    workers started by parallel tests, or a developer's running worker, never take
    each other's tasks. Must run before the first task is sent."""
    from config.celery import app

    slot = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    if settings.REDIS_URL:
        base = settings.REDIS_URL.rsplit("/", 1)[0]
        url = f"{base}/{10 + slot}"
        import redis

        redis.Redis.from_url(url).flushdb()
        app.conf.broker_url = app.conf.result_backend = url
        BROKER_ENV.update({"CELERY_BROKER_URL": url, "CELERY_RESULT_BACKEND": url})
    else:
        folder = Path(settings.VAR_DIR) / "celery" / f"test-{slot}" / "broker"
        for old in folder.parent.glob("*/*"):
            old.unlink()
        for sub in ("broker", "processed", "control"):
            (folder.parent / sub).mkdir(parents=True, exist_ok=True)
        options = dict(app.conf.broker_transport_options)
        options.update(data_folder_in=str(folder), data_folder_out=str(folder))
        options.update(processed_folder=str(folder.parent / "processed"))
        options.update(control_folder=str(folder.parent / "control"))
        app.conf.broker_transport_options = options
        BROKER_ENV.update({"PODIO_BROKER_DIR": str(folder)})


def test_database_url() -> str:
    """The URL of the database this test runs on, for a process started by the test."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}{port}/{db['NAME']}"


@contextmanager
def celery_worker(
    *, queues: tuple[str, ...] = (), concurrency: int = 1, env: dict[str, str] | None = None
) -> Iterator[dict]:
    """Starts a worker on the given queues (by default a fresh one of its own)."""
    names = queues or (f"test-{uuid.uuid4().hex[:10]}",)
    env = {**os.environ, **BROKER_ENV, "DATABASE_URL": test_database_url(), **(env or {})}
    env["PYTHONUNBUFFERED"] = "1"
    env["PODIO_VAR_DIR"] = str(settings.VAR_DIR)
    env["PODIO_MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    env["PODIO_HIDDEN_ROOT"] = str(settings.HIDDEN_ROOT)
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--queues", ",".join(names), "--concurrency", str(concurrency),
        "--loglevel", "INFO", "--hostname", f"test-{uuid.uuid4().hex[:8]}@%h",
        "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        yield {"queue": names[0], "queues": names, "process": process}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_finished(pk: int, timeout: float = 180):
    """The submission once a worker has finished it (scored or failed)."""
    import time

    from competition.models import Submission

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission = Submission.objects.get(pk=pk)
        if submission.is_finished:
            return submission
        time.sleep(0.2)
    raise AssertionError(f"submission {pk} is still {submission.status} after {timeout} s")
