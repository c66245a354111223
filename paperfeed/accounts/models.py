"""What members do: upvote, save papers to collections, use API tokens; and what keeps them in bounds
(rate-limit counters) or waits for the worker (papers queued to be fetched from arXiv)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from paperfeed.papers.models import Paper


class Upvote(models.Model):
    """One local vote; the unique constraint is what makes it one per person, even under races."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="upvotes")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="upvote_set")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="one_upvote_per_user_paper")]

    def __str__(self) -> str:
        return f"{self.user} ↑ {self.paper.arxiv_id}"


class Collection(models.Model):
    """A named set of papers ("tag" in arxiv-sanity terms); what recommendations learn from."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collections")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120)
    public = models.BooleanField(default=False)
    papers = models.ManyToManyField(Paper, through="CollectionItem", related_name="collections")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="unique_collection_name_per_user"),
            models.UniqueConstraint(fields=["user", "slug"], name="unique_collection_slug_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user}/{self.name}"


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="collection_items")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at"]
        constraints = [models.UniqueConstraint(fields=["collection", "paper"], name="paper_once_per_collection")]

    def __str__(self) -> str:
        return f"{self.collection} ∋ {self.paper_id}"


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="default")
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str = "default") -> tuple[ApiToken, str]:
        secret = "pf_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=secret[:10], digest=cls.hash(secret))
        return token, secret


class RateCounter(models.Model):
    """Attempts of one scope ("web.vote", "api.write") by one key (a member, an IP, a token) in one
    fixed window. Counted in place by accounts.ratelimits, so every process shares the count."""

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=200)
    window_s = models.PositiveIntegerField()
    window_start = models.BigIntegerField(help_text="Unix time the window began.")
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "window_s", "window_start"], name="one_counter_per_window")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.hits}"


class PaperFetch(models.Model):
    """A paper members named that the hub lacks, queued for the worker to fetch from arXiv.

    One row per arXiv id, however many members asked; what each of them wants done with it
    waits in FetchIntent. No web request calls arXiv: the worker's ``fetch_papers`` job does,
    at arXiv's polite rate (accounts.fetching).
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ADDED = "added", "Added"
        NOT_FOUND = "not_found", "Not found on arXiv"
        FAILED = "failed", "Failed"

    arxiv_id = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    paper = models.ForeignKey(Paper, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(help_text="When it was (last) queued.")
    attempts = models.PositiveIntegerField(default=0, help_text="Times the worker asked arXiv.")
    claimed_until = models.DateTimeField(null=True, blank=True, help_text="A worker is fetching it until then.")
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.arxiv_id}: {self.state}"


class FetchIntent(models.Model):
    """What one member wants done once a queued paper arrives: list it today, or save it to a collection.

    Completed once: the worker sets ``done_at`` in the same transaction as the listing or the
    save, and only where it was still unset.
    """

    class Action(models.TextChoices):
        SUBMIT = "submit", "Submit to today's list"
        SAVE = "save", "Save to a collection"

    class Outcome(models.TextChoices):
        LISTED = "listed", "Added: listed on today's papers"
        ALREADY_LISTED = "already_listed", "Added: already listed, so it got your upvote"
        SAVED = "saved", "Added: saved to the collection"
        ALREADY_SAVED = "already_saved", "Added: already in the collection"
        NOT_FOUND = "not_found", "Not found on arXiv"
        FAILED = "failed", "Failed: arXiv was unreachable or refused the id"

    fetch = models.ForeignKey(PaperFetch, on_delete=models.CASCADE, related_name="intents")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fetch_intents")
    action = models.CharField(max_length=16, choices=Action.choices)
    collection = models.ForeignKey(Collection, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="fetch_intents")
    requested_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["fetch", "user"], condition=Q(action="submit", done_at__isnull=True),
                                    name="one_open_submit_per_fetch_user"),
            models.UniqueConstraint(fields=["fetch", "collection"], condition=Q(action="save", done_at__isnull=True),
                                    name="one_open_save_per_fetch_collection"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.fetch.arxiv_id}: {self.outcome or 'pending'}"
