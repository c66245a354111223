"""Members' knobs, now declared in paperfeed/settings.py; kept until the last caller reads settings.X."""

from __future__ import annotations

from django.conf import settings


def ratelimit_enabled() -> bool:
    return bool(settings.RATELIMIT_ENABLE)


def rate(action: str) -> str:
    return str(getattr(settings, f"{action.upper()}_RATE"))


def submissions_per_day() -> int:
    return int(settings.SUBMISSIONS_PER_DAY)
