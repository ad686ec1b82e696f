import pytest
from django.core.management import call_command

from accounts.models import User
from competition.models import Competition, Membership, Team

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (User, Competition, Team, Membership))


def test_demo_loads_a_course_and_running_it_again_changes_nothing(capsys):
    call_command("demo")
    first = _counts()
    call_command("demo")

    assert _counts() == first
    assert User.objects.get(username="ines").is_instructor
    alice = User.objects.get(username="alice")
    assert alice.check_password("podio-demo") and not alice.is_instructor
    assert Competition.objects.get(slug="digitos").is_published
    assert Team.objects.get(name="Los Perceptrones").memberships.count() == 2
    assert "instructor: ines" in capsys.readouterr().out
