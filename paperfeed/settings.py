"""One settings module for every deployment; every knob comes from a PAPERFEED_* env var.

The embedded default needs no configuration at all: SQLite in WAL mode inside the data
dir, a secret key generated once into that dir (never in git), console email. Production
sets PAPERFEED_DATABASE_URL=postgres://…, PAPERFEED_SECRET_KEY, PAPERFEED_ALLOWED_HOSTS and
PAPERFEED_EMAIL_URL=smtp://….
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
import dj_email_url

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"PAPERFEED_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = env(name, "1" if default else "0").strip().lower()
    return raw in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("DATA_DIR", str(Path.home() / ".local" / "share" / "paperfeed"))).expanduser()


def _secret_key() -> str:
    """Use the configured key, else one generated once per data dir (so sessions survive restarts)."""
    if key := env("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key
    except FileExistsError:
        return key_file.read_text().strip()
    except OSError:
        # Read-only data dir: an ephemeral key still lets the process run.
        return secrets.token_urlsafe(50)


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env("SITE_NAME", "paperfeed")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.syndication",
    "django_q",
    "paperfeed.papers",
    "paperfeed.ingest",
    "paperfeed.search",
    "paperfeed.web",
    "paperfeed.api",
    "paperfeed.accounts",
    "paperfeed.digests",
    "paperfeed.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "paperfeed.web.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "paperfeed.urls"
WSGI_APPLICATION = "paperfeed.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The web door's templates come first, so its registration/ pages win over the admin's.
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "paperfeed.web.context_processors.site",
            ],
        },
    },
]


def _database() -> dict:
    url = env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'paperfeed.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=0 if url.startswith("sqlite") else 60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers and the single writer work at once; IMMEDIATE avoids the
        # "database is locked" upgrade deadlock when two writers start a transaction.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=10000;PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A database cache is shared by every app process, so rate limits hold across workers
# without an extra service.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "paperfeed_cache",
    }
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "static")))
# Serve straight from the package in the embedded default (no collectstatic step needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Email: console by default so the demo never tries to reach a mail server.
_email = dj_email_url.parse(env("EMAIL_URL", "console://"))
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = env("FROM_EMAIL", "paperfeed <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Network sources: every client takes its base URL from here so tests can point it at a
# local server.
ARXIV_OAI_URL = env("ARXIV_OAI_URL", "https://oaipmh.arxiv.org/oai")
ARXIV_API_URL = env("ARXIV_API_URL", "https://export.arxiv.org/api/query")
ARXIV_API_DELAY = float(env("ARXIV_API_DELAY", "3.0"))
HF_DAILY_URL = env("HF_DAILY_URL", "https://huggingface.co/api/daily_papers")
HTTP_TIMEOUT = float(env("HTTP_TIMEOUT", "30"))
HTTP_USER_AGENT = env("HTTP_USER_AGENT", "paperfeed/0.1 (+self-hosted daily papers hub)")
CATEGORIES = env_list("CATEGORIES", "cs.AI,cs.CL,cs.CV,cs.LG")
HARVEST_TIME = env("HARVEST_TIME", "02:30")

# Search indexes are derived files in the data dir; only the worker writes them.
INDEX_DIR = Path(env("INDEX_DIR", str(DATA_DIR / "index")))

# Write limits (per member per day / per minute).
SUBMISSIONS_PER_DAY = int(env("SUBMISSIONS_PER_DAY", "5"))
RATELIMIT_ENABLE = env_bool("RATELIMIT", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# django-q2: the queue lives in the database (ORM broker), so no extra service is needed.
Q_CLUSTER = {
    "name": "paperfeed",
    "orm": "default",
    "workers": int(env("WORKER_PROCESSES", "1")),
    "timeout": int(env("JOB_TIMEOUT", "3600")),
    "retry": int(env("JOB_TIMEOUT", "3600")) + 600,
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 500,
    "ack_failures": True,
    "poll": 2,
}
