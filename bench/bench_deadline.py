"""The deadline rush: 50 students (teams of 2) start at the same instant and each fires
10 uploads of a 10,000-row CSV through the API back to back, then waits for the scores,
against gunicorn, TWO Celery workers on the cpu queue, the Redis broker and PostgreSQL,
all on loopback. The daily limit is set below what the teams try (2 students x 10 tries
against a limit of 15), so the last tries must be refused, teammates racing each other
for the last places.

Prints throughput (scored submissions per second from the first upload to the last
score), p50 and p95 upload-to-scored latency (the server's finish time minus the client's
clock before the upload), the counts (accepted, refused by reason, scored, failed), and
ratios against floors measured in the same run: p50 against a Celery no-op round trip
plus the bare scoring of one file, and the throughput against the workers' count over
the bare scoring time.

Then it accounts for every request against the database: each accepted id has exactly
one row, of the student and team that sent it, finished; no row that no request was told
about; every refusal is a 409 with a {"detail": ...} reason; no team has more non-failed
submissions in a day than the limit, and no team was refused below it. It exits with
status 1 if any of that fails (a correctness failure of the system); otherwise it is a
measurement, not a test.

    .venv/bin/python bench/bench_deadline.py [--clients 50 --per-client 10 --rows 10000
        --team-size 2 --daily-limit 15 --workers 2 --poll 0.5 --timeout 600]

Needs PostgreSQL and Redis (BENCH_POSTGRES / REDIS_URL, by default on 127.0.0.1; Redis
database 10); it creates and drops its own database, podio_bench_rush. Throttling is
raised out of the way (PODIO_THROTTLE_SUBMIT).
"""

