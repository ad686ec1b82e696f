import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import User
from tests.factories import PASSWORD, api_client, make_user, web_client

pytestmark = pytest.mark.django_db


def _signup(client, **overrides):
    data = {
        "username": "nueva",
        "full_name": "Nueva Estudiante",
        "email": "nueva@example.edu",
        "password1": "una-clave-segura-123",
        "password2": "una-clave-segura-123",
    }
    data.update(overrides)
    return client.post(reverse("signup"), data)


def test_signup_creates_the_account_and_logs_in(client):
    response = _signup(client)

    assert response.status_code == 302
    user = User.objects.get(username="nueva")
    assert user.email == "nueva@example.edu"
    assert client.get(reverse("profile")).status_code == 200


def test_signup_applies_djangos_password_validators(client):
    response = _signup(client, password1="123", password2="123")

    assert response.status_code == 200
    errors = response.context["form"].errors["password2"]
    assert any("too short" in e or "demasiado corta" in e for e in errors)
    assert not User.objects.filter(username="nueva").exists()


def test_signup_refuses_an_email_already_used_whatever_the_case(client, alice):
    response = _signup(client, email="ALICE@example.edu")

    assert "email" in response.context["form"].errors
    assert User.objects.count() == 1


def test_login_and_logout(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 200

    client.post(reverse("logout"))

    assert client.get(reverse("profile")).status_code == 302


def test_password_reset_sends_a_link_by_email(client, alice):
    client.post(reverse("password_reset"), {"email": "alice@example.edu"})

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.edu"]
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_profile_shows_the_api_token(alice):
    response = web_client(alice).get(reverse("profile"))

    assert Token.objects.get(user=alice).key in response.content.decode()


def test_regenerating_the_token_invalidates_the_old_one(alice):
    client = api_client(alice)
    old = Token.objects.get(user=alice).key
    assert client.get("/api/v1/me/").status_code == 200

    web_client(alice).post(reverse("token-regenerate"))

    assert Token.objects.get(user=alice).key != old
    assert client.get("/api/v1/me/").status_code == 401


def test_token_exchange_gives_the_users_token(alice):
    response = api_client(None).post(
        "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=alice).key
    me = api_client(None)
    me.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert me.get("/api/v1/me/").json()["username"] == "alice"


def test_token_exchange_with_a_wrong_password_is_refused(alice):
    response = api_client(None).post(
        "/api/v1/auth/token/", {"username": "alice", "password": "wrong"}, format="json"
    )

    assert response.status_code == 400
    assert not Token.objects.filter(user=alice).exists()


def test_token_exchange_is_throttled(alice, settings):
    from django.core.cache import cache

    cache.clear()
    client = api_client(None)
    # A new username each time: the rate is per client, apart from the per-username lock
    # of tests/accounts/test_login_throttle.py.
    statuses = [
        client.post(
            "/api/v1/auth/token/", {"username": f"alice{i}", "password": "x"}, format="json"
        ).status_code
        for i in range(12)
    ]

    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]


def test_me_tells_the_role(instructor, alice):
    assert api_client(instructor).get("/api/v1/me/").json()["is_instructor"] is True
    assert api_client(alice).get("/api/v1/me/").json()["is_instructor"] is False


def test_instructor_role_comes_from_the_group_permissions(instructor):
    fresh = User.objects.get(pk=instructor.pk)

    assert fresh.groups.filter(name="Instructors").exists()
    assert fresh.has_perm("competition.change_competition")
    assert fresh.has_perm("competition.add_team")
    assert fresh.is_staff


def test_students_hold_no_permissions(alice):
    assert not alice.is_instructor
    assert not alice.has_perm("competition.view_team")


def test_email_unique_ignoring_case_in_the_database(alice):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        make_user("otra", email="Alice@Example.edu")
