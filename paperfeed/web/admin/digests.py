from django.contrib import admin
from django.utils import timezone

from paperfeed.digests.models import DigestSend, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("email", "user", "frequency", "status", "include_picks", "confirmed_at", "created_at")
    list_filter = ("status", "frequency", "include_picks")
    search_fields = ("email", "user__username")
    readonly_fields = ("created_at", "confirmed_at", "unsubscribed_at", "confirmation_sent_at")


@admin.action(description="Retry: back to pending; the next digest run (or `paperfeed worker --run digest_retries`) sends it")
def retry_now(modeladmin, request, queryset):
    queryset.filter(status__in=[DigestSend.Status.FAILED, DigestSend.Status.PENDING]).update(
        status=DigestSend.Status.PENDING, next_attempt_at=timezone.now()
    )


@admin.register(DigestSend)
class DigestSendAdmin(admin.ModelAdmin):
    list_display = ("period_key", "subscription", "status", "attempts", "next_attempt_at", "sent_at", "claimed_by")
    list_filter = ("status", "period_key")
    search_fields = ("subscription__email", "period_key", "last_error")
    readonly_fields = ("created_at", "claimed_at", "sent_at", "message_id", "paper_ids")
    actions = [retry_now]
