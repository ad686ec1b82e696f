"""The log-in throttle: too many failed passwords lock a username, or an address, for a while."""

import time

import pytest
from django.contrib.auth.signals import user_login_failed
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, api_client

LOCKED = "Too many failed log-in attempts. Try again in 15 minutes."
WRONG = "wrong-password"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.PODIO_LOGIN_FAILURES_PER_USER = 5
    settings.PODIO_LOGIN_FAILURES_PER_IP = 20
    settings.PODIO_LOGIN_WINDOW_SECONDS = 15 * 60
    settings.PODIO_PROXY_COUNT = 0


@pytest.fixture
def clock(monkeypatch, settings):
    """Moves time.time() forward (the cache's expiry and the throttle both read it: a
    local-memory cache here, since Redis expires keys by its own clock)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    real = time.time
    offset = [0.0]
    monkeypatch.setattr(time, "time", lambda: real() + offset[0])

    def advance(seconds: float) -> None:
        offset[0] += seconds

    return advance


@pytest.fixture
def password_checks():
    """Counts failed password checks: authenticate() sends user_login_failed on each."""
    failures = []

    def receiver(sender, credentials, **kwargs):
        failures.append(credentials.get("username"))

    user_login_failed.connect(receiver, dispatch_uid="test-password-checks")
    yield failures
    user_login_failed.disconnect(dispatch_uid="test-password-checks")


def browser(address: str = "10.0.0.1", **headers) -> Client:
    return Client(headers={"Accept-Language": "en", **headers}, REMOTE_ADDR=address)


def log_in(client: Client, username: str, password: str = WRONG):
    return client.post(reverse("login"), {"username": username, "password": password})


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, username: str, times: int) -> None:
    for _ in range(times):
        response = log_in(client, username)
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.text


def test_the_sixth_attempt_is_refused_without_checking_the_password(alice, password_checks):
    client = browser()
    fail(client, "alice", 5)
    assert len(password_checks) == 5

    response = log_in(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.text
    assert response["Retry-After"] == str(15 * 60)
    assert not logged_in(client)
    assert len(password_checks) == 5  # not even the right password was checked
    assert response.context["form"].errors.as_data()["__all__"][0].code == "throttled"


def test_four_failures_still_let_the_user_in(alice):
    client = browser()
    fail(client, "alice", 4)

    response = log_in(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_the_username_is_counted_whatever_its_case(alice):
    client = browser()
    for name in ("ALICE", "Alice", " alice", "aLiCe", "alice"):
        log_in(client, name)

    response = log_in(client, "Alice", PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.text


def test_a_locked_username_does_not_lock_others(alice, bob):
    client = browser()
    fail(client, "alice", 5)

    assert log_in(client, "alice", PASSWORD).status_code == 429
    assert log_in(browser("10.0.0.2"), "alice", PASSWORD).status_code == 429
    assert log_in(client, "bob", PASSWORD).status_code == 302


def test_an_unknown_username_is_locked_too(db):
    client = browser()
    fail(client, "nobody", 5)

    assert log_in(client, "nobody").status_code == 429


def test_a_successful_log_in_clears_the_count(alice):
    client = browser()
    fail(client, "alice", 4)
    assert log_in(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    fail(client, "alice", 4)

    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_too_many_failures_from_one_address_lock_it_for_every_username(alice, bob):
    client = browser("192.0.2.7")
    for i in range(20):
        log_in(client, f"guess{i}")  # four usernames would never reach their own limit

    response = log_in(client, "bob", PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.text
    assert log_in(browser("192.0.2.8"), "bob", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_window(alice, clock):
    client = browser()
    fail(client, "alice", 5)

    clock(10 * 60)
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "Try again in 5 minutes." in response.text

    clock(4 * 60 + 30)
    assert "Try again in 1 minute." in log_in(client, "alice", PASSWORD).text

    clock(31)
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_failures_further_apart_than_the_window_do_not_add_up(alice, clock):
    client = browser()
    fail(client, "alice", 4)
    clock(15 * 60 + 1)
    fail(client, "alice", 4)

    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_refused_attempts_do_not_extend_the_lock(alice, clock):
    client = browser()
    fail(client, "alice", 5)
    for _ in range(2):
        clock(5 * 60)
        assert log_in(client, "alice").status_code == 429

    clock(5 * 60 + 1)
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_the_limits_are_settings(alice, settings):
    settings.PODIO_LOGIN_FAILURES_PER_USER = 2
    settings.PODIO_LOGIN_WINDOW_SECONDS = 120
    client = browser()
    fail(client, "alice", 2)

    response = log_in(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert "Try again in 2 minutes." in response.text


def test_a_limit_of_zero_turns_the_count_off(alice, settings):
    settings.PODIO_LOGIN_FAILURES_PER_USER = 0
    client = browser()
    fail(client, "alice", 10)

    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_behind_a_proxy_each_forwarded_address_counts_apart(alice, bob, settings):
    settings.PODIO_PROXY_COUNT = 1
    # Every request comes from the proxy; the proxy appends the client's address.
    attacker = browser("10.9.9.9", X_Forwarded_For="1.2.3.4, 203.0.113.5")
    for i in range(20):
        log_in(attacker, f"guess{i}")

    assert log_in(attacker, "bob", PASSWORD).status_code == 429
    # What a client writes before the proxy's entry changes nothing.
    spoofing = browser("10.9.9.9", X_Forwarded_For="198.51.100.1, 203.0.113.5")
    assert log_in(spoofing, "bob", PASSWORD).status_code == 429
    student = browser("10.9.9.9", X_Forwarded_For="203.0.113.6")
    assert log_in(student, "bob", PASSWORD).status_code == 302


def test_without_a_proxy_x_forwarded_for_is_ignored(alice, bob):
    for i in range(20):
        log_in(browser("192.0.2.7", X_Forwarded_For=f"198.51.100.{i}"), f"guess{i}")

    assert log_in(browser("192.0.2.7"), "bob", PASSWORD).status_code == 429


def test_the_token_exchange_shares_the_lock(alice, password_checks):
    fail(browser(), "alice", 5)
    client = api_client(None)

    response = client.post(
        "/api/v1/auth/token/", {"username": "ALICE", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 429
    assert response.json() == {"detail": LOCKED}
    assert len(password_checks) == 5


def test_failed_token_exchanges_count_for_the_log_in_page(alice):
    client = api_client(None)
    for _ in range(5):
        response = client.post(
            "/api/v1/auth/token/", {"username": "alice", "password": "x"}, format="json"
        )
        assert response.status_code == 400

    assert log_in(browser(), "alice", PASSWORD).status_code == 429


def test_the_admin_log_in_is_locked_too(instructor, password_checks):
    client = browser()
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "ines", "password": "wrong", "next": "/admin/"})

    response = client.post(url, {"username": "ines", "password": PASSWORD, "next": "/admin/"})

    assert response.status_code == 200
    assert LOCKED in response.text
    assert not logged_in(client)
    assert len(password_checks) == 5
