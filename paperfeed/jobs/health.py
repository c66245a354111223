"""What /healthz reports, and whether the node is healthy: one function, :func:`report`.

Four checks, each a small dict with ``ok`` and the facts behind it:

- ``database``: a ``SELECT 1`` on the default connection;
- ``search_index``: this node's published index (``search.reader.status``): generation,
  build time, age, papers; not ok when it is missing or damaged;
- ``worker``: the newest worker heartbeat and its age; not ok when it is older than
  PAPERFEED_HEALTH_MAX_HEARTBEAT_AGE (0: this deployment runs no worker, never a failure);
- ``queue``: tasks waiting in django-q2's queue and the JobRun ledger's running and
  failed-awaiting-retry runs; facts for a dashboard, never a failure on their own.

The node is healthy when every check is ok. With the database down, the checks that read it
say so instead of raising, so the answer is still a report (and a 503).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django_q.models import OrmQ

from paperfeed.search import reader

from . import heartbeat
from .models import JobRun


def _age(then: datetime | None, now: datetime) -> float | None:
    return None if then is None else round((now - then).total_seconds(), 1)


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return {"ok": False, "vendor": connection.vendor, "error": str(error).strip()[:300]}
    return {"ok": True, "vendor": connection.vendor}


def _search_index(now: datetime) -> dict:
    status = reader.status()
    built = datetime.fromisoformat(status.built_at) if status.built_at else None
    if built is not None and timezone.is_naive(built):
        built = built.replace(tzinfo=UTC)
    return {
        "ok": status.ok, "generation": status.generation, "built_at": status.built_at,
        "age_s": _age(built, now), "papers": status.papers, "reason": status.reason,
    }


def _worker(now: datetime) -> dict:
    max_age = settings.HEALTH_MAX_HEARTBEAT_AGE
    beat = heartbeat.newest()
    age = _age(beat.beat_at if beat else None, now)
    ok = max_age <= 0 or (age is not None and age <= max_age)
    return {
        "ok": ok, "worker": beat.worker if beat else None, "last_beat": beat.beat_at.isoformat() if beat else None,
        "age_s": age, "max_age_s": max_age,
    }


def _queue() -> dict:
    return {
        "ok": True,
        "queued": OrmQ.objects.count(),
        "running": JobRun.objects.filter(status=JobRun.Status.RUNNING).count(),
        "failed_awaiting_retry": JobRun.objects.filter(status=JobRun.Status.FAILED, next_attempt_at__isnull=False).count(),
    }


def _reading_database(check, *args) -> dict:
    try:
        return check(*args)
    except DatabaseError as error:
        return {"ok": False, "error": f"database unreachable: {str(error).strip()[:200]}"}


def report(now: datetime | None = None) -> dict:
    """{"ok": bool, "checks": {name: {"ok": bool, ...facts}}}: JSON-ready."""
    now = now or timezone.now()
    checks = {
        "database": _database(),
        "search_index": _search_index(now),
        "worker": _reading_database(_worker, now),
        "queue": _reading_database(_queue),
    }
    return {"ok": all(check["ok"] for check in checks.values()), "time": now.isoformat(), "checks": checks}
