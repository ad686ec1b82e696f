"""Who sees and changes what: every page and endpoint, for each point of view.

Roles (see conftest): anonymous; other_team (Charlie, team Gamma); member (Alice,
team Alpha); instructor (Inés). Expected: an HTTP status, or "login" for a redirect
to the login page.
"""

import pytest
from django.urls import reverse

from tests.factories import api_client, make_competition, web_client

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "other_team", "member", "instructor")


def _pages(
    slug: str, code: str, sub: int, sample: int, report: int, team: int
) -> list[tuple[str, str, dict]]:
    everyone = dict.fromkeys(ROLES, 200)
    logged_in = {"anonymous": "login", "other_team": 200, "member": 200, "instructor": 200}
    instructors = {"anonymous": "login", "other_team": 403, "member": 403, "instructor": 200}
    anonymous_only = {**everyone, "other_team": 302, "member": 302, "instructor": 302}
    staff = {**instructors, "other_team": "login", "member": "login"}
    private = {**instructors, "anonymous": 403}
    own_file = {**logged_in, "other_team": 404}
    select = {**logged_in, "other_team": 404, "member": 302, "instructor": 403}
    regrade = {**logged_in, "other_team": 302, "member": 302, "instructor": 403}
    acts = {**instructors, "instructor": 302}  # an instructor's action, then back to a page
    return [
        ("GET", reverse("competition:list"), everyone),
        ("GET", reverse("competition:detail", args=[slug]), everyone),
        ("GET", reverse("competition:team", args=[slug]), logged_in),
        ("GET", reverse("competition:team-join-code", args=[slug, code]), logged_in),
        ("GET", reverse("competition:teams", args=[slug]), instructors),
        ("GET", reverse("competition:roster", args=[slug]), instructors),
        ("GET", reverse("profile"), logged_in),
        ("GET", reverse("password_change"), logged_in),
        ("GET", reverse("signup"), anonymous_only),
        ("GET", reverse("login"), anonymous_only),
        ("GET", reverse("password_reset"), everyone),
        ("GET", reverse("admin:index"), staff),
        ("GET", reverse("admin:competition_team_changelist"), staff),
        ("GET", reverse("competition:data", args=[slug]), everyone),
        ("GET", reverse("competition:file", args=[slug, sample]), everyone),
        ("GET", reverse("competition:leaderboard", args=[slug]), everyone),
        ("GET", reverse("competition:leaderboard", args=[slug]) + "?private=1", private),
        ("GET", reverse("competition:leaderboard-csv", args=[slug]), instructors),
        ("GET", reverse("competition:submit", args=[slug]), logged_in),
        ("GET", reverse("competition:submissions", args=[slug]), logged_in),
        ("GET", reverse("competition:submission-file", args=[slug, sub]), own_file),
        ("GET", reverse("competition:submission-predictions", args=[slug, sub]), own_file),
        ("POST", reverse("competition:submission-select", args=[slug, sub]), select),
        ("GET", reverse("competition:edit", args=[slug]), instructors),
        ("GET", reverse("competition:new"), instructors),
        ("POST", reverse("competition:release", args=[slug]), {**instructors, "instructor": 302}),
        # Reports and grading.
        ("GET", reverse("grader:report", args=[slug]), logged_in),
        ("GET", reverse("grader:report-pdf", args=[slug, report]), own_file),
        ("POST", reverse("grader:regrade", args=[slug]), regrade),
        ("GET", reverse("grader:overview", args=[slug]), instructors),
        ("GET", reverse("grader:rubric", args=[slug]), instructors),
        ("GET", reverse("grader:grade", args=[slug, team]), instructors),
        ("GET", reverse("grader:export", args=[slug]), instructors),
        ("POST", reverse("grader:release", args=[slug]), {**instructors, "instructor": 302}),
        ("POST", reverse("grader:scheme", args=[slug]), {**instructors, "instructor": 302}),
        # The instructor's leaderboard tools.
        ("GET", reverse("competition:manage", args=[slug]), instructors),
        ("GET", reverse("competition:all-submissions", args=[slug]), instructors),
        ("GET", reverse("competition:submissions-zip", args=[slug]), instructors),
        ("GET", reverse("competition:rescore-progress", args=[slug]), instructors),
        ("POST", reverse("competition:freeze", args=[slug]), {**instructors, "instructor": 302}),
        ("POST", reverse("competition:rescore", args=[slug]), {**instructors, "instructor": 302}),
        ("POST", reverse("competition:submission-exclude", args=[slug, sub]), acts),
        ("POST", reverse("competition:team-disqualify", args=[slug, team]), acts),
    ]  # fmt: skip


