"""Job claims, retries with backoff (JobRun is the one layer that retries), jobs calling the
ingest service, and the standing schedules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from paperfeed.jobs import jobs, runner, schedules
from paperfeed.jobs.models import JobRun
from tests.ingest.server import OaiPages
from tests.support.servers import LocalServer

pytestmark = pytest.mark.django_db


def test_failing_job_is_recorded_and_retried_with_backoff(settings, data_dir, no_sleep):
    from django_q.models import Schedule

    settings.ARXIV_OAI_URL = "http://127.0.0.1:9/oai"  # nothing listens: the harvest fails
    settings.HARVEST_SETS = ["cs.CL"]
    settings.HTTP_TIMEOUT = 2
    result = runner.run_scheduled("harvest", intended="2026-05-12T02:30:00+00:00")
    assert "failed" in result
    run = JobRun.objects.get()
    assert run.status == JobRun.Status.FAILED and run.attempts == 1 and run.last_error
    assert run.next_attempt_at > timezone.now() + timedelta(seconds=runner.backoff(1) - 5)
    retry = Schedule.objects.get(name__startswith="retry harvest")
    assert retry.schedule_type == Schedule.ONCE and "2026-05-12T02:30:00+00:00" in retry.kwargs

    # Before the backoff is over nobody may take it; afterwards exactly one worker does.
    assert runner.claim("harvest", run.slot) is None
    later = run.next_attempt_at + timedelta(seconds=1)
    again = runner.claim("harvest", run.slot, now=later)
    assert again is not None and again.attempts == 2
    assert runner.claim("harvest", run.slot, now=later) is None
    assert JobRun.objects.get().duplicates_skipped == 2


def _time_passes(run_name: str) -> None:
    """Move a failed run's retry time to now, as if the backoff were over."""
    JobRun.objects.filter(name=run_name).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_failing_job_is_retried_by_jobrun_alone_the_configured_number_of_times(settings, data_dir, no_sleep):
    from django_q.models import Schedule

    assert settings.Q_CLUSTER["max_attempts"] == 1  # django-q2 executes once and never retries
    settings.ARXIV_OAI_URL = "http://127.0.0.1:9/oai"  # nothing listens: every run fails
    settings.HARVEST_SETS = ["cs.CL"]
    settings.HTTP_TIMEOUT = 2
    settings.JOB_MAX_ATTEMPTS = 3
    slot = "2026-05-12T02:30:00+00:00"
    results = []
    for _ in range(4):
        results.append(runner.run_scheduled("harvest", intended=slot))  # never raises into django-q2
        _time_passes("harvest")
    assert [r.split(": ", 1)[1].split(" ")[0] for r in results] == ["failed", "failed", "failed", "skipped"]
    run = JobRun.objects.get()
    assert run.status == JobRun.Status.FAILED and run.attempts == 3 and run.duplicates_skipped == 1
    assert "IngestError" in run.last_error and "oai" in run.last_error
    assert Schedule.objects.filter(name__startswith="retry harvest").count() == 2  # after runs 1 and 2
    assert runner.claim("harvest", slot, now=timezone.now() + timedelta(days=1)) is None


def test_a_dead_workers_run_is_reclaimed_only_while_attempts_are_left(settings):
    settings.JOB_MAX_ATTEMPTS = 2
    slot = "2026-05-12T06:00:00+00:00"
    assert runner.claim("index_sync", slot) is not None  # this worker then dies: the row stays running
    later = timezone.now() + timedelta(seconds=runner.stale_seconds() + 1)
    assert runner.claim("index_sync", slot, now=later).attempts == 2  # django-q2's redelivery
    much_later = later + timedelta(seconds=runner.stale_seconds() + 1)
    assert runner.claim("index_sync", slot, now=much_later) is None  # used up: no third run


def test_harvest_job_calls_the_ingest_service_and_summarises_its_reports(fixtures, settings, data_dir):
    pages = OaiPages(fixtures / "arxiv-formats", pages=2, per_page=3)
    settings.HARVEST_SETS = ["cs", "math"]
    with LocalServer(pages) as server:
        settings.ARXIV_OAI_URL = server.url + "/oai"
        summary = jobs.harvest()
    cs, math, index = summary.split("; ")
    assert cs.startswith("cs: oai: added 6, updated 0, unchanged 0, rejected 0, pages 2")
    assert math.startswith("math: oai: added 0, updated 0, unchanged 6, rejected 0, pages 2")
    assert index.startswith("index sync: ")


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
    # The 5-minute digest_retries schedule of older versions: retired, JobRun retries instead.
    Schedule.objects.create(name="paperfeed:digest_retries", func=runner.FUNC, schedule_type=Schedule.MINUTES,
                            minutes=5, repeats=-1, kwargs=repr({"name": "digest_retries"}))
    created = schedules.ensure_schedules(now)
    assert created[0] == "removed paperfeed:digest_retries" and len(created) == 9
    assert sorted(Schedule.objects.values_list("name", flat=True)) == [
        "paperfeed:backfill", "paperfeed:digest_daily", "paperfeed:digest_weekly", "paperfeed:fetch_papers",
        "paperfeed:field_map", "paperfeed:harvest", "paperfeed:prune_rate_limits", "paperfeed:thumbnails"]
    assert Schedule.objects.get(name="paperfeed:fetch_papers").next_run == datetime(2026, 5, 12, 11, 0, tzinfo=UTC)
    harvest = Schedule.objects.get(name="paperfeed:harvest")
    assert harvest.next_run == datetime(2026, 5, 13, 3, 15, tzinfo=UTC)
    assert Schedule.objects.get(name="paperfeed:digest_weekly").next_run.weekday() == 0
    assert schedules.ensure_schedules(now) == []
    settings.HARVEST_TIME = "04:00"
    assert schedules.ensure_schedules(now) == ["updated paperfeed:harvest"]
    settings.HARVEST_TIME = "4pm"
    with pytest.raises(ValueError, match="PAPERFEED_HARVEST_TIME must be HH:MM"):
        schedules.ensure_schedules(now)


def test_the_wake_up_names_the_runner_and_a_known_job():
    """jobs/wake.py queues the runner by name (importing it in a web request would load every job)."""
    from paperfeed.jobs import wake

    assert wake.FUNC == runner.FUNC and wake.JOB in jobs.JOBS
