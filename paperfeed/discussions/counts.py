"""How many comments a paper has: ``numComments`` is the visible local ones plus the imported count.

"Visible" is neither deleted nor hidden (what everyone sees); the imported count is what Hugging
Face reported for the listing (``DailyEntry.num_comments``), kept apart so a re-import never
overwrites local comments.

Counting a page's papers cost one ORM GROUP BY per page (~1.5 ms of a search page's CPU). Every
comment write moves the ``comments`` version token in its own transaction
(:mod:`paperfeed.discussions.signals`), so each process keeps the visible counts of every paper that
has any, read in one query under the token it read just before: a page then asks only for the token
(one indexed query in plain SQL), and the counts are read again only when it moved. A count is never
older than the token it is kept under; a write landing in between only makes the next page read them
again. Memory: one entry per paper with visible local comments. With ``PAGE_CACHE`` off nothing is
kept: each list's counts are read for its papers alone, as every page is rendered anew.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.models import Count, QuerySet

from paperfeed.papers.models import Paper
from paperfeed.versions import keys
from paperfeed.versions.tokens import read

from .models import Comment

_kept: tuple[tuple, dict[int, int]] | None = None  # ((database, token), visible counts by paper pk)


def _count(comments: QuerySet[Comment]) -> dict[int, int]:
    """Visible comments per paper pk of these comments (one GROUP BY)."""
    return dict(comments.filter(deleted_at__isnull=True, hidden_at__isnull=True)
                .values_list("paper_id").annotate(n=Count("id")).order_by())


def _all_counts() -> dict[int, int]:
    """Every paper's visible local comments as of the current token (shared: never mutate it)."""
    global _kept
    key = (connection.settings_dict.get("NAME"), read([keys.COMMENTS]))
    kept = _kept
    if kept is not None and kept[0] == key:
        return kept[1]
    counts = _count(Comment.objects.all())
    _kept = (key, counts)  # one assignment: a thread reads the old pair or the new one, never half
    return counts


def local_counts(papers: Iterable[Paper]) -> dict[int, int]:
    """Visible local comments per paper pk (papers without: absent): one token read, the counts
    themselves only when a comment changed since this process last read them."""
    pks = [paper.pk for paper in papers]
    if not pks:
        return {}
    if not settings.PAGE_CACHE:
        return _count(Comment.objects.filter(paper_id__in=pks))
    counts = _all_counts()
    return {pk: counts[pk] for pk in pks if pk in counts}


def attach(papers: list[Paper], imported: dict[int, int] | None = None) -> list[Paper]:
    """Set ``paper.local_comments`` (at most one query for the list, so :func:`local` needs none) and
    ``paper.num_comments``, the total a card shows, given each paper's imported count by pk."""
    counts = local_counts(papers)
    for paper in papers:
        paper.local_comments = counts.get(paper.pk, 0)
        paper.num_comments = paper.local_comments + max((imported or {}).get(paper.pk, 0), 0)
    return papers


def local(paper: Paper) -> int:
    """The paper's visible local comments: attached by :func:`attach`, else counted now."""
    attached = getattr(paper, "local_comments", None)
    if attached is not None:
        return attached
    return local_counts([paper]).get(paper.pk, 0)


def total(paper: Paper, imported: int = 0) -> int:
    """``numComments``: visible local comments plus the listing's imported count."""
    return local(paper) + max(imported or 0, 0)
