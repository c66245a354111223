"""Signed links: confirm (salted, expiring) and unsubscribe (salted, valid as long as the row).

Why signing rather than stored random tokens: no extra table, nothing to leak from the
database, and a confirm token can carry the requested preferences so they only take
effect once the owner of the address clicks.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "paperfeed.digests.confirm"
UNSUBSCRIBE_SALT = "paperfeed.digests.unsubscribe"


class TokenError(ValueError):
    """A link that is malformed, tampered with, expired or for another subscription."""


def _email_tag(email: str) -> str:
    # Binds a token to the address, so a reused row id never honours an old link.
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def make_confirm_token(subscription_id: int, email: str, prefs: dict) -> str:
    payload = {"s": subscription_id, "e": _email_tag(email), "p": prefs}
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(payload, compress=True)


def read_confirm_token(token: str) -> dict:
    """-> {"s": id, "e": tag, "p": prefs}; TokenError says why a link is refused."""
    try:
        max_age = int(settings.DIGEST_CONFIRM_MAX_AGE)
        return signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        raise TokenError("This confirmation link has expired; please subscribe again.") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenError("This confirmation link is not valid.") from None


def make_unsubscribe_token(subscription_id: int, email: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"s": subscription_id, "e": _email_tag(email)})


def read_unsubscribe_token(token: str) -> dict:
    try:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenError("This unsubscribe link is not valid.") from None


def matches(payload: dict, subscription_id: int, email: str) -> bool:
    return payload.get("s") == subscription_id and payload.get("e") == _email_tag(email)
