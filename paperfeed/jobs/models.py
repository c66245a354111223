"""One row per run of a scheduled job: the claim that makes two workers run it once."""

from __future__ import annotations

from django.db import models


class JobRun(models.Model):
    """A job's run for one slot (the time it was scheduled for, or a manual id).

    Unique on (name, slot): whichever worker inserts the row runs the job; any other worker
    that got the same slot (a second cluster, a broker redelivery) sees the row and skips,
    counting itself in ``duplicates_skipped``. A failed run goes back to ``failed`` with
    ``next_attempt_at``; a retry reclaims it with a conditional UPDATE.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed (a retry is scheduled unless attempts are used up)"

    name = models.CharField(max_length=64)
    slot = models.CharField(max_length=64, help_text="Scheduled time (ISO) or manual:<id>.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING, db_index=True)
    attempts = models.PositiveIntegerField(default=1)
    duplicates_skipped = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=120, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    result = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="one_run_per_job_slot")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot}: {self.status}"


class WorkerHeartbeat(models.Model):
    """One row per worker process, rewritten every PAPERFEED_WORKER_HEARTBEAT seconds.

    It is written by the worker's main loop, which runs only while its django-q2 cluster is
    alive, so a fresh beat means "a worker is taking jobs". /healthz reads the newest one; a
    worker killed with -9 leaves its row behind, and the row simply ages.
    """

    worker = models.CharField(max_length=120, unique=True, help_text="host:pid")
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