def _status(response) -> object:
    if response.status_code == 302 and "login" in response["Location"]:
        return "login"
    return response.status_code


@pytest.fixture
def submission(hosted, alpha, alice):
    from competition.models import Submission
    from tests.factories import predictions, upload

    return Submission.objects.create(
        competition=hosted,
        team=alpha,
        user=alice,
        file=upload(predictions()),
        predictions=upload(predictions(), "model-predictions.csv"),
    )


@pytest.fixture
def report(hosted, alpha, alice):
    from grader.services import report_upload
    from tests.factories import make_pdf, pdf_upload

    return report_upload(competition=hosted, user=alice, upload=pdf_upload(make_pdf()))


@pytest.mark.parametrize("role", ROLES)
def test_page_permissions(cast, role, hosted, alpha, submission, report):
    client = web_client(cast[role])
    sample = hosted.files.get(kind="sample").pk
    pages = _pages(hosted.slug, alpha.invite_code, submission.pk, sample, report.pk, alpha.pk)
    for method, url, expected in pages:
        response = client.generic(method, url)
        assert _status(response) == expected[role], f"{role} {method} {url}"


def test_draft_competition_is_only_for_instructors(cast):
    draft = make_competition(slug="borrador", is_published=False)
    urls = [
        reverse("competition:detail", args=[draft.slug]),
        f"/api/v1/competitions/{draft.slug}/",
    ]
    for role in ROLES:
        for url in urls:
            status = web_client(cast[role]).get(url).status_code
            assert status == (200 if role == "instructor" else 404), f"{role} {url}"
    listed = api_client(cast["member"]).get("/api/v1/competitions/").json()
    assert "borrador" not in [c["slug"] for c in listed["results"]]
    listed = api_client(cast["instructor"]).get("/api/v1/competitions/").json()
    assert "borrador" in [c["slug"] for c in listed["results"]]


