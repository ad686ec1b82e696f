"""Rubric, grades, release, regrade requests: what instructors do and students see."""

from decimal import Decimal

import pytest
from django.urls import reverse

from competition.models import AuditEntry
from competition.services import RuleViolation
from grader import services
from grader.models import Criterion, RegradeRequest, ReportGrade
from grader.services import CriterionInput, ScoreInput
from tests.factories import api_client, make_competition, make_pdf, pdf_upload, web_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric(competition, instructor) -> list[Criterion]:
    return services.rubric_save(
        competition=competition,
        user=instructor,
        criteria=[
            CriterionInput("Método", "Qué modelo y por qué", Decimal("6")),
            CriterionInput("Resultados", "Tablas y análisis", Decimal("4")),
        ],
    )


@pytest.fixture
def reports(competition, alpha, gamma, alice, charlie):
    for user in (alice, charlie):
        services.report_upload(competition=competition, user=user, upload=pdf_upload(make_pdf()))


def _grade(team, user, rubric, points, *, complete=True, comment="Bien"):
    scores = {c.id: ScoreInput(p, f"sobre {c.title}") for c, p in zip(rubric, points, strict=True)}
    return services.grade_save(
        team=team, user=user, scores=scores, comment=comment, complete=complete
    )


def test_the_rubric_keeps_criteria_by_id_and_records_the_change(competition, instructor, rubric):
    method, results = rubric
    kept = services.rubric_save(
        competition=competition,
        user=instructor,
        criteria=[
            CriterionInput("Método y datos", "", Decimal("5"), id=method.id),
            CriterionInput("Escritura", "Claridad", Decimal("2")),
        ],
    )
    assert kept[0].id == method.id and kept[0].title == "Método y datos"
    assert not Criterion.objects.filter(pk=results.pk).exists()
    assert [c.title for c in competition.criteria.all()] == ["Método y datos", "Escritura"]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RUBRIC_CHANGED).count() == 2


def test_a_rubric_is_imported_from_another_competition(competition, instructor, rubric):
    other = make_competition("cifras")
    services.rubric_import(competition=other, source=competition, user=instructor)
    copied = list(other.criteria.all())
    assert [(c.title, c.max_points) for c in copied] == [
        ("Método", Decimal("6.00")),
        ("Resultados", Decimal("4.00")),
    ]
    assert {c.id for c in copied}.isdisjoint({c.id for c in rubric})


def test_the_rubric_page_saves_and_imports(competition, instructor, rubric):
    other = make_competition("cifras")
    client = web_client(instructor)
    url = reverse("grader:rubric", args=["cifras"])
    response = client.post(url, {"source": competition.pk}, follow=True)
    assert "Rubric imported" in response.content.decode()
    criteria = list(other.criteria.all())
    data = {
        "criteria-TOTAL_FORMS": "3", "criteria-INITIAL_FORMS": "2",
        "criteria-0-id": criteria[0].id, "criteria-0-title": "Método", "criteria-0-max_points": "7",
        "criteria-1-id": criteria[1].id, "criteria-1-title": "Resultados",
        "criteria-1-max_points": "4", "criteria-1-DELETE": "on",
        "criteria-2-title": "Presentación", "criteria-2-max_points": "3",
    }  # fmt: skip
    client.post(url, data)
    assert [(c.title, c.max_points) for c in other.criteria.all()] == [
        ("Método", Decimal("7.00")),
        ("Presentación", Decimal("3.00")),
    ]


def test_points_above_the_maximum_are_refused(alpha, instructor, rubric):
    with pytest.raises(RuleViolation, match=r"Método: at most 6\.00 points, not 7\.00"):
        _grade(alpha, instructor, rubric, ["7", "1"])
    assert not ReportGrade.objects.filter(team=alpha, is_complete=True).exists()


def test_a_draft_may_miss_points_a_complete_grade_may_not(alpha, instructor, rubric):
    draft = _grade(alpha, instructor, rubric, ["5", None], complete=False)
    assert not draft.is_complete
    with pytest.raises(RuleViolation, match="Give points for “Resultados”"):
        _grade(alpha, instructor, rubric, ["5", None])


def test_students_see_nothing_before_release(
    competition, alpha, alice, instructor, rubric, reports
):
    _grade(alpha, instructor, rubric, ["5", "3.5"], comment="Muy claro")
    page = web_client(alice).get(reverse("competition:team", args=[competition.slug]))
    text = page.content.decode()
    assert "Muy claro" not in text and "8.50" not in text and 'data-testid="grade"' not in text
    assert (
        api_client(alice).get(reverse("api-report", args=[competition.slug])).json()["grade"]
        is None
    )
    assert services.released_grade(alpha) is None
    response = api_client(alice).get(reverse("api-grade", args=[competition.slug]))
    assert response.status_code == 404
    assert response.json()["detail"] == "No released grade for your team yet."


def test_after_release_the_team_sees_points_comments_and_total(
    competition, alpha, gamma, alice, charlie, instructor, rubric, reports
):
    _grade(alpha, instructor, rubric, ["5", "3.5"], comment="Muy claro")
    _grade(gamma, instructor, rubric, ["2", "1"], complete=False, comment="Borrador Gamma")
    services.grades_release(competition=competition, user=instructor, released=True)
    text = (
        web_client(alice).get(reverse("competition:team", args=[competition.slug])).content.decode()
    )
    assert "Muy claro" in text and "sobre Método" in text
    assert "8.50 / 10.00" in text
    # A draft stays hidden even after release; never another team's grade.
    gamma_page = web_client(charlie).get(reverse("competition:team", args=[competition.slug]))
    assert "Borrador Gamma" not in gamma_page.content.decode()
    assert "Muy claro" not in gamma_page.content.decode()
    body = api_client(alice).get(reverse("api-report", args=[competition.slug])).json()
    assert body["grade"]["total"] == "8.50" and body["grade"]["comment"] == "Muy claro"
    mine = api_client(alice).get(reverse("api-grade", args=[competition.slug]))
    assert mine.status_code == 200 and mine.json() == body["grade"]
    assert api_client(charlie).get(reverse("api-grade", args=[competition.slug])).status_code == 404
    assert [c["points"] for c in body["grade"]["criteria"]] == ["5.00", "3.50"]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.GRADES_RELEASED).exists()


