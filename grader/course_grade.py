"""The course grade: the private leaderboard and the report, combined as the
instructors set in the competition's grading scheme.

leaderboard points = leaderboard weight × a fraction from 0 to 1:
  by rank:  (N − rank) / (N − 1) over the N ranked teams; equal private scores share
            the better rank; a lone ranked team gets 1.
  by score: (score − baseline) / (best − baseline), cut to 0..1, so the best team gets 1
            and a team at or below the baseline 0. With several baselines the lowest
            one is the bar; with none, the last ranked team is.
report points = report weight × report total / the rubric's maximum.
final grade = leaderboard points + report points.
A team with no ranked submission (none scored, or disqualified) gets no leaderboard
points; a team with no complete grade gets no report points.
"""

import csv
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from competition import leaderboard
from competition.leaderboard import _cell
from competition.models import Competition, Team
from grader.models import Criterion, GradingScheme, ReportGrade
from grader.scoring.metrics import get_metric
from grader.services import scheme_of

CENT = Decimal("0.01")


@dataclass
class TeamGrade:
    team: Team
    private_score: float | None = None
    private_rank: int | None = None
    leaderboard_points: Decimal = Decimal("0.00")
    criterion_points: dict[int, Decimal | None] = field(default_factory=dict)
    report_status: str = "missing"  # "graded", "draft" or "missing"
    report_total: Decimal | None = None
    report_points: Decimal = Decimal("0.00")

    @property
    def final(self) -> Decimal:
        return (self.leaderboard_points + self.report_points).quantize(CENT, ROUND_HALF_UP)


def _fraction_by_rank(rank: int, ranked: int) -> float:
    return 1.0 if ranked <= 1 else (ranked - rank) / (ranked - 1)


def _fraction_by_score(score: float, best: float, bar: float, higher: bool) -> float:
    if score == best:
        return 1.0
    if best == bar:
        return 0.0
    fraction = (score - bar) / (best - bar)
    return min(1.0, max(0.0, fraction))


def _shared_ranks(rows: list[leaderboard.Row]) -> dict[int, int]:
    """Team id → rank, where equal private scores share the better rank (1, 1, 3)."""
    ranks: dict[int, int] = {}
    previous_score, previous_rank = None, 0
    for position, row in enumerate(rows, start=1):
        rank = previous_rank if row.score == previous_score else position
        ranks[row.team_id] = rank
        previous_score, previous_rank = row.score, rank
    return ranks


def course_grades(competition: Competition) -> tuple[list[Criterion], list[TeamGrade]]:
    scheme: GradingScheme = scheme_of(competition)
    criteria = list(competition.criteria.all())
    rubric_max = sum((c.max_points for c in criteria), Decimal(0))
    rows = leaderboard.private_leaderboard(competition)
    team_rows = [row for row in rows if not row.is_baseline]
    baselines = [row.score for row in rows if row.is_baseline]
    higher = get_metric(competition.metric).higher_is_better
    ranks = _shared_ranks(team_rows)
    best = team_rows[0].score if team_rows else None
    if baselines:
        bar = min(baselines) if higher else max(baselines)
    else:
        bar = team_rows[-1].score if team_rows else None

    grades = {
        g.team_id: g
        for g in ReportGrade.objects.filter(competition=competition).prefetch_related("scores")
    }
    by_team = {row.team_id: row for row in team_rows}
    result = []
    teams = Team.objects.filter(competition=competition).prefetch_related("memberships__user")
    for team in teams.order_by("name"):
        item = TeamGrade(team=team)
        row = by_team.get(team.id)
        if row is not None:
            item.private_score = row.score
            item.private_rank = ranks[team.id]
            if scheme.mode == GradingScheme.Mode.RANK:
                fraction = _fraction_by_rank(item.private_rank, len(team_rows))
            else:
                fraction = _fraction_by_score(row.score, best, bar, higher)
            item.leaderboard_points = _times(scheme.leaderboard_weight, fraction)
        grade = grades.get(team.id)
        if grade is not None:
            points = {s.criterion_id: s.points for s in grade.scores.all()}
            item.criterion_points = {c.id: points.get(c.id) for c in criteria}
            item.report_status = "graded" if grade.is_complete else "draft"
            if grade.is_complete:
                item.report_total = sum(
                    (p for p in item.criterion_points.values() if p is not None), Decimal(0)
                )
                if rubric_max > 0:
                    item.report_points = (
                        scheme.report_weight * item.report_total / rubric_max
                    ).quantize(CENT, ROUND_HALF_UP)
        result.append(item)
    return criteria, result


def _times(weight: Decimal, fraction: float) -> Decimal:
    return (weight * Decimal(repr(fraction))).quantize(CENT, ROUND_HALF_UP)


def _n(value) -> str:
    """A number as a spreadsheet reads it anywhere: dot decimal, no thousands separator."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv(out, competition: Competition, *, per: str = "student") -> None:
    """One row per student (or per team): UTF-8, a header, dot decimals."""
    criteria, grades = course_grades(competition)
    writer = csv.writer(out)
    head = ["email", "name", "team"] if per == "student" else ["team", "members"]
    head += ["disqualified", "private_score", "private_rank", "leaderboard_points"]
    head += [c.title for c in criteria]
    head += ["report_status", "report_total", "report_points", "final_grade"]
    writer.writerow([_cell(h) for h in head])
    for item in grades:
        tail = [
            "yes" if item.team.disqualified else "",
            _n(item.private_score),
            _n(item.private_rank),
            _n(item.leaderboard_points),
            *[_n(item.criterion_points.get(c.id)) for c in criteria],
            item.report_status,
            _n(item.report_total),
            _n(item.report_points),
            _n(item.final),
        ]
        members = [m.user for m in item.team.memberships.all()]
        if per == "student":
            for user in members:
                text = [user.email, user.get_full_name(), item.team.name]
                writer.writerow([*map(_cell, text), *tail])
        else:
            names = "; ".join(u.get_full_name() for u in members)
            writer.writerow([_cell(item.team.name), _cell(names), *tail])