import argparse
import os
import shutil
import statistics
import tempfile
import threading
import time
import zoneinfo
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests
from _stack import (
    django_setup,
    drop_database,
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

REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10")
DATABASE = "podio_bench_rush"
PORT = 8124
BASE = f"http://127.0.0.1:{PORT}/api/v1"
FINISHED = ("scored", "failed")


@dataclass(frozen=True)
class Student:
    token: str
    user_id: int
    team_id: int


@dataclass
class Attempt:
    """One POST: what the client was told, and when it began (wall clock)."""

    student: Student
    started: float
    status: int = 0  # the HTTP status; 0: no answer
    detail: str = ""  # the refusal's reason, or what came instead
    pk: int | None = None


def setup(args, var: Path) -> tuple[list[Student], list[Student], bytes, Path]:
    """The rush competition with teams of ``team_size``, and a warm-up competition in
    which the first students have teams of their own (so warming up uses no quota)."""
    from accounts.models import User
    from accounts.services import token_get_or_create
    from competition import services

    rush, data = host_competition(
        "rush", args.rows, daily_limit=args.daily_limit, team_size_limit=args.team_size
    )
    warm, _ = host_competition("warmup", args.rows, daily_limit=1000, team_size_limit=1)
    students, warm_students = [], []
    for n in range(args.clients):
        user = User.objects.create_user(f"student{n}", f"s{n}@example.edu")  # no password
        if n % args.team_size == 0:
            team = services.team_create(competition=rush, user=user, name=f"Team {n}")
        else:
            services.team_join(competition=rush, user=user, invite_code=team.invite_code)
        token = token_get_or_create(user=user).key
        students.append(Student(token, user.pk, team.pk))
        if n < 4:
            warm_team = services.team_create(competition=warm, user=user, name=f"Warm {n}")
            warm_students.append(Student(token, user.pk, warm_team.pk))
    path = var / "submission.csv"
    path.write_bytes(data)
    return students, warm_students, data, Path(rush.solution.path)


def _session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    session.headers["Accept-Language"] = "en"
    return session


def _reason(response: requests.Response) -> str:
    """The {"detail": …} of a refusal; an empty string when the body is not that shape."""
    try:
        body = response.json()
    except ValueError:
        return ""
    detail = body.get("detail") if isinstance(body, dict) else None
    return detail if isinstance(detail, str) else ""


def submit(session: requests.Session, attempt: Attempt, slug: str, data: bytes) -> None:
    url = f"{BASE}/competitions/{slug}/submissions/"
    try:
        response = session.post(url, files={"file": ("p.csv", data)}, timeout=120)
    except requests.RequestException as error:
        attempt.detail = f"no answer: {type(error).__name__}"
        return
    attempt.status = response.status_code
    if response.status_code == 201:
        attempt.pk = response.json()["id"]
    else:
        attempt.detail = _reason(response) or f"not a JSON detail: {response.text[:80]!r}"


def _finished(session: requests.Session, pk: int) -> bool:
    try:
        return session.get(f"{BASE}/submissions/{pk}/", timeout=60).json()["status"] in FINISHED
    except (requests.RequestException, ValueError, KeyError):
        return False  # the accounting at the end says whether it finished


def wait(session: requests.Session, pending: list[int], deadline: float, poll: float) -> None:
    """Polls until these submissions are finished (their times come from the database)."""
    while pending and time.monotonic() < deadline:
        pending = [pk for pk in pending if not _finished(session, pk)]
        if pending:
            time.sleep(poll)


def client(student: Student, slug: str, data: bytes, count: int, deadline: float, poll, start):
    """One student in the rush: ``count`` tries back to back, then waits for the scores."""
    session = _session(student.token)
    start()
    attempts = []
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        attempt = Attempt(student, time.time())
        attempts.append(attempt)
        submit(session, attempt, slug, data)
    wait(session, [a.pk for a in attempts if a.pk is not None], deadline, poll)
    return attempts


def crowd(students: list[Student], slug: str, data: bytes, count: int, deadline, poll: float):
    """Every client at once: a barrier releases them together."""
    barrier = threading.Barrier(len(students))

    def one(student: Student) -> list[Attempt]:
        return client(student, slug, data, count, deadline, poll, lambda: barrier.wait(60))

    with ThreadPoolExecutor(len(students)) as pool:
        return [attempt for run in pool.map(one, students) for attempt in run]


def account(args, attempts: list[Attempt]) -> tuple[list[dict], list[str]]:
    """Every request against the database: returns the rows and what went wrong."""
    from competition.models import Competition, Submission

    competition = Competition.objects.get(slug="rush")
    rows = list(
        Submission.objects.filter(competition=competition).values(
            "id", "team_id", "user_id", "status", "created_at", "started_at", "finished_at",
        )
    )  # fmt: skip
    problems = []
    accepted = [a.pk for a in attempts if a.status == 201]
    stored = {row["id"] for row in rows}
    if len(accepted) != len(set(accepted)):
        problems.append(f"one id answered to two requests: {len(accepted) - len(set(accepted))}")
    if lost := set(accepted) - stored:
        problems.append(f"lost: {len(lost)} accepted ids have no row ({sorted(lost)[:10]})")
    if extra := stored - set(accepted):
        problems.append(f"duplicated: {len(extra)} rows no request was told about")
    if len(rows) != len(accepted):
        problems.append(f"{len(rows)} rows for {len(accepted)} accepted requests")
    by_pk = {row["id"]: row for row in rows}
    owners = {a.pk: (a.student.user_id, a.student.team_id) for a in attempts if a.pk in by_pk}
    if mixed := [pk for pk, owner in owners.items() if owner != _owner(by_pk[pk])]:
        problems.append(f"{len(mixed)} rows belong to another student or team than asked")
    if unfinished := [row["id"] for row in rows if row["status"] not in FINISHED]:
        problems.append(
            f"not finished: {len(unfinished)} accepted submissions never got a score within"
            f" --timeout {args.timeout:.0f} s (lost, or the run was too short to tell)"
        )
    for attempt in attempts:
        if attempt.status != 201 and (attempt.status != 409 or not attempt.detail):
            problems.append(f"a refusal that is not a 409 with a reason: {attempt.status}"
                            f" {attempt.detail}")  # fmt: skip
    problems += _check_limit(competition, rows, attempts, args.daily_limit)
    return rows, problems


def _owner(row: dict) -> tuple[int, int]:
    return row["user_id"], row["team_id"]


def _check_limit(competition, rows: list[dict], attempts: list[Attempt], limit: int) -> list[str]:
    """No team over the limit on any day; no team refused while under it."""
    zone = zoneinfo.ZoneInfo(competition.limit_timezone)
    per_day: Counter = Counter()
    kept: Counter = Counter()
    failed: set[int] = set()
    for row in rows:
        if row["status"] == "failed":
            failed.add(row["team_id"])
        else:
            per_day[row["team_id"], row["created_at"].astimezone(zone).date()] += 1
            kept[row["team_id"]] += 1
    problems = [
        f"limit broken: team {team} has {count} non-failed submissions on {day} (limit {limit})"
        for (team, day), count in per_day.items()
        if count > limit
    ]
    refused = {a.student.team_id for a in attempts if a.status == 409}
    problems += [
        f"refused below the limit: team {team} has {kept[team]} non-failed (limit {limit})"
        for team in refused
        if kept[team] < limit and team not in failed
    ]
    return problems


def report(args, attempts: list[Attempt], rows: list[dict], floor: tuple[float, float]) -> None:
    started = {a.pk: a.started for a in attempts if a.pk is not None}
    begun = min((a.started for a in attempts), default=time.time())
    scored = [row for row in rows if row["status"] == "scored"]
    latencies = [row["finished_at"].timestamp() - started[row["id"]] for row in scored]
    last = max((row["finished_at"].timestamp() for row in scored), default=begun)
    elapsed = last - begun
    refusals = Counter((a.status, a.detail) for a in attempts if a.status != 201)
    accepted = sum(a.status == 201 for a in attempts)
    teams = defaultdict(int)
    for row in rows:
        teams[row["team_id"]] += row["status"] != "failed"
    print(
        f"requests           : {len(attempts)} from {args.clients} clients in"
        f" {-(-args.clients // args.team_size)} teams of {args.team_size},"
        f" {args.rows} rows each, daily limit {args.daily_limit}, {args.workers} workers"
    )
    print(f"accepted           : {accepted}")
    for (status, detail), count in refusals.most_common():
        label = "refused" if status == 409 else "error"
        print(f"{label:<19}: {count} x {status} {detail!r}")
    print(
        f"finished           : {len(scored)} scored, {sum(r['status'] == 'failed' for r in rows)}"
        f" failed; per team {min(teams.values(), default=0)}..{max(teams.values(), default=0)}"
        " non-failed"
    )
    if not latencies:
        print("nothing was scored: no latency to report")
        return
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    print(f"throughput         : {len(scored) / elapsed:.2f} scored/s over {elapsed:.1f} s")
    print(f"latency p50        : {p50 * 1000:.0f} ms")
    print(f"latency p95        : {p95 * 1000:.0f} ms")
    stages = [
        (
            row["created_at"].timestamp() - started[row["id"]],
            (row["started_at"] - row["created_at"]).total_seconds(),
            (row["finished_at"] - row["started_at"]).total_seconds(),
        )
        for row in scored
    ]
    upload, queue, work = (statistics.median(stage) * 1000 for stage in zip(*stages, strict=True))
    print(
        f"median stages      : upload+store {upload:.0f} ms, queued {queue:.0f} ms,"
        f" worker {work:.0f} ms"
    )
    round_trip, bare = floor
    print(
        f"floor: no-op round trip {round_trip * 1000:.1f} ms + bare scoring {bare * 1000:.1f} ms"
        f" = {(round_trip + bare) * 1000:.1f} ms"
    )
    print(f"p50 / floor        : {p50 / (round_trip + bare):.2f}x")
    ideal = args.workers / bare
    print(
        f"throughput / ideal : {len(scored) / elapsed / ideal:.3f}"
        f" (ideal = {args.workers} workers / bare scoring = {ideal:.1f}/s)"
    )


def run(args, env: dict, var: Path) -> list[str]:
    django_setup(env)
    students, warm_students, data, solution = setup(args, var)
    processes = [start_web(env, var / "web.log", PORT, workers=4)]
    for n in range(args.workers):
        processes.append(start_worker(env, var / f"worker{n}.log", f"rush{n}@%h"))
    try:
        wait_for_server(PORT)
        floor = floors(solution, var / "submission.csv")
        # Warm up: each gunicorn process's first request and each worker's first
        # scoring import their libraries; a deadline crowd meets warm processes.
        crowd(warm_students, "warmup", data, 2, time.monotonic() + 120, 0.25)
        deadline = time.monotonic() + args.timeout
        attempts = crowd(students, "rush", data, args.per_client, deadline, args.poll)
    finally:
        stop(processes)
    rows, problems = account(args, attempts)
    report(args, attempts, rows, floor)
    return problems


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=10)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--team-size", type=int, default=2)
    parser.add_argument("--daily-limit", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between polls")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="podio-rush-"))
    env = environment(var, DATABASE, REDIS, PODIO_THROTTLE_SUBMIT="1000000/min")
    recreate_database(DATABASE)
    try:
        problems = run(args, env, var)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(DATABASE)
    if problems:
        print(f"\nFAILED: {len(problems)} problems (logs in {var})")
        for problem in problems[:30]:
            print(f"  {problem}")
        raise SystemExit(1)
    print("accounting         : every request accounted for; the limit held")
    shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
