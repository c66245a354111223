"""Admin edits invalidate the cached pages they change, as every other writer does.

The admin writes through model forms, inlines, delete views and bulk actions (``queryset.update``),
none of which pass through a domain service; these mixins and helpers tell
:mod:`paperfeed.papers.freshness` what changed after each.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from paperfeed.papers import freshness
from paperfeed.papers.models import DailyEntry, Paper


def _entries(**where) -> set[tuple[date, str]]:
    return set(DailyEntry.objects.filter(**where).values_list("day", "paper__arxiv_id"))


def papers_touched(queryset: QuerySet[Paper]) -> None:
    """After a bulk action on papers (hide, show): their pages, days and feeds."""
    freshness.papers_changed(list(queryset.values_list("arxiv_id", flat=True)), visibility=True)


def entries_touched(queryset: QuerySet[DailyEntry]) -> None:
    """After a bulk action on daily entries (hide, show)."""
    freshness.listings_changed(set(queryset.values_list("day", "paper__arxiv_id")))


class PaperFreshness:
    """For the Paper admin: an edit, its inline listings, a delete."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        freshness.papers_changed([obj.arxiv_id], visibility=True)

    def save_related(self, request, form, formsets, change):
        before = _entries(paper=form.instance)
        super().save_related(request, form, formsets, change)
        freshness.listings_changed(before | _entries(paper=form.instance))

    def delete_model(self, request, obj):
        self.delete_queryset(request, Paper.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        ids = list(queryset.values_list("arxiv_id", flat=True))
        listed = _entries(paper__arxiv_id__in=ids)
        super().delete_queryset(request, queryset)
        freshness.listings_changed(listed)
        freshness.papers_changed(ids, visibility=True)


class EntryFreshness:
    """For the DailyEntry admin: an edit (which may move an entry to another day), a delete."""

    def save_model(self, request, obj, form, change):
        before = _entries(pk=obj.pk) if change else set()
        super().save_model(request, obj, form, change)
        freshness.listings_changed(before | _entries(pk=obj.pk))

    def delete_model(self, request, obj):
        self.delete_queryset(request, DailyEntry.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        listed = set(queryset.values_list("day", "paper__arxiv_id"))
        super().delete_queryset(request, queryset)
        freshness.listings_changed(listed)
