"""Failed log-ins, counted in Django's cache, against password guessing.

Every failed password check (``authenticate()`` sends ``user_login_failed``: the log-in
page, the admin's, the API's token exchange) counts against the username typed, case
aside, and against the client's address. When a username reaches
``PODIO_LOGIN_FAILURES_PER_USER`` failures within ``PODIO_LOGIN_WINDOW_SECONDS`` (an
address: ``PODIO_LOGIN_FAILURES_PER_IP``), it is locked for that window: the log-in
forms refuse it before checking any password. A successful log-in clears the
username's count. A limit of 0 turns that count off.

The counters live in the default cache, which every web process shares (Redis, or
files under var/: config/settings.py CACHES).
"""

import hashlib
import math
import time
import unicodedata

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import ngettext

PREFIX = "podio:login"


def normalize_username(username: str) -> str:
    """The name that is counted: "Alice", " alice" and "ALICE" are one username."""
    return unicodedata.normalize("NFKC", username or "").strip().casefold()


def client_ip(request: HttpRequest | None) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind ``PODIO_PROXY_COUNT`` reverse
    proxies the address the outermost of them added to X-Forwarded-For (the entries
    before it are the client's to write, so they are never trusted)."""
    if request is None:
        return ""
    proxies = settings.PODIO_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if proxies > 0 and addresses:
        return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "")


def _subjects(request: HttpRequest | None, username: str | None) -> list[tuple[str, int]]:
    """(cache key stem, limit) of each count a failure goes to."""
    subjects = []
    if username is not None and settings.PODIO_LOGIN_FAILURES_PER_USER > 0:
        digest = hashlib.sha256(normalize_username(username).encode()).hexdigest()
        subjects.append((f"{PREFIX}:user:{digest}", settings.PODIO_LOGIN_FAILURES_PER_USER))
    address = client_ip(request)
    if address and settings.PODIO_LOGIN_FAILURES_PER_IP > 0:
        digest = hashlib.sha256(address.encode()).hexdigest()
        subjects.append((f"{PREFIX}:ip:{digest}", settings.PODIO_LOGIN_FAILURES_PER_IP))
    return subjects


def record_failure(request: HttpRequest | None, username: str | None) -> None:
    """Counts one failed password check; locks what reached its limit for the window."""
    window = settings.PODIO_LOGIN_WINDOW_SECONDS
    for stem, limit in _subjects(request, username):
        key = f"{stem}:failures"
        # add() starts the window at the first failure; incr() keeps its expiry.
        cache.add(key, 0, timeout=window)
        try:
            failures = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window)
            failures = 1
        if failures >= limit:
            cache.set(f"{stem}:locked", time.time() + window, timeout=window)
            cache.delete(key)


def seconds_locked(request: HttpRequest | None, username: str | None) -> int:
    """How long the username or the address stays locked; 0 when neither is."""
    now = time.time()
    until = [cache.get(f"{stem}:locked") for stem, _limit in _subjects(request, username)]
    return max([math.ceil(value - now) for value in until if value] + [0])


def clear(username: str) -> None:
    """A successful log-in: the username starts again from zero (its address does not)."""
    for stem, _limit in _subjects(None, username):
        cache.delete_many([f"{stem}:failures", f"{stem}:locked"])


def refusal_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed log-in attempts. Try again in %(minutes)d minute.",
        "Too many failed log-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


# --- Signals (connected in AccountsConfig.ready) -------------------------------------


def on_login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    username = credentials.get("username")
    if isinstance(username, str):
        record_failure(request, username)


def on_logged_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    clear(user.get_username())
