"""Mounts the JSON API at /api/ (docs at /api/docs, schema at /api/openapi.json)."""

from __future__ import annotations

from pathlib import Path

import ninja
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.urls import path, re_path
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt

from .main import api

_ASSETS = Path(ninja.__file__).parent / "static" / "ninja"
_ALLOWED = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.svg", "favicon.png"}


@cache_control(public=True, max_age=86400)
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in _ALLOWED:
        raise Http404(name)
    return FileResponse((_ASSETS / name).open("rb"))


@csrf_exempt  # a POST to a path that does not exist is a 404, not a CSRF refusal (no session is used)
def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Unknown /api/ paths answer in JSON too (clients parse every API answer as JSON), any method."""
    return JsonResponse({"error": "No such API endpoint", "detail": request.path[:200]}, status=404)


urlpatterns = [
    path("api/docs/assets/<str:name>", docs_asset, name="api-docs-asset"),
    path("api/", api.urls),
    # [\s\S]: ids with a newline (%0A) must land here too, not on an HTML 404 page.
    re_path(r"^api(?:/(?P<rest>[\s\S]*))?$", api_not_found),
]
