"""Every API error as ``{"error": "...", "detail": ...}`` with the right status, never an HTML page.

``error`` is the key Hugging Face uses for its own errors (huggingface_hub shows it to the
user), ``detail`` names the specifics: the field, the value, the limit.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

logger = logging.getLogger("paperfeed.api")


class ApiError(Exception):
    """Raised by services and views; rendered by :func:`install` as a JSON error."""

    def __init__(self, status: int, error: str, detail: Any = None, headers: dict[str, str] | None = None):
        super().__init__(error)
        self.status, self.error, self.detail, self.headers = status, error, detail, headers or {}


def error_response(status: int, error: str, detail: Any = None, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse({"error": error, "detail": detail}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _clean_validation(errors: list[dict]) -> list[dict]:
    """Pydantic's errors, reduced to what is JSON-safe and useful: where, what, which kind."""
    cleaned = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        cleaned.append({"loc": loc, "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))})
    return cleaned


def _validation_message(errors: list[dict]) -> str:
    if not errors:
        return "Invalid request"
    first = errors[0]
    where = ".".join(p for p in first["loc"] if p not in {"body", "payload", "query", "path"}) or "request"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"Invalid {where}: {first['msg']}{more}"


def install(api: NinjaAPI) -> None:
    """Register the JSON error handlers on the API."""

    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(exc.status, exc.error, exc.detail, exc.headers)

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = _clean_validation(list(exc.errors))
        return error_response(422, _validation_message(errors), errors)

    @api.exception_handler(AuthenticationError)
    def _auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            401,
            "Authentication required",
            "Send a personal API token: 'Authorization: Bearer pf_…' (create one with "
            "`paperfeed manage create_api_token USERNAME`)",
            {"WWW-Authenticate": 'Bearer realm="paperfeed"'},
        )

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = str(exc)
        if message.startswith("Cannot parse request body"):
            return error_response(400, "Malformed JSON body", "The request body must be a JSON object")
        return error_response(exc.status_code, message)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, str(exc) or "Not found")

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(413, "Request body too large")

    @api.exception_handler(SuspiciousOperation)
    def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return error_response(400, "Bad request", str(exc)[:200])

    @api.exception_handler(OperationalError)
    def _busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
        logger.warning("database busy on %s: %s", request.path, exc)
        return error_response(503, "The database is busy, try again shortly", None, {"Retry-After": "2"})

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Internal error", type(exc).__name__)
