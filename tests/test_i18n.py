import pytest
from django.urls import reverse

from tests.factories import web_client

pytestmark = pytest.mark.django_db


def test_spanish_is_the_default_language(client):
    response = client.get(reverse("login"))

    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Iniciar sesión" in html


def test_browser_asking_for_english_gets_english(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="en">' in response.content.decode()
    assert "Log in" in response.content.decode()


def test_language_switcher_changes_the_language_and_keeps_the_page(client, competition):
    page = reverse("competition:detail", args=[competition.slug])

    response = client.post(reverse("set_language"), {"language": "en", "next": page})

    assert response.status_code == 302
    assert response["Location"] == page
    html = client.get(page).content.decode()
    assert '<html lang="en">' in html and "Overview" in html
    client.post(reverse("set_language"), {"language": "es", "next": page})
    assert "Resumen" in client.get(page).content.decode()


def test_rule_messages_are_translated(alpha, charlie, gamma):
    client = web_client(charlie, language="es")
    url = reverse("competition:team-join", args=[alpha.competition.slug])

    response = client.post(url, {"invite_code": alpha.invite_code}, follow=True)

    assert "Ya estás en el equipo “Gamma”" in response.content.decode()
