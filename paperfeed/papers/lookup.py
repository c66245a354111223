"""An arXiv id in any form → the paper on this hub: the one lookup every rule and door uses.

``2503.11731``, ``arXiv:2503.11731v2``, an abs/pdf URL or an old-style ``hep-th/9901001`` all
name the same paper (the canonical key is the id without version). A refusal is a
:class:`PaperLookupError` that carries the id and reads as a sentence for a person; the doors
decide what it becomes (a 404 page, a JSON error with a status).
"""

from __future__ import annotations

from .arxiv import parse_arxiv_id
from .models import Paper


class PaperLookupError(LookupError):
    """The paper asked for cannot be used; ``str()`` says why, to a person."""


class NotAnArxivId(PaperLookupError):
    def __init__(self, raw: str):
        self.raw = raw
        super().__init__("That is not an arXiv id or URL. Try e.g. 2604.01234 or https://arxiv.org/abs/2604.01234.")


class PaperNotFound(PaperLookupError):
    def __init__(self, arxiv_id: str, *, asked_arxiv: bool = False):
        self.arxiv_id, self.asked_arxiv = arxiv_id, asked_arxiv
        super().__init__(f"No paper {arxiv_id} on this hub" + (" or on arXiv" if asked_arxiv else ""))


class PaperHidden(PaperLookupError):
    def __init__(self, arxiv_id: str):
        self.arxiv_id = arxiv_id
        super().__init__(f"Paper {arxiv_id} was hidden by a moderator")


def canonical_id(raw_id: str) -> str:
    """The id without version that ``raw_id`` names; NotAnArxivId for anything else."""
    parsed = parse_arxiv_id(raw_id)
    if parsed is None:
        raise NotAnArxivId(raw_id)
    return parsed.id


def find_paper(raw_id: str) -> Paper:
    """The paper ``raw_id`` names, for acting on it: a hidden one is refused as PaperHidden."""
    arxiv_id = canonical_id(raw_id)
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is None:
        raise PaperNotFound(arxiv_id)
    if paper.hidden:
        raise PaperHidden(arxiv_id)
    return paper


def visible_paper(raw_id: str) -> Paper:
    """The paper ``raw_id`` names, for showing it: a hidden one does not exist (PaperNotFound)."""
    arxiv_id = canonical_id(raw_id)
    paper = Paper.objects.visible().filter(arxiv_id=arxiv_id).first()
    if paper is None:
        raise PaperNotFound(arxiv_id)
    return paper
