"""The cast: Inés the instructor; Alice and Bob in team Alpha; Charlie in team Gamma."""

import pytest
from django.utils import translation

from accounts.models import User
from accounts.roles import make_instructor
from competition.models import Competition, Team
from tests.factories import make_competition, make_team, make_user
from tests.workers import isolate_broker, isolate_cache


@pytest.fixture(scope="session", autouse=True)
def _own_broker() -> None:
    isolate_broker()
    isolate_cache()


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """Unit tests run tasks in-process (still only on commit); tests marked ``worker``
    send them through the real broker to a real worker process."""
    from celery.result import allow_join_result

    from config.celery import app

    app.conf.task_always_eager = request.node.get_closest_marker("worker") is None
    # Eager tasks run by parallel threads (the concurrency tests) can leave Celery's
    # process-wide "inside a task" flag set; a test may always wait for a result.
    with allow_join_result():
        yield
    app.conf.task_always_eager = False


@pytest.fixture
def competition(db) -> Competition:
    return make_competition()


@pytest.fixture
def instructor(db) -> User:
    user = make_user("ines", full_name="Inés Fernández")
    make_instructor(user)
    return user


@pytest.fixture
def alice(db) -> User:
    return make_user("alice")


@pytest.fixture
def bob(db) -> User:
    return make_user("bob")


@pytest.fixture
def charlie(db) -> User:
    return make_user("charlie")


@pytest.fixture
def alpha(competition, alice, bob) -> Team:
    return make_team(competition, "Alpha", alice, bob)


@pytest.fixture
def gamma(competition, charlie) -> Team:
    return make_team(competition, "Gamma", charlie)


@pytest.fixture
def cast(instructor, alpha, gamma, alice, bob, charlie) -> dict[str, User | None]:
    """Everyone, by role: the four points of view of the permission tests."""
    return {"anonymous": None, "other_team": charlie, "member": alice, "instructor": instructor}


@pytest.fixture(autouse=True)
def _english_messages():
    """Service calls outside a request speak English in tests (pages and the API
    follow the request's language, and tests/test_i18n.py checks Spanish)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # The production hasher is slow on purpose; tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    """Uploads and hidden files of each test go to a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HIDDEN_ROOT = tmp_path / "hidden"


@pytest.fixture
def hosted(competition):
    """The competition, open, with a 20-row solution (accuracy, 3 classes)."""
    from tests.factories import host

    return host(competition)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and leaderboards live in the cache; ids repeat across tests.
    (Each test process has a cache of its own: tests.workers.isolate_cache.)"""
    from django.core.cache import cache

    cache.clear()
