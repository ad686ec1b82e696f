from datetime import timedelta

import pytest
from django.utils import timezone

from competition import services
from competition.models import Membership, Team
from competition.services import RuleViolation
from tests.factories import make_competition, make_user

pytestmark = pytest.mark.django_db


def test_student_creates_team_and_is_its_first_member(competition, alice):
    team = services.team_create(competition=competition, user=alice, name="  Los   Pandas ")

    assert team.name == "Los Pandas"
    assert list(team.memberships.values_list("user__username", flat=True)) == ["alice"]
    assert len(team.invite_code) >= 12


def test_team_name_is_unique_in_a_competition_whatever_the_case(competition, alice, bob):
    services.team_create(competition=competition, user=alice, name="Pandas")

    with pytest.raises(RuleViolation, match="is taken"):
        services.team_create(competition=competition, user=bob, name="PANDAS")


def test_same_team_name_is_fine_in_another_competition(competition, alice):
    other = make_competition(slug="cifar")
    services.team_create(competition=competition, user=alice, name="Pandas")

    team = services.team_create(competition=other, user=alice, name="Pandas")

    assert team.competition == other


def test_empty_team_name_is_refused_as_bad_input(competition, alice):
    with pytest.raises(RuleViolation) as error:
        services.team_create(competition=competition, user=alice, name="   ")

    assert error.value.status == 400


def test_student_cannot_create_a_second_team(alpha, alice):
    with pytest.raises(RuleViolation, match="already in team “Alpha”"):
        services.team_create(competition=alpha.competition, user=alice, name="Otro")


def test_student_joins_with_invite_code(alpha, charlie):
    competition = alpha.competition
    other = make_user("dora")

    team = services.team_join(competition=competition, user=other, invite_code=alpha.invite_code)

    assert team == alpha
    assert alpha.memberships.count() == 3


def test_joining_a_full_team_is_refused(alpha):
    competition = alpha.competition
    services.team_join(
        competition=competition, user=make_user("dora"), invite_code=alpha.invite_code
    )

    with pytest.raises(RuleViolation, match="is full: the limit is 3 members"):
        services.team_join(
            competition=competition, user=make_user("eva"), invite_code=alpha.invite_code
        )
    assert alpha.memberships.count() == 3


def test_student_in_a_team_cannot_join_another(alpha, gamma, charlie):
    with pytest.raises(RuleViolation, match="already in team “Gamma”"):
        services.team_join(
            competition=alpha.competition, user=charlie, invite_code=alpha.invite_code
        )


def test_wrong_invite_code_is_refused(competition, alpha, charlie):
    with pytest.raises(RuleViolation, match="No team in this competition has that invite code"):
        services.team_join(competition=competition, user=make_user("dora"), invite_code="nope")


def test_invite_code_of_another_competition_does_not_work(alpha):
    other = make_competition(slug="cifar")

    with pytest.raises(RuleViolation, match="invite code"):
        services.team_join(competition=other, user=make_user("dora"), invite_code=alpha.invite_code)


def test_no_joining_after_the_team_merger_deadline(competition, alpha):
    competition.team_merger_at = timezone.now() - timedelta(minutes=1)
    competition.save()

    with pytest.raises(RuleViolation, match="team merger deadline has passed"):
        services.team_join(
            competition=competition, user=make_user("dora"), invite_code=alpha.invite_code
        )


def test_no_leaving_after_the_team_merger_deadline(competition, alpha, alice):
    competition.team_merger_at = timezone.now() - timedelta(minutes=1)
    competition.save()

    with pytest.raises(RuleViolation, match="team merger deadline has passed"):
        services.team_leave(competition=competition, user=alice)
    assert Membership.objects.filter(user=alice, team=alpha).exists()


def test_merger_deadline_defaults_to_the_end(alice):
    competition = make_competition(slug="sin-fusion", team_merger_at=None)

    assert competition.team_deadline == competition.end_at
    assert not competition.teams_locked()


def test_team_of_one_can_be_created_after_the_merger_deadline(alice):
    competition = make_competition(team_merger_at=timezone.now() - timedelta(hours=1))

    team = services.team_create(competition=competition, user=alice, name="Sola")

    assert team.memberships.count() == 1


def test_no_new_team_after_the_end(alice):
    now = timezone.now()
    competition = make_competition(
        start_at=now - timedelta(days=9), team_merger_at=None, end_at=now - timedelta(days=1)
    )

    with pytest.raises(RuleViolation, match="has ended"):
        services.team_create(competition=competition, user=alice, name="Tarde")


def test_leaving_keeps_the_team_for_the_others(alpha, alice):
    services.team_leave(competition=alpha.competition, user=alice)

    assert list(alpha.memberships.values_list("user__username", flat=True)) == ["bob"]


def test_last_member_leaving_removes_the_empty_team(gamma, charlie):
    services.team_leave(competition=gamma.competition, user=charlie)

    assert not Team.objects.filter(pk=gamma.pk).exists()


def test_leave_without_a_team_is_refused(competition, alice):
    with pytest.raises(RuleViolation, match="not in a team"):
        services.team_leave(competition=competition, user=alice)


def test_student_may_join_again_after_leaving(alpha, gamma, charlie):
    services.team_leave(competition=alpha.competition, user=charlie)

    services.team_join(competition=alpha.competition, user=charlie, invite_code=alpha.invite_code)

    assert alpha.memberships.filter(user=charlie).exists()


def test_regenerated_invite_code_replaces_the_old_one(alpha):
    old = alpha.invite_code

    services.team_regenerate_invite(team=alpha)

    assert alpha.invite_code != old
    with pytest.raises(RuleViolation, match="invite code"):
        services.team_join(competition=alpha.competition, user=make_user("dora"), invite_code=old)


def test_a_student_who_submits_alone_is_a_team_of_one(competition, alice):
    team = services.team_for_submitter(competition=competition, user=alice)

    assert team.name == "alice"
    assert [m.user for m in team.memberships.all()] == [alice]
    assert services.team_for_submitter(competition=competition, user=alice) == team


def test_team_of_one_takes_a_free_name(competition, alice, bob):
    services.team_create(competition=competition, user=bob, name="alice")

    team = services.team_for_submitter(competition=competition, user=alice)

    assert team.name == "alice (2)"


def test_team_for_submitter_returns_the_existing_team(alpha, bob):
    assert services.team_for_submitter(competition=alpha.competition, user=bob) == alpha
