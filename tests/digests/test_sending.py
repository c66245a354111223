"""SMTP outages are retried with backoff and delivered later; the command previews and sends."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from paperfeed.digests import sending
from paperfeed.digests.models import DigestSend, Subscription
from tests.support.servers import SmtpSink, free_port

pytestmark = pytest.mark.django_db


def _active(email="reader@example.com", **fields) -> Subscription:
    return Subscription.objects.create(email=email, status=Subscription.Status.ACTIVE, **fields)


def test_smtp_down_is_recorded_retried_with_backoff_and_delivered(smtp, day_papers, settings):
    _active(categories=["cs.LG"])
    port = free_port()  # nothing listens here yet: connection refused
    settings.EMAIL_PORT = port
    settings.DIGEST_RETRY_BASE = "60"
    before = timezone.now()
    report = sending.send_digests("daily")
    assert report.sent == 0 and report.retry_later == 1
    row = DigestSend.objects.get()
    assert row.status == DigestSend.Status.PENDING and row.attempts == 1
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    assert row.next_attempt_at >= before + timedelta(seconds=59)

    # Still down at the retry: the second wait is 4x longer.
    first_retry = row.next_attempt_at
    assert sending.process(now=first_retry + timedelta(seconds=1)).retry_later == 1
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at >= first_retry + timedelta(seconds=240)

    server = SmtpSink(port=port).start()
    try:
        assert sending.process().sent == 0  # not due yet: nothing is sent early
        assert sending.process(now=row.next_attempt_at + timedelta(seconds=1)).sent == 1
        assert len(server.messages) == 1 and server.messages[0]["To"] == "reader@example.com"
    finally:
        server.stop()
    row.refresh_from_db()
    assert row.status == DigestSend.Status.SENT and row.attempts == 3 and row.last_error == ""


def test_gives_up_after_max_attempts_but_keeps_the_record(smtp, day_papers, settings):
    _active()
    settings.EMAIL_PORT = free_port()
    settings.DIGEST_MAX_ATTEMPTS = "2"
    sending.send_digests("daily")
    row = DigestSend.objects.get()
    sending.process(now=row.next_attempt_at + timedelta(seconds=1))
    row.refresh_from_db()
    assert row.status == DigestSend.Status.FAILED and row.attempts == 2 and row.last_error


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
