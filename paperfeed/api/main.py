"""The NinjaAPI instance: routers, JSON error handlers, and self-hosted docs at /api/docs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import reverse
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from . import errors
from .routers import collections, comments, daily, fetches, papers

DESCRIPTION = """\
paperfeed's JSON API. `GET /api/daily_papers`, `GET /api/papers/{id}` and
`GET /api/papers/search` answer in the shapes of huggingface.co's API, so existing clients
work by changing the host (e.g. `HfApi(endpoint="http://127.0.0.1:8000")`).

Writes need a personal API token (`paperfeed manage create_api_token USERNAME`), sent as
`Authorization: Bearer pf_…`; they are rate limited per token. Every error is
`{"error": "...", "detail": ...}`.
"""

_DOCS_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="{{ assets }}swagger-ui.css">
<link rel="icon" href="{{ assets }}favicon.svg" type="image/svg+xml"></head>
<body><script type="application/json" id="swagger-settings">{{ settings|safe }}</script>
<div id="swagger-ui"></div>
<script src="{{ assets }}swagger-ui-bundle.js"></script>
<script src="{{ assets }}swagger-ui-init.js"></script></body></html>"""


class LocalSwagger(DocsBase):
    """Swagger UI from the files django-ninja ships, served by us: no CDN, works offline.

    (ninja's own template needs "ninja" in INSTALLED_APPS for its static files, else it
    loads Swagger from a CDN, which a self-hosted hub without internet cannot reach.)
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        import json

        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout", "deepLinking": True}
        html = engines["django"].from_string(_DOCS_PAGE).render(
            {
                "title": api.title,
                "settings": json.dumps(settings).replace("</", "<\\/"),
                "assets": reverse("api-docs-asset", args=["x"])[:-1],
            }
        )
        return HttpResponse(html)


api = NinjaAPI(
    title="paperfeed API",
    version="1.0",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=LocalSwagger(),
    docs_url="/docs",
)
errors.install(api)
api.add_router("", daily.router)
api.add_router("", comments.router)  # before papers: its /papers/{path:arxiv_id} would take /comments
api.add_router("", papers.router)
api.add_router("", collections.router)
api.add_router("", fetches.router)
