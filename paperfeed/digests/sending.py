"""Sending digests exactly once per subscriber and period, surviving races, SMTP outages and crashes.

1. ``plan`` creates one DigestSend row per active subscriber for the period. The row is
   unique on (subscription, period_key), so two workers planning at once make one row.
2. ``claim`` moves a row pending→sending with a single conditional UPDATE (compare-and-set);
   the UPDATE's row count says who won, on SQLite and PostgreSQL alike, so two workers never
   both send one row.
3. ``deliver`` sends over SMTP, then marks the row sent. A failure is recorded (attempts,
   last_error) and the row goes back to pending, due at once — never dropped; after
   DIGEST_MAX_ATTEMPTS attempts it is marked failed. Nothing here waits or loops: the row is a
   ledger, not a retry layer. The digest job that left rows pending fails
   (``SendReport.raise_if_undelivered``), and its JobRun reruns it with backoff; the rerun skips
   what was sent and sends what is pending. One layer, JobRun, owns retries (docs/worker.md).
4. A worker that dies between the SMTP "250 OK" and the UPDATE leaves a ``sending`` row;
   after DIGEST_STALE_SENDING seconds it is claimable again, so the email goes out again:
   at-least-once. docs/digests.md says why that beats at-most-once here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from paperfeed.lists.ranking import Period

from . import content, emails, subscriptions
from .feedback import record_shown
from .models import DigestSend, ShownPick, Subscription

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class DigestsUndelivered(RuntimeError):
    """Digests were left pending (SMTP down, a digest that could not be built): the run must be retried."""


@dataclass
class SendReport:
    planned: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retry_later: int = 0
    not_claimed: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"planned {self.planned}, sent {self.sent}, skipped (empty) {self.skipped}, "
                f"retry later {self.retry_later}, failed {self.failed}, claimed by another worker {self.not_claimed}")

    def raise_if_undelivered(self) -> None:
        """Fail the run that left digests pending, so its retry sends them; given-up rows don't count."""
        if self.retry_later:
            raise DigestsUndelivered(f"{self.retry_later} digest(s) left pending for a retry of this run: {self}")

    def count(self, status: str) -> None:
        if status == DigestSend.Status.SENT:
            self.sent += 1
        elif status == DigestSend.Status.SKIPPED:
            self.skipped += 1
        elif status == DigestSend.Status.FAILED:
            self.failed += 1
        else:
            self.retry_later += 1


def plan(frequency: str, period: Period) -> int:
    """Create the pending rows for every active subscriber of this frequency; returns how many are new."""
    key = content.period_key(frequency, period)
    created = 0
    active = Subscription.objects.filter(status=Subscription.Status.ACTIVE, frequency=frequency)
    existing = set(DigestSend.objects.filter(period_key=key).values_list("subscription_id", flat=True))
    now = timezone.now()
    for sub_id in active.exclude(pk__in=existing).values_list("pk", flat=True):
        try:
            with transaction.atomic():
                DigestSend.objects.create(subscription_id=sub_id, period_key=key, next_attempt_at=now)
                created += 1
        except IntegrityError:  # another worker planned it first: fine, there is still one row
            pass
    return created


def claimable(now: datetime | None = None) -> Q:
    now = now or timezone.now()
    stale = now - timedelta(seconds=int(settings.DIGEST_STALE_SENDING))
    return Q(status=DigestSend.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=DigestSend.Status.SENDING, claimed_at__lt=stale
    )


def claim(send_id: int, worker: str, now: datetime | None = None) -> bool:
    """Atomically take the row for this worker; False if someone else has it or it is not due."""
    now = now or timezone.now()
    won = DigestSend.objects.filter(claimable(now), pk=send_id).update(
        status=DigestSend.Status.SENDING, claimed_at=now, claimed_by=worker[:120], attempts=F("attempts") + 1
    )
    return won == 1


def _finish(send: DigestSend, **fields) -> None:
    # Only the worker holding the claim may finish it (a stale claim retaken elsewhere wins).
    DigestSend.objects.filter(pk=send.pk, status=DigestSend.Status.SENDING, claimed_by=send.claimed_by).update(**fields)


