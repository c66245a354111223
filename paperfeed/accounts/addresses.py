"""A member's email address is attached to their account only once its owner proves it.

Until then the account has no address at all (``User.email`` is blank), so nothing keyed on
an address -- a digest subscription and its preferences, a password-reset mail -- can reach
the account of someone who merely typed that address into a form.

:func:`claim` is called at sign-up (and when a member sets an address later). It does the same
visible thing whoever owns the address, so the form never tells a visitor whether an address
has an account: a free address gets a signed, expiring link that :func:`verify` honours; an
address that already belongs to another account gets a note to its owner instead ("someone
tried to sign up with your address; reset your password here"), and nothing changes.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse

log = logging.getLogger(__name__)

SALT = "paperfeed.accounts.address"


class AddressLinkError(Exception):
    """A verification link that cannot be honoured; the message is a sentence for the person."""


def normalize(email: str) -> str:
    """The form addresses are compared and stored in: stripped, domain and local part lower-cased."""
    return email.strip().lower()


def make_token(user: AbstractBaseUser, email: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"u": user.pk, "e": normalize(email)}, compress=True)


def _owner(email: str, besides: AbstractBaseUser) -> AbstractBaseUser | None:
    return get_user_model().objects.filter(email__iexact=email).exclude(pk=besides.pk).first()


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _verification(user: AbstractBaseUser, email: str) -> EmailMessage:
    days = max(1, settings.EMAIL_VERIFY_MAX_AGE // 86400)
    link = _absolute(reverse("verify_email", args=[make_token(user, email)]))
    body = (
        f"Someone (hopefully you) gave this address for the {settings.SITE_NAME} account "
        f"\"{user.get_username()}\".\n\nConfirm that it is yours here:\n{link}\n\n"
        f"The link works for {days} day{'s' if days != 1 else ''}. Until it is opened, the account has no "
        "email address: no password reset and no digest settings are tied to it.\n"
        "If this was not you, ignore this email; nothing changes.\n"
    )
    return EmailMessage(f"Confirm your email address for {settings.SITE_NAME}", body, to=[email])


def _already_taken(owner: AbstractBaseUser) -> EmailMessage:
    reset = _absolute(reverse("password_reset"))
    body = (
        f"Someone tried to sign up to {settings.SITE_NAME} with this address, which already belongs to "
        f"your account \"{owner.get_username()}\". Nothing was changed, and they were not told that the "
        f"address has an account.\n\nIf it was you and you have forgotten your password, reset it here:\n"
        f"{reset}\n\nIf it was not you, ignore this email.\n"
    )
    return EmailMessage(f"Someone tried to sign up to {settings.SITE_NAME} with your address", body,
                        to=[owner.email])


def claim(user: AbstractBaseUser, email: str) -> None:
    """Mail the proof link, or the owner's note when the address is taken; never attach anything here.

    A mail server that is down is logged, not raised: the answer must not differ between a
    free and a taken address, and the member can ask for a new link later.
    """
    email = normalize(email)
    owner = _owner(email, besides=user)
    message = _already_taken(owner) if owner is not None else _verification(user, email)
    try:
        message.send()
    except Exception as error:  # SMTP down or refusing: same answer either way (see above)
        log.warning("could not send the address mail for account %s: %s", user.pk, error)


def verify(token: str) -> AbstractBaseUser:
    """Attach the address the link was made for to its account; AddressLinkError says why not."""
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=settings.EMAIL_VERIFY_MAX_AGE)
    except signing.SignatureExpired:
        raise AddressLinkError("This link has expired. Ask for a new one from your account's email page.") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise AddressLinkError("This link is not valid.") from None
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().filter(pk=payload.get("u"), is_active=True).first()
        if user is None:
            raise AddressLinkError("This link is for an account that no longer exists.")
        email = str(payload.get("e", ""))
        if _owner(email, besides=user) is not None:
            raise AddressLinkError("This address already belongs to another account.")
        if user.email != email:
            user.email = email
            user.save(update_fields=["email"])
    return user
