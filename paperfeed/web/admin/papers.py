from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone

from paperfeed.accounts.merge import merge_papers
from paperfeed.papers import freshness
from paperfeed.papers.models import DailyEntry, Paper

from .freshness import EntryFreshness, PaperFreshness, entries_touched, papers_touched


class DailyEntryInline(admin.TabularInline):
    model = DailyEntry
    extra = 0
    raw_id_fields = ("submitted_by",)
    fields = ("day", "source", "submitted_by", "submitter_name", "hidden")


@admin.register(Paper)
class PaperAdmin(PaperFreshness, admin.ModelAdmin):
    list_display = ("arxiv_id", "title", "primary_category", "announced", "version", "imported_upvotes",
                    "local_upvotes", "withdrawn", "hidden")
    list_filter = ("hidden", "withdrawn", "primary_category", "source")
    search_fields = ("arxiv_id", "title")
    date_hierarchy = "announced"
    readonly_fields = ("content_hash", "created_at", "updated_at", "local_upvotes")
    inlines = [DailyEntryInline]
    actions = ["hide", "unhide", "merge_into_first"]

    # updated_at moves so the index follower drops/restores the paper on its next sync.
    @admin.action(description="Hide from lists and search")
    def hide(self, request, queryset):
        queryset.update(hidden=True, updated_at=timezone.now())
        papers_touched(queryset)

    @admin.action(description="Show again")
    def unhide(self, request, queryset):
        queryset.update(hidden=False, updated_at=timezone.now())
        papers_touched(queryset)

    @admin.action(description="Merge selected duplicates into the oldest one (moves entries and votes)")
    def merge_into_first(self, request, queryset):
        papers = list(queryset.order_by("created_at"))
        if len(papers) < 2:
            self.message_user(request, "Select at least two papers to merge.", messages.WARNING)
            return
        with transaction.atomic():
            merged = [p.arxiv_id for p in papers]
            target = merge_papers(papers[0], papers[1:])
            freshness.papers_changed(merged, visibility=True)
        self.message_user(request, f"Merged {len(papers) - 1} paper(s) into {target.arxiv_id}.")


@admin.register(DailyEntry)
class DailyEntryAdmin(EntryFreshness, admin.ModelAdmin):
    list_display = ("day", "paper", "source", "submitted_by", "submitter_name", "hidden")
    list_filter = ("source", "hidden")
    date_hierarchy = "day"
    search_fields = ("paper__arxiv_id", "paper__title", "submitter_name")
    raw_id_fields = ("paper", "submitted_by")
    actions = ["hide", "unhide"]

    @admin.action(description="Hide from the daily list")
    def hide(self, request, queryset):
        queryset.update(hidden=True)
        entries_touched(queryset)

    @admin.action(description="Show again")
    def unhide(self, request, queryset):
        queryset.update(hidden=False)
        entries_touched(queryset)
