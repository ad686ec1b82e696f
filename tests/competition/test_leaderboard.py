import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from competition import leaderboard
from competition.models import Submission
from tests.factories import api_client, make_team, make_user, web_client

pytestmark = pytest.mark.django_db


def _sub(competition, team, public, private, *, minutes_ago=60, **extra) -> Submission:
    user = team.memberships.first().user if team else make_user(f"u{Submission.objects.count()}")
    return Submission.objects.create(
        competition=competition,
        team=team,
        user=user,
        status=Submission.Status.SCORED,
        public_score=public,
        private_score=private,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        **extra,
    )


def test_public_leaderboard_takes_each_teams_best(hosted, alpha, gamma):
    _sub(hosted, alpha, 0.7, 0.9, minutes_ago=50)
    _sub(hosted, alpha, 0.8, 0.6, minutes_ago=40)
    _sub(hosted, gamma, 0.75, 0.95)

    rows = leaderboard.public_leaderboard(hosted)

    assert [(r.rank, r.name, r.score, r.entries) for r in rows] == [
        (1, "Alpha", 0.8, 2),
        (2, "Gamma", 0.75, 1),
    ]


def test_ties_go_to_the_earlier_submission(hosted, alpha, gamma):
    _sub(hosted, alpha, 0.8, 0.8, minutes_ago=10)
    _sub(hosted, gamma, 0.8, 0.8, minutes_ago=20)

    assert [r.name for r in leaderboard.public_leaderboard(hosted)] == ["Gamma", "Alpha"]


def test_a_tie_within_a_team_keeps_its_earlier_submission(hosted, alpha):
    first = _sub(hosted, alpha, 0.8, 0.1, minutes_ago=30)
    _sub(hosted, alpha, 0.8, 0.9, minutes_ago=10)

    assert leaderboard.public_leaderboard(hosted)[0].submission_id == first.pk


def test_lower_is_better_metrics_rank_ascending(hosted, alpha, gamma):
    hosted.metric = "mae"
    hosted.save()
    _sub(hosted, alpha, 3.0, 3.0)
    _sub(hosted, gamma, 1.0, 1.0)

    assert [r.name for r in leaderboard.public_leaderboard(hosted)] == ["Gamma", "Alpha"]


def test_baselines_show_but_never_take_a_rank(hosted, alpha, instructor):
    Submission.objects.create(
        competition=hosted, user=instructor, status="scored", public_score=0.9,
        private_score=0.9, is_baseline=True, baseline_name="Baseline: knn",
    )  # fmt: skip
    _sub(hosted, alpha, 0.8, 0.8)

    rows = leaderboard.public_leaderboard(hosted)

    assert [(r.rank, r.name, r.is_baseline) for r in rows] == [
        (None, "Baseline: knn", True),
        (1, "Alpha", False),
    ]


def test_late_failed_and_queued_submissions_are_never_ranked(hosted, alpha, gamma):
    _sub(hosted, alpha, 0.99, 0.99, is_late=True)
    Submission.objects.create(competition=hosted, team=gamma, user=gamma.memberships.first().user)
    _sub(hosted, alpha, 0.5, 0.5)

    assert [(r.name, r.score) for r in leaderboard.public_leaderboard(hosted)] == [("Alpha", 0.5)]


def test_private_leaderboard_uses_the_selected_submissions(hosted, alpha, gamma):
    _sub(hosted, alpha, 0.9, 0.5)
    _sub(hosted, alpha, 0.6, 0.95, selected=True)
    _sub(hosted, gamma, 0.8, 0.8)

    rows = leaderboard.private_leaderboard(hosted)

    assert [(r.rank, r.name, r.score, r.public_rank, r.move) for r in rows] == [
        (1, "Alpha", 0.95, 1, 0),
        (2, "Gamma", 0.8, 2, 0),
    ]


def test_a_team_that_selected_nothing_gets_its_best_n_by_public_score(hosted, alpha, gamma):
    hosted.final_selections = 2
    hosted.save()
    _sub(hosted, alpha, 0.9, 0.1)
    _sub(hosted, alpha, 0.85, 0.3)
    _sub(hosted, alpha, 0.2, 0.99)  # third by public: not among its best two
    _sub(hosted, gamma, 0.5, 0.5)

    rows = leaderboard.private_leaderboard(hosted)

    assert [(r.name, r.score, r.public_rank, r.rank, r.move) for r in rows] == [
        ("Gamma", 0.5, 2, 1, 1),
        ("Alpha", 0.3, 1, 2, -1),
    ]


