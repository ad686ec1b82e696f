import pytest
from django.urls import reverse

from competition.models import Team
from competition.templatetags.podio import render_markdown
from tests.factories import make_user, web_client

pytestmark = pytest.mark.django_db


def test_markdown_description_is_rendered_and_sanitized():
    html = render_markdown(
        "# Título\n\n**negrita** [ok](https://example.org) [mal](javascript:alert(1))\n\n"
        '<script>alert("x")</script><img src=x onerror="alert(1)">'
    )

    assert "<h1>Título</h1>" in html
    assert "<strong>negrita</strong>" in html
    assert 'href="https://example.org"' in html
    assert "javascript:" not in html
    assert "<script" not in html
    assert "onerror" not in html


def test_overview_shows_the_description_and_dates(client, competition):
    response = client.get(reverse("competition:detail", args=[competition.slug]))

    html = response.content.decode()
    assert "<strong>dígitos</strong>" in html
    assert competition.title in html


def test_team_page_offers_create_and_join_to_a_student_without_team(competition, alice):
    response = web_client(alice).get(reverse("competition:team", args=[competition.slug]))

    html = response.content.decode()
    assert 'name="name"' in html and 'name="invite_code"' in html


def test_create_team_through_the_page(competition, alice):
    client = web_client(alice)

    response = client.post(
        reverse("competition:team-create", args=[competition.slug]), {"name": "Pandas"}, follow=True
    )

    team = Team.objects.get(name="Pandas")
    assert team.invite_code in response.content.decode()


def test_invite_link_joins_the_team(alpha):
    dora = make_user("dora")
    url = reverse("competition:team-join-code", args=[alpha.competition.slug, alpha.invite_code])
    client = web_client(dora)

    confirm = client.get(url)
    assert "Alpha" in confirm.content.decode()
    client.post(url)

    assert alpha.memberships.filter(user=dora).exists()


def test_unknown_invite_link_is_not_found(competition, alice):
    url = reverse("competition:team-join-code", args=[competition.slug, "no-existe"])

    assert web_client(alice).get(url).status_code == 404


def test_refused_join_shows_the_reason(alpha, gamma, charlie):
    url = reverse("competition:team-join", args=[alpha.competition.slug])

    response = web_client(charlie).post(url, {"invite_code": alpha.invite_code}, follow=True)

    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and "Gamma" in messages[0]
    assert not alpha.memberships.filter(user=charlie).exists()


def test_leave_and_regenerate_through_the_page(alpha, alice, bob):
    client = web_client(alice)
    old = alpha.invite_code

    client.post(reverse("competition:team-invite", args=[alpha.competition.slug]))
    alpha.refresh_from_db()
    assert alpha.invite_code != old

    client.post(reverse("competition:team-leave", args=[alpha.competition.slug]))
    assert not alpha.memberships.filter(user=alice).exists()


def test_regenerating_the_invite_needs_a_team(competition, alice):
    url = reverse("competition:team-invite", args=[competition.slug])

    assert web_client(alice).post(url).status_code == 403


def test_state_changing_team_urls_refuse_get(competition, alice):
    client = web_client(alice)
    for name in ("team-create", "team-leave", "team-invite"):
        assert (
            client.get(reverse(f"competition:{name}", args=[competition.slug])).status_code == 405
        )


def test_competition_list_shows_my_team(alpha, alice):
    response = web_client(alice).get(reverse("competition:list"))

    assert "Alpha" in response.content.decode()


def test_team_list_runs_a_fixed_number_of_queries(
    competition, instructor, django_assert_max_num_queries
):
    from tests.factories import make_team

    for t in range(30):
        make_team(competition, f"Equipo {t}", *[make_user(f"u{t}_{i}") for i in range(3)])
    client = web_client(instructor)
    client.get(reverse("competition:teams", args=[competition.slug]))  # warm the session

    with django_assert_max_num_queries(10):
        response = client.get(reverse("competition:teams", args=[competition.slug]))
    assert response.content.decode().count("/ 3</td>") == 30
