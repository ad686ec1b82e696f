"""Reads of the human grading, and who may see a report."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.http import Http404

from accounts.models import User
from competition.models import Competition, Team
from competition.selectors import is_member
from grader.models import Criterion, RegradeRequest, Report, ReportGrade


def report_get_for_user(user: User, competition: Competition, pk: int) -> Report:
    """A report its team's members and instructors may see; 404 for anyone else."""
    report = Report.objects.filter(competition=competition, pk=pk).select_related("team").first()
    if report is None or not user.is_authenticated:
        raise Http404("No such report")
    if user.is_instructor or is_member(team_id=report.team_id, user=user):
        return report
    raise Http404("No such report")


def reports_of_team(team: Team) -> list[Report]:
    return list(Report.objects.filter(team=team).select_related("uploaded_by"))


@dataclass
class GradingRow:
    team: Team
    report: Report | None
    grade: ReportGrade | None
    total: Decimal | None
    open_regrades: int = 0

    @property
    def status(self) -> str:
        if self.grade is None:
            return "ungraded"
        return "graded" if self.grade.is_complete else "draft"


def grading_rows(competition: Competition) -> list[GradingRow]:
    """Every team with a report (and any team already graded), by name."""
    latest: dict[int, Report] = {}
    for report in Report.objects.filter(competition=competition).order_by("uploaded_at", "id"):
        latest[report.team_id] = report
    grades = {
        g.team_id: g
        for g in ReportGrade.objects.filter(competition=competition).prefetch_related(
            "scores", Prefetch("regrades", queryset=RegradeRequest.objects.all())
        )
    }
    teams = Team.objects.filter(pk__in=set(latest) | set(grades)).order_by("name", "id")
    rows = []
    for team in teams:
        grade = grades.get(team.id)
        total = None
        if grade is not None:
            points = [s.points for s in grade.scores.all() if s.points is not None]
            total = sum(points, Decimal(0)) if points else None
        open_regrades = sum(1 for r in grade.regrades.all() if r.is_open) if grade else 0
        rows.append(GradingRow(team, latest.get(team.id), grade, total, open_regrades))
    return rows


def neighbours(rows: list[GradingRow], team: Team) -> tuple[Team | None, Team | None]:
    """The previous and the next team still to grade, around ``team`` (wrapping)."""
    ids = [row.team.id for row in rows]
    if team.id not in ids:
        return None, None
    at = ids.index(team.id)
    n = len(rows)
    after = [rows[(at + k) % n] for k in range(1, n)]
    before = [rows[(at - k) % n] for k in range(1, n)]
    pending = lambda row: row.status != "graded" and row.report is not None  # noqa: E731
    nxt = next((row.team for row in after if pending(row)), None)
    prev = next((row.team for row in before if pending(row)), None)
    return prev, nxt


def rubric(competition: Competition) -> list[Criterion]:
    return list(competition.criteria.all())


def open_regrades(competition: Competition) -> list[RegradeRequest]:
    return list(
        RegradeRequest.objects.filter(grade__competition=competition, answered_at__isnull=True)
        .select_related("grade__team", "criterion", "requested_by")
        .order_by("created_at")
    )