API = {
    ("GET", "/api/v1/competitions/"): dict.fromkeys(ROLES, 200),
    ("GET", "/api/v1/competitions/digitos/"): dict.fromkeys(ROLES, 200),
    ("GET", "/api/v1/competitions/digitos/team/"): {
        "anonymous": 401, "other_team": 200, "member": 200, "instructor": 404,
    },
    ("GET", "/api/v1/me/"): {"anonymous": 401, "other_team": 200, "member": 200, "instructor": 200},
    ("GET", "/api/v1/competitions/digitos/submissions/"): {
        "anonymous": 401, "other_team": 200, "member": 200, "instructor": 200,
    },
    ("GET", "/api/v1/submissions/{sub}/"): {
        "anonymous": 401, "other_team": 404, "member": 200, "instructor": 200,
    },
    ("POST", "/api/v1/submissions/{sub}/select/"): {
        "anonymous": 401, "other_team": 404, "member": 400, "instructor": 403,
    },
    ("GET", "/api/v1/competitions/digitos/leaderboard/"): dict.fromkeys(ROLES, 200),
    ("GET", "/api/v1/competitions/digitos/files/"): dict.fromkeys(ROLES, 200),
    ("GET", "/api/v1/competitions/digitos/files/{sample}/"): dict.fromkeys(ROLES, 200),
    ("GET", "/api/v1/submissions/{sub}/file/"): {
        "anonymous": 401, "other_team": 404, "member": 200, "instructor": 200,
    },
    ("GET", "/api/v1/competitions/digitos/leaderboard/?private=1"): {
        "anonymous": 403, "other_team": 403, "member": 403, "instructor": 200,
    },
    ("GET", "/api/v1/competitions/digitos/report/"): {
        "anonymous": 401, "other_team": 200, "member": 200, "instructor": 200,
    },
    ("GET", "/api/v1/competitions/digitos/grade/"): {
        "anonymous": 401, "other_team": 404, "member": 404, "instructor": 404,
    },
    ("GET", "/api/v1/competitions/digitos/grades/"): {
        "anonymous": 401, "other_team": 403, "member": 403, "instructor": 200,
    },
    ("GET", "/api/v1/competitions/digitos/grades/export/"): {
        "anonymous": 401, "other_team": 403, "member": 403, "instructor": 200,
    },
    ("GET", "/api/schema/"): dict.fromkeys(ROLES, 200),
    ("GET", "/api/docs/"): dict.fromkeys(ROLES, 200),
    # Last: an instructor joining a team changes what the instructor may do after it.
    ("POST", "/api/v1/competitions/digitos/team/join/"): {
        "anonymous": 401, "other_team": 409, "member": 409, "instructor": 200,
    },
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_api_permissions(cast, role, alpha, submission, hosted):
    client = api_client(cast[role])
    sample = hosted.files.get(kind="sample").pk
    for (method, url), expected in API.items():
        url = url.format(sub=submission.pk, sample=sample)
        response = client.generic(
            method,
            url,
            data=f'{{"invite_code": "{alpha.invite_code}"}}',
            content_type="application/json",
        )
        assert response.status_code == expected[role], f"{role} {method} {url}"


def test_a_student_never_sees_another_teams_report_or_grade(cast, hosted, alpha, gamma, report):
    from grader import services
    from grader.services import CriterionInput, ScoreInput

    (criterion,) = services.rubric_save(
        competition=hosted, user=cast["instructor"], criteria=[CriterionInput("Método", "", 5)]
    )
    services.grade_save(
        team=alpha, user=cast["instructor"], scores={criterion.id: ScoreInput("4", "Nota Alpha")},
        comment="Comentario Alpha", complete=True,
    )  # fmt: skip
    services.grades_release(competition=hosted, user=cast["instructor"], released=True)
    charlie = cast["other_team"]
    body = api_client(charlie).get("/api/v1/competitions/digitos/report/").json()
    assert body["versions"] == [] and body["grade"] is None
    for url in (
        reverse("competition:team", args=["digitos"]),
        reverse("grader:report", args=["digitos"]),
    ):
        html = web_client(charlie).get(url).content.decode()
        assert "Comentario Alpha" not in html and "Nota Alpha" not in html
        assert reverse("grader:report-pdf", args=["digitos", report.pk]) not in html


def test_a_student_sees_only_their_own_team(cast, alpha, gamma):
    body = api_client(cast["other_team"]).get("/api/v1/competitions/digitos/team/").json()

    assert body["name"] == "Gamma"
    assert alpha.invite_code not in str(body)
    page = web_client(cast["other_team"]).get(reverse("competition:team", args=["digitos"]))
    assert alpha.invite_code not in page.content.decode()
    assert "Alpha" not in page.content.decode()


def test_team_list_page_shows_every_team_to_instructors(cast, alpha, gamma):
    page = web_client(cast["instructor"]).get(reverse("competition:teams", args=["digitos"]))

    html = page.content.decode()
    assert "Alpha" in html and "Gamma" in html and "alice@example.edu" in html


@pytest.mark.parametrize("role", ROLES)
def test_no_url_serves_stored_files_directly(cast, role, hosted, submission, report):
    """Uploads, reports and the hidden solution are served only by views that check
    who asks; their storage paths answer 404 to everyone, instructors included."""
    client = web_client(cast[role])
    for name in (submission.file.name, report.file.name, hosted.solution.name):
        for prefix in ("/media/", "/hidden/", "/static/", "/"):
            assert client.get(prefix + name).status_code == 404, f"{role} {prefix}{name}"
