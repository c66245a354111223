from django.contrib import admin

from paperfeed.accounts.models import ApiToken, Collection, CollectionItem, Upvote


@admin.register(Upvote)
class UpvoteAdmin(admin.ModelAdmin):
    list_display = ("user", "paper", "created_at")
    raw_id_fields = ("user", "paper")
    search_fields = ("user__username", "paper__arxiv_id")


class CollectionItemInline(admin.TabularInline):
    model = CollectionItem
    extra = 0
    raw_id_fields = ("paper",)


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "public", "updated_at")
    search_fields = ("name", "user__username")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [CollectionItemInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "revoked")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    list_filter = ("revoked",)
