from django.contrib import admin

from paperfeed.jobs.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Every scheduled run with its outcome; the queue itself is under Django Q in the admin."""

    list_display = ("name", "slot", "status", "attempts", "duplicates_skipped", "worker", "started_at", "finished_at")
    list_filter = ("status", "name")
    search_fields = ("name", "slot", "last_error", "result")
    readonly_fields = [f.name for f in JobRun._meta.fields]
