"""The rules of a paper's discussion, once, for both doors.

- any signed-in member comments or replies (at most ``MAX_DEPTH`` levels of replies), within
  ``COMMENT_RATE`` (the atomic limiter of accounts/ratelimits.py) and ``COMMENT_MAX_CHARS``;
- a member edits and deletes only their own comments; a deleted comment that has replies stays in
  the thread as "[deleted]", one without replies leaves it;
- moderators (:mod:`.moderation`) hide and show comments; a hidden one vanishes for everyone else;
- any signed-in member reports a comment, once (a unique constraint, so a double click cannot
  make two reports);
- a reply mails the parent's author when they opted in (:mod:`.notify`, after the commit).

Every change bumps the version tokens of the pages that show the discussion or its count
(:mod:`.freshness`) in the same transaction. Refusals are the domain errors of :mod:`.errors`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed.accounts.ratelimits import over_rate
from paperfeed.papers.models import Paper

from . import notify
from .errors import (
    AlreadyReported,
    CommentGone,
    CommentInvalid,
    CommentNotFound,
    CommentRateLimited,
    NotModerator,
    NotYours,
    TooDeep,
)
from .freshness import discussion_changed
from .models import Comment, CommentReport
from .moderation import is_moderator

MAX_DEPTH = 4  # a top-level comment is depth 0: five levels in all, still readable on a phone
MAX_REASON = 500


def _clean(body: str) -> str:
    text = (body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if not text:
        raise CommentInvalid("must not be blank")
    if len(text) > settings.COMMENT_MAX_CHARS:
        raise CommentInvalid(f"is longer than {settings.COMMENT_MAX_CHARS} characters")
    return text


def get(comment_id: int | str, paper: Paper | None = None) -> Comment:
    """A comment by id (of ``paper`` when given), else CommentNotFound."""
    try:
        found = Comment.objects.select_related("paper", "author").get(pk=int(comment_id))
    except (ValueError, TypeError, OverflowError, Comment.DoesNotExist):
        raise CommentNotFound(comment_id) from None
    if paper is not None and found.paper_id != paper.pk:
        raise CommentNotFound(comment_id)
    return found


def _parent(paper: Paper, parent_id: int | str | None) -> Comment | None:
    if parent_id in (None, ""):
        return None
    parent = get(parent_id, paper)
    if not parent.visible:
        raise CommentGone(parent.pk)
    if parent.depth >= MAX_DEPTH:
        raise TooDeep(MAX_DEPTH)
    return parent


def _check_rate(user) -> None:
    limited = over_rate("discussions.comment", f"user:{user.pk}", settings.COMMENT_RATE)
    if limited is not None:
        raise CommentRateLimited(limited.limit, limited.retry_after)


def post(user, paper: Paper, body: str, parent_id: int | str | None = None) -> Comment:
    """A new comment on ``paper`` (a reply to ``parent_id`` when given)."""
    text = _clean(body)
    parent = _parent(paper, parent_id)
    _check_rate(user)
    with transaction.atomic():
        comment = Comment.objects.create(paper=paper, author=user, parent=parent, body=text,
                                         depth=parent.depth + 1 if parent else 0)
        discussion_changed(paper)
        if parent is not None and parent.author_id != user.pk:
            transaction.on_commit(lambda: notify.reply_posted(comment.pk), robust=True)
    return comment


def _own(user, comment_id: int | str, paper: Paper | None) -> Comment:
    comment = get(comment_id, paper)
    if comment.author_id != getattr(user, "pk", None):
        raise NotYours(comment.pk)
    if comment.deleted_at is not None:
        raise CommentGone(comment.pk)
    return comment


def edit(user, comment_id: int | str, body: str, paper: Paper | None = None) -> Comment:
    """Change the text of one's own comment (a hidden one too: the author may fix what was hidden)."""
    comment = _own(user, comment_id, paper)
    text = _clean(body)
    _check_rate(user)
    with transaction.atomic():
        comment.body, comment.edited_at = text, timezone.now()
        comment.save(update_fields=["body", "edited_at"])
        discussion_changed(comment.paper)
    return comment


def delete(user, comment_id: int | str, paper: Paper | None = None) -> bool:
    """Delete one's own comment; True when it left the thread, False when it stays as "[deleted]"."""
    comment = _own(user, comment_id, paper)
    with transaction.atomic():
        if comment.replies.exists():
            comment.body, comment.deleted_at = "", timezone.now()
            comment.save(update_fields=["body", "deleted_at"])
            removed = False
        else:
            comment.delete()
            removed = True
        discussion_changed(comment.paper)
    return removed


def set_hidden(user, comment_id: int | str, hidden: bool, paper: Paper | None = None) -> Comment:
    """A moderator hides a comment from everyone else, or shows it again; reports are then resolved."""
    if not is_moderator(user):
        raise NotModerator()
    comment = get(comment_id, paper)
    now = timezone.now()
    with transaction.atomic():
        comment.hidden_at, comment.hidden_by = (now, user) if hidden else (None, None)
        comment.save(update_fields=["hidden_at", "hidden_by"])
        comment.reports.filter(resolved_at__isnull=True).update(resolved_at=now)
        discussion_changed(comment.paper)
    return comment


def report(user, comment_id: int | str, reason: str = "", paper: Paper | None = None) -> CommentReport:
    """Flag a comment for the moderators; a second report by the same member is AlreadyReported."""
    comment = get(comment_id, paper)
    if not comment.visible:
        raise CommentGone(comment.pk)
    try:
        with transaction.atomic():
            return CommentReport.objects.create(comment=comment, reporter=user,
                                                reason=" ".join((reason or "").split())[:MAX_REASON])
    except IntegrityError:
        raise AlreadyReported(comment.pk) from None
