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


def isolate_cache() -> None:
    """The same for the cache: a Redis database, or a folder, per test process, that its
    workers share and that clearing never takes from a parallel test process."""
    from django.core.cache import caches

    slot = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    config = settings.CACHES["default"]
    if settings.PODIO_CACHE_URL:
        url = f"{settings.PODIO_CACHE_URL.rsplit('/', 1)[0]}/{4 + slot}"
        config["LOCATION"] = url
        BROKER_ENV["PODIO_CACHE_URL"] = url
    else:
        folder = str(Path(settings.VAR_DIR) / "cache" / f"test-{slot}")
        config["LOCATION"] = folder
        BROKER_ENV["PODIO_CACHE_DIR"] = folder
    # As Django does when a test changes CACHES: build the caches again.
    from asgiref.local import Local

    caches._settings = caches.settings = caches.configure_settings(None)
    caches._connections = Local()


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
    # Its log goes to a file (a pipe nobody reads would stall a chatty worker), and it
    # gets a session of its own, so that a fault test can kill the worker with its pool.
    log = Path(settings.VAR_DIR) / "test-logs" / f"worker-{uuid.uuid4().hex[:8]}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        yield {"queue": names[0], "queues": names, "process": process, "log": log}
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


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own, on a free port, that the test may stop and start
    again (the shared one stays untouched for the tests running beside it)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        return {"CELERY_BROKER_URL": self.url, "CELERY_RESULT_BACKEND": self.url}

    def start(self) -> None:
        import time

        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def send(self, task: str, *args, visibility_timeout: int = 3600) -> str:
        """Sends a task on this broker as the site would, and returns its id."""
        from celery import Celery

        from config.celery import app as site

        app = Celery("podio-test-sender", set_as_current=False)
        app.conf.update(
            broker_url=self.url,
            task_queues=site.conf.task_queues,
            broker_transport_options={"visibility_timeout": visibility_timeout},
        )
        try:
            return app.send_task(task, args=args, queue="cpu").id
        finally:
            app.close()


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def web_server(env: dict[str, str]) -> Iterator[str]:
    """gunicorn serving the site on the test database, with ``env`` on top; yields its URL."""
    import time

    import requests

    port = free_port()
    full = {**os.environ, **BROKER_ENV, "DATABASE_URL": test_database_url(), **env}
    full.update(
        PODIO_VAR_DIR=str(settings.VAR_DIR),
        PODIO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PODIO_HIDDEN_ROOT=str(settings.HIDDEN_ROOT),
        DJANGO_DEBUG="1",
        PODIO_THROTTLE_SUBMIT="1000/min",
    )
    log = Path(settings.VAR_DIR) / "test-logs" / f"web-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--threads", "4", "--timeout", "60"],
            cwd=ROOT, env=full, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{url}/api/v1/competitions/", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError("gunicorn did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
