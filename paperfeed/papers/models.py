"""Papers and the days they were listed on: the system of record every index derives from."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from .arxiv import abs_url, pdf_url

# A paper's vote count: imported (Hugging Face) plus local votes. Paper.upvotes is the same
# sum in Python; this is the form the database can order by.
UPVOTES = F("imported_upvotes") + F("local_upvotes")


class PaperQuerySet(models.QuerySet["Paper"]):
    def visible(self) -> PaperQuerySet:
        return self.filter(hidden=False)

    def with_score(self) -> PaperQuerySet:
        """Each paper's vote count as ``score``, so lists can order by it in the query."""
        return self.annotate(score=UPVOTES)

    def in_category(self, category: str) -> PaperQuerySet:
        return self.filter(_any_category_q([category.strip()]))

    def in_categories(self, categories: list[str] | None) -> PaperQuerySet:
        """Papers in any of these categories; all papers when none are given."""
        return self.filter(_any_category_q(categories)) if categories else self

    def announced_or_listed(self, start: date, end: date) -> PaperQuerySet:
        """Papers announced in [start, end] or on a (visible) daily list of those days."""
        listed = DailyEntry.objects.filter(day__range=(start, end), hidden=False).values("paper_id")
        return self.filter(Q(announced__range=(start, end)) | Q(pk__in=listed))


def _any_category_q(categories: list[str]) -> Q:
    # categories is stored space-padded (" cs.LG cs.AI "), so a padded contains is exact.
    q = Q()
    for category in categories:
        q |= Q(categories__contains=f" {category} ")
    return q


class Paper(models.Model):
    """One arXiv paper, keyed by its id without version; always holds the newest version seen."""

    arxiv_id = models.CharField(max_length=64, unique=True)
    version = models.PositiveIntegerField(
        default=0, help_text="Newest version seen; 0 when the source did not say (e.g. Hugging Face)."
    )
    versions = models.JSONField(default=list, blank=True, help_text='[{"version": 1, "date": "…"}, …]')
    title = models.TextField()
    abstract = models.TextField(blank=True)
    authors = models.JSONField(default=list, blank=True, help_text="Ordered list of author names.")
    primary_category = models.CharField(max_length=32, blank=True, db_index=True)
    categories = models.CharField(
        max_length=512, blank=True, help_text="Space-separated and space-padded, primary first."
    )
    comment = models.TextField(blank=True)
    journal_ref = models.TextField(blank=True)
    doi = models.CharField(max_length=255, blank=True)
    license = models.CharField(max_length=255, blank=True)
    published = models.DateTimeField(null=True, blank=True, help_text="Date of version 1.")
    updated = models.DateTimeField(null=True, blank=True, help_text="Date of the newest version.")
    announced = models.DateField(null=True, blank=True, db_index=True, help_text="Day it was listed.")
    code_url = models.URLField(max_length=500, blank=True)
    project_url = models.URLField(max_length=500, blank=True)
    withdrawn = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False, help_text="Hidden by a moderator: not listed or searchable.")
    # Community data imported from Hugging Face; kept apart from local votes so neither is lost.
    imported_upvotes = models.PositiveIntegerField(default=0)
    local_upvotes = models.PositiveIntegerField(default=0, help_text="Denormalised count of Upvote rows.")
    github_stars = models.PositiveIntegerField(null=True, blank=True)
    organization = models.CharField(max_length=100, blank=True, help_text="Hugging Face organisation handle.")
    organization_name = models.CharField(max_length=200, blank=True, help_text="Its display name.")
    # Set by the worker (papers/thumbnails.py), never by the upsert: a re-ingest keeps them.
    thumbnail = models.CharField(max_length=200, blank=True, help_text="Storage key of the first-page thumbnail.")
    thumbnail_tries = models.PositiveSmallIntegerField(default=0, help_text="Failed renders so far.")
    arxiv_checked_at = models.DateTimeField(
        null=True, blank=True, help_text="When the backfill last asked arXiv about a Hugging Face-only paper."
    )
    ai_summary = models.TextField(blank=True)
    ai_keywords = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=32, blank=True, help_text="Source of the current metadata.")
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The index follower syncs by this watermark; a no-op re-ingest must not touch it.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-announced", "-arxiv_id"]
        indexes = [models.Index(fields=["announced", "hidden"])]

    def __str__(self) -> str:
        return f"{self.arxiv_id}: {self.title[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("paper", args=[self.arxiv_id])

    @property
    def upvotes(self) -> int:
        return self.imported_upvotes + self.local_upvotes

    @property
    def category_list(self) -> list[str]:
        return self.categories.split()

    @property
    def abs_url(self) -> str:
        return abs_url(self.arxiv_id)

    @property
    def pdf_url(self) -> str:
        return pdf_url(self.arxiv_id, self.version or None)


class DailyEntry(models.Model):
    """A paper on the list of a given day, submitted by a member or imported."""

    class Source(models.TextChoices):
        MEMBER = "member", "Submitted by a member"
        HF = "hf", "Imported from Hugging Face daily papers"
        ADMIN = "admin", "Added by an admin"

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="daily_entries")
    day = models.DateField(db_index=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MEMBER)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    submitter_name = models.CharField(max_length=150, blank=True, help_text="Imported submitter's name.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    num_comments = models.PositiveIntegerField(default=0)
    extra = models.JSONField(default=dict, blank=True, help_text="Imported fields kept for API fidelity.")
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["paper", "day"], name="one_entry_per_paper_per_day")]
        verbose_name_plural = "daily entries"

    def __str__(self) -> str:
        return f"{self.day} {self.paper.arxiv_id}"
