"""Security headers that Django does not set on its own, and the limit on a request target's length."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Everything the UI needs (htmx, KaTeX, CSS) is vendored, so 'self' is enough; inline
# scripts are not allowed, which is what makes an escaped-but-missed <script> harmless.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The OpenAPI docs page loads its own inline bootstrap; keep it working there only.
        if not request.path.startswith("/api/docs"):
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response


class UrlLengthMiddleware:
    """Refuses a request target (path + query) over PAPERFEED_MAX_URL_BYTES with 414.

    The application server lets long request lines through (server.py), so that a 10,000-character
    search query fits and an over-long one gets an answer from us -- a short plain page here,
    which api/middleware.py turns into the JSON error shape under /api/ -- rather than the
    server's own HTML.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        size = len(request.META.get("PATH_INFO", "").encode()) + len(request.META.get("QUERY_STRING", "").encode())
        if size > settings.MAX_URL_BYTES:
            return HttpResponse(
                f"Request URL too long: {size} bytes, at most {settings.MAX_URL_BYTES}.\n",
                status=414,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
