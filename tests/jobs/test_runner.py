"""Job claims, retries with backoff, and the standing schedules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from paperfeed.jobs import conf, runner, schedules
from paperfeed.jobs.models import JobRun

pytestmark = pytest.mark.django_db


def test_failing_job_is_recorded_and_retried_with_backoff(settings, data_dir):
    from django_q.models import Schedule

    settings.ARXIV_OAI_URL = "http://127.0.0.1:9/oai"  # nothing listens: the harvest fails
    settings.HARVEST_SETS = ["cs.CL"]
    settings.HTTP_TIMEOUT = 2
    result = runner.run_scheduled("harvest", intended="2026-05-12T02:30:00+00:00")
    assert "failed" in result
    run = JobRun.objects.get()
    assert run.status == JobRun.Status.FAILED and run.attempts == 1 and run.last_error
    assert run.next_attempt_at > timezone.now() + timedelta(seconds=conf.backoff(1) - 5)
    retry = Schedule.objects.get(name__startswith="retry harvest")
    assert retry.schedule_type == Schedule.ONCE and "2026-05-12T02:30:00+00:00" in retry.kwargs

    # Before the backoff is over nobody may take it; afterwards exactly one worker does.
    assert runner.claim("harvest", run.slot) is None
    later = run.next_attempt_at + timedelta(seconds=1)
    again = runner.claim("harvest", run.slot, now=later)
    assert again is not None and again.attempts == 2
    assert runner.claim("harvest", run.slot, now=later) is None
    assert JobRun.objects.get().duplicates_skipped == 2


def test_done_slot_is_never_rerun_and_unknown_jobs_are_named(settings):
    first = runner.run_scheduled("digest_retries", intended="2026-05-12T06:00:00+00:00")
    second = runner.run_scheduled("digest_retries", intended="2026-05-12T06:00:00+00:00")
    assert "digest retries" in first and "skipped" in second
    run = JobRun.objects.get()
    assert run.status == JobRun.Status.DONE and run.attempts == 1 and run.duplicates_skipped == 1
    with pytest.raises(runner.UnknownJob, match="unknown job 'nope'"):
        runner.run_scheduled("nope")


def test_standing_schedules_follow_settings_and_are_idempotent(settings):
    from django_q.models import Schedule

    settings.HARVEST_TIME = "03:15"
    now = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)  # a Tuesday
    created = schedules.ensure_schedules(now)
    assert len(created) == 4
    harvest = Schedule.objects.get(name="paperfeed:harvest")
    assert harvest.next_run == datetime(2026, 5, 13, 3, 15, tzinfo=UTC)
    assert Schedule.objects.get(name="paperfeed:digest_weekly").next_run.weekday() == 0
    assert schedules.ensure_schedules(now) == []
    settings.HARVEST_TIME = "04:00"
    assert schedules.ensure_schedules(now) == ["updated paperfeed:harvest"]
    settings.HARVEST_TIME = "4pm"
    with pytest.raises(ValueError, match="PAPERFEED_HARVEST_TIME must be HH:MM"):
        schedules.ensure_schedules(now)