def test_private_page_is_hidden_from_students_until_release(hosted, alpha, alice, instructor):
    _sub(hosted, alpha, 0.5, 0.7)
    url = reverse("competition:leaderboard", args=[hosted.slug]) + "?private=1"
    api = f"/api/v1/competitions/{hosted.slug}/leaderboard/?private=1"

    assert web_client(alice).get(url).status_code == 403
    assert api_client(alice).get(api).status_code == 403
    assert web_client(instructor).get(url).status_code == 200
    web_client(instructor).post(
        reverse("competition:release", args=[hosted.slug]), {"released": "1"}
    )
    assert web_client(alice).get(url).status_code == 200
    assert api_client(alice).get(api).json()[0]["score"] == 0.7


def test_public_page_never_shows_private_scores(hosted, alpha, alice):
    _sub(hosted, alpha, 0.5, 0.123456)

    html = web_client(alice).get(reverse("competition:leaderboard", args=[hosted.slug]))

    assert "0.12346" not in html.content.decode() and "0.5" in html.content.decode()


def test_api_returns_the_same_rows_as_the_page(hosted, alpha, gamma, alice):
    _sub(hosted, alpha, 0.7, 0.7)
    _sub(hosted, gamma, 0.6, 0.6)

    page = web_client(alice).get(reverse("competition:leaderboard", args=[hosted.slug]))
    api = api_client(alice).get(f"/api/v1/competitions/{hosted.slug}/leaderboard/").json()

    assert [(r.rank, r.name, r.score) for r in page.context["rows"]] == [
        (row["rank"], row["team"], row["score"]) for row in api
    ]


def test_my_team_row_is_highlighted(hosted, alpha, gamma, alice):
    _sub(hosted, alpha, 0.7, 0.7)

    html = web_client(alice).get(reverse("competition:leaderboard", args=[hosted.slug]))

    assert '<tr class=" mine">' in html.content.decode()


def _crowd(competition, teams: int, start: int = 0) -> None:
    for t in range(start, start + teams):
        team = make_team(competition, f"Equipo {t}", make_user(f"p{t}a"), make_user(f"p{t}b"))
        for s in range(5):
            _sub(competition, team, (t * 7 + s) % 13 / 13, (t + s) % 11 / 11, minutes_ago=100 - s)


def _queries(client, url: str) -> int:
    """Queries of one request that computes its board (the cache emptied first)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("private", ["", "?private=1"])
def test_leaderboard_page_and_api_run_a_fixed_number_of_queries(hosted, instructor, private):
    page = reverse("competition:leaderboard", args=[hosted.slug]) + private
    api = f"/api/v1/competitions/{hosted.slug}/leaderboard/{private}"
    client, api_user = web_client(instructor), api_client(instructor)
    _crowd(hosted, 2)
    client.get(page)
    few = (_queries(client, page), _queries(api_user, api))

    _crowd(hosted, 48, start=2)

    assert (_queries(client, page), _queries(api_user, api)) == few
    assert len(api_user.get(api).json()) == 50
    assert max(few) <= 12


def test_csv_export_reads_back_and_is_safe_from_formulas(hosted, instructor, alice):
    team = make_team(hosted, '=HYPERLINK("http://x")', alice)
    _sub(hosted, team, 0.5, 0.6)

    response = web_client(instructor).get(
        reverse("competition:leaderboard-csv", args=[hosted.slug]) + "?private=1"
    )

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["team"] == '\'=HYPERLINK("http://x")'
    assert float(rows[0]["score"]) == 0.6 and rows[0]["rank"] == "1"
    assert (
        web_client(alice)
        .get(reverse("competition:leaderboard-csv", args=[hosted.slug]))
        .status_code
        == 403
    )


def test_a_board_is_computed_once_until_something_changes(hosted, alpha, gamma, instructor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from competition import services

    sub = _sub(hosted, alpha, 0.9, 0.9)
    _sub(hosted, gamma, 0.8, 0.8)
    assert [r.name for r in leaderboard.public_leaderboard(hosted)] == ["Alpha", "Gamma"]
    with CaptureQueriesContext(connection) as captured:
        leaderboard.public_leaderboard(hosted)
        leaderboard.public_history(hosted)
    assert len(captured) == 0  # served from the cache
    services.submission_exclude(submission=sub, user=instructor, reason="copia")
    assert [r.name for r in leaderboard.public_leaderboard(hosted)] == ["Gamma"]
    alpha.name = "Alfa"
    alpha.save()
    services.submission_restore(submission=sub, user=instructor)
    assert [r.name for r in leaderboard.public_leaderboard(hosted)] == ["Alfa", "Gamma"]
    _sub(hosted, gamma, 0.95, 0.95)  # a new score (scoring touches the board itself)
    assert leaderboard.public_leaderboard(hosted)[0].name == "Gamma"
