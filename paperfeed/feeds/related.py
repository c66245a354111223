"""Bridges to the search app (similar papers, search results), which may not be installed yet.

The paper page and the search feed must render even when search is missing or failing
(indexes not built, model absent): imports are lazy and every failure degrades to "none".
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from paperfeed.papers.models import Paper

logger = logging.getLogger("paperfeed.feeds")


def _papers(result: Any) -> list[Paper]:
    """Papers out of whatever the search app returns: papers, hits with .paper, or a result object."""
    for attr in ("results", "hits", "items", "papers"):
        inner = getattr(result, attr, None)
        if inner is not None and not callable(inner):
            result = inner
            break
    papers: list[Paper] = []
    if not isinstance(result, Iterable):
        return papers
    for item in result:
        paper = item if isinstance(item, Paper) else getattr(item, "paper", None)
        if isinstance(paper, Paper) and not paper.hidden:
            papers.append(paper)
    return papers


def similar(paper: Paper, limit: int = 6) -> list[Paper]:
    try:
        from paperfeed.search.similar import similar_papers
    except ImportError:
        return []
    try:
        found = _papers(similar_papers(paper, limit=limit))
    except Exception:  # an index problem must not take the paper page down
        logger.warning("similar papers for %s failed", paper.arxiv_id, exc_info=True)
        return []
    return [p for p in found if p.pk != paper.pk][:limit]


def search(query: str, limit: int = 50) -> list[Paper]:
    try:
        from paperfeed.search.service import search as search_service
    except ImportError:
        return []
    try:
        return _papers(search_service(query, limit=limit))[:limit]
    except Exception:
        logger.warning("search feed for %r failed", query[:100], exc_info=True)
        return []
