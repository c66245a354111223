"""/healthz (JSON: 200 when the node is healthy, else 503) and /metrics (Prometheus, behind a knob).

Both are for machines (a load balancer, a monitor, a scraper), so neither renders a page or
uses a session; what counts as healthy is decided in ``paperfeed.jobs.health``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_prometheus.exports import ExportToDjangoView

from paperfeed.jobs import health


@never_cache
@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> JsonResponse:
    report = health.report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


@never_cache
@require_http_methods(["GET"])
def metrics(request: HttpRequest) -> HttpResponse:
    """Off unless PAPERFEED_METRICS=1: then a 404 tells nothing about what runs here."""
    if not settings.METRICS:
        raise Http404("No such page")
    return ExportToDjangoView(request)
