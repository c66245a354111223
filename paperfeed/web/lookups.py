"""Find the visible paper an URL names, or 404: shared by the paper page and member actions."""

from __future__ import annotations

from django.http import Http404

from paperfeed.papers.arxiv import parse_arxiv_id
from paperfeed.papers.models import Paper


def visible_paper(raw_id: str) -> Paper:
    parsed = parse_arxiv_id(raw_id)
    if parsed is None:
        raise Http404(f"{raw_id[:40]!r} is not an arXiv identifier")
    try:
        return Paper.objects.visible().get(arxiv_id=parsed.id)
    except Paper.DoesNotExist:
        raise Http404(f"No paper {parsed.id} on this hub") from None
