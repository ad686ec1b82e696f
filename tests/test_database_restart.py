"""The database restarted under load: requests fail cleanly (503 with Retry-After and a
message, never a hang or a stack trace) and succeed again afterwards. A PostgreSQL
cluster of the test's own, so that stopping it touches no other test."""

import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, suppress

import pytest
import requests

from tests.workers import ROOT, free_port, web_server

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


class PrivatePostgres:
    def __init__(self, folder: str, binaries: str) -> None:
        self.folder, self.bin = folder, binaries
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/podio"

    def _run(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True,
            timeout=120,
        )  # fmt: skip

    def init(self) -> None:
        self._run(f"{self.bin}/initdb", "-D", f"{self.folder}/data", "-A", "trust",
                  "-U", "postgres", "--no-sync")  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(f"{self.bin}/pg_ctl", "-D", f"{self.folder}/data", "-o", options,
                  "-l", f"{self.folder}/log", "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._run(f"{self.bin}/pg_ctl", "-D", f"{self.folder}/data", "-m", "fast", "-w", "stop")


@contextmanager
def private_postgres():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if os.geteuid() != 0 or not found or not shutil.which("runuser"):
        message = "needs root and PostgreSQL's server binaries (initdb, pg_ctl)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tempfile.mkdtemp(prefix="podio-pg-")
    owner = pwd.getpwnam("postgres")
    os.chown(folder, owner.pw_uid, owner.pw_gid)
    server = PrivatePostgres(folder, os.path.dirname(found[-1]))
    try:
        server.init()
        server.start()
        subprocess.run(
            [f"{server.bin}/createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U",
             "postgres", "podio"], check=True, timeout=60,
        )  # fmt: skip
        yield server
    finally:
        with suppress(subprocess.CalledProcessError):  # already stopped
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


SETUP = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from accounts.services import token_get_or_create
from competition.models import Competition
now = timezone.now()
Competition.objects.create(slug="digitos", title="Dígitos", is_published=True,
    start_at=now - timedelta(days=1), end_at=now + timedelta(days=1))
user = User.objects.create_user("alice", "alice@example.edu", "x-long-password-1")
print(token_get_or_create(user=user).key)
"""


def test_requests_fail_cleanly_while_the_database_restarts_and_succeed_after():
    with private_postgres() as database:
        env = {**os.environ, "DATABASE_URL": database.url, "PODIO_LOG_LEVEL": "WARNING"}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                       check=True, timeout=300)  # fmt: skip
        token = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env,
            check=True, capture_output=True, text=True, timeout=120,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        with web_server({"DATABASE_URL": database.url}) as site:
            urls = [
                (f"{site}/api/v1/me/", {"Authorization": f"Token {token}"}),
                (f"{site}/api/v1/competitions/digitos/leaderboard/", {}),
                (f"{site}/competitions/", {}),
            ]
            results: list[tuple[float, str, object]] = []
            stop = threading.Event()

            def load(url: str, headers: dict) -> None:
                while not stop.is_set():
                    try:
                        response = requests.get(
                            url, headers={**headers, "Accept-Language": "en"}, timeout=10
                        )
                        results.append((time.monotonic(), url, response))
                    except requests.RequestException as error:
                        results.append((time.monotonic(), url, error))

            threads = [threading.Thread(target=load, args=pair) for pair in urls * 2]
            for thread in threads:
                thread.start()
            time.sleep(2)
            database.stop()
            down_at = time.monotonic()
            time.sleep(2)
            database.start()
            up_at = time.monotonic()
            time.sleep(3)
            stop.set()
            for thread in threads:
                thread.join(timeout=30)

    failures = [r for r in results if not hasattr(r[2], "status_code")]
    assert not failures, f"requests that got no answer: {failures[:3]}"
    statuses = {r[2].status_code for r in results}
    assert statuses <= {200, 503}, statuses
    unavailable = [r for r in results if r[2].status_code == 503]
    assert unavailable, "the database was down for 2 s: some request must have seen it"
    for _when, url, response in unavailable:
        assert response.headers["Retry-After"] == "5"
        message = "Podio's database is not answering right now; try again in a few seconds."
        if "/api/" in url:
            assert response.json() == {"detail": message}
        else:
            assert message.replace("'", "&#x27;") in response.text
    assert all(when < up_at + 2 for when, _url, r in unavailable), "503s after it came back"
    after = [r for r in results if r[0] > up_at + 1]
    assert after and all(r[2].status_code == 200 for r in after)
    assert all(r[2].status_code == 200 for r in results if r[0] < down_at - 0.5)
