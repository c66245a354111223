"""Worker knobs, now declared in paperfeed/settings.py; kept until the last caller reads settings.X."""

from __future__ import annotations

from django.conf import settings


def _get(name: str, default: str) -> str:
    return str(getattr(settings, name))


def max_attempts() -> int:
    """Runs of one slot before a failing job waits for its next scheduled time."""
    return int(_get("JOB_MAX_ATTEMPTS", "4"))


def retry_base_seconds() -> float:
    return float(_get("JOB_RETRY_BASE", "120"))


def backoff(attempts: int) -> float:
    """base * 4**(attempts-1), at most 2 hours: 2 min, 8 min, 32 min, 2 h."""
    return min(retry_base_seconds() * 4 ** max(attempts - 1, 0), 7200.0)


def stale_seconds() -> int:
    """A 'running' claim older than the job timeout belongs to a dead worker."""
    return int(settings.Q_CLUSTER.get("timeout", 3600)) + 60


def digest_time() -> str:
    """When daily digests go out (UTC, HH:MM); after the harvest so they hold the new day."""
    return _get("DIGEST_TIME", "06:00")


def scheduler_tick() -> float:
    """How often `paperfeed worker` looks for due schedules (django-q2 alone checks every 30 s)."""
    return float(_get("SCHEDULER_TICK", "10"))
