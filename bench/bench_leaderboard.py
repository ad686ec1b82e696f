"""The leaderboard under a full course: 200 teams of 1-3 students with 50 scored
submissions each (10,000 rows, made in bulk with the ORM: random public and private
scores, times spread over the last day), served by gunicorn (3 sync workers, as in
docker-compose.yml) with production settings (DJANGO_DEBUG=0) on PostgreSQL.

N client threads (8 by default) request one URL back to back for a fixed time, for
each of: the leaderboard page (GET /competitions/<slug>/leaderboard/), the API
(GET /api/v1/competitions/<slug>/leaderboard/), and, as the baseline in the same run and
on the same server, a trivial view (/bench/ok/, added only for this benchmark by
bench/_board_settings.py) that pays what every request pays and does nothing else. All
anonymous. Prints requests per second and p50/p95 latency of each, and the ratios of the
page and the API to the trivial view. Not a test: a measurement.

    .venv/bin/python bench/bench_leaderboard.py [--teams 200 --per-team 50 --clients 8
        --duration 20 --web-workers 3]

Needs PostgreSQL (BENCH_POSTGRES, by default on 127.0.0.1); it creates and drops its
own database, podio_bench_board.
"""

import argparse
import os
import random
import secrets
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import requests
from _stack import (
    django_setup,
    drop_database,
    environment,
    host_competition,
    percentile,
    recreate_database,
    start_web,
    stop,
    wait_for_server,
)

REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/11")  # no task is sent
DATABASE = "podio_bench_board"
PORT = 8125
SLUG = "board"


@dataclass
class Result:
    name: str
    path: str
    requests: int
    elapsed: float
    latencies: list[float]
    size: int

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 0.95)


def populate(teams: int, per_team: int, rng: random.Random) -> int:
    """The competition, its teams of 1-3 members and their scored submissions, in bulk;
    returns the number of students."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from competition.models import Membership, Submission, Team

    competition, _ = host_competition(SLUG, 100, team_size_limit=3)
    sizes = [rng.randint(1, 3) for _ in range(teams)]
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"student{n}", email=f"s{n}@example.edu", full_name=f"Student {n}",
             password=unusable)
        for n in range(sum(sizes))
    )  # fmt: skip
    members, at = [], 0
    for size in sizes:
        members.append(users[at : at + size])
        at += size
    team_rows = Team.objects.bulk_create(
        Team(competition=competition, name=f"Team {t:03}", created_by=members[t][0])
        for t in range(teams)
    )
    Membership.objects.bulk_create(
        Membership(competition=competition, team=team, user=user)
        for team, users_of_team in zip(team_rows, members, strict=True)
        for user in users_of_team
    )
    now = timezone.now()
    Submission.objects.bulk_create(
        (
            _submission(competition, team, rng.choice(users_of_team), now, rng)
            for team, users_of_team in zip(team_rows, members, strict=True)
            for _ in range(per_team)
        ),
        batch_size=1000,
    )
    return len(users)


def _submission(competition, team, user, now, rng: random.Random):
    from competition.models import Submission

    created = now - timedelta(seconds=rng.uniform(60, 23 * 3600))
    return Submission(
        competition=competition, team=team, user=user, file="bench/none.csv",
        original_name="predictions.csv", status=Submission.Status.SCORED,
        public_score=rng.uniform(0.5, 0.99), private_score=rng.uniform(0.5, 0.99), rows=100,
        created_at=created, started_at=created + timedelta(seconds=1),
        finished_at=created + timedelta(seconds=2),
    )  # fmt: skip


def load(name: str, path: str, clients: int, duration: float) -> Result:
    """Closed loop: ``clients`` threads request ``path`` back to back for ``duration`` s."""
    url = f"http://127.0.0.1:{PORT}{path}"
    size = len(_get(requests.Session(), url).content)
    stop_at = time.monotonic() + duration

    def one(_: int) -> list[float]:
        session, latencies = requests.Session(), []
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            _get(session, url)
            latencies.append(time.perf_counter() - start)
        return latencies

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = [value for run in pool.map(one, range(clients)) for value in run]
    elapsed = time.perf_counter() - started
    return Result(name, path, len(latencies), elapsed, latencies, size)


def _get(session: requests.Session, url: str) -> requests.Response:
    response = session.get(url, timeout=60, allow_redirects=False)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.text[:200]}")
    return response


def measure(args) -> list[Result]:
    targets = [
        ("trivial", "/bench/ok/"),
        ("page", f"/competitions/{SLUG}/leaderboard/"),
        ("api", f"/api/v1/competitions/{SLUG}/leaderboard/"),
    ]
    board = requests.get(f"http://127.0.0.1:{PORT}{targets[2][1]}", timeout=60).json()
    if len(board) != args.teams:
        raise SystemExit(f"the API ranks {len(board)} teams, not {args.teams}")
    # Warm up: each gunicorn process's first requests import and compile what they use.
    for _, path in targets:
        load("warm-up", path, args.clients, 2)
    return [load(name, path, args.clients, args.duration) for name, path in targets]


def report(args, students: int, results: list[Result]) -> None:
    print(
        f"data               : {args.teams} teams ({students} students, 1-3 per team),"
        f" {args.teams * args.per_team} scored submissions"
    )
    print(
        f"server             : gunicorn, {args.web_workers} sync workers, DJANGO_DEBUG=0,"
        f" PostgreSQL; {args.clients} client threads, {args.duration:.0f} s per URL"
    )
    for result in results:
        print(
            f"{result.name:<8} {result.path:<40}: {result.rps:7.1f} req/s,"
            f" p50 {percentile(result.latencies, 0.5) * 1000:6.1f} ms,"
            f" p95 {result.p95 * 1000:6.1f} ms, {result.size / 1024:.0f} KiB"
            f" ({result.requests} requests)"
        )
    trivial = results[0]
    for result in results[1:]:
        label = f"{result.name} / trivial"
        print(
            f"{label:<19}: rps {result.rps / trivial.rps:.3f}x, p95 {result.p95 / trivial.p95:.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--per-team", type=int, default=50)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20, help="seconds per URL")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="podio-board-"))
    env = environment(
        var, DATABASE, REDIS, DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_SECURE_SSL_REDIRECT="0",
    )  # fmt: skip
    recreate_database(DATABASE)
    try:
        django_setup(env)
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        students = populate(args.teams, args.per_team, random.Random(args.seed))
        web_env = {**env, "DJANGO_SETTINGS_MODULE": "bench._board_settings"}
        web = start_web(web_env, var / "web.log", PORT, workers=args.web_workers)
        try:
            wait_for_server(PORT)
            results = measure(args)
        finally:
            stop([web])
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(DATABASE)
    report(args, students, results)
    shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
