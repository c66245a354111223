"""/search/ — the search page (the JSON endpoint /api/papers/search lives in the api app)."""

from django.urls import path

from . import views

urlpatterns = [
    path("search/", views.search_page, name="search"),
]
