"""The worker's heartbeat: a row it rewrites while it runs, which /healthz reads.

A row per worker process (host:pid) rather than one shared row, so two workers never
overwrite each other's start time and the admin shows which ones ran lately. Rows of workers
that stopped beating a day ago are dropped by the next beat anywhere.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from .models import WorkerHeartbeat

FORGET_AFTER = timedelta(days=1)


def beat(worker: str, started_at: datetime, now: datetime | None = None) -> None:
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"started_at": started_at, "beat_at": now})
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()


def newest() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.order_by("-beat_at").first()
