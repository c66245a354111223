"""Subscribe, confirm, unsubscribe: the only code that changes Subscription rows.

Double opt-in: ``request_subscription`` stores (or finds) the row and mails a confirm link
whose signed token carries the requested preferences; ``confirm`` applies them. Unsubscribe
needs only the signed link and takes effect at once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from . import emails, tokens
from .models import Subscription

log = logging.getLogger(__name__)

# Don't mail the same address a new confirmation more often than this (stops a form loop
# from turning the hub into a mail cannon against one inbox).
RESEND_AFTER = timedelta(minutes=1)


class SubscriptionError(Exception):
    """A request that cannot be carried out; the message is safe to show to the visitor."""


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def confirm_url(token: str) -> str:
    return absolute(reverse("digests:confirm", args=[token]))


def unsubscribe_url(subscription: Subscription) -> str:
    token = tokens.make_unsubscribe_token(subscription.pk, subscription.email)
    return absolute(reverse("digests:unsubscribe", args=[token]))


def _get_or_create(email: str) -> Subscription:
    try:
        with transaction.atomic():
            return Subscription.objects.get_or_create(email=email)[0]
    except IntegrityError:  # two requests for one new address at once
        return Subscription.objects.get(email=email)


def _owns(user, email: str) -> bool:
    """Whether ``email`` is the member's own verified address (accounts.addresses attaches it only
    once proven): only then may a subscription to it be tied to the account, picks and all."""
    own = (getattr(user, "email", "") or "").strip().lower()
    return bool(getattr(user, "is_authenticated", False) and own and own == email.strip().lower())


def request_subscription(email: str, prefs: dict, user=None) -> Subscription:
    """Record the request and mail the confirmation link. Nothing else is ever sent before it is clicked."""
    email = email.strip().lower()
    subscription = _get_or_create(email)
    payload = dict(prefs)
    if _owns(user, email):
        payload["user"] = user.pk
    else:
        payload["include_picks"] = False
    now = timezone.now()
    if subscription.confirmation_sent_at and now - subscription.confirmation_sent_at < RESEND_AFTER:
        log.info("confirmation for %s sent less than %s ago; not resending", email, RESEND_AFTER)
        return subscription
    token = tokens.make_confirm_token(subscription.pk, email, payload)
    message = emails.confirmation_message(subscription, confirm_url(token), payload)
    try:
        message.send()
    except Exception as error:  # SMTP down: tell the visitor, keep the row for a retry
        log.warning("could not send confirmation to %s: %s", email, error)
        raise SubscriptionError(
            "We could not send the confirmation email right now. Please try again in a few minutes."
        ) from error
    Subscription.objects.filter(pk=subscription.pk).update(confirmation_sent_at=now)
    subscription.confirmation_sent_at = now
    return subscription


def _subscription_of(payload: dict, link: str) -> Subscription:
    """The subscription a verified token names, if it still exists for the same address."""
    subscription = Subscription.objects.filter(pk=payload.get("s")).first()
    if subscription is None or not tokens.matches(payload, subscription.pk, subscription.email):
        raise tokens.TokenError(f"This {link} link is for a subscription that no longer exists.")
    return subscription


def confirm(token: str) -> Subscription:
    """Activate (or update) the subscription the link was made for; TokenError if it is bad."""
    payload = tokens.read_confirm_token(token)
    subscription = _subscription_of(payload, "confirmation")
    prefs = payload.get("p") or {}
    from django.contrib.auth import get_user_model

    user = None
    if prefs.get("user"):
        user = get_user_model().objects.filter(pk=prefs["user"]).first()
        if not _owns(user, subscription.email):  # the member's address changed since the request
            user = None
    subscription.frequency = prefs.get("frequency") or Subscription.Frequency.DAILY
    subscription.categories = list(prefs.get("categories") or [])
    subscription.keywords = list(prefs.get("keywords") or [])
    subscription.include_picks = bool(prefs.get("include_picks")) and user is not None
    if user is not None:
        subscription.user = user
    subscription.status = Subscription.Status.ACTIVE
    subscription.confirmed_at = timezone.now()
    subscription.unsubscribed_at = None
    subscription.save()
    return subscription


def subscription_for_unsubscribe(token: str) -> Subscription:
    return _subscription_of(tokens.read_unsubscribe_token(token), "unsubscribe")


def unsubscribe(token: str) -> Subscription:
    """Stop every future digest for the link's subscription, at once. Idempotent."""
    subscription = subscription_for_unsubscribe(token)
    if subscription.status != Subscription.Status.UNSUBSCRIBED:
        subscription.status = Subscription.Status.UNSUBSCRIBED
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["status", "unsubscribed_at"])
    return subscription


def initial_for(user) -> dict:
    """Form defaults for a member: their address and their current subscription, if any."""
    if user is None or not user.is_authenticated:
        return {}
    # By address only when it is the member's verified one: an account whose address is not
    # proven yet has none, so it never sees another person's preferences.
    current = Subscription.objects.filter(user=user).first() or (
        Subscription.objects.filter(email=user.email.lower()).first() if user.email else None
    )
    initial = {"email": user.email, "include_picks": True}
    if current is not None:
        initial.update(
            email=current.email, frequency=current.frequency, categories=current.categories,
            keywords=", ".join(current.keywords), include_picks=current.include_picks,
        )
    return initial
