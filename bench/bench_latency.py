"""Upload-to-scored latency through the API: gunicorn, PostgreSQL, the Redis broker and
one Celery worker, 20 concurrent clients each submitting a 10,000-row CSV and waiting
for its score, 200 submissions in all (closed loop, as students with the CLI's --wait).

Prints p50 and p95 and the ratio of p50 to the sum of its floors measured in the same
run: a Celery no-op round trip on the same broker plus the bare scoring time of one
file (reading both CSVs, checking, aligning, the metric). Not a test: a measurement.

    .venv/bin/python bench/bench_latency.py [--clients 20 --submissions 200 --rows 10000]

Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL, by default on 127.0.0.1); it
creates and drops its own database, podio_bench.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9")
PORT = 8123


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def environment(var: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/podio_bench",
        "REDIS_URL": REDIS,
        "PODIO_VAR_DIR": str(var),
        "DJANGO_DEBUG": "1",
        "PODIO_LOG_LEVEL": "WARNING",
        "PODIO_THROTTLE_TOKEN": "10000/min",
    }


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS podio_bench WITH (FORCE)")
        connection.execute("CREATE DATABASE podio_bench")


def setup(rows: int, clients: int, var: Path) -> tuple[list[str], bytes, Path]:
    """Migrates, hosts a competition with a ``rows``-row solution, makes the students."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import token_get_or_create
    from competition import services
    from competition.models import Competition

    ids = list(range(100_000, 100_000 + rows))
    solution = "id,label\n" + "".join(f"{i},{i % 10}\n" for i in ids)
    submission = ("id,label\n" + "".join(f"{i},{(i * 7) % 10}\n" for i in ids)).encode()
    competition = Competition(
        slug="bench", title="Bench", is_published=True, metric="accuracy",
        start_at=timezone.now() - timezone.timedelta(days=1),
        end_at=timezone.now() + timezone.timedelta(days=1), daily_limit=1000, team_size_limit=1,
    )  # fmt: skip
    services.competition_save(competition=competition, solution=solution.encode(), files=[])
    tokens = []
    for n in range(clients):
        user = User.objects.create_user(f"student{n}", f"s{n}@example.edu", "x-long-password-1")
        services.team_create(competition=competition, user=user, name=f"Team {n}")
        tokens.append(token_get_or_create(user=user).key)
    path = var / "submission.csv"
    path.write_bytes(submission)
    return tokens, submission, Path(competition.solution.path)


def floors(solution: Path, submission: Path, repeat: int = 30) -> tuple[float, float]:
    from config.celery import ping
    from grader import scoring

    round_trips = []
    for _ in range(repeat):
        start = time.perf_counter()
        ping.apply_async(queue="cpu").get(timeout=30)
        round_trips.append(time.perf_counter() - start)
    scoring_times = []
    for _ in range(repeat // 3):
        start = time.perf_counter()
        scoring.score_submission(solution, submission, "accuracy")
        scoring_times.append(time.perf_counter() - start)
    return statistics.median(round_trips), statistics.median(scoring_times)


STAGES: list[tuple[float, float, float]] = []


def _stamp(body: dict, key: str) -> float:
    return datetime.fromisoformat(body[key]).timestamp()


def client(token: str, data: bytes, count: int, deadline: float) -> list[float]:
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    base = f"http://127.0.0.1:{PORT}/api/v1"
    latencies = []
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        started = time.time()
        response = session.post(
            f"{base}/competitions/bench/submissions/", files={"file": ("p.csv", data)}
        )
        response.raise_for_status()
        pk = response.json()["id"]
        while time.monotonic() < deadline:
            body = session.get(f"{base}/submissions/{pk}/").json()
            if body["status"] in ("scored", "failed"):
                assert body["status"] == "scored", body["error"]
                finished = _stamp(body, "finished_at")
                latencies.append(finished - started)
                created, begun = _stamp(body, "created_at"), _stamp(body, "started_at")
                STAGES.append((created - started, begun - created, finished - begun))
                break
            time.sleep(0.25)  # the finish time comes from the server, not from polling
    return latencies


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def wait_for_server(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{PORT}/api/v1/competitions/", timeout=30)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--time-limit", type=float, default=600)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="podio-bench-"))
    env = environment(var)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    recreate_database()
    tokens, data, solution = setup(args.rows, args.clients, var)
    python = sys.executable
    worker = start(
        [python, "-m", "celery", "-A", "config", "worker", "-Q", "cpu", "-c", "1",
         "--without-gossip", "--without-mingle", "-l", "WARNING"], env, var / "worker.log",
    )  # fmt: skip
    web = start(
        [python, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "4"],
        env, var / "web.log",
    )  # fmt: skip
    try:
        wait_for_server()
        round_trip, bare = floors(solution, var / "submission.csv")
        # Warm up: the first request of each gunicorn process and the worker's first
        # scoring import their libraries; a deadline crowd meets warm processes.
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda t: client(t, data, 2, time.monotonic() + 120), tokens[:4]))
        per_client = args.submissions // args.clients
        deadline = time.monotonic() + args.time_limit
        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            runs = pool.map(lambda t: client(t, data, per_client, deadline), tokens)
            latencies = [value for run in runs for value in run]
        elapsed = time.perf_counter() - started
    finally:
        for process in (web, worker):
            process.terminate()
            process.wait(timeout=30)
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    measured = STAGES[-len(latencies) :]
    upload, queue, work = (statistics.median(stage) * 1000 for stage in zip(*measured, strict=True))
    floor = round_trip + bare
    print(
        f"submissions scored : {len(latencies)} of {args.submissions} in {elapsed:.1f} s "
        f"({len(latencies) / elapsed:.1f}/s), {args.clients} clients, {args.rows} rows each"
    )
    print(f"latency p50        : {p50 * 1000:.0f} ms")
    print(f"latency p95        : {p95 * 1000:.0f} ms")
    print(
        f"median stages      : upload+store {upload:.0f} ms, queued {queue:.0f} ms,"
        f" worker {work:.0f} ms"
    )
    print(
        f"floor: no-op round trip {round_trip * 1000:.1f} ms + bare scoring {bare * 1000:.1f} ms"
        f" = {floor * 1000:.1f} ms"
    )
    print(
        f"p50 / floor        : {p50 / floor:.2f}x (one worker serves {args.clients} clients:"
        f" queueing is most of it; p50 / (floor x clients) = {p50 / (floor * args.clients):.2f})"
    )


if __name__ == "__main__":
    main()
