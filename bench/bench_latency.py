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
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import requests
from _stack import (
    django_setup,
    environment,
    floors,
    host_competition,
    percentile,
    recreate_database,
    start_web,
    start_worker,
    stop,
    wait_for_server,
)

REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9")
PORT = 8123


def setup(rows: int, clients: int, var: Path) -> tuple[list[str], bytes, Path]:
    """Hosts a competition with a ``rows``-row solution, makes the students."""
    from accounts.models import User
    from accounts.services import token_get_or_create
    from competition import services

    competition, submission = host_competition("bench", rows, daily_limit=1000, team_size_limit=1)
    tokens = []
    for n in range(clients):
        user = User.objects.create_user(f"student{n}", f"s{n}@example.edu", "x-long-password-1")
        services.team_create(competition=competition, user=user, name=f"Team {n}")
        tokens.append(token_get_or_create(user=user).key)
    path = var / "submission.csv"
    path.write_bytes(submission)
    return tokens, submission, Path(competition.solution.path)


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--time-limit", type=float, default=600)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="podio-bench-"))
    env = environment(var, "podio_bench", REDIS)
    recreate_database("podio_bench")
    django_setup(env)
    tokens, data, solution = setup(args.rows, args.clients, var)
    worker = start_worker(env, var / "worker.log", "latency@%h")
    web = start_web(env, var / "web.log", PORT, workers=4)
    try:
        wait_for_server(PORT)
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
        stop([web, worker])
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
