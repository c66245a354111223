"""The paper a member names for submitting or saving: on this hub, or not yet.

A member may name any arXiv paper, not only the ones harvested so far. One this hub lacks is
not fetched inside the request: the rule queues it for the worker (accounts.fetch_queue) and
answers at once.
"""

from __future__ import annotations

from paperfeed.papers.lookup import PaperNotFound, find_paper
from paperfeed.papers.models import Paper


def on_hub(arxiv_id: str) -> Paper | None:
    """The paper ``arxiv_id`` names if the hub has it, else None; PaperHidden or NotAnArxivId refuse."""
    try:
        return find_paper(arxiv_id)
    except PaperNotFound:
        return None
