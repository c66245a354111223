"""API knobs, read from PAPERFEED_* env vars (settings.py stays the lead's; these live with the app)."""

from __future__ import annotations

from django.conf import settings

from paperfeed.settings import env


def write_rate() -> str:
    """Writes allowed per token, in django-ratelimit's "N/unit" form (s, m, h, d)."""
    return getattr(settings, "API_WRITE_RATE", None) or env("API_WRITE_RATE", "60/m")


def max_body_bytes() -> int:
    """Write bodies are tiny JSON objects; anything bigger is refused before parsing."""
    return int(getattr(settings, "API_MAX_BODY_BYTES", None) or env("API_MAX_BODY_BYTES", "16384"))


def submissions_per_day() -> int:
    return int(getattr(settings, "SUBMISSIONS_PER_DAY", 5))


def ratelimit_enabled() -> bool:
    return bool(getattr(settings, "RATELIMIT_ENABLE", True))


# Page sizes: Hugging Face's daily_papers defaults to 50 and caps at 100.
DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_PAGE = 10_000
