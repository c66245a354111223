"""The paper a member names for submitting or saving: on this hub, or fetched from arXiv.

A member may name any arXiv paper, not only the ones harvested so far; one this hub lacks is
fetched through the ingest layer (``ingest.api.fetch_paper``, which stores it like every
other source does). arXiv being unreachable is :class:`ArxivUnavailable`, not a crash; a paper
arXiv does not know is PaperNotFound with ``asked_arxiv`` set.
"""

from __future__ import annotations

import logging

from paperfeed.ingest.api import ArxivApiError, fetch_paper
from paperfeed.ingest.http import FetchError
from paperfeed.papers.lookup import PaperNotFound, find_paper
from paperfeed.papers.models import Paper

from .errors import ArxivUnavailable

logger = logging.getLogger("paperfeed.accounts")


def known_or_fetched(raw_id: str) -> Paper:
    """The paper ``raw_id`` names, fetched from arXiv first when the hub does not have it.

    Refuses with NotAnArxivId, PaperHidden, PaperNotFound (arXiv has none either) or
    ArxivUnavailable.
    """
    try:
        return find_paper(raw_id)
    except PaperNotFound as missing:
        arxiv_id = missing.arxiv_id
    try:
        paper = fetch_paper(arxiv_id)
    except (ArxivApiError, FetchError) as error:
        logger.warning("arXiv lookup of %s failed: %s", arxiv_id, error)
        raise ArxivUnavailable(arxiv_id, str(error)) from None
    if paper is None:
        raise PaperNotFound(arxiv_id, asked_arxiv=True)
    return paper
