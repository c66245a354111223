"""Every deployment knob, declared once: name, type, default and a one-line help.

Each ``knob(...)`` below reads one ``PAPERFEED_*`` environment variable, parses it to its
type, records it in ``KNOBS`` (docs/configuration.md is generated from that registry and a
test keeps the two equal) and raises ImproperlyConfigured naming the variable when a value
does not parse, so a typo stops the process at start instead of surfacing later as a wrong
limit. The rest of the code reads only ``django.conf.settings.X`` at call time, so a test's
``settings`` fixture can change any knob.

The embedded default needs no configuration at all: SQLite in WAL mode inside the data
dir, a secret key generated once into that dir (never in git), console email. Production
sets PAPERFEED_DATABASE_URL=postgres://…, PAPERFEED_SECRET_KEY, PAPERFEED_ALLOWED_HOSTS and
PAPERFEED_EMAIL_URL=smtp://….

Regenerate the tables of docs/configuration.md with ``python -m paperfeed.settings --markdown``.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# A rate is "count/period" (accounts/ratelimits.py): 10/m, 100/5m, 5/h, 1000/d.
_RATE = re.compile(r"^\d+/\d*[smhd]$")


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE | _FALSE:
        return value in _TRUE
    raise ValueError("expected 1/0, true/false, yes/no or on/off")


def _parse_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _parse_rate(raw: str) -> str:
    if not _RATE.match(raw.strip()):
        raise ValueError("expected count/period, e.g. 10/m (period s, m, h or d)")
    return raw.strip()


def _parse_url(raw: str) -> str:
    if "://" not in raw:
        raise ValueError("expected a URL such as https://host/path")
    return raw.strip()


def _parse_time(raw: str) -> str:
    """HH:MM in UTC; checked here so a bad schedule stops the start, not the first harvest."""
    hours, _, minutes = raw.strip().partition(":")
    time(int(hours), int(minutes))
    return raw.strip()


PARSERS: dict[str, Callable[[str], Any]] = {
    "str": str.strip,
    "int": lambda raw: int(raw.strip()),
    "float": lambda raw: float(raw.strip()),
    "bool": _parse_bool,
    "list": _parse_list,
    "path": lambda raw: Path(raw.strip()).expanduser(),
    "rate": _parse_rate,
    "url": _parse_url,
    "time": _parse_time,
}


@dataclass(frozen=True)
class Knob:
    """One PAPERFEED_* variable. ``default`` is the raw text used when the variable is unset;
    None means "unset" is meaningful (the value is derived elsewhere, as ``shown`` says)."""

    name: str
    kind: str
    default: str | None
    help: str
    area: str
    shown: str
    choices: tuple[str, ...] = ()

    @property
    def env_name(self) -> str:
        return f"PAPERFEED_{self.name}"


KNOBS: dict[str, Knob] = {}
_areas: list[str] = []


@contextmanager
def area(title: str) -> Iterator[None]:
    """Groups the knobs declared inside it under one heading of docs/configuration.md."""
    _areas.append(title)
    try:
        yield
    finally:
        _areas.pop()


def knob(name: str, kind: str, default: str | None, help: str, *, shown: str | None = None,
         choices: tuple[str, ...] = ()) -> Any:
    """Declare PAPERFEED_<name> and return its parsed value (None when unset without a default)."""
    if name in KNOBS:
        raise ImproperlyConfigured(f"PAPERFEED_{name} is declared twice in paperfeed/settings.py")
    spec = Knob(name, kind, default, help, _areas[-1], shown if shown is not None else default or "", choices)
    KNOBS[name] = spec
    raw = os.environ.get(spec.env_name)
    if raw is None or (raw.strip() == "" and default is None):
        raw = default
    if raw is None:
        return None
    try:
        value = PARSERS[kind](raw)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{spec.env_name}={raw!r} is not a valid {kind}: {exc}") from None
    if choices and value not in choices:
        raise ImproperlyConfigured(f"{spec.env_name}={raw!r} must be one of {', '.join(choices)}")
    return value


def markdown() -> str:
    """The knob tables of docs/configuration.md, one per area, in declaration order."""
    lines: list[str] = []
    for title in dict.fromkeys(spec.area for spec in KNOBS.values()):
        lines += [f"### {title}", "", "| variable | type | default | meaning |", "|---|---|---|---|"]
        for spec in (s for s in KNOBS.values() if s.area == title):
            kind = " \\| ".join(f"`{c}`" for c in spec.choices) if spec.choices else spec.kind
            default = f"`{spec.shown}`" if spec.default is not None and spec.shown else spec.shown or "—"
            lines.append(f"| `{spec.env_name}` | {kind} | {default} | {spec.help} |")
        lines.append("")
    return "\n".join(lines)


with area("Site"):
    DATA_DIR = knob("DATA_DIR", "path", "~/.local/share/paperfeed",
                    "database (SQLite), search indexes, generated secret key")
    _configured_secret_key = knob("SECRET_KEY", "str", None, "set it explicitly when several hosts serve the hub",
                       shown="generated once into `$DATA_DIR/secret_key` (mode 600)")
    DEBUG = knob("DEBUG", "bool", "0", "Django debug pages (never in production)")
    ALLOWED_HOSTS = knob("ALLOWED_HOSTS", "list", "127.0.0.1,localhost,[::1],testserver",
                         "comma-separated host names")
    CSRF_TRUSTED_ORIGINS = knob("CSRF_TRUSTED_ORIGINS", "list", "",
                                "e.g. `https://papers.example.org` behind a proxy")
    HTTPS = knob("HTTPS", "bool", "0", "`1` behind TLS: secure cookies, trust `X-Forwarded-Proto`")
    HSTS_SECONDS = knob("HSTS_SECONDS", "int", "31536000",
                        "with `PAPERFEED_HTTPS=1`: how long browsers must use HTTPS only (HSTS); `0` sends none")
    SITE_URL = knob("SITE_URL", "url", "http://127.0.0.1:8000", "absolute links in emails and feeds").rstrip("/")
    SITE_NAME = knob("SITE_NAME", "str", "paperfeed", "shown in the header, emails and feeds")
    # Unset by default: pages serve static files straight from the package, and whitenoise
    # would warn about a root that nobody collected into.
    STATIC_ROOT = knob("STATIC_ROOT", "path", None,
                       "where `paperfeed manage collectstatic` writes, for a proxy or CDN to serve",
                       shown="unset: served from the package")
    LOG_LEVEL = knob("LOG_LEVEL", "str", "WARNING", "Python log level",
                     choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
    MAX_URL_BYTES = knob("MAX_URL_BYTES", "int", "131072",
                         "longer request targets (path + query) are refused with 414 (JSON under /api/)")
    LOG_FORMAT = knob("LOG_FORMAT", "str", "text", "`json`: one JSON object per log line (for a log collector)",
                      choices=("text", "json"))
    METRICS = knob("METRICS", "bool", "0", "`1` serves Prometheus metrics at `/metrics` (django-prometheus)")

with area("Database"):
    DATABASE_URL = knob("DATABASE_URL", "url", None,
                        "`postgres://user:pass@host:5432/db` for production (psycopg 3)",
                        shown="`sqlite:///$DATA_DIR/paperfeed.sqlite3`")

with area("Email"):
    EMAIL_URL = knob("EMAIL_URL", "url", "console://", "`smtp://user:pass@host:587/?tls=True`, `smtps://…`")
    EMAIL_TIMEOUT = knob("EMAIL_TIMEOUT", "int", "20", "seconds before an SMTP connection gives up")
    DEFAULT_FROM_EMAIL = knob("FROM_EMAIL", "str", "paperfeed <noreply@localhost>",
                              "sender of digests and password resets")

with area("Sources"):
    ARXIV_OAI_URL = knob("ARXIV_OAI_URL", "url", "https://oaipmh.arxiv.org/oai", "OAI-PMH endpoint")
    ARXIV_API_URL = knob("ARXIV_API_URL", "url", "https://export.arxiv.org/api/query", "arXiv API endpoint")
    ARXIV_API_DELAY = knob("ARXIV_API_DELAY", "float", "3.0", "seconds between arXiv API calls (arXiv asks for 3)")
    HF_DAILY_URL = knob("HF_DAILY_URL", "url", "https://huggingface.co/api/daily_papers",
                        "Hugging Face daily papers endpoint")
    ARXIV_PDF_URL = knob("ARXIV_PDF_URL", "url", "https://arxiv.org/pdf",
                         "where the worker fetches papers' PDFs for thumbnails (`…/<id>v<n>`)")
    BACKFILL_PER_RUN = knob("BACKFILL_PER_RUN", "int", "500",
                            "Hugging Face-only papers the worker's backfill asks the arXiv API about per run")
    HTTP_TIMEOUT = knob("HTTP_TIMEOUT", "float", "30", "seconds, for every outgoing request")
    HTTP_REQUEST_TIMEOUT = knob("HTTP_REQUEST_TIMEOUT", "float", "3",
                                "seconds for an outgoing call made inside a web request (tried once, never retried)")
    ARXIV_FETCH_GIVE_UP = knob("ARXIV_FETCH_GIVE_UP", "int", str(24 * 3600),
                               "seconds a paper members asked for waits for an unreachable arXiv before it fails")
    HTTP_USER_AGENT = knob("HTTP_USER_AGENT", "str", "paperfeed/0.1 (+self-hosted daily papers hub)",
                           "User-Agent of every outgoing request")
    CATEGORIES = knob("CATEGORIES", "list", "cs.AI,cs.CL,cs.CV,cs.LG", "categories the scheduled harvest follows")
    OAI_DEFAULT_DAYS = knob("OAI_DEFAULT_DAYS", "int", "7",
                            "days back the first OAI-PMH harvest of a set goes when no `--from` is given")

with area("Search"):
    INDEX_DIR = knob("INDEX_DIR", "path", str(DATA_DIR / "index"), "search index files (derived; rebuildable)",
                     shown="$DATA_DIR/index")
    SEARCH_EXACT_MAX = knob("SEARCH_EXACT_MAX", "int", "20000",
                            "up to this many vectors, semantic search is exact; above it, HNSW")
    EMBED_THREADS = knob("EMBED_THREADS", "int", None, "ONNX Runtime threads for the embedder",
                         shown="usable cores, at most 4")
    QUERY_EMBED_THREADS = knob("QUERY_EMBED_THREADS", "int", "1",
                               "ONNX Runtime threads for a search query's embedding (a few tokens: one is cheaper)")
    FOLLOW_INTERVAL = knob("FOLLOW_INTERVAL", "float", "5",
                           "seconds between the index follower's checks of the database (`paperfeed follow-index`)")

with area("Members"):
    SUBMISSIONS_PER_DAY = knob("SUBMISSIONS_PER_DAY", "int", "5", "papers a member may submit per day")
    RATELIMIT_ENABLE = knob("RATELIMIT", "bool", "1", "`0` turns write rate limits off (tests, load tests)")
    LOGIN_RATE = knob("LOGIN_RATE", "rate", "10/m", "log-in attempts per client IP")
    SIGNUP_RATE = knob("SIGNUP_RATE", "rate", "5/h", "sign-ups per client IP")
    PASSWORD_RESET_RATE = knob("PASSWORD_RESET_RATE", "rate", "5/h", "password-reset requests per client IP")
    VOTE_RATE = knob("VOTE_RATE", "rate", "120/m", "votes per member")
    SUBMIT_RATE = knob("SUBMIT_RATE", "rate", "20/h", "submission attempts per member")
    COLLECTION_RATE = knob("COLLECTION_RATE", "rate", "120/m", "collection changes per member")
    TOKEN_RATE = knob("TOKEN_RATE", "rate", "10/h", "API tokens a member may create")
    COMMENT_RATE = knob("COMMENT_RATE", "rate", "10/10m", "comments and comment edits per member (web and API)")
    COMMENT_MAX_CHARS = knob("COMMENT_MAX_CHARS", "int", "10000", "longest comment a member may post, in characters")
    EMAIL_VERIFY_MAX_AGE = knob("EMAIL_VERIFY_MAX_AGE", "int", str(3 * 24 * 3600),
                                "seconds a link that attaches an email address to an account stays valid")

with area("Lists and page cache"):
    LIST_MIN_ENTRIES = knob("LIST_MIN_ENTRIES", "int", "10",
                            "entries that make a day a real list: home shows the newest such day, "
                            "fewer listed since show as a \"so far\" strip above it")
    CARD_LAYOUT = knob("CARD_LAYOUT", "str", "list",
                       "how lists show papers until a reader picks the other layout (a cookie remembers it)",
                       choices=("list", "grid"))
    THUMBNAIL_MAX_AGE = knob("THUMBNAIL_MAX_AGE", "int", str(7 * 24 * 3600),
                             "seconds browsers may keep a thumbnail before asking again (then 304 if unchanged)")
    PAGE_CACHE = knob("PAGE_CACHE", "bool", "1",
                      "serve lists, paper pages, feeds and `/api/daily_papers` from each process's cache, "
                      "keyed by version tokens in the database")
    PAGE_CACHE_MB = knob("PAGE_CACHE_MB", "int", "64", "memory each web process may hold in cached pages")
    PAGE_CACHE_MAX_AGE = knob("PAGE_CACHE_MAX_AGE", "int", "300",
                              "seconds a cached page lives at most: bounds what no token tracks "
                              "(vote counts on a paper page's similar papers)")
    WARM_SEARCH_SECONDS = knob("WARM_SEARCH_SECONDS", "float", "2",
                               "CPU seconds a web worker may spend at start on the search page's parts of the newest "
                               "papers: their cards (at most half of `PAGE_CACHE_MB`), then their flattened "
                               "abstracts; 0 prepares none")
    TRENDING_CACHE_SECONDS = knob("TRENDING_CACHE_SECONDS", "int", "60",
                                  "trending decays with time: its cached page is recomputed this often")

with area("API"):
    API_WRITE_RATE = knob("API_WRITE_RATE", "rate", "60/m", "API writes per token")
    API_MAX_BODY_BYTES = knob("API_MAX_BODY_BYTES", "int", "16384",
                              "larger API write bodies are refused before parsing")

with area("Digests"):
    DIGEST_TIME = knob("DIGEST_TIME", "time", "06:00", "when daily digests go out (HH:MM, UTC), after the harvest")
    DIGEST_MAX_PAPERS = knob("DIGEST_MAX_PAPERS", "int", "10", "papers in a digest's top-of-the-day (or week) section")
    DIGEST_MAX_TRENDING = knob("DIGEST_MAX_TRENDING", "int", "5", "papers in a digest's trending section")
    DIGEST_MAX_PICKS = knob("DIGEST_MAX_PICKS", "int", "5", "personal picks per digest")
    DIGEST_CONFIRM_MAX_AGE = knob("DIGEST_CONFIRM_MAX_AGE", "int", str(3 * 24 * 3600),
                                  "seconds a subscription confirmation link stays valid (3 days)")
    DIGEST_MAX_ATTEMPTS = knob("DIGEST_MAX_ATTEMPTS", "int", "6",
                               "SMTP attempts before a digest is marked failed (visible in the admin)")
    DIGEST_STALE_SENDING = knob("DIGEST_STALE_SENDING", "int", "900",
                                "seconds after which a digest stuck in 'sending' belongs to a dead worker")
    RECOMMEND_FEATURES = knob("RECOMMEND_FEATURES", "str", "tfidf",
                              "features of personal picks: tf-idf (measured best) or tf-idf + embeddings",
                              choices=("tfidf", "hybrid"))
    RECOMMEND_FEEDBACK_LINK_MAX_AGE = knob("RECOMMEND_FEEDBACK_LINK_MAX_AGE", "int", str(30 * 24 * 3600),
                                           "seconds a digest's thumbs up/down link stays valid (30 days)")

with area("Worker"):
    HARVEST_TIME = knob("HARVEST_TIME", "time", "02:30", "daily harvest time (HH:MM, UTC)")
    HARVEST_SETS = knob("HARVEST_SETS", "list", None, "OAI-PMH sets the daily harvest follows",
                        shown="`PAPERFEED_CATEGORIES`")
    WORKER_PROCESSES = knob("WORKER_PROCESSES", "int", "1", "django-q2 processes of `paperfeed worker`")
    SCHEDULER_TICK = knob("SCHEDULER_TICK", "float", "10", "seconds between the worker's checks for due schedules")
    WORKER_HEARTBEAT = knob("WORKER_HEARTBEAT", "float", "30", "seconds between the worker's heartbeat writes")
    HEALTH_MAX_HEARTBEAT_AGE = knob("HEALTH_MAX_HEARTBEAT_AGE", "int", "300",
                                    "`/healthz` answers 503 when the newest worker heartbeat is older (seconds); "
                                    "`0`: no worker expected")
    THUMBNAIL_DIR = knob("THUMBNAIL_DIR", "path", str(DATA_DIR / "thumbnails"),
                         "first-page thumbnails the worker renders (derived; rebuildable)",
                         shown="$DATA_DIR/thumbnails")
    THUMBNAIL_WIDTH = knob("THUMBNAIL_WIDTH", "int", "400", "width of a rendered thumbnail, in pixels")
    THUMBNAILS_PER_RUN = knob("THUMBNAILS_PER_RUN", "int", "200", "PDFs the worker renders per thumbnails run")
    JOB_TIMEOUT = knob("JOB_TIMEOUT", "int", "3600", "seconds a job may run before the worker stops it")
    JOB_MAX_ATTEMPTS = knob("JOB_MAX_ATTEMPTS", "int", "4",
                            "runs of one scheduled slot before a failing job waits for its next time")
    JOB_RETRY_BASE = knob("JOB_RETRY_BASE", "float", "120",
                          "seconds before a failed job's first retry; each further one waits 4× longer, at most 2 h")

with area("Server"):
    HOST = knob("HOST", "str", "127.0.0.1", "address `paperfeed serve` and `paperfeed demo` listen on")
    PORT = knob("PORT", "int", "8000", "port `paperfeed serve` and `paperfeed demo` listen on")
    WEB_WORKERS = knob("WEB_WORKERS", "int", "2", "server processes for `paperfeed serve`")
    WEB_SERVER = knob("WEB_SERVER", "str", "gthread",
                      "application server of `paperfeed serve` (docs/deploy.md, Throughput, has the measurements)",
                      choices=("gthread", "sync", "granian"))
    WEB_THREADS = knob("WEB_THREADS", "int", "4", "threads per server process (gthread, granian)")
    WEB_BLAS_THREADS = knob("WEB_BLAS_THREADS", "int", "1",
                            "BLAS (numpy) threads per server process; requests already run side by side")


def _secret_key() -> str:
    """Use the configured key, else one generated once per data dir (so sessions survive restarts)."""
    if _configured_secret_key:
        return _configured_secret_key
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

INSTALLED_APPS = [
    "paperfeed.web.adminconfig.AdminConfig",  # Django's admin, its login rate limited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.syndication",
    "django_q",
    "paperfeed.versions",
    "paperfeed.papers",
    "paperfeed.ingest",
    "paperfeed.search",
    "paperfeed.web",
    "paperfeed.api",
    "paperfeed.accounts",
    "paperfeed.digests",
    "paperfeed.discussions",
    "paperfeed.jobs",
]

MIDDLEWARE = [
    "paperfeed.api.middleware.JsonErrorsMiddleware",  # first, so it sees every error answer under /api/
    "django.middleware.security.SecurityMiddleware",
    "paperfeed.web.middleware.UrlLengthMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "paperfeed.web.layout.CardLayoutMiddleware",
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
    url = DATABASE_URL or f"sqlite:///{DATA_DIR / 'paperfeed.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=60)
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
# Serve straight from the package in the embedded default (no collectstatic step needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = HSTS_SECONDS

# Email: console by default so the demo never tries to reach a mail server.
_email = dj_email_url.parse(EMAIL_URL)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {},  # the message alone, as before
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# Prometheus metrics: off unless asked for; the two middlewares bracket every other one so
# they time the whole request. Several processes need PROMETHEUS_MULTIPROC_DIR (docs/deploy.md).
if METRICS:
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *MIDDLEWARE,
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]

# django-q2: the queue lives in the database (ORM broker), so no extra service is needed.
Q_CLUSTER = {
    "name": "paperfeed",
    "orm": "default",
    "workers": WORKER_PROCESSES,
    "timeout": JOB_TIMEOUT,
    "retry": JOB_TIMEOUT + 600,
    "max_attempts": 1,  # django-q2 only executes; JobRun (jobs/runner.py) owns retries
    "catch_up": False,
    "save_limit": 500,
    "ack_failures": True,
    "poll": 2,
}


if __name__ == "__main__" and sys.argv[1:] == ["--markdown"]:
    print(markdown(), end="")
