"""Knobs of the accounts app, read from settings or PAPERFEED_* env vars with defaults.

settings.py belongs to the lead, so new knobs live here; each is read at call time so a
test (or an operator) can change it without re-importing.
"""

from __future__ import annotations

from django.conf import settings

from paperfeed.settings import env

# django-ratelimit rate strings ("count/unit"): per client IP for the anonymous forms
# (login, sign-up, password reset), per member for actions. Generous for people, tight
# enough to stop scripted abuse. Override with e.g. PAPERFEED_LOGIN_RATE=20/m.
DEFAULT_RATES = {
    "login": "10/m",
    "signup": "5/h",
    "password_reset": "5/h",
    "vote": "120/m",
    "submit": "20/h",
    "collection": "120/m",
    "token": "10/h",
}


def ratelimit_enabled() -> bool:
    return bool(getattr(settings, "RATELIMIT_ENABLE", True))


def rate(action: str) -> str:
    setting = getattr(settings, f"{action.upper()}_RATE", None)
    return setting or env(f"{action.upper()}_RATE", DEFAULT_RATES[action])


def submissions_per_day() -> int:
    return int(getattr(settings, "SUBMISSIONS_PER_DAY", 5))
