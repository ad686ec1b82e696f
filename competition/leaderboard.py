"""Leaderboards: reads that rank teams. A fixed number of queries, whatever the size.

Public: each team's best public score; ties go to the earlier submission.
Private: each team's best private score among its final selections (a team that
selected none gets its best N by public score, Kaggle's rule).
"""

import csv
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch

from competition.models import Competition, Membership, Submission, Team
from grader.scoring.metrics import get_metric


@dataclass
class Row:
    team_id: int | None
    name: str
    score: float
    submitted_at: datetime
    submission_id: int
    entries: int = 0
    last_at: datetime | None = None
    members: list[str] = field(default_factory=list)
    is_baseline: bool = False
    rank: int | None = None
    public_rank: int | None = None

    @property
    def move(self) -> int | None:
        """Places gained (positive) or lost from the public to the private ranking."""
        if self.rank is None or self.public_rank is None:
            return None
        return self.public_rank - self.rank


def _scored(competition: Competition, *, frozen: bool = False) -> list[dict]:
    """What ranks: scored, on time, not excluded, of a team still in the competition.
    ``frozen``: only what was there when the instructors froze the public board."""
    subs = Submission.objects.filter(
        competition=competition, status=Submission.Status.SCORED, is_late=False, excluded=False
    ).exclude(team__disqualified=True)
    if frozen and competition.public_frozen_at is not None:
        subs = subs.filter(created_at__lt=competition.public_frozen_at)
    return list(
        subs.order_by("created_at", "id")
        .values(
            "id", "team_id", "public_score", "private_score", "created_at", "selected",
            "is_baseline", "baseline_name",
        )
    )  # fmt: skip


# --- The cache -------------------------------------------------------------------------
# Every board is computed once per change: a competition's boards are cached under its
# version, a fresh token written (after commit) whenever anything a board shows
# changes (competition.signals, and the scoring's own updates). A reader takes the
# version before it reads the database, so a board computed during a change is stored
# under the old version and never served after it.

BOARD_TTL = 300
VERSION_TTL = 7 * 24 * 3600


def _version_key(competition_id: int) -> str:
    return f"podio:board-version:{competition_id}"


def touch(competition_id: int) -> None:
    """Marks the competition's boards as changed: now, and again once the transaction
    commits (a board computed in between, from the old data, is then never served)."""
    cache.set(_version_key(competition_id), uuid.uuid4().hex, VERSION_TTL)
    transaction.on_commit(
        lambda: cache.set(_version_key(competition_id), uuid.uuid4().hex, VERSION_TTL),
        robust=True,
    )


def _cached(competition: Competition, name: str, compute):
    version = cache.get(_version_key(competition.pk))
    if version is None:
        version = uuid.uuid4().hex
        cache.add(_version_key(competition.pk), version, VERSION_TTL)
        version = cache.get(_version_key(competition.pk), version)
    key = f"podio:board:{competition.pk}:{version}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute(competition)
        cache.set(key, value, BOARD_TTL)
    return value


def _sort_key(higher_is_better: bool):
    def key(row: Row):
        score = -row.score if higher_is_better else row.score
        return (score, row.submitted_at, row.submission_id)

    return key


def _better(a: dict, b: dict, score: str, higher_is_better: bool) -> bool:
    """Is ``a`` strictly better than ``b``? (Equal scores keep the earlier one.)"""
    return a[score] > b[score] if higher_is_better else a[score] < b[score]


def _best(subs: list[dict], score: str, higher_is_better: bool) -> dict | None:
    best = None
    for sub in subs:  # already in submission order, so ties keep the earlier
        if sub[score] is not None and (best is None or _better(sub, best, score, higher_is_better)):
            best = sub
    return best


def _teams(competition: Competition) -> dict[int, Team]:
    members = Membership.objects.select_related("user").order_by("joined_at", "id")
    teams = Team.objects.filter(competition=competition, disqualified=False).prefetch_related(
        Prefetch("memberships", queryset=members)
    )
    return {team.id: team for team in teams}


@dataclass
class _Board:
    """What every leaderboard of a competition is computed from: read once."""

    higher_is_better: bool
    subs: list[dict]
    teams: dict[int, Team]


def _load(competition: Competition, *, frozen: bool = False) -> _Board:
    higher = get_metric(competition.metric).higher_is_better
    return _Board(higher, _scored(competition, frozen=frozen), _teams(competition))


def _rank(rows: list[Row], higher_is_better: bool) -> list[Row]:
    rows.sort(key=_sort_key(higher_is_better))
    rank = 0
    for row in rows:
        if not row.is_baseline:
            rank += 1
            row.rank = rank
    return rows


def _rows(board: _Board, pick, score: str) -> list[Row]:
    higher, teams = board.higher_is_better, board.teams
    by_team: dict[int, list[dict]] = {}
    rows = []
    for sub in board.subs:
        if sub["is_baseline"]:
            if sub[score] is not None:
                rows.append(_baseline_row(sub, score))
        else:
            by_team.setdefault(sub["team_id"], []).append(sub)
    for team_id, team_subs in by_team.items():
        best = pick(team_subs, higher)
        if best is not None and team_id in teams:
            rows.append(_team_row(teams[team_id], best, team_subs, score))
    return _rank(rows, higher)


