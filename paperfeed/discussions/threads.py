"""A paper's discussion as one reader sees it: the comments in thread order, each with its depth.

Everyone sees the visible comments. A deleted comment, or a hidden one for a reader who is not a
moderator, stays in the thread as a stub ("[deleted]" / "[hidden]") only while something visible
hangs under it, so replies keep their context and nothing empty is shown. Moderators see hidden
comments in full, marked as hidden.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from paperfeed.papers.models import Paper

from .markup import to_html
from .models import Comment
from .moderation import is_moderator


@dataclass
class Node:
    comment: Comment
    depth: int
    shown: bool  # the body and author are shown (False: a "[deleted]" or "[hidden]" stub)
    stub: str  # "" when shown, else "deleted" or "hidden"
    own: bool  # the reader wrote it

    @property
    def html(self) -> str:
        return to_html(self.comment.body) if self.shown else ""


def _walk(children: dict[int | None, list[Comment]], parent: int | None, depth: int, keep) -> list[Node]:
    """Depth first, oldest first; a subtree with nothing to show is dropped."""
    out: list[Node] = []
    for comment in children.get(parent, []):
        below = _walk(children, comment.pk, depth + 1, keep)
        node = keep(comment, depth)
        if node.shown or below:
            out.append(node)
            out.extend(below)
    return out


def thread(paper: Paper, viewer=None) -> list[Node]:
    """The discussion of ``paper`` for ``viewer`` (None or anonymous: the public view)."""
    moderator = is_moderator(viewer)
    viewer_pk = getattr(viewer, "pk", None) if getattr(viewer, "is_authenticated", False) else None
    children: dict[int | None, list[Comment]] = defaultdict(list)
    for comment in Comment.objects.filter(paper=paper).select_related("author").order_by("created_at", "pk"):
        children[comment.parent_id].append(comment)

    def keep(comment: Comment, depth: int) -> Node:
        if comment.deleted_at is not None:
            stub = "deleted"
        elif comment.hidden_at is not None and not moderator:
            stub = "hidden"
        else:
            stub = ""
        return Node(comment, depth, not stub, stub, viewer_pk is not None and comment.author_id == viewer_pk)

    return _walk(children, None, 0, keep)


def newest(paper: Paper, limit: int) -> list[Comment]:
    """The paper's visible comments, newest first (its discussion feed)."""
    return list(Comment.objects.filter(paper=paper, deleted_at__isnull=True, hidden_at__isnull=True)
                .select_related("author", "paper").order_by("-created_at", "-pk")[:limit])
