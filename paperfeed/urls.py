"""Top-level routes; each app owns its own urls module and its own prefixes inside it."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("paperfeed.api.urls")),
    path("", include("paperfeed.accounts.urls")),
    path("", include("paperfeed.search.urls")),
    path("", include("paperfeed.digests.urls")),
    path("", include("paperfeed.feeds.urls")),
]
