"""Every API error as ``{"error": "...", "detail": ...}`` with the right status, never an HTML page.

``error`` is the key Hugging Face uses for its own errors (huggingface_hub shows it to the
user), ``detail`` names the specifics: the field, the value, the limit.

The domain refuses with its own errors (paper lookup, members' rules); :data:`DOMAIN_ERRORS`
is the one table that turns each class into its status and documented body (docs/api.md,
"Errors"). ApiError is only for what the API itself refuses (tokens, bodies, parameters).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from paperfeed.accounts import errors as rules
from paperfeed.papers.lookup import NotAnArxivId, PaperHidden, PaperLookupError, PaperNotFound

logger = logging.getLogger("paperfeed.api")


class ApiError(Exception):
    """What the API itself refuses (token, body, parameters); rendered by :func:`install` as JSON."""

    def __init__(self, status: int, error: str, detail: Any = None, headers: dict[str, str] | None = None):
        super().__init__(error)
        self.status, self.error, self.detail, self.headers = status, error, detail, headers or {}


# Domain error class → (status, error, detail). The wording is the API's documented one, kept
# short as Hugging Face's own errors are; the web shows the domain's longer sentences instead.
DOMAIN_ERRORS: dict[type[Exception], Callable[[Any], tuple[int, str, Any]]] = {
    NotAnArxivId: lambda e: (400, "Not an arXiv identifier", {"id": e.raw[:100]}),
    PaperNotFound: lambda e: (404, str(e), None),
    PaperHidden: lambda e: (403, str(e), None),
    rules.AlreadyListed: lambda e: (409, f"{e.arxiv_id} is already listed", {"day": e.day.isoformat()}),
    rules.DailyLimitReached: lambda e: (
        429, "Daily submission limit reached", {"limit": e.limit, "day": e.day.isoformat()}
    ),
    rules.CollectionNameInvalid: lambda e: (
        422, f"Invalid name: {e.reason}", [{"loc": ["body", "name"], "msg": e.reason}]
    ),
    rules.CollectionExists: lambda e: (409, f"You already have a collection named {e.name!r}", {"slug": e.slug}),
    rules.CollectionNotFound: lambda e: (
        404, f"You have no collection {e.ref[:100]!r}", 'Create it first: POST /api/collections {"name": …}'
    ),
    rules.AlreadyInCollection: lambda e: (409, f"{e.arxiv_id} is already in {e.collection!r}", None),
    rules.NotInCollection: lambda e: (404, f"{e.arxiv_id} is not in {e.collection!r}", None),
}


def domain_answer(error: Exception) -> tuple[int, str, Any]:
    """(status, error, detail) for a domain error; tests/test_member_rules.py checks every class is here."""
    return DOMAIN_ERRORS[type(error)](error)


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

    @api.exception_handler(PaperLookupError)
    @api.exception_handler(rules.MemberRuleError)
    def _domain(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(*domain_answer(exc))

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