def _baseline_row(sub: dict, score: str) -> Row:
    return Row(
        team_id=None,
        name=sub["baseline_name"],
        score=sub[score],
        submitted_at=sub["created_at"],
        submission_id=sub["id"],
        is_baseline=True,
    )


def _team_row(team: Team, best: dict, team_subs: list[dict], score: str) -> Row:
    return Row(
        team_id=team.id,
        name=team.name,
        score=best[score],
        submitted_at=best["created_at"],
        submission_id=best["id"],
        entries=len(team_subs),
        last_at=team_subs[-1]["created_at"],
        members=[m.user.get_full_name() for m in team.memberships.all()],
    )


def public_leaderboard(competition: Competition) -> list[Row]:
    """While the instructors keep it frozen, it shows what it showed at that moment."""
    return _cached(competition, "public", _compute_public)[0]


def public_history(competition: Competition) -> list[dict]:
    """Each team's best public score after each of its submissions, for the chart."""
    return _cached(competition, "public", _compute_public)[1]


def _compute_public(competition: Competition) -> tuple[list[Row], list[dict]]:
    board = _load(competition, frozen=True)
    return _public(board), _history(board)


def _public(board: _Board) -> list[Row]:
    return _rows(board, lambda subs, higher: _best(subs, "public_score", higher), "public_score")


def final_selections(team_subs: list[dict], n: int, higher_is_better: bool) -> list[dict]:
    """The team's selected submissions, or its best ``n`` by public score if it chose none."""
    selected = [sub for sub in team_subs if sub["selected"]]
    if selected:
        return selected[:n]
    ranked = [sub for sub in team_subs if sub["public_score"] is not None]
    sign = -1 if higher_is_better else 1
    ranked.sort(key=lambda sub: (sign * sub["public_score"], sub["created_at"], sub["id"]))
    return ranked[:n]


def private_leaderboard(competition: Competition) -> list[Row]:
    return _cached(competition, "private", _compute_private)


def _compute_private(competition: Competition) -> list[Row]:
    n = competition.final_selections

    def pick(subs: list[dict], higher: bool) -> dict | None:
        return _best(final_selections(subs, n, higher), "private_score", higher)

    board = _load(competition)
    rows = _rows(board, pick, "private_score")
    # Against the live public ranking (a frozen board is only what students see).
    public_ranks = {row.team_id: row.rank for row in _public(board)}
    for row in rows:
        row.public_rank = public_ranks.get(row.team_id) if not row.is_baseline else None
    return rows


def final_submission_ids(competition: Competition) -> list[int]:
    """Every team's final submissions: its selections, or its best N by public score."""
    board = _load(competition)
    by_team: dict[int, list[dict]] = {}
    for sub in board.subs:
        if not sub["is_baseline"]:
            by_team.setdefault(sub["team_id"], []).append(sub)
    n = competition.final_selections
    return [
        sub["id"]
        for subs in by_team.values()
        for sub in final_selections(subs, n, board.higher_is_better)
    ]


def _history(board: _Board) -> list[dict]:
    higher = board.higher_is_better
    names = {team_id: team.name for team_id, team in board.teams.items()}
    series: dict[int, list[dict]] = {}
    best: dict[int, float] = {}
    for sub in board.subs:
        team_id, score = sub["team_id"], sub["public_score"]
        if sub["is_baseline"] or score is None or team_id not in names:
            continue
        old = best.get(team_id)
        if old is None or (score > old if higher else score < old):
            best[team_id] = score
            point = {"x": sub["created_at"].timestamp() * 1000, "y": score}
            series.setdefault(team_id, []).append(point)
    return [{"label": names[team_id], "data": points} for team_id, points in series.items()]


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """Spreadsheets run a cell that starts with = + - @ as a formula: quote such text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(out, rows: list[Row], *, private: bool) -> None:
    writer = csv.writer(out)
    header = ["rank", "team", "members", "score", "entries", "last_submission", "baseline"]
    if private:
        header += ["public_rank", "move"]
    writer.writerow(header)
    for row in rows:
        cells = [
            row.rank if row.rank is not None else "",
            row.name,
            "; ".join(row.members),
            repr(row.score),
            row.entries,
            row.last_at.isoformat() if row.last_at else "",
            "yes" if row.is_baseline else "",
        ]
        if private:
            cells += [row.public_rank or "", row.move if row.move is not None else ""]
        writer.writerow([_cell(cell) for cell in cells])


def team_history(team: Team) -> list[dict]:
    """The team's scored submissions over time (public score), for its page."""
    subs = Submission.objects.filter(
        team=team, status=Submission.Status.SCORED, public_score__isnull=False
    ).order_by("created_at")
    points = [{"x": s.created_at.timestamp() * 1000, "y": s.public_score} for s in subs]
    return [{"label": team.name, "data": points}] if points else []
