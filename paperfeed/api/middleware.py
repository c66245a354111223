"""Every answer under /api/ that is an error is JSON in the documented shape, whoever made it.

The API's own handlers (api/errors.py) cover what happens inside a django-ninja view. Some
errors are decided before or around the view, by Django itself: a method the route does not
take (405), a CSRF refusal (403), a body declared larger than DATA_UPLOAD_MAX_MEMORY_SIZE (413,
which Django would answer as a generic 400), a request target over PAPERFEED_MAX_URL_BYTES (414, from
web/middleware.py), a page Django renders for an uncaught error. This middleware sits first,
so it sees all of those, and rewrites any non-JSON error under /api/ into
``{"error": ..., "detail": ...}`` with the same status and headers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .errors import error_response

# The sentence for each status Django can answer without asking the API; others use the reason phrase.
MESSAGES = {
    400: "Bad request",
    403: "Forbidden",
    404: "No such API endpoint",
    405: "Method not allowed",
    413: "Request body too large",
    414: "Request URL too long",
    500: "Internal error",
}
# Headers that still mean something once the body is JSON.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def is_api(request: HttpRequest) -> bool:
    return request.path_info == "/api" or request.path_info.startswith("/api/")


def _detail(request: HttpRequest, response: HttpResponse) -> object:
    if response.status_code == 405 and response.has_header("Allow"):
        return {"method": request.method, "allowed": [m.strip() for m in response["Allow"].split(",")]}
    if response.status_code == 404:
        return request.path[:200]
    if response.status_code == 414:
        return f"The path and query may have at most {settings.MAX_URL_BYTES} bytes"
    return None


def _as_json(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    status = response.status_code
    error = MESSAGES.get(status) or response.reason_phrase
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    return error_response(status, error, _detail(request, response), headers)


def _declared_size(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class JsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api(request):
            return self.get_response(request)
        if _declared_size(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            # Refused unread, here, where "too big" can still be told apart: Django itself would
            # raise RequestDataTooBig wherever the body is first read and answer a generic 400.
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return error_response(413, MESSAGES[413], f"The body may have at most {limit} bytes")
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            return _as_json(request, response)
        return response
