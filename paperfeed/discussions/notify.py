"""The email a member gets when someone replies to their comment, if they opted in (default off).

Sent with Django's email after the reply is committed (``transaction.on_commit``), so a reply never
waits on a rolled-back transaction, and never fails: a mail server that is down or refusing is
logged, and the reply stands. ``EMAIL_TIMEOUT`` bounds how long a slow server can hold the request.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from .markup import to_text
from .models import Comment, DiscussionPrefs

log = logging.getLogger(__name__)


def wants_reply_emails(user) -> bool:
    return DiscussionPrefs.objects.filter(user=user, email_replies=True).exists()


def set_reply_emails(user, on: bool) -> None:
    DiscussionPrefs.objects.update_or_create(user=user, defaults={"email_replies": bool(on)})


def _message(reply: Comment) -> EmailMessage:
    parent, paper = reply.parent, reply.paper
    link = f"{settings.SITE_URL}{paper.get_absolute_url()}#comment-{reply.pk}"
    title = " ".join(paper.title.split())
    body = (
        f"{reply.author.get_username()} replied to your comment on “{title}”:\n\n"
        f"{to_text(reply.body)}\n\nRead the discussion: {link}\n\n"
        f"You get this because you asked for reply emails on {settings.SITE_NAME}; turn them off at "
        f"{settings.SITE_URL}{reverse('discussion_settings')}\n"
    )
    subject = f"{reply.author.get_username()} replied to you on {settings.SITE_NAME}"
    return EmailMessage(subject, body, to=[parent.author.email])


def reply_posted(reply_id: int) -> bool:
    """Mail the parent's author about reply ``reply_id`` if they want it; whether a mail went out."""
    reply = (Comment.objects.select_related("author", "paper", "parent__author")
             .filter(pk=reply_id).first())
    if reply is None or reply.parent is None:
        return False
    recipient = reply.parent.author
    if recipient.pk == reply.author_id or not recipient.email or not recipient.is_active:
        return False
    if not wants_reply_emails(recipient):
        return False
    try:
        _message(reply).send()
    except Exception as error:  # SMTP down or refusing: the reply stands, the mail is lost (logged)
        log.warning("could not send the reply email for comment %s: %s", reply_id, error)
        return False
    return True
