"""Podio's one settings module, read from environment variables.

With no variables set, everything runs on one machine: SQLite and the Celery
file-system broker under ``var/``. ``DATABASE_URL`` switches to PostgreSQL,
``REDIS_URL`` (or ``CELERY_BROKER_URL``) to Redis.
"""

import contextlib
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(env_str("PODIO_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)
# The database, the secret key and uploads live here: nobody else needs to read it.
with contextlib.suppress(OSError):
    VAR_DIR.chmod(0o700)

# A source checkout runs as development; the Docker image sets DJANGO_DEBUG=0, and
# production must too (then DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS are required).
DEBUG = env_bool("DJANGO_DEBUG", True)


def _secret_key() -> str:
    key = env_str("DJANGO_SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")
    # Development only: a random key kept outside the repository, stable across restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "competition",
    "grader",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.errors.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'podio.sqlite3'}"),
        # Connections are kept (a new one per request or task cost more than the scoring
        # of a small file) and checked before reuse, so a restarted database is survived.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and a worker write at once: wait for the lock instead of failing,
    # and take it at BEGIN so that read-then-write transactions never deadlock.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    # A file (not :memory:) so that a worker process started by a test sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_podio.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "competition:list"
LOGOUT_REDIRECT_URL = "competition:list"
PASSWORD_RESET_TIMEOUT = env_int("PODIO_PASSWORD_RESET_TIMEOUT", 7 * 24 * 3600)

# --- Languages: Spanish first, English too ---------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("PODIO_TIME_ZONE", "America/Montevideo")
USE_TZ = True

# --- Files ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("PODIO_STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env_str("PODIO_MEDIA_ROOT", str(VAR_DIR / "media")))
# Hidden files (solutions, model inputs) live apart from media and no URL serves them.
HIDDEN_ROOT = Path(env_str("PODIO_HIDDEN_ROOT", str(VAR_DIR / "hidden")))
STORAGES = {
    # MEDIA_URL is deliberately unset: uploads are served only by views that check access.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "hidden": {"BACKEND": "competition.storage.HiddenStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Uploads: a request up to 2.5 MB is parsed in memory, a larger one into a temporary file
# (FILE_UPLOAD_TEMP_DIR), after config.uploads has counted each file's bytes: a file
# over PODIO_MAX_UPLOAD_MB is dropped as it streams and the page or API says why. It is
# the ceiling over every competition's own limits, which the services check exactly.
PODIO_MAX_UPLOAD_MB = env_int("PODIO_MAX_UPLOAD_MB", 200)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "config.uploads.UploadCeilingHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Log-in throttle (accounts.throttle): failed passwords per username and per client
# address within the window lock them for the window; 0 turns a count off.
PODIO_LOGIN_FAILURES_PER_USER = env_int("PODIO_LOGIN_FAILURES_PER_USER", 5)
PODIO_LOGIN_FAILURES_PER_IP = env_int("PODIO_LOGIN_FAILURES_PER_IP", 20)
PODIO_LOGIN_WINDOW_SECONDS = env_int("PODIO_LOGIN_WINDOW_SECONDS", 15 * 60)
# Reverse proxies in front that append the client's address to X-Forwarded-For (0: use
# REMOTE_ADDR); behind one, every client would otherwise share the proxy's address.
PODIO_PROXY_COUNT = env_int("PODIO_PROXY_COUNT", 1 if env_bool("DJANGO_BEHIND_TLS_PROXY") else 0)

# --- E-mail -------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Podio <podio@localhost>")
SITE_URL = env_str("PODIO_SITE_URL", "http://127.0.0.1:8000")

# --- Security (production: DJANGO_DEBUG=0) ---------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST API -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("PODIO_THROTTLE_TOKEN", "10/min"),
        "submit": env_str("PODIO_THROTTLE_SUBMIT", "30/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Podio API",
    "DESCRIPTION": "Competitions, teams and submissions for machine-learning courses.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery ---------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_RESULT_BACKEND = env_str(
    "CELERY_RESULT_BACKEND", REDIS_URL or f"file://{VAR_DIR / 'celery' / 'results'}"
)
CELERY_BROKER_DIR = Path(env_str("PODIO_BROKER_DIR", str(VAR_DIR / "celery" / "broker")))
CELERY_TASK_HARD_TIME_LIMIT = env_int("PODIO_TASK_HARD_TIME_LIMIT", 600)
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "processed_folder": str(CELERY_BROKER_DIR.parent / "processed"),
        "control_folder": str(CELERY_BROKER_DIR.parent / "control"),
        "store_processed": False,
        # kombu polls the folder once a second by default; 50 ms measured 51 ms round trips.
        "polling_interval": 0.05,
    }
    for _folder in (
        CELERY_BROKER_DIR,
        *(CELERY_BROKER_DIR.parent / f for f in ("processed", "control")),
    ):
        _folder.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "results").mkdir(parents=True, exist_ok=True)
else:
    # A task not acknowledged within this time is given to another worker: keep it
    # well above the hard time limit, or a long scoring would run twice.
    # Workers look for such abandoned tasks every 10 s (kombu's default is ~100 s).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 2 * CELERY_TASK_HARD_TIME_LIMIT,
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
    }
# --- Cache: leaderboards and throttles, shared by every web and worker process -------------
# Redis when there is one (its database 1, apart from the broker), else files under var/.
PODIO_CACHE_URL = env_str(
    "PODIO_CACHE_URL", f"{REDIS_URL.rsplit('/', 1)[0]}/1" if REDIS_URL else ""
)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache"
        if PODIO_CACHE_URL
        else "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": PODIO_CACHE_URL or env_str("PODIO_CACHE_DIR", str(VAR_DIR / "cache")),
        "KEY_PREFIX": env_str("PODIO_CACHE_PREFIX", ""),
    }
}
# Memory (RLIMIT_DATA) of the sandbox an uploaded model runs in; TensorFlow needs ~1 GB.
PODIO_MODEL_MEMORY_MB = env_int("PODIO_MODEL_MEMORY_MB", 4096)
CELERY_TASK_DEFAULT_QUEUE = "cpu"
CELERY_TASK_QUEUES_NAMES = ("cpu", "gpu")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = CELERY_TASK_HARD_TIME_LIMIT
CELERY_TASK_SOFT_TIME_LIMIT = max(
    CELERY_TASK_HARD_TIME_LIMIT - 30, CELERY_TASK_HARD_TIME_LIMIT * 4 // 5
)
# The sweep (competition.queueing.sweep): Celery beat runs it every minute, and
# `manage.py sweep_submissions` does the same by hand.
PODIO_SWEEP_QUEUED_AFTER = env_int("PODIO_SWEEP_QUEUED_AFTER", 1800)
PODIO_SWEEP_UNSENT_AFTER = env_int("PODIO_SWEEP_UNSENT_AFTER", 30)
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-submissions": {"task": "competition.sweep", "schedule": 60.0},
}
# Faults on purpose, for the fault tests only: never set these in a deployment.
PODIO_FAULT_INJECTION = env_bool("PODIO_FAULT_INJECTION", False)
PODIO_FAULT_SLEEP_SECONDS = env_int("PODIO_FAULT_SLEEP_SECONDS", 0)
PODIO_FAULT_CRASH = env_bool("PODIO_FAULT_CRASH", False)
CELERY_RESULT_EXPIRES = 3600
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # json: one object per line with the submission's event fields.
            "formatter": env_str("PODIO_LOG_FORMAT", "plain"),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("PODIO_LOG_LEVEL", "INFO")},
}
