from decimal import Decimal

from django import template

from grader import selectors, services
from grader.forms import RegradeForm

register = template.Library()


@register.inclusion_tag("grader/_report_card.html", takes_context=True)
def team_report(context, team):
    """The team's report and, once released, its grade: for the team page."""
    grade = services.released_grade(team) if team else None
    rows = []
    if grade is not None:
        scores = {s.criterion_id: s for s in grade.scores.all()}
        asked = {r.criterion_id: r for r in grade.regrades.all()}
        for criterion in selectors.rubric(team.competition):
            rows.append((criterion, scores.get(criterion.id), asked.get(criterion.id)))
    total = (
        sum((s.points for _c, s, _r in rows if s and s.points is not None), Decimal(0))
        if grade
        else None
    )
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "competition": team.competition if team else None,
        "team": team,
        "latest": services.latest_report(team) if team else None,
        "grade": grade,
        "rows": rows,
        "total": total,
        "maximum": sum((c.max_points for c, _s, _r in rows), Decimal(0)),
        "regrade_form": RegradeForm(),
    }
