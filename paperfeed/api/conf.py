"""API knobs, now declared in paperfeed/settings.py; kept until the last caller reads settings.X."""

from __future__ import annotations

from django.conf import settings


def write_rate() -> str:
    return str(settings.API_WRITE_RATE)


def max_body_bytes() -> int:
    return int(settings.API_MAX_BODY_BYTES)


def submissions_per_day() -> int:
    return int(settings.SUBMISSIONS_PER_DAY)


def ratelimit_enabled() -> bool:
    return bool(settings.RATELIMIT_ENABLE)


# Page sizes: Hugging Face's daily_papers defaults to 50 and caps at 100.
DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_PAGE = 10_000
