"""How many comments a paper has: ``numComments`` is the visible local ones plus the imported count.

"Visible" is neither deleted nor hidden (what everyone sees); the imported count is what Hugging
Face reported for the listing (``DailyEntry.num_comments``), kept apart so a re-import never
overwrites local comments.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count

from paperfeed.papers.models import Paper

from .models import Comment


def local_counts(papers: Iterable[Paper]) -> dict[int, int]:
    """Visible local comments per paper pk, for a whole list in one query (papers without: absent)."""
    pks = [paper.pk for paper in papers]
    if not pks:
        return {}
    rows = (Comment.objects.filter(paper_id__in=pks, deleted_at__isnull=True, hidden_at__isnull=True)
            .values_list("paper_id").annotate(n=Count("id")))
    return dict(rows)


def attach(papers: list[Paper], imported: dict[int, int] | None = None) -> list[Paper]:
    """Set ``paper.local_comments`` (one query for the list, so :func:`local` needs none) and
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
