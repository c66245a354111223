"""Similar papers for a paper page: nearest neighbours of its stored vector.

Excludes the paper itself and its duplicates: another row with the same normalised title
(the same work under a second id, e.g. a replacement or a conference copy) or a vector so
close (cosine >= ``DUPLICATE_COSINE``) that it is the same text. Hidden papers never show.
A paper that is not indexed yet (just added) is embedded on the fly, so the section is
never empty for a fresh paper when there are neighbours.
"""

from __future__ import annotations

import re

import numpy as np

from paperfeed.papers.models import Paper

from .embedder import normalize_text
from .reader import current

DUPLICATE_COSINE = 0.985
_NON_WORD = re.compile(r"\W+")


def _title_key(title: str) -> str:
    return _NON_WORD.sub(" ", normalize_text(title).lower()).strip()


def similar_papers(paper: Paper, limit: int = 6) -> list[Paper]:
    """Up to ``limit`` visible papers closest in meaning to ``paper``, best first."""
    snapshot = current()
    if snapshot is None or not len(snapshot.vectors) or limit <= 0:
        return []
    vector = snapshot.vectors.vectors_for([paper.pk]).get(paper.pk)
    if vector is None:
        from .embedder import Embedder, paper_text

        vector = Embedder.default().encode([paper_text(paper.title, paper.abstract)])[0]
    vector = np.asarray(vector, dtype=np.float32)
    hits = snapshot.vectors.search(vector, limit * 3 + 10)
    candidates = [(pk, score) for pk, score in hits if pk != paper.pk and score < DUPLICATE_COSINE]
    found = Paper.objects.visible().in_bulk([pk for pk, _ in candidates])
    own_title = _title_key(paper.title)
    out: list[Paper] = []
    seen_titles = {own_title}
    for pk, _ in candidates:
        other = found.get(pk)
        if other is None or other.arxiv_id == paper.arxiv_id:
            continue
        key = _title_key(other.title)
        if key in seen_titles:
            continue
        seen_titles.add(key)
        out.append(other)
        if len(out) >= limit:
            break
    return out
