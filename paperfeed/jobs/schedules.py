"""The standing schedules, as django-q2 Schedule rows (visible and editable in the admin).

There is no standing retry schedule: a failed run is retried by its own JobRun (runner.py),
which adds a one-off schedule for it.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .runner import FUNC

PREFIX = "paperfeed:"
PRUNE_AT = time(0, 15)  # ended rate-limit windows: any quiet hour will do


def _parse_hhmm(value: str, what: str) -> time:
    try:
        hours, minutes = (int(part) for part in value.strip().split(":"))
        return time(hours, minutes)
    except (ValueError, TypeError):
        raise ValueError(f"{what} must be HH:MM (24h, UTC), got {value!r}") from None


def next_at(at: time, now: datetime | None = None, weekday: int | None = None) -> datetime:
    """The next moment (after now) at this wall-clock time, optionally on this weekday (0=Mon)."""
    now = now or timezone.now()
    candidate = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    while candidate <= now or (weekday is not None and candidate.weekday() != weekday):
        candidate += timedelta(days=1)
    return candidate


def wanted(now: datetime | None = None) -> list[dict]:
    from django_q.models import Schedule

    harvest_at = _parse_hhmm(settings.HARVEST_TIME, "PAPERFEED_HARVEST_TIME")
    digest_at = _parse_hhmm(settings.DIGEST_TIME, "PAPERFEED_DIGEST_TIME")
    now = now or timezone.now()
    next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return [
        {"job": "harvest", "schedule_type": Schedule.DAILY, "next_run": next_at(harvest_at, now)},
        {"job": "digest_daily", "schedule_type": Schedule.DAILY, "next_run": next_at(digest_at, now)},
        {"job": "digest_weekly", "schedule_type": Schedule.WEEKLY, "next_run": next_at(digest_at, now, weekday=0)},
        # Members' fetches are woken as they are queued (jobs/wake.py); hourly catches a lost wake-up.
        {"job": "fetch_papers", "schedule_type": Schedule.HOURLY, "next_run": next_hour},
        {"job": "prune_rate_limits", "schedule_type": Schedule.DAILY, "next_run": next_at(PRUNE_AT, now)},
        # The map of the field follows the index within the hour (search/mapping.py).
        {"job": "field_map", "schedule_type": Schedule.HOURLY, "next_run": next_hour + timedelta(minutes=50)},
        # Bounded batches (THUMBNAILS_PER_RUN, BACKFILL_PER_RUN), so neither holds the worker long.
        {"job": "thumbnails", "schedule_type": Schedule.HOURLY, "next_run": next_hour + timedelta(minutes=20)},
        {"job": "backfill", "schedule_type": Schedule.HOURLY, "next_run": next_hour + timedelta(minutes=40)},
    ]


def _retire_unwanted(wanted_names: list[str]) -> list[str]:
    """Delete our standing schedules that are no longer wanted (the 5-minute digest_retries of old)."""
    from django_q.models import Schedule

    unwanted = Schedule.objects.filter(name__startswith=PREFIX).exclude(name__in=wanted_names)
    names = sorted(unwanted.values_list("name", flat=True))
    unwanted.delete()
    return [f"removed {name}" for name in names]


def ensure_schedules(now: datetime | None = None) -> list[str]:
    """Create missing schedules; re-time ones whose configured time changed; drop retired ones. Idempotent."""
    from django_q.models import Schedule

    changes = []
    specs = wanted(now)
    with transaction.atomic():
        changes += _retire_unwanted([PREFIX + spec["job"] for spec in specs])
        for spec in specs:
            name = PREFIX + spec["job"]
            fields = {
                "func": FUNC,
                "kwargs": repr({"name": spec["job"]}),
                "schedule_type": spec["schedule_type"],
                "repeats": -1,
                "intended_date_kwarg": "intended",
            }
            current = Schedule.objects.filter(name=name).first()
            if current is None:
                Schedule.objects.create(name=name, next_run=spec["next_run"], **fields)
                changes.append(f"created {name} (next {spec['next_run']:%Y-%m-%d %H:%M})")
                continue
            retime = current.next_run is None or (
                current.next_run.time().replace(second=0, microsecond=0) != spec["next_run"].time()
            )
            stale = any(getattr(current, k) != v for k, v in fields.items())
            if retime or stale:
                for key, value in fields.items():
                    setattr(current, key, value)
                if retime:
                    current.next_run = spec["next_run"]
                current.save()
                changes.append(f"updated {name}")
    return changes
