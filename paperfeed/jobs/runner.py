"""Run a named job for a slot at most once across all workers, with retries and backoff.

django-q2 already creates one task per due schedule (its scheduler locks the rows), and its
ORM broker hands a queued task to one cluster. But a task whose worker died is redelivered
after ``Q_CLUSTER['retry']`` seconds, and nothing stops an operator from starting a second
worker with an older code version; so every scheduled run first claims a JobRun row, unique
on (job, slot). The insert is the lock: it works the same on SQLite and PostgreSQL.

This is the one layer that retries. ``run_scheduled`` never lets a job's error reach django-q2
(whose ``max_attempts`` is 1: it only executes); a failed slot is rerun here, after ``backoff``,
until it has had JOB_MAX_ATTEMPTS runs, counting reclaims of a dead worker's run among them.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .jobs import JOBS
from .models import JobRun

log = logging.getLogger(__name__)

FUNC = "paperfeed.jobs.runner.run_scheduled"


class UnknownJob(ValueError):
    pass


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int) -> float:
    """Seconds before run ``attempts + 1``: base * 4**(attempts-1), at most 2 hours (2, 8, 32 min, 2 h)."""
    return min(float(settings.JOB_RETRY_BASE) * 4 ** max(attempts - 1, 0), 7200.0)


def stale_seconds() -> int:
    """A 'running' claim older than the job timeout belongs to a dead worker."""
    return int(settings.Q_CLUSTER.get("timeout", 3600)) + 60


def claim(name: str, slot: str, now: datetime | None = None) -> JobRun | None:
    """The JobRun this worker now owns, or None when another worker has (or had) this slot."""
    now = now or timezone.now()
    me = worker_name()
    try:
        with transaction.atomic():
            return JobRun.objects.create(name=name, slot=slot, worker=me, started_at=now)
    except IntegrityError:
        pass
    stale = now - timedelta(seconds=stale_seconds())
    retry_due = Q(status=JobRun.Status.FAILED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    crashed = Q(status=JobRun.Status.RUNNING, started_at__lt=stale)
    attempts_left = Q(attempts__lt=settings.JOB_MAX_ATTEMPTS)
    won = JobRun.objects.filter(retry_due | crashed, attempts_left, name=name, slot=slot).update(
        status=JobRun.Status.RUNNING, attempts=F("attempts") + 1, worker=me, started_at=now,
        finished_at=None, next_attempt_at=None,
    )
    if won:
        return JobRun.objects.get(name=name, slot=slot)
    JobRun.objects.filter(name=name, slot=slot).update(duplicates_skipped=F("duplicates_skipped") + 1)
    return None


def _schedule_retry(run: JobRun, when: datetime) -> None:
    from django_q.models import Schedule

    Schedule.objects.create(
        name=f"retry {run.name} {run.slot} #{run.attempts + 1}"[:100],
        func=FUNC,
        kwargs=repr({"name": run.name, "slot": run.slot}),
        schedule_type=Schedule.ONCE,
        repeats=-1,
        next_run=when,
    )


def run_scheduled(name: str, intended: str | None = None, slot: str | None = None) -> str:
    """The function every schedule points at. ``intended`` is django-q2's intended run time."""
    if name not in JOBS:
        raise UnknownJob(f"unknown job {name!r}; known: {', '.join(sorted(JOBS))}")
    slot = slot or intended or f"manual:{uuid.uuid4().hex}"
    run = claim(name, slot)
    if run is None:
        log.info("job %s for %s already claimed by another worker; skipping", name, slot)
        return f"{name} {slot}: skipped (claimed elsewhere)"
    try:
        result = JOBS[name]()
    except Exception as error:
        now = timezone.now()
        retry = run.attempts < settings.JOB_MAX_ATTEMPTS
        when = now + timedelta(seconds=backoff(run.attempts)) if retry else None
        JobRun.objects.filter(pk=run.pk).update(
            status=JobRun.Status.FAILED, finished_at=now, next_attempt_at=when,
            last_error=f"{type(error).__name__}: {error}"[:4000],
        )
        if when is not None:
            _schedule_retry(run, when)
        log.exception("job %s for %s failed (attempt %d)%s", name, slot, run.attempts,
                      f"; retry at {when}" if when else "; giving up")
        return f"{name} {slot}: failed ({error})"
    JobRun.objects.filter(pk=run.pk).update(
        status=JobRun.Status.DONE, finished_at=timezone.now(), result=str(result)[:4000], last_error=""
    )
    return f"{name} {slot}: {result}"


def enqueue(name: str) -> str:
    """Queue a job now (a manual run: its own slot); returns the django-q2 task id."""
    from django_q.tasks import async_task

    if name not in JOBS:
        raise UnknownJob(f"unknown job {name!r}; known: {', '.join(sorted(JOBS))}")
    return async_task(FUNC, name, slot=f"manual:{uuid.uuid4().hex}", task_name=f"{name} (manual)")
