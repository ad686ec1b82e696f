"""The course grade on hand-computed examples, and its CSV exports read back."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from grader import course_grade, services
from grader.models import GradingScheme
from grader.services import CriterionInput, ScoreInput
from tests.factories import api_client, make_scored, make_team, make_user, web_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(hosted, instructor, alpha, gamma):
    """Four teams: Alpha 0.9, Gamma 0.9 (a tie), Delta 0.5 (below the 0.6 baseline),
    Epsilon with no submission. Leaderboard weight 40, report weight 60 over 10 points."""
    delta = make_team(hosted, "Delta", make_user("dora", full_name="Dora Díaz"))
    epsilon = make_team(hosted, "Epsilon", make_user("eve"))
    make_scored(hosted, alpha, 0.8, 0.9, minutes_ago=30)
    make_scored(hosted, gamma, 0.7, 0.9, minutes_ago=20)
    make_scored(hosted, delta, 0.6, 0.5)
    make_scored(hosted, None, 0.6, 0.6, baseline_name="Regresión logística")
    criteria = services.rubric_save(
        competition=hosted,
        user=instructor,
        criteria=[CriterionInput("Método", "", Decimal(6)), CriterionInput("Resultados", "", 4)],
    )
    for team, points in ((alpha, ("6", "4")), (gamma, ("3", "2")), (delta, ("4.5", "3"))):
        scores = {c.id: ScoreInput(p) for c, p in zip(criteria, points, strict=True)}
        services.grade_save(team=team, user=instructor, scores=scores, comment="", complete=True)
    return {"alpha": alpha, "gamma": gamma, "delta": delta, "epsilon": epsilon}


def _by_team(competition):
    _criteria, grades = course_grade.course_grades(competition)
    return {g.team.name: g for g in grades}


def test_by_rank_ties_share_the_better_rank_and_the_last_gets_zero(hosted, course):
    grades = _by_team(hosted)
    # Ranked: Alpha and Gamma tie at 0.9 (rank 1 each), Delta rank 3. N = 3.
    assert [(n, grades[n].private_rank) for n in ("Alpha", "Gamma", "Delta", "Epsilon")] == [
        ("Alpha", 1), ("Gamma", 1), ("Delta", 3), ("Epsilon", None),
    ]  # fmt: skip
    # (3-1)/(3-1) × 40 = 40; (3-3)/(3-1) × 40 = 0; no submission: 0.
    assert grades["Alpha"].leaderboard_points == Decimal("40.00")
    assert grades["Gamma"].leaderboard_points == Decimal("40.00")
    assert grades["Delta"].leaderboard_points == Decimal("0.00")
    assert grades["Epsilon"].leaderboard_points == Decimal("0.00")
    # Report: 10/10 × 60 = 60; 5/10 × 60 = 30; 7.5/10 × 60 = 45; none: 0.
    assert [grades[n].report_points for n in ("Alpha", "Gamma", "Delta", "Epsilon")] == [
        Decimal("60.00"), Decimal("30.00"), Decimal("45.00"), Decimal("0"),
    ]  # fmt: skip
    assert [grades[n].final for n in ("Alpha", "Gamma", "Delta", "Epsilon")] == [
        Decimal("100.00"), Decimal("70.00"), Decimal("45.00"), Decimal("0.00"),
    ]  # fmt: skip
    assert grades["Epsilon"].report_status == "missing"


def test_by_rank_is_linear_from_last_to_first(hosted, instructor, alpha, gamma):
    delta = make_team(hosted, "Delta", make_user("dora"))
    omega = make_team(hosted, "Omega", make_user("olga"))
    for team, score in ((alpha, 0.9), (gamma, 0.8), (delta, 0.7), (omega, 0.6)):
        make_scored(hosted, team, score, score)
    grades = _by_team(hosted)
    # N = 4: (4-r)/3 × 40.
    assert [grades[n].leaderboard_points for n in ("Alpha", "Gamma", "Delta", "Omega")] == [
        Decimal("40.00"), Decimal("26.67"), Decimal("13.33"), Decimal("0.00"),
    ]  # fmt: skip


def test_by_score_between_the_baseline_and_the_best(hosted, instructor, course):
    services.scheme_save(
        competition=hosted, user=instructor, leaderboard_weight="50", report_weight="50",
        mode=GradingScheme.Mode.SCORE,
    )  # fmt: skip
    gamma_only = course["gamma"]
    make_scored(hosted, gamma_only, 0.75, 0.75, minutes_ago=10, selected=True)
    grades = _by_team(hosted)
    # Best 0.9, baseline 0.6. Alpha: 1 × 50. Gamma selected 0.75: (0.75-0.6)/(0.3) = 0.5 → 25.
    assert grades["Alpha"].leaderboard_points == Decimal("50.00")
    assert grades["Gamma"].private_score == 0.75
    assert grades["Gamma"].leaderboard_points == Decimal("25.00")
    # Delta 0.5 is below the baseline: zero, not negative.
    assert grades["Delta"].leaderboard_points == Decimal("0.00")
    # Report half: Gamma 5/10 × 50 = 25 → 50.
    assert grades["Gamma"].final == Decimal("50.00")


def test_by_score_for_a_lower_is_better_metric(hosted, instructor, alpha, gamma):
    hosted.metric = "mae"
    hosted.task_type = "regression"
    hosted.save(update_fields=["metric", "task_type"])
    services.scheme_save(
        competition=hosted, user=instructor, leaderboard_weight="10", report_weight="0",
        mode=GradingScheme.Mode.SCORE,
    )  # fmt: skip
    make_scored(hosted, None, 4.0, 4.0, baseline_name="media")
    make_scored(hosted, alpha, 1.0, 1.0)
    make_scored(hosted, gamma, 3.0, 3.0)
    grades = _by_team(hosted)
    # (3 - 4) / (1 - 4) = 1/3 → 3.33.
    assert grades["Alpha"].leaderboard_points == Decimal("10.00")
    assert grades["Gamma"].leaderboard_points == Decimal("3.33")


def test_a_disqualified_team_gets_no_leaderboard_points(hosted, instructor, course):
    from competition.services import team_disqualify

    team_disqualify(team=course["alpha"], user=instructor, disqualified=True, reason="Copia")
    grades = _by_team(hosted)
    assert grades["Alpha"].private_rank is None and grades["Alpha"].leaderboard_points == 0
    assert grades["Gamma"].private_rank == 1 and grades["Delta"].private_rank == 2
    assert grades["Alpha"].report_points == Decimal("60.00")


def test_a_draft_grade_gives_no_report_points(hosted, instructor, course):
    criteria = list(hosted.criteria.all())
    services.grade_save(
        team=course["epsilon"], user=instructor,
        scores={criteria[0].id: ScoreInput("6")}, comment="", complete=False,
    )  # fmt: skip
    grade = _by_team(hosted)["Epsilon"]
    assert grade.report_status == "draft" and grade.report_points == 0


def test_the_student_export_reads_back(hosted, instructor, course):
    response = web_client(instructor).get(reverse("grader:export", args=[hosted.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert list(rows[0]) == [
        "email", "name", "team", "disqualified", "private_score", "private_rank",
        "leaderboard_points", "Método", "Resultados", "report_status", "report_total",
        "report_points", "final_grade",
    ]  # fmt: skip
    by_email = {row["email"]: row for row in rows}
    assert set(by_email) == {
        "alice@example.edu", "bob@example.edu", "charlie@example.edu",
        "dora@example.edu", "eve@example.edu",
    }  # fmt: skip
    dora = by_email["dora@example.edu"]
    assert dora["name"] == "Dora Díaz" and dora["team"] == "Delta"
    assert float(dora["private_score"]) == 0.5 and int(dora["private_rank"]) == 3
    assert dora["Método"] == "4.50" and dora["report_total"] == "7.50"
    assert Decimal(dora["final_grade"]) == Decimal("45.00")
    assert by_email["alice@example.edu"]["final_grade"] == "100.00"
    assert by_email["eve@example.edu"]["private_rank"] == ""


def test_the_team_export_and_the_api(hosted, instructor, course):
    response = api_client(instructor).get(
        reverse("api-grades-export", args=[hosted.slug]), {"per": "team"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert [(r["team"], r["final_grade"]) for r in rows] == [
        ("Alpha", "100.00"), ("Delta", "45.00"), ("Epsilon", "0.00"), ("Gamma", "70.00"),
    ]  # fmt: skip
    assert rows[0]["members"] == "Alice; Bob"
    body = api_client(instructor).get(reverse("api-grades", args=[hosted.slug])).json()
    assert {item["team"]: item["final"] for item in body}["Gamma"] == "70.00"


def test_text_cells_are_safe_from_formula_injection(hosted, instructor, course):
    course["delta"].name = "=HYPERLINK(1)"
    course["delta"].save()
    text = web_client(instructor).get(reverse("grader:export", args=[hosted.slug])).content
    rows = list(csv.DictReader(io.StringIO(text.decode())))
    assert {r["team"] for r in rows} >= {"'=HYPERLINK(1)"}