def _record_failure(send: DigestSend, error: Exception) -> str:
    """Count the failed attempt: pending and due at once for the next run, or failed after the last attempt."""
    error_text = f"{type(error).__name__}: {error}"[:2000]
    if send.attempts >= int(settings.DIGEST_MAX_ATTEMPTS):
        _finish(send, status=DigestSend.Status.FAILED, last_error=error_text, next_attempt_at=None)
        log.error("digest %s to %s failed for good after %d attempts: %s", send.period_key,
                  send.subscription.email, send.attempts, error_text)
        return DigestSend.Status.FAILED
    _finish(send, status=DigestSend.Status.PENDING, last_error=error_text, next_attempt_at=timezone.now())
    log.warning("digest %s to %s failed (attempt %d), left for the next run: %s", send.period_key,
                send.subscription.email, send.attempts, error_text)
    return DigestSend.Status.PENDING


def deliver(send: DigestSend, connection=None) -> str:
    """Build and send one claimed digest; returns the row's new status."""
    subscription = send.subscription
    if not subscription.is_active:  # unsubscribed after planning: takes effect at once
        _finish(send, status=DigestSend.Status.SKIPPED, last_error="unsubscribed before sending")
        return DigestSend.Status.SKIPPED
    _, period = content.period_from_key(send.period_key)
    digest = content.build(subscription, period)
    if digest.empty:
        _finish(send, status=DigestSend.Status.SKIPPED, last_error="nothing new for this subscriber")
        return DigestSend.Status.SKIPPED
    message = emails.digest_message(
        subscription, digest, subscriptions.unsubscribe_url(subscription), send.pk, send.period_key
    )
    try:
        message.connection = connection
        message.send()
    except Exception as error:  # SMTP refused, timed out, server down…: recorded for the next run
        return _record_failure(send, error)
    _finish(
        send, status=DigestSend.Status.SENT, sent_at=timezone.now(), last_error="",
        message_id=message.extra_headers.get("Message-ID", ""), paper_ids=digest.arxiv_ids(),
    )
    if digest.picks:  # recommended once: never a pick again, here or on "For you"
        record_shown(subscription.user, [pick.paper for pick in digest.picks], ShownPick.Where.DIGEST)
    return DigestSend.Status.SENT


def process(send_ids: list[int] | None = None, worker: str | None = None, now: datetime | None = None) -> SendReport:
    """Claim and send every due row (or just ``send_ids``); safe to run in many workers at once."""
    worker = worker or worker_name()
    report = SendReport()
    qs = DigestSend.objects.filter(claimable(now))
    if send_ids is not None:
        qs = qs.filter(pk__in=send_ids)
    ids = list(qs.order_by("next_attempt_at", "pk").values_list("pk", flat=True))
    connection = get_connection()
    try:
        for send_id in ids:
            if not claim(send_id, worker, now):
                report.not_claimed += 1
                continue
            send = DigestSend.objects.select_related("subscription", "subscription__user").get(pk=send_id)
            try:
                status = deliver(send, connection)
            except Exception as error:  # a bug building one digest must not stop everyone else's
                log.exception("digest %s could not be built", send_id)
                status = _record_failure(send, error)
                report.errors.append(f"{send.period_key} {send.subscription.email}: {error}")
            report.count(status)
    finally:
        # Closing a connection to a server that died: nothing left to do.
        with contextlib.suppress(Exception):
            connection.close()
    return report


def send_digests(frequency: str, period: Period | None = None, worker: str | None = None) -> SendReport:
    """Plan this period's digests and send every due one (including earlier retries)."""
    period = period or content.digest_period(frequency)
    planned = plan(frequency, period)
    report = process(worker=worker)
    report.planned = planned
    return report


def preview(frequency: str, period: Period) -> list[tuple[Subscription, emails.DigestContent, str]]:
    """(subscriber, content, status) for every active subscriber — what --dry-run prints."""
    key = content.period_key(frequency, period)
    done = dict(DigestSend.objects.filter(period_key=key).values_list("subscription_id", "status"))
    rows = []
    for subscription in Subscription.objects.filter(status=Subscription.Status.ACTIVE, frequency=frequency).select_related("user"):
        rows.append((subscription, content.build(subscription, period), done.get(subscription.pk, "not planned")))
    return rows
