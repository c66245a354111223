"""Email subscriptions, the per-period send ledger (never twice, never lost), cached picks and feedback on them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Subscription(models.Model):
    """One email address's digest preferences.

    A row exists from the first request on (status ``pending``), but nothing is mailed to it
    except the confirmation until its owner clicks the signed confirm link (double opt-in).
    Preferences requested later travel inside the signed confirm token and only replace
    these once confirmed, so nobody can change someone else's digest by knowing the address.
    """

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ACTIVE = "active", "Active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    email = models.EmailField(max_length=254, unique=True, help_text="Stored lower-cased.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="subscriptions"
    )
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.DAILY)
    categories = models.JSONField(default=list, blank=True, help_text="arXiv categories; empty = all.")
    keywords = models.JSONField(default=list, blank=True, help_text="Any keyword in title/abstract.")
    include_picks = models.BooleanField(default=False, help_text="Add personal picks (members only).")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return f"{self.email} ({self.frequency}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class DigestSend(models.Model):
    """The claim row for one subscriber's digest of one period: unique, so at most one exists.

    State machine: pending → sending → sent; a failed attempt goes back to pending (the digest
    run then fails, and its JobRun — the one layer that retries — runs it again) or, after the
    last attempt, to failed. A
    ``sending`` row older than the stale timeout (its worker died mid-send) is claimable
    again: delivery is at-least-once, see docs/digests.md.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending (claimed by a worker)"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up after the last attempt)"
        SKIPPED = "skipped", "Skipped (nothing to send)"

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="sends")
    period_key = models.CharField(max_length=32, help_text="daily:2026-04-02 or weekly:2026-W14")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=120, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    paper_ids = models.JSONField(default=list, blank=True, help_text="arXiv ids the email listed.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "period_key"], name="one_digest_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.period_key} → {self.subscription.email}: {self.status}"


class PicksCache(models.Model):
    """A member's personal picks as last computed, so "For you" reads one row instead of training a model.

    ``picks`` holds ``{"paper": pk, "score": float, "reason": str, "because_of": pk | None}`` in rank
    order for ``window``. A vote or a save bumps ``wanted_version``; a refresh stores the version it
    started from in ``computed_version``, so a vote cast while a refresh runs leaves the row due
    again instead of being lost (see digests/picks_cache.py).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="picks_cache")
    picks = models.JSONField(default=list, blank=True)
    window_start = models.DateField()
    window_end = models.DateField(db_index=True)
    computed_at = models.DateTimeField()
    wanted_version = models.PositiveIntegerField(default=0)
    computed_version = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True, db_index=True,
                                      help_text="When a vote or save last made these picks out of date.")
    shown = models.BooleanField(default=False, help_text="Whether these picks were recorded as shown (ShownPick).")

    class Meta:
        verbose_name_plural = "picks caches"

    def __str__(self) -> str:
        return f"picks of user {self.user_id} for {self.window_start}..{self.window_end}"

    @property
    def is_due(self) -> bool:
        return self.wanted_version > self.computed_version


class Feedback(models.Model):
    """A member's word on one paper for their picks: "more like this" or "not interested".

    One row per member and paper (the latest word wins), so a thumbs link clicked twice, or a
    form posted twice, changes nothing the second time. "More" counts as a saved paper for the
    recommender; "less" trains against the paper and keeps it out of the member's picks.
    """

    class Kind(models.TextChoices):
        MORE = "more", "More like this"
        LESS = "less", "Not interested"

    class Source(models.TextChoices):
        CARD = "card", "A paper card"
        EMAIL = "email", "A digest's thumbs link"
        ONBOARDING = "onboarding", "Onboarding: picked paper"
        AUTHOR = "author", "Onboarding: claimed author"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paper_feedback")
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.CARD)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="one_feedback_per_paper")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.paper_id}: {self.kind}"


class ShownPick(models.Model):
    """A paper once recommended to a member (on "For you" or in a digest): never recommended again."""

    class Where(models.TextChoices):
        FOR_YOU = "for_you", "For you page"
        DIGEST = "digest", "Digest email"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    where = models.CharField(max_length=8, choices=Where.choices)
    shown_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="pick_shown_once")]

    def __str__(self) -> str:
        return f"{self.paper_id} shown to {self.user_id} ({self.where})"
