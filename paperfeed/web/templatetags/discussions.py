"""``{% discussion_section paper %}``: a paper's discussion, included by the paper page.

The paper page is cached (web/pagecache.py) and rendered once for every reader, so while it fills
the cache (``page_markers``) the section is the public view, and htmx swaps in the reader's own
view (reply and edit forms, moderators' hidden comments) from the uncached discussion page; without
JavaScript its "Join the discussion" link leads there.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from paperfeed.discussions.moderation import is_moderator
from paperfeed.discussions.notify import wants_reply_emails
from paperfeed.discussions.service import MAX_DEPTH
from paperfeed.discussions.threads import thread

register = template.Library()


def section_context(paper, user, *, cached: bool = False, error: str = "", draft: str = "", parent: str = "") -> dict:
    """What discussions/section.html needs, for ``user`` (the public view when ``cached``)."""
    reader = AnonymousUser() if cached else user
    nodes = thread(paper, reader)
    member = bool(getattr(reader, "is_authenticated", False))
    return {
        "paper": paper,
        "nodes": nodes,
        "shown_count": sum(1 for node in nodes if node.shown),
        "member": member,
        "moderator": is_moderator(reader),
        "email_replies": member and wants_reply_emails(reader),
        "cached": cached,
        "error": error,
        "draft": draft,
        "reply_to": parent,
        "max_depth": MAX_DEPTH,
        "max_chars": settings.COMMENT_MAX_CHARS,
    }


@register.inclusion_tag("discussions/section.html", takes_context=True)
def discussion_section(context, paper) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None) or AnonymousUser()
    out = section_context(paper, user, cached=bool(context.get("page_markers")))
    out["csrf_token"] = context.get("csrf_token")
    out["request"] = request
    return out
