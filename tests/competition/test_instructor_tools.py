"""The instructor's leaderboard tools: exclude, disqualify, freeze, rescore, zip, audit."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from competition import leaderboard, services
from competition.models import AuditEntry, RescoreRun, Submission
from competition.services import RuleViolation
from tests.factories import SOLUTION, make_scored, predictions, upload, web_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    def _submit(competition, user, correct: int, name="preds.csv") -> Submission:
        with django_capture_on_commit_callbacks(execute=True):
            sub = services.submission_create(
                competition=competition, user=user, upload=upload(predictions(correct), name)
            )
        sub.refresh_from_db()
        return sub

    return _submit


def _actions(competition) -> list[str]:
    return list(
        AuditEntry.objects.filter(competition=competition)
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )


def test_an_excluded_submission_leaves_the_leaderboards_and_the_team_sees_why(
    hosted, alpha, gamma, alice, instructor
):
    best = make_scored(hosted, alpha, 0.9, 0.9, minutes_ago=30)
    make_scored(hosted, alpha, 0.5, 0.5, minutes_ago=20)
    make_scored(hosted, gamma, 0.7, 0.7)
    with pytest.raises(RuleViolation, match="reason"):
        services.submission_exclude(submission=best, user=instructor, reason=" ")
    services.submission_exclude(submission=best, user=instructor, reason="Usó el conjunto de test")
    assert [(r.name, r.score) for r in leaderboard.public_leaderboard(hosted)] == [
        ("Gamma", 0.7),
        ("Alpha", 0.5),
    ]
    assert [(r.name, r.score) for r in leaderboard.private_leaderboard(hosted)][1] == ("Alpha", 0.5)
    page = web_client(alice).get(reverse("competition:submissions", args=[hosted.slug]))
    assert "Usó el conjunto de test" in page.content.decode()

    services.submission_restore(submission=best, user=instructor)
    assert leaderboard.public_leaderboard(hosted)[0].name == "Alpha"
    assert _actions(hosted) == ["submission_excluded", "submission_restored"]
    entry = AuditEntry.objects.filter(action="submission_excluded").get()
    assert entry.actor == instructor and "Usó el conjunto de test" in entry.detail


def test_the_exclusion_pages(hosted, alpha, alice, instructor):
    sub = make_scored(hosted, alpha, 0.9, 0.9)
    client = web_client(instructor)
    url = reverse("competition:submission-exclude", args=[hosted.slug, sub.pk])
    client.post(url, {"excluded": "1", "reason": "Duplicado", "next": "https://evil.example/"})
    sub.refresh_from_db()
    assert sub.excluded and sub.excluded_reason == "Duplicado"
    listing = client.get(reverse("competition:all-submissions", args=[hosted.slug]))
    assert "Duplicado" in listing.content.decode()
    response = client.post(url, {"excluded": "0", "next": "https://evil.example/"})
    assert response["Location"] == reverse("competition:all-submissions", args=[hosted.slug])
    sub.refresh_from_db()
    assert not sub.excluded
    assert web_client(alice).post(url, {"excluded": "1", "reason": "x"}).status_code == 403


def test_a_disqualified_team_leaves_every_leaderboard(hosted, alpha, gamma, alice, instructor):
    make_scored(hosted, alpha, 0.9, 0.9)
    make_scored(hosted, gamma, 0.7, 0.7)
    url = reverse("competition:team-disqualify", args=[hosted.slug, alpha.pk])
    web_client(instructor).post(url, {"disqualified": "1", "reason": "Compartió código"})
    alpha.refresh_from_db()
    assert alpha.disqualified
    assert [r.name for r in leaderboard.public_leaderboard(hosted)] == ["Gamma"]
    assert [r.name for r in leaderboard.private_leaderboard(hosted)] == ["Gamma"]
    team_page = web_client(alice).get(reverse("competition:team", args=[hosted.slug]))
    assert "Compartió código" in team_page.content.decode()
    web_client(instructor).post(url, {"disqualified": "0"})
    assert [r.name for r in leaderboard.public_leaderboard(hosted)] == ["Alpha", "Gamma"]
    assert _actions(hosted) == ["team_disqualified", "team_reinstated"]


def test_a_frozen_public_leaderboard_stops_changing_but_teams_see_their_scores(
    hosted, alpha, gamma, alice, instructor, submit
):
    submit(hosted, alice, correct=10)
    web_client(instructor).post(reverse("competition:freeze", args=[hosted.slug]), {"frozen": "1"})
    hosted.refresh_from_db()
    assert hosted.public_frozen_at is not None
    before = [(r.name, r.score) for r in leaderboard.public_leaderboard(hosted)]
    late = submit(hosted, alice, correct=20)  # after the freeze: still scored
    assert late.status == "scored" and late.public_score == 1.0
    assert [(r.name, r.score) for r in leaderboard.public_leaderboard(hosted)] == before
    page = web_client(alice).get(reverse("competition:leaderboard", args=[hosted.slug]))
    assert "The public leaderboard is frozen" in page.content.decode()
    mine = web_client(alice).get(reverse("competition:submissions", args=[hosted.slug]))
    assert 'data-testid="public-score">1<' in mine.content.decode()
    # The private leaderboard (and so the grade) still counts everything.
    assert leaderboard.private_leaderboard(hosted)[0].score == 1.0
    web_client(instructor).post(reverse("competition:freeze", args=[hosted.slug]), {"frozen": "0"})
    hosted.refresh_from_db()
    assert leaderboard.public_leaderboard(hosted)[0].score == 1.0
    assert _actions(hosted) == ["public_frozen", "public_unfrozen"]


def test_release_and_hide_are_recorded(hosted, instructor):
    client = web_client(instructor)
    client.post(reverse("competition:release", args=[hosted.slug]), {"released": "1"})
    client.post(reverse("competition:release", args=[hosted.slug]), {"released": "0"})
    assert _actions(hosted) == ["private_released", "private_hidden"]
    page = client.get(reverse("competition:manage", args=[hosted.slug])).content.decode()
    assert "Private leaderboard released" in page and "Private leaderboard hidden" in page


def test_rescoring_with_nothing_changed_gives_the_same_scores(
    hosted, alpha, gamma, alice, charlie, instructor, submit, django_capture_on_commit_callbacks
):
    subs = [submit(hosted, alice, 14), submit(hosted, charlie, 7), submit(hosted, alice, 20)]
    with django_capture_on_commit_callbacks(execute=True):
        bad = services.submission_create(
            competition=hosted, user=charlie, upload=upload(b"id,label\n1,0\n")
        )
    before = {s.pk: (s.public_score, s.private_score) for s in subs}
    with django_capture_on_commit_callbacks(execute=True):
        run = services.competition_rescore(competition=hosted, user=instructor)
    run.refresh_from_db()
    assert run.total == 4 and run.done == 4 and run.changed == 0 and run.is_finished
    after = {
        s.pk: (s.public_score, s.private_score) for s in Submission.objects.filter(pk__in=before)
    }
    assert after == before
    assert Submission.objects.get(pk=bad.pk).status == "failed"
    assert _actions(hosted) == ["rescore_started"]
    progress = web_client(instructor).get(
        reverse("competition:rescore-progress", args=[hosted.slug])
    )
    assert progress.json() == {"total": 4, "done": 4, "changed": 0, "finished": True}


def test_rescoring_after_the_solution_changed(
    hosted, alpha, alice, instructor, submit, django_capture_on_commit_callbacks
):
    sub = submit(hosted, alice, 20)
    assert sub.public_score == 1.0
    # The instructors fix the solution: the public rows labelled 1 were meant to be 2.
    fixed = SOLUTION.replace(",1,Public", ",2,Public")
    services.competition_set_solution(competition=hosted, data=fixed.encode())
    assert Submission.objects.get(pk=sub.pk).public_score == 1.0  # until rescored
    with django_capture_on_commit_callbacks(execute=True):
        run = services.competition_rescore(competition=hosted, user=instructor)
    sub.refresh_from_db()
    assert sub.public_score < 1.0 and sub.status == "scored"
    run.refresh_from_db()
    assert run.changed == 1 and run.is_finished


def test_a_second_rescore_waits_for_the_first(hosted, alpha, alice, instructor, submit):
    submit(hosted, alice, 20)
    services.competition_rescore(competition=hosted, user=instructor)
    with pytest.raises(RuleViolation, match="A rescore is running"):
        services.competition_rescore(competition=hosted, user=instructor)
    assert RescoreRun.objects.count() == 1


def test_the_zip_of_final_or_all_submissions(
    hosted, alpha, gamma, alice, charlie, instructor, submit
):
    first = submit(hosted, alice, 14, name="primera.csv")
    second = submit(hosted, alice, 20, name="../../etc/segunda.csv")
    other = submit(hosted, charlie, 7, name="gamma.csv")
    hosted.final_selections = 1
    hosted.save()
    client = web_client(instructor)
    url = reverse("competition:submissions-zip", args=[hosted.slug])

    final = client.get(url, {"which": "final"})
    assert final["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(final.streaming_content)))
    names = sorted(archive.namelist())
    assert names == [
        f"Alpha/{second.pk}-segunda.csv",
        f"Gamma/{other.pk}-gamma.csv",
        "manifest.csv",
    ]
    assert archive.read(f"Alpha/{second.pk}-segunda.csv") == predictions(20)
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert {row["team"] for row in manifest} == {"Alpha", "Gamma"}

    everything = zipfile.ZipFile(
        io.BytesIO(b"".join(client.get(url, {"which": "all"}).streaming_content))
    )
    assert f"Alpha/{first.pk}-primera.csv" in everything.namelist()
    assert len(everything.namelist()) == 4
    assert _actions(hosted) == ["submissions_downloaded", "submissions_downloaded"]


@pytest.mark.parametrize(
    "name", ["competition:manage", "competition:all-submissions", "competition:submissions-zip"]
)
def test_students_never_reach_the_tools(hosted, alice, name):
    assert web_client(alice).get(reverse(name, args=[hosted.slug])).status_code == 403


def test_the_manage_page_lists_the_audit(hosted, alpha, instructor):
    services.team_disqualify(team=alpha, user=instructor, disqualified=True, reason="Plagio")
    page = web_client(instructor).get(reverse("competition:manage", args=[hosted.slug]))
    text = page.content.decode()
    assert "Team disqualified" in text and "Alpha: Plagio" in text and "ines" in text


def test_a_rescore_the_broker_refuses_still_finishes(
    hosted, alpha, alice, instructor, submit, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from competition import tasks

    submit(hosted, alice, 20)

    def down(*args, **kwargs):
        raise OperationalError("Connection refused.")

    monkeypatch.setattr(tasks.rescore_submission, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.competition_rescore(competition=hosted, user=instructor)
    run.refresh_from_db()
    assert run.total == 0 and run.is_finished  # nothing was sent: another may start
    assert services.competition_rescore(competition=hosted, user=instructor)
