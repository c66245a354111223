"""The search app's answers as pages need them: similar papers and a search feed.

The paper page and the search feed must render even when the index is being rebuilt or
broken, so every failure degrades to "none" and is logged.
"""

from __future__ import annotations

import logging

from paperfeed.papers.models import Paper
from paperfeed.search.service import search as search_service
from paperfeed.search.similar import similar_papers

logger = logging.getLogger("paperfeed.web")


def similar(paper: Paper, limit: int = 6) -> list[Paper]:
    try:
        found = similar_papers(paper, limit=limit)
    except Exception:  # an index problem must not take the paper page down
        logger.warning("similar papers for %s failed", paper.arxiv_id, exc_info=True)
        return []
    return [p for p in found if p.pk != paper.pk and not p.hidden][:limit]


def search(query: str, limit: int = 50) -> list[Paper]:
    try:
        results = search_service(query, limit=limit)
    except Exception:
        logger.warning("search feed for %r failed", query[:100], exc_info=True)
        return []
    return [hit.paper for hit in results.hits if not hit.paper.hidden][:limit]