def test_changing_a_released_grade_is_recorded(competition, alpha, instructor, rubric, reports):
    _grade(alpha, instructor, rubric, ["5", "3.5"])
    _grade(alpha, instructor, rubric, ["6", "3.5"])  # before release: not an audited change
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.GRADE_CHANGED).exists()
    services.grades_release(competition=competition, user=instructor, released=True)
    _grade(alpha, instructor, rubric, ["4", "3.5"])
    entry = AuditEntry.objects.get(action=AuditEntry.Action.GRADE_CHANGED)
    assert entry.actor == instructor
    assert entry.detail == "Alpha: Método: 6.00 → 4.00"


def test_regrade_requests_one_per_criterion_after_release(
    competition, alpha, alice, bob, instructor, rubric, reports
):
    method, _results = rubric
    _grade(alpha, instructor, rubric, ["3", "4"])
    with pytest.raises(RuleViolation, match="not released"):
        services.regrade_request(team=alpha, user=alice, criterion_id=method.id, reason="¿Por qué?")
    services.grades_release(competition=competition, user=instructor, released=True)
    with pytest.raises(RuleViolation, match="Say why"):
        services.regrade_request(team=alpha, user=alice, criterion_id=method.id, reason="  ")
    request = services.regrade_request(
        team=alpha,
        user=alice,
        criterion_id=method.id,
        reason="Explicamos el método en la sección 2",
    )
    with pytest.raises(RuleViolation, match="already asked for a regrade of “Método”"):
        services.regrade_request(team=alpha, user=bob, criterion_id=method.id, reason="Otra vez")
    overview = web_client(instructor).get(reverse("grader:overview", args=[competition.slug]))
    assert "Alpha · Método" in overview.content.decode()

    services.regrade_answer(request=request, user=instructor, answer="Tienen razón", points="5")
    request.refresh_from_db()
    assert not request.is_open and request.answer == "Tienen razón"
    assert ReportGrade.objects.get(team=alpha).scores.get(criterion=method).points == Decimal("5")
    changed = AuditEntry.objects.get(action=AuditEntry.Action.GRADE_CHANGED)
    assert "Método: 3.00 → 5.00" in changed.detail and "regrade request" in changed.detail
    text = (
        web_client(alice).get(reverse("competition:team", args=[competition.slug])).content.decode()
    )
    assert "Tienen razón" in text and "9.00 / 10.00" in text


def test_the_regrade_form_on_the_team_page(competition, alpha, alice, instructor, rubric, reports):
    _grade(alpha, instructor, rubric, ["3", "4"])
    services.grades_release(competition=competition, user=instructor, released=True)
    url = reverse("grader:regrade", args=[competition.slug])
    response = web_client(alice).post(
        url, {"criterion": rubric[1].id, "reason": "Faltó ver la tabla 2"}, follow=True
    )
    assert "Regrade request sent" in response.content.decode()
    assert RegradeRequest.objects.get().criterion == rubric[1]


def test_the_grading_page_saves_a_draft_then_moves_on(
    competition, alpha, gamma, instructor, rubric, reports
):
    client = web_client(instructor)
    url = reverse("grader:grade", args=[competition.slug, alpha.pk])
    page = client.get(url).content.decode()
    assert "0 of 2 graded" in page
    assert reverse("grader:report-pdf", args=[competition.slug, alpha.reports.get().pk]) in page
    assert f'href="{reverse("grader:grade", args=[competition.slug, gamma.pk])}"' in page
    points = {f"points_{rubric[0].id}": "4", f"comment_{rubric[0].id}": "Falta validación"}
    response = client.post(url, {**points, "comment": "Ok", "action": "draft"}, follow=True)
    assert "Alpha: draft saved." in response.content.decode()
    grade = ReportGrade.objects.get(team=alpha)
    assert not grade.is_complete and grade.scores.get(criterion=rubric[0]).points == 4
    full = {**points, f"points_{rubric[1].id}": "3", "comment": "Ok", "action": "complete"}
    response = client.post(url, {**full, "then": "next"})
    assert response["Location"] == reverse("grader:grade", args=[competition.slug, gamma.pk])
    overview = client.get(reverse("grader:overview", args=[competition.slug])).content.decode()
    assert "1 of 2 graded" in overview


def test_the_grading_page_shows_a_refusal(competition, alpha, instructor, rubric, reports):
    url = reverse("grader:grade", args=[competition.slug, alpha.pk])
    response = web_client(instructor).post(
        url, {f"points_{rubric[0].id}": "4", "comment": "", "action": "complete"}
    )
    assert "Give points for “Resultados” before marking the report graded." in (
        response.content.decode()
    )


@pytest.mark.parametrize("name", ["grader:overview", "grader:rubric", "grader:export"])
def test_students_never_reach_the_grading_pages(competition, alice, name):
    assert web_client(alice).get(reverse(name, args=[competition.slug])).status_code == 403


def test_students_never_reach_another_teams_grading(competition, alpha, gamma, alice):
    url = reverse("grader:grade", args=[competition.slug, gamma.pk])
    assert web_client(alice).get(url).status_code == 403
    assert api_client(alice).get(reverse("api-grades", args=[competition.slug])).status_code == 403
