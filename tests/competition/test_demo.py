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
    assert set(Competition.objects.values_list("slug", flat=True)) == {
        "digitos",
        "cancer-de-mama",
        "diabetes",
        "digitos-keras",
    }
    images = Competition.objects.get(slug="digitos-keras")
    assert images.accepts_keras and images.model_inputs and images.input_shape == (8, 8, 1)
    baseline = images.submissions.get()
    assert baseline.kind == "keras" and baseline.status == "scored"
    assert baseline.public_score > 0.8  # the demo trains a real baseline model
    for competition in Competition.objects.exclude(pk=images.pk):
        assert competition.is_published and competition.solution
        team = Team.objects.get(competition=competition, name="Los Perceptrones")
        assert team.memberships.count() == 2
        scored = competition.submissions.filter(status="scored")
        assert scored.filter(is_baseline=True).count() == 1
        assert scored.filter(is_baseline=False).count() >= 2
        assert not competition.submissions.exclude(status="scored").exists()
        # A rubric, both teams' one-page reports, one graded (grades not released).
        assert competition.criteria.count() == 4
        reports = competition.reports.all()
        assert reports.count() == 2 and {r.pages for r in reports} == {1}
        assert competition.report_grades.filter(is_complete=True).count() == 1
    assert "instructor: ines" in capsys.readouterr().out
