"""What the benchmarks that run the whole stack share: a PostgreSQL database of their
own, the environment, gunicorn and Celery workers on loopback, a hosted competition,
and the floors measured in the same run. Not a benchmark itself.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def environment(var: Path, database: str, redis: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{database}",
        "REDIS_URL": redis,
        "PODIO_VAR_DIR": str(var),
        "DJANGO_DEBUG": "1",
        "PODIO_LOG_LEVEL": "WARNING",
        "PODIO_THROTTLE_TOKEN": "10000/min",
        **extra,
    }


def _admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def recreate_database(name: str) -> None:
    drop_database(name)
    _admin(f"CREATE DATABASE {name}")


def drop_database(name: str) -> None:
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def django_setup(env: dict[str, str]) -> None:
    """Points this process at the benchmark's database and migrates it."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def host_competition(slug: str, rows: int, **fields):
    """A published, open accuracy competition with a ``rows``-row solution; returns it
    and a valid submission for it (the bytes of a CSV that scores 0.1)."""
    from django.utils import timezone

    from competition import services
    from competition.models import Competition

    ids = list(range(100_000, 100_000 + rows))
    solution = "id,label\n" + "".join(f"{i},{i % 10}\n" for i in ids)
    submission = ("id,label\n" + "".join(f"{i},{(i * 7) % 10}\n" for i in ids)).encode()
    competition = Competition(
        slug=slug, title=slug.title(), is_published=True, metric="accuracy",
        start_at=timezone.now() - timezone.timedelta(days=1),
        end_at=timezone.now() + timezone.timedelta(days=1), **fields,
    )  # fmt: skip
    services.competition_save(competition=competition, solution=solution.encode(), files=[])
    return competition, submission


def floors(solution: Path, submission: Path, repeat: int = 30) -> tuple[float, float]:
    """Medians of a Celery no-op round trip on the broker and of the bare scoring of
    ``submission`` (reading both CSVs, checking, aligning, the metric), in seconds."""
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


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def start_web(env: dict, log: Path, port: int, workers: int, threads: int = 1):
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}"]
    return start([*command, "-w", str(workers), "--threads", str(threads)], env, log)


def start_worker(env: dict, log: Path, name: str, concurrency: int = 1) -> subprocess.Popen:
    return start(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "cpu", "-n", name,
         "-c", str(concurrency), "--without-gossip", "--without-mingle", "-l", "WARNING"],
        env, log,
    )  # fmt: skip


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_server(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/v1/competitions/", timeout=30)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")
