"""Personal API tokens: ``Authorization: Bearer pf_…`` → the token's owner.

Only the token's SHA-256 is stored (accounts.models.ApiToken), so a lookup is one indexed
query on the digest. Missing header → 401 "Authentication required"; a token that is not
ours or revoked → 401 naming that; a disabled account → 403.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from paperfeed.accounts.models import ApiToken

from .errors import ApiError
from .ratelimits import check_write

# last_used_at is informational; writing it on every request would turn reads into writes.
TOUCH_EVERY = timedelta(minutes=5)
TOKEN_PREFIX = "pf_"
MAX_TOKEN_LENGTH = 200
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenAuth(HttpBearer):
    """Bearer auth over ApiToken; sets ``request.auth`` to the ApiToken and ``request.user``."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        secret = token.strip()
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > MAX_TOKEN_LENGTH:
            raise ApiError(401, "Invalid API token", "paperfeed tokens start with 'pf_'",
                           {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        api_token = (
            ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(secret)).first()
        )
        if api_token is None or api_token.revoked:
            raise ApiError(401, "Invalid or revoked API token", None,
                           {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if not api_token.user.is_active:
            raise ApiError(403, "This account is disabled")
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
            api_token.last_used_at = now
        request.user = api_token.user
        request.auth = api_token
        if request.method not in SAFE_METHODS:
            # Here rather than in the view: auth runs before ninja parses the body, so an
            # oversized body is refused unread and every attempt counts against the limit.
            check_body_size(request)
            check_write(request)
        return api_token


def check_body_size(request: HttpRequest) -> None:
    limit = int(settings.API_MAX_BODY_BYTES)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ApiError(400, "Invalid Content-Length header") from None
    if declared > limit:
        raise ApiError(413, "Request body too large", {"limit_bytes": limit, "got_bytes": declared})


token_auth = TokenAuth()
