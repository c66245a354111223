"""``/api/papers/{id}/comments``: a paper's discussion, read by anyone, written with a token.

GET answers the thread as a flat list in reading order (each comment names its ``parentId`` and
``depth``), as the public sees it: deleted comments with replies are ``"deleted": true`` stubs
with no body or author. POST comments (or replies, with ``parentId``) as the token's owner; the
rules (depth, length, ``PAPERFEED_COMMENT_RATE``) are the domain's, and each refusal is answered
from :data:`DISCUSSION_ERRORS` in the documented ``{"error", "detail"}`` shape.

Registered before the papers router, whose catch-all ``/papers/{path:arxiv_id}`` would otherwise
take these paths.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from paperfeed.discussions import errors as rules
from paperfeed.discussions import service
from paperfeed.discussions.markup import to_html
from paperfeed.discussions.models import Comment
from paperfeed.discussions.threads import thread
from paperfeed.papers.lookup import NotAnArxivId, find_paper, visible_paper

from .. import serializers
from ..auth import token_auth
from ..errors import ApiError
from ..schemas import ErrorOut, Text

router = Router(tags=["discussions"])

# Domain refusal → (status, error, detail); the web shows the domain's own sentences instead.
DISCUSSION_ERRORS: dict[type[rules.DiscussionError], Callable[[Any], tuple[int, str, Any]]] = {
    rules.CommentNotFound: lambda e: (404, "No such comment on this paper", {"parentId": str(e.comment_id)[:40]}),
    rules.CommentInvalid: lambda e: (422, f"Invalid body: {e.reason}", [{"loc": ["body", "body"], "msg": e.reason}]),
    rules.TooDeep: lambda e: (422, "Replies nest too deep", {"max_depth": e.max_depth}),
    rules.CommentGone: lambda e: (409, "That comment was deleted or hidden", {"parentId": e.comment_id}),
    rules.CommentRateLimited: lambda e: (
        429, "Comment rate limit exceeded", {"limit": e.limit, "retry_after_seconds": e.retry_after}
    ),
    rules.NotYours: lambda e: (403, "Not your comment", None),
    rules.NotModerator: lambda e: (403, "Moderators only", None),
    rules.AlreadyReported: lambda e: (409, "Already reported", None),
}


class CommentAuthor(Schema):
    name: str = Field(..., examples=["ada"])


class CommentOut(Schema):
    id: int = Field(..., examples=[17])
    parentId: int | None = Field(None, description="the comment this one replies to; null at the top")
    depth: int = Field(..., description="0 for a top-level comment")
    author: CommentAuthor | None = Field(None, description="null for a deleted comment")
    body: str | None = Field(None, description="the Markdown as written; null for a deleted comment")
    html: str | None = Field(None, description="the body as sanitised HTML; math as \\(…\\) in .math elements")
    createdAt: str
    editedAt: str | None = None
    deleted: bool = False


class CommentIn(Schema):
    body: Text = Field(..., min_length=1, max_length=100_000, description="Markdown; $…$ for math",
                       examples=["Does this hold for $n < 10$?"])
    parentId: int | None = Field(None, description="reply to this comment of the same paper")


def _out(comment: Comment, depth: int, shown: bool = True) -> dict:
    """One comment; a stub (``shown`` False: deleted, or hidden with replies) has no author or body."""
    return {
        "id": comment.pk,
        "parentId": comment.parent_id,
        "depth": depth,
        "author": {"name": comment.author.get_username()} if shown else None,
        "body": comment.body if shown else None,
        "html": to_html(comment.body) if shown else None,
        "createdAt": serializers.js_time(comment.created_at),
        "editedAt": serializers.js_time(comment.edited_at),
        "deleted": not shown,
    }


def _refused(error: rules.DiscussionError) -> ApiError:
    status, message, detail = DISCUSSION_ERRORS[type(error)](error)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, rules.CommentRateLimited) else None
    return ApiError(status, message, detail, headers)


@router.get("/papers/{path:arxiv_id}/comments", response={200: list[CommentOut], 404: ErrorOut},
            summary="A paper's discussion", operation_id="list_comments")
def list_comments(request: HttpRequest, arxiv_id: str) -> Any:
    """Every comment everyone can see, in thread order (a reply follows its parent)."""
    try:
        paper = visible_paper(arxiv_id)
    except NotAnArxivId:
        raise ApiError(404, "Not an arXiv identifier", {"id": arxiv_id[:100]}) from None
    return [_out(node.comment, node.depth, node.shown) for node in thread(paper)]


@router.post("/papers/{path:arxiv_id}/comments", auth=token_auth,
             response={201: CommentOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                       413: ErrorOut, 422: ErrorOut, 429: ErrorOut},
             summary="Comment on a paper, or reply to a comment", operation_id="post_comment")
def post_comment(request: HttpRequest, arxiv_id: str, payload: CommentIn) -> Any:
    """Post as the token's owner (201 with the comment); ``parentId`` makes it a reply."""
    paper = find_paper(arxiv_id)
    try:
        comment = service.post(request.auth.user, paper, payload.body, payload.parentId)
    except rules.DiscussionError as error:
        raise _refused(error) from None
    return Status(201, _out(comment, comment.depth))
