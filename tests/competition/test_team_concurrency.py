"""Concurrent requests against the real database (PostgreSQL in CI's second pass)."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from competition import services
from competition.models import Membership
from competition.services import RuleViolation
from tests.factories import make_competition, make_team, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _race(workers: int, action) -> list[str]:
    """Runs ``action(i)`` in ``workers`` threads released at once; returns the outcomes."""
    barrier = threading.Barrier(workers)
    outcomes: list[str] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            with translation.override("en"):
                action(i)
            outcomes.append("ok")
        except RuleViolation as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_concurrent_joins_never_exceed_the_team_size_limit():
    competition = make_competition(team_size_limit=3)
    team = make_team(competition, "Alpha", make_user("owner"))
    students = [make_user(f"s{i}") for i in range(8)]

    outcomes = _race(
        8,
        lambda i: services.team_join(
            competition=competition, user=students[i], invite_code=team.invite_code
        ),
    )

    assert outcomes.count("ok") == 2
    assert all("is full" in o for o in outcomes if o != "ok")
    assert Membership.objects.filter(team=team).count() == 3


def test_concurrent_team_creation_by_one_student_makes_one_team():
    competition = make_competition()
    student = make_user("rapida")

    outcomes = _race(
        4,
        lambda i: services.team_create(competition=competition, user=student, name=f"Equipo {i}"),
    )

    assert outcomes.count("ok") == 1
    assert Membership.objects.filter(competition=competition, user=student).count() == 1


def test_concurrent_uploads_never_pass_the_daily_limit():
    from competition.models import Submission
    from tests.factories import host, predictions, upload

    competition = host(make_competition(daily_limit=3))
    members = [make_user(f"m{i}") for i in range(3)]
    make_team(competition, "Alpha", *members)

    outcomes = _race(
        8,
        lambda i: services.submission_create(
            competition=competition, user=members[i % 3], upload=upload(predictions())
        ),
    )

    assert outcomes.count("ok") == 3
    assert all("used its 3 submissions" in o for o in outcomes if o != "ok")
    assert Submission.objects.filter(competition=competition).count() == 3
