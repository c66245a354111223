"""Comments and their reports in Django's admin: moderators find reported comments and hide them.

Hiding goes through the discussion service (not a field edit), so the cached pages showing the
discussion change and open reports are resolved, as when a moderator hides from the page.
"""

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from paperfeed.discussions import service
from paperfeed.discussions.models import Comment, CommentReport, DiscussionPrefs


def _set_hidden(request: HttpRequest, queryset: QuerySet[Comment], hidden: bool) -> int:
    for comment in queryset:
        service.set_hidden(request.user, comment.pk, hidden)
    return queryset.count()


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("pk", "paper", "author", "created_at", "open_reports", "hidden_at", "deleted_at")
    list_filter = (("hidden_at", admin.EmptyFieldListFilter), ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("body", "author__username", "paper__arxiv_id")
    raw_id_fields = ("paper", "author", "parent", "hidden_by")
    readonly_fields = ("created_at", "edited_at", "deleted_at", "hidden_at", "hidden_by", "depth")
    actions = ["hide", "show"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        return super().get_queryset(request).annotate(
            open_report_count=Count("reports", filter=Q(reports__resolved_at__isnull=True)))

    @admin.display(description="open reports", ordering="open_report_count")
    def open_reports(self, obj: Comment) -> int:
        return obj.open_report_count

    @admin.action(description="Hide the selected comments")
    def hide(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self.message_user(request, f"Hid {_set_hidden(request, queryset, True)} comments.")

    @admin.action(description="Show the selected comments again")
    def show(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self.message_user(request, f"Showed {_set_hidden(request, queryset, False)} comments.")


@admin.register(CommentReport)
class CommentReportAdmin(admin.ModelAdmin):
    list_display = ("comment", "reporter", "reason", "created_at", "resolved_at")
    list_filter = (("resolved_at", admin.EmptyFieldListFilter),)
    raw_id_fields = ("comment", "reporter")


@admin.register(DiscussionPrefs)
class DiscussionPrefsAdmin(admin.ModelAdmin):
    list_display = ("user", "email_replies")
    raw_id_fields = ("user",)
