"""Top-level routes: the two doors, plus Django's admin (which the web door registers)."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("paperfeed.api.urls")),
    path("", include("paperfeed.web.urls")),
]
