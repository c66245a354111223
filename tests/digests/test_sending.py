"""SMTP outages fail the digest run, whose JobRun retry delivers later, once; the command previews and sends."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from paperfeed.digests import sending
from paperfeed.digests.models import DigestSend, Subscription
from paperfeed.jobs import runner
from paperfeed.jobs.models import JobRun
from tests.support.servers import SmtpSink, free_port

pytestmark = pytest.mark.django_db

SLOT = "2026-05-13T06:00:00+00:00"


def _active(email="reader@example.com", **fields) -> Subscription:
    return Subscription.objects.create(email=email, status=Subscription.Status.ACTIVE, **fields)


def _run_digest_job() -> str:
    """The scheduled daily digest for SLOT, run once its retry is due (the backoff has passed)."""
    JobRun.objects.filter(slot=SLOT).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    return runner.run_scheduled("digest_daily", intended=SLOT)


def test_smtp_down_fails_the_job_slot_and_its_retry_delivers_exactly_once(smtp, day_papers, settings):
    _active(categories=["cs.LG"])
    port = free_port()  # nothing listens here yet: connection refused
    settings.EMAIL_PORT = port
    assert "failed" in _run_digest_job()
    row, run = DigestSend.objects.get(), JobRun.objects.get()
    assert row.status == DigestSend.Status.PENDING and row.attempts == 1  # one SMTP try, no inner loop
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    assert run.status == JobRun.Status.FAILED and run.attempts == 1
    assert "DigestsUndelivered" in run.last_error and "1 digest(s) left pending" in run.last_error
    assert run.next_attempt_at >= timezone.now() + timedelta(seconds=runner.backoff(1) - 5)

    assert "failed" in _run_digest_job()  # still down at the retry: one more SMTP try
    row.refresh_from_db()
    assert row.attempts == 2 and JobRun.objects.get().attempts == 2

    server = SmtpSink(port=port).start()
    try:
        assert "daily digests: planned 0, sent 1" in _run_digest_job()
        assert "skipped" in _run_digest_job()  # the slot is done: never run again
        assert sending.send_digests("daily").sent == 0  # a later run skips what was sent
        assert len(server.messages) == 1 and server.messages[0]["To"] == "reader@example.com"
    finally:
        server.stop()
    row.refresh_from_db()
    assert row.status == DigestSend.Status.SENT and row.attempts == 3 and row.last_error == ""
    run = JobRun.objects.get()
    assert run.status == JobRun.Status.DONE and run.attempts == 3 and run.last_error == ""


def test_one_run_tries_each_email_once_and_leaves_it_due_for_the_next_run(smtp, day_papers, settings):
    _active()
    settings.EMAIL_PORT = free_port()
    report = sending.send_digests("daily")
    assert report.sent == 0 and report.retry_later == 1
    with pytest.raises(sending.DigestsUndelivered, match="1 digest"):
        report.raise_if_undelivered()
    row = DigestSend.objects.get()
    assert row.attempts == 1 and row.next_attempt_at <= timezone.now()  # due at once: the job decides when


def test_gives_up_after_max_attempts_but_keeps_the_record(smtp, day_papers, settings):
    _active()
    settings.EMAIL_PORT = free_port()
    settings.DIGEST_MAX_ATTEMPTS = 2
    sending.send_digests("daily")
    report = sending.send_digests("daily")
    row = DigestSend.objects.get()
    assert row.status == DigestSend.Status.FAILED and row.attempts == 2 and row.last_error
    assert report.failed == 1 and report.retry_later == 0
    report.raise_if_undelivered()  # given up: a retry of the run could not help, so it does not fail it
    assert sending.send_digests("daily").failed == 0 and DigestSend.objects.get().attempts == 2


def test_stale_sending_claim_is_taken_over_at_least_once(smtp, day_papers, settings):
    """A worker that died mid-send leaves 'sending'; after the timeout another worker sends it."""
    sub = _active()
    period_key = "daily:2026-05-12"
    row = DigestSend.objects.create(subscription=sub, period_key=period_key, next_attempt_at=timezone.now())
    assert sending.claim(row.pk, "dead-worker")
    assert sending.process(worker="live").sent == 0  # fresh claim: hands off
    later = timezone.now() + timedelta(seconds=settings.DIGEST_STALE_SENDING + 1)
    assert sending.process(worker="live", now=later).sent == 1
    row.refresh_from_db()
    assert row.status == DigestSend.Status.SENT and row.claimed_by == "live" and row.attempts == 2
    assert len(smtp.messages) == 1


def test_empty_digest_is_skipped_not_sent(smtp, day_papers):
    _active(keywords=["zzzunmatchablezzz"])
    report = sending.send_digests("daily")
    assert report.skipped == 1 and smtp.messages == []
    assert DigestSend.objects.get().status == DigestSend.Status.SKIPPED


def test_digest_command_dry_run_then_send(smtp, day_papers):
    _active("a@example.com", categories=["cs.CV"])
    _active("b@example.com", categories=["cs.CL"], keywords=["language"])
    out = StringIO()
    call_command("digest", "--period", "daily", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "daily:2026-05-12" in text and "a@example.com" in text and "b@example.com" in text
    assert smtp.messages == [] and not DigestSend.objects.exists()
    call_command("digest", "--period", "daily", "--send", stdout=StringIO())
    assert sorted(str(m["To"]) for m in smtp.messages) == ["a@example.com", "b@example.com"]


def test_digest_command_rejects_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="needs a week"):
        call_command("digest", "--period", "weekly", "--date", "2026-05-12")
