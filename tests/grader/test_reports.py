"""Report uploads: every PDF rule with a real file, versions, and who may see a report."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from competition.services import RuleViolation
from grader import services
from grader.models import Report
from tests.factories import (
    api_client,
    encrypt_pdf,
    make_pdf,
    make_user,
    pdf_upload,
    web_client,
)

pytestmark = pytest.mark.django_db


def _refused(competition, user, content: bytes, name: str = "informe.pdf") -> str:
    before = Report.objects.count()
    with pytest.raises(RuleViolation) as caught:
        services.report_upload(competition=competition, user=user, upload=pdf_upload(content, name))
    assert Report.objects.count() == before, "nothing is stored on refusal"
    return caught.value.message


def test_a_one_page_pdf_is_stored_with_its_page_count(competition, alpha, alice):
    report = services.report_upload(
        competition=competition, user=alice, upload=pdf_upload(make_pdf(1), "Informe Alpha.pdf")
    )
    assert report.pages == 1
    assert report.team == alpha
    assert report.uploaded_by == alice
    assert report.original_name == "Informe Alpha.pdf"
    assert report.file.name.endswith(".pdf") and "Alpha" not in report.file.name
    with report.file.open("rb") as stored:
        assert stored.read() == make_pdf(1)


def test_two_pages_are_refused_with_both_numbers(competition, alpha, alice):
    message = _refused(competition, alice, make_pdf(2))
    assert message == "Your report has 2 pages; the limit is 1."


def test_the_page_limit_is_the_competitions(competition, alpha, alice):
    competition.report_max_pages = 2
    competition.save()
    assert (
        services.report_upload(
            competition=competition, user=alice, upload=pdf_upload(make_pdf(2))
        ).pages
        == 2
    )
    assert "3 pages; the limit is 2" in _refused(competition, alice, make_pdf(3))


def test_an_encrypted_pdf_is_refused(competition, alpha, alice):
    message = _refused(competition, alice, encrypt_pdf(make_pdf(1)))
    assert "protected with a password" in message


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_a_truncated_pdf_is_refused(competition, alpha, alice, keep):
    data = make_pdf(1)
    message = _refused(competition, alice, data[: int(len(data) * keep)])
    assert "could not be read" in message


def test_a_renamed_text_file_is_refused(competition, alpha, alice):
    message = _refused(
        competition, alice, b"Mi informe: sacamos 0.98 de accuracy.\n", "informe.pdf"
    )
    assert message.startswith("This file is not a PDF.")


def test_an_empty_file_is_refused(competition, alpha, alice):
    assert _refused(competition, alice, b"") == "The file is empty."


def test_a_pdf_is_judged_by_its_content_not_its_name(competition, alpha, alice):
    report = services.report_upload(
        competition=competition, user=alice, upload=pdf_upload(make_pdf(1), "informe.txt")
    )
    assert report.pages == 1


def test_a_file_over_the_size_limit_is_refused(competition, alpha, alice):
    competition.report_max_mb = 1
    competition.save()
    big = make_pdf(1) + b"%" + b"x" * (1024 * 1024)
    message = _refused(competition, alice, big)
    assert message == "The file is 1.0 MB; the limit is 1 MB."


def test_no_upload_after_the_report_deadline(competition, alpha, alice):
    competition.report_deadline = timezone.now() - timedelta(minutes=1)
    competition.save()
    assert "report deadline has passed" in _refused(competition, alice, make_pdf(1))


def test_the_report_deadline_may_be_after_the_end(competition, alpha, alice):
    competition.end_at = timezone.now() - timedelta(hours=1)
    competition.start_at = timezone.now() - timedelta(days=3)
    competition.team_merger_at = None
    competition.report_deadline = timezone.now() + timedelta(days=2)
    competition.save()
    assert services.report_upload(
        competition=competition, user=alice, upload=pdf_upload(make_pdf())
    )


def test_every_version_is_kept_and_the_latest_counts(competition, alpha, alice, bob):
    first = services.report_upload(
        competition=competition, user=alice, upload=pdf_upload(make_pdf(1, "v1"), "v1.pdf")
    )
    second = services.report_upload(
        competition=competition, user=bob, upload=pdf_upload(make_pdf(1, "v2"), "v2.pdf")
    )
    assert services.latest_report(alpha) == second
    assert list(Report.objects.filter(team=alpha)) == [second, first]
    page = web_client(alice).get(reverse("grader:report", args=[competition.slug]))
    text = page.content.decode()
    assert "v1.pdf" in text and "v2.pdf" in text and "Bob" in text and "Alice" in text


def test_the_web_form_shows_the_error_and_stores_nothing(competition, alpha, alice):
    url = reverse("grader:report", args=[competition.slug])
    response = web_client(alice).post(url, {"file": pdf_upload(make_pdf(2))})
    assert response.status_code == 200
    assert "Your report has 2 pages; the limit is 1." in response.content.decode()
    assert not Report.objects.exists()
    response = web_client(alice).post(url, {"file": pdf_upload(make_pdf(1))}, follow=True)
    assert "Report received: 1 page(s)." in response.content.decode()


def test_the_pdf_is_served_inline_to_the_team_and_instructors_only(
    competition, alpha, gamma, alice, bob, charlie, instructor
):
    report = services.report_upload(
        competition=competition, user=alice, upload=pdf_upload(make_pdf())
    )
    url = reverse("grader:report-pdf", args=[competition.slug, report.pk])
    for user in (alice, bob, instructor):
        response = web_client(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline")
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert b"".join(response.streaming_content) == make_pdf()
    assert web_client(charlie).get(url).status_code == 404
    assert web_client(make_user("stranger")).get(url).status_code == 404
    assert web_client(None).get(url).status_code == 302  # to the login page


def test_another_teams_report_page_shows_only_its_own(competition, alpha, gamma, alice, charlie):
    services.report_upload(
        competition=competition, user=alice, upload=pdf_upload(make_pdf(), "secreto-alpha.pdf")
    )
    page = web_client(charlie).get(reverse("grader:report", args=[competition.slug]))
    assert "secreto-alpha.pdf" not in page.content.decode()


def test_the_api_takes_a_report_and_explains_a_refusal(competition, alpha, alice):
    url = reverse("api-report", args=[competition.slug])
    client = api_client(alice)
    refused = client.post(url, {"file": pdf_upload(make_pdf(2))}, format="multipart")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "Your report has 2 pages; the limit is 1."
    created = client.post(url, {"file": pdf_upload(make_pdf(1))}, format="multipart")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["pages"] == 1 and body["team"] == "Alpha" and body["uploaded_by"] == "alice"
    status = client.get(url).json()
    assert status["latest"]["id"] == body["id"] and len(status["versions"]) == 1
    assert status["grade"] is None
