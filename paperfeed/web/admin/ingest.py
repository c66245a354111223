from django.contrib import admin

from paperfeed.ingest.models import HarvestState


@admin.register(HarvestState)
class HarvestStateAdmin(admin.ModelAdmin):
    """Read-mostly: an operator looks here to see where a harvest stopped and why."""

    list_display = ("source", "set_spec", "prefix", "from_date", "until_date", "status", "pages", "records",
                     "added", "updated", "rejected", "last_datestamp", "updated_at")
    list_filter = ("source", "status", "prefix")
    search_fields = ("set_spec", "error")
    readonly_fields = ("started_at", "finished_at", "updated_at")
