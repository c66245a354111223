"""Digest knobs, now declared in paperfeed/settings.py; kept until the last caller reads settings.X."""

from __future__ import annotations

from django.conf import settings


def _get(name: str, default: str) -> str:
    return str(getattr(settings, name))


def confirm_max_age() -> int:
    """Seconds a confirmation link stays valid (default 3 days)."""
    return int(_get("DIGEST_CONFIRM_MAX_AGE", str(3 * 24 * 3600)))


def max_papers() -> int:
    """Trending papers per digest."""
    return int(_get("DIGEST_MAX_PAPERS", "10"))


def max_picks() -> int:
    """Personal picks per digest."""
    return int(_get("DIGEST_MAX_PICKS", "5"))


def max_attempts() -> int:
    """SMTP attempts before a digest is marked failed (it stays visible in the admin)."""
    return int(_get("DIGEST_MAX_ATTEMPTS", "6"))


def retry_base_seconds() -> float:
    """First retry delay; each further attempt waits 4x longer (capped at 6 hours)."""
    return float(_get("DIGEST_RETRY_BASE", "60"))


def stale_sending_seconds() -> int:
    """A 'sending' claim older than this belongs to a dead worker and may be retried."""
    return int(_get("DIGEST_STALE_SENDING", "900"))


def backoff(attempts: int) -> float:
    """Delay before attempt ``attempts + 1``: base * 4**(attempts-1), at most 6 hours."""
    return min(retry_base_seconds() * (4 ** max(attempts - 1, 0)), 6 * 3600.0)
