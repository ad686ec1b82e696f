"""Submitting: the cheap checks at upload, the full checks in the worker, the limits."""

import gzip
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from competition import scoring_service, services
from competition.models import Submission
from competition.services import RuleViolation
from grader import scoring
from tests.factories import api_client, make_user, predictions, upload

pytestmark = pytest.mark.django_db
API = "/api/v1/competitions/digitos/submissions/"


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Submits as the web form and the API do; the scoring task sent on commit runs
    in-process (tests marked ``worker`` use a real worker instead)."""

    def _submit(competition, user, content: bytes | None = None, name="preds.csv", **kwargs):
        content = predictions() if content is None else content
        with django_capture_on_commit_callbacks(execute=True):
            return services.submission_create(
                competition=competition, user=user, upload=upload(content, name), **kwargs
            )

    return _submit


def _scored(submission: Submission) -> Submission:
    submission.refresh_from_db()
    return submission


def test_good_file_is_scored_exactly_as_the_bare_computation(submit, hosted, alpha, alice):
    submission = _scored(submit(hosted, alice, predictions(correct=15)))

    expected = scoring.score_submission(
        hosted.solution.path, predictions(correct=15), "accuracy", id_column="id"
    )
    assert submission.status == "scored"
    assert (submission.public_score, submission.private_score) == (
        expected.public,
        expected.private,
    )
    assert submission.rows == 20
    assert submission.team == alpha
    assert submission.started_at <= submission.finished_at


def test_api_submission_returns_201_with_id_and_status(
    hosted, alpha, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(alice).post(
            API, {"file": upload(predictions()), "description": "knn"}, format="multipart"
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] in {"queued", "scored"}
    detail = api_client(alice).get(f"/api/v1/submissions/{body['id']}/").json()
    assert detail["status"] == "scored" and detail["public_score"] == 1.0
    assert detail["description"] == "knn"
    listed = api_client(alice).get(API).json()
    assert [item["id"] for item in listed["results"]] == [body["id"]]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,label\n1,0\n2,2\n", "18 ids are missing, for example 3, 4 and 5"),
        (
            predictions().replace(b"5,2", b"5,abc"),
            "Row 6: 'abc' is not one of the classes: 0, 1, 2.",
        ),
        (predictions(header="id,prediction"), "label"),
        (predictions().replace(b"5,2", b"5,"), "Row 6: 'label' is empty."),
        (predictions() + b"99,1\n", "99"),
        (predictions() + b"3,0\n", "Id 3 appears 2 times"),
    ],
)
def test_bad_file_fails_with_a_message_for_the_student(
    submit, hosted, alpha, alice, content, message
):
    submission = _scored(submit(hosted, alice, content))

    assert submission.status == "failed"
    assert message in submission.error
    assert submission.public_score is None


def test_compressed_uploads_are_accepted(submit, hosted, alpha, alice):
    gz = gzip.compress(predictions())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("preds.csv", predictions())

    assert _scored(submit(hosted, alice, gz, "p.csv.gz")).status == "scored"
    assert _scored(submit(hosted, alice, buffer.getvalue(), "p.zip")).status == "scored"


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("preds.txt", predictions(), 400, "Upload a .csv file"),
        ("preds.csv", b"", 400, "empty"),
    ],
)
def test_refused_uploads_create_nothing(hosted, alice, name, content, status, message):
    response = api_client(alice).post(API, {"file": upload(content, name)}, format="multipart")

    assert response.status_code == status
    assert message in str(response.json())
    assert not Submission.objects.exists()


def test_too_large_upload_is_413(hosted, alice):
    hosted.max_upload_mb = 1
    hosted.save()
    big = b"id,label\n" + b"1,0\n" * 300_000

    response = api_client(alice).post(API, {"file": upload(big)}, format="multipart")

    assert response.status_code == 413
    assert "limit is 1 MB" in response.json()["detail"]
    assert not Submission.objects.exists()


def test_daily_limit_is_enforced_and_failed_ones_do_not_count(submit, hosted, alpha, alice, bob):
    hosted.daily_limit = 2
    hosted.save()
    assert _scored(submit(hosted, alice, b"garbage\n")).status == "failed"
    submit(hosted, alice)
    submit(hosted, bob)

    with pytest.raises(RuleViolation, match="used its 2 submissions for today") as error:
        submit(hosted, alice)
    assert error.value.status == 409
    assert Submission.objects.filter(team=alpha).count() == 3


def test_daily_limit_resets_at_midnight_of_the_configured_zone(submit, hosted, alpha, alice):
    hosted.daily_limit = 1
    hosted.save()
    old = submit(hosted, alice)
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=1))

    assert submit(hosted, alice).pk != old.pk


def test_submission_before_the_start_is_refused(submit, hosted, alice):
    hosted.start_at = timezone.now() + timedelta(days=1)
    hosted.end_at = timezone.now() + timedelta(days=2)
    hosted.save()

    with pytest.raises(RuleViolation, match="has not started"):
        submit(hosted, alice)


def test_competition_without_solution_refuses_submissions(submit, competition, alice):
    with pytest.raises(RuleViolation, match="not ready for submissions"):
        submit(competition, alice)


def test_after_the_end_submissions_are_scored_and_marked_late(submit, hosted, alpha, alice):
    hosted.start_at = timezone.now() - timedelta(days=10)
    hosted.team_merger_at = None
    hosted.end_at = timezone.now() - timedelta(minutes=1)
    hosted.save()

    submission = _scored(submit(hosted, alice))

    assert submission.is_late and submission.status == "scored"


def test_a_student_without_team_becomes_a_team_of_one(submit, hosted, charlie):
    submission = submit(hosted, charlie)

    assert submission.team.name == "charlie"
    assert [m.user for m in submission.team.memberships.all()] == [charlie]


def test_scoring_twice_leaves_the_same_row(submit, hosted, alpha, alice):
    submission = _scored(submit(hosted, alice))
    before = (submission.public_score, submission.finished_at, submission.attempts)

    scoring_service.submission_score(submission_id=submission.pk)

    after = _scored(submission)
    assert (after.public_score, after.finished_at, after.attempts) == before
    assert Submission.objects.count() == 1


def test_podios_own_failure_is_not_blamed_on_the_student(submit, hosted, alpha, alice, caplog):
    Path(hosted.solution.path).unlink()

    submission = _scored(submit(hosted, alice))

    assert submission.status == "failed"
    assert "Podio's side (not your file)" in submission.error
    assert "FileNotFoundError" in caplog.text


def test_scoring_is_sent_only_after_commit(
    hosted, alpha, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission = services.submission_create(
            competition=hosted, user=alice, upload=upload(predictions())
        )

    from competition import queueing

    assert [c.func for c in callbacks if hasattr(c, "func")] == [queueing.send]
    assert _scored(submission).status == "queued"


def test_stored_name_never_comes_from_the_user(submit, hosted, alpha, alice):
    submission = submit(hosted, alice, name="../../etc/passwd.csv")

    assert "passwd" not in submission.file.name and ".." not in submission.file.name
    assert submission.original_name == "passwd.csv"


def test_private_score_is_hidden_from_students_until_release(
    submit, hosted, alpha, alice, instructor
):
    submission = _scored(submit(hosted, alice, predictions(correct=10)))
    url = f"/api/v1/submissions/{submission.pk}/"

    assert api_client(alice).get(url).json()["private_score"] is None
    assert api_client(instructor).get(url).json()["private_score"] is not None
    hosted.private_released = True
    hosted.save()
    assert api_client(alice).get(url).json()["private_score"] == submission.private_score


def test_other_teams_cannot_see_a_submission(submit, hosted, alpha, gamma, alice, charlie):
    submission = submit(hosted, alice)

    assert api_client(charlie).get(f"/api/v1/submissions/{submission.pk}/").status_code == 404
    assert api_client(charlie).get(API).json()["results"] == []


def test_final_selection_limit(submit, hosted, alpha, alice, bob):
    subs = [_scored(submit(hosted, alice)) for _ in range(3)]
    for sub in subs[:2]:
        services.submission_select(submission=sub, user=alice, selected=True)

    with pytest.raises(RuleViolation, match="already selected 2"):
        services.submission_select(submission=subs[2], user=bob, selected=True)
    services.submission_select(submission=subs[0], user=bob, selected=False)
    services.submission_select(submission=subs[2], user=bob, selected=True)
    assert Submission.objects.filter(selected=True).count() == 2


def test_failed_submission_cannot_be_selected(submit, hosted, alpha, alice):
    failed = _scored(submit(hosted, alice, b"x\n"))

    with pytest.raises(RuleViolation, match="Only scored"):
        services.submission_select(submission=failed, user=alice, selected=True)


def test_select_through_the_api_is_for_team_members_only(
    submit, hosted, alpha, gamma, alice, charlie
):
    sub = _scored(submit(hosted, alice))
    url = f"/api/v1/submissions/{sub.pk}/select/"

    assert api_client(charlie).post(url, {"selected": True}, format="json").status_code == 404
    response = api_client(alice).post(url, {"selected": True}, format="json")
    assert response.status_code == 200 and response.json()["selected"] is True


def test_student_downloads_own_file(submit, hosted, alpha, alice, bob):
    from django.urls import reverse

    from tests.factories import web_client

    sub = submit(hosted, alice, name="mis-predicciones.csv")
    url = reverse("competition:submission-file", args=[hosted.slug, sub.pk])

    response = web_client(bob).get(url)

    assert b"".join(response.streaming_content) == predictions()
    assert 'filename="mis-predicciones.csv"' in response["Content-Disposition"]
    assert web_client(make_user("eve")).get(url).status_code == 404


def test_instructor_submits_a_baseline_through_the_form(
    hosted, instructor, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.factories import web_client

    with django_capture_on_commit_callbacks(execute=True):
        web_client(instructor).post(
            reverse("competition:submit", args=[hosted.slug]),
            {"file": upload(predictions(correct=12)), "baseline_name": "Regresión logística"},
        )

    baseline = Submission.objects.get()
    assert baseline.is_baseline and baseline.team is None
    assert baseline.baseline_name == "Regresión logística"
    assert _scored(baseline).status == "scored"
