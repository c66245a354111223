"""Personal picks: new papers ranked for a member from what they saved, upvoted and told us.

The scoring itself is in ``recommender`` (shared with the benchmark); this module gathers
the member's papers, the candidate pool and the features from the database, and turns the
best scores into picks with a one-line reason ("Similar to X in your collection Y").

Feedback (``feedback.py``) counts both ways: "more like this" (and papers picked or claimed at
onboarding) are the member's papers like saves; "not interested" papers, and picks shown before
that the member neither saved nor upvoted, train against their topic. A paper is recommended to
a member once: papers shown before (``ShownPick``) are never picks again, except those still on
the member's current list (``keep``), which stay until a refresh replaces them.
Members with nothing saved yet get trending papers in their categories (cold start).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.conf import settings

from paperfeed.accounts.models import CollectionItem, Upvote
from paperfeed.lists import ranking
from paperfeed.papers.models import Paper

from . import recommender
from .models import Feedback, ShownPick

log = logging.getLogger(__name__)

RECENT_DAYS = 14
MAX_CANDIDATES = 4000
MAX_POSITIVES = 200
MAX_NEGATIVES = 400
# Chosen by benchmarks/recommend.py (docs/digests.md has the table): the SVM over tf-idf and categories
# trained against the member's negatives, fused with the embeddings' score (the SVM alone without vectors).
METHOD = "fusion"


def feature_kind() -> str:
    """'hybrid' (tf-idf + the search app's embeddings, measured best) or 'tfidf' alone."""
    return settings.RECOMMEND_FEATURES  # the registry admits only these two


@dataclass
class Pick:
    paper: Paper
    score: float
    reason: str
    because_of: Paper | None = None


def member_papers(user) -> list[tuple[Paper, str]]:
    """(paper, where it came from) for what the member saved or upvoted, newest first, deduplicated."""
    seen: dict[int, tuple[Paper, str]] = {}
    items = (
        CollectionItem.objects.filter(collection__user=user)
        .select_related("paper", "collection")
        .order_by("-added_at")[:MAX_POSITIVES]
    )
    for item in items:
        seen.setdefault(item.paper_id, (item.paper, f"your collection “{item.collection.name}”"))
    for vote in Upvote.objects.filter(user=user).select_related("paper").order_by("-created_at")[:MAX_POSITIVES]:
        seen.setdefault(vote.paper_id, (vote.paper, "your upvotes"))
    said = (Feedback.objects.filter(user=user, kind=Feedback.Kind.MORE)
            .select_related("paper").order_by("-updated_at")[:MAX_POSITIVES])
    for word in said:
        seen.setdefault(word.paper_id, (word.paper, _WHERE[word.source]))
    return list(seen.values())[:MAX_POSITIVES]


_WHERE = {
    Feedback.Source.CARD: "your “more like this”", Feedback.Source.EMAIL: "your “more like this”",
    Feedback.Source.ONBOARDING: "the papers you picked", Feedback.Source.AUTHOR: "your papers",
}


def member_negatives(user, mine: set[int], keep: set[int] | frozenset[int] = frozenset()) -> list[Paper]:
    """Papers the member turned down: "not interested", then picks shown before and never saved.

    Picks still on the member's list (``keep``) are not turned down yet: they may have just been shown.
    """
    less = list(Feedback.objects.filter(user=user, kind=Feedback.Kind.LESS)
                .select_related("paper").order_by("-updated_at")[:MAX_NEGATIVES])
    papers = [word.paper for word in less]
    taken = mine | set(keep) | {p.pk for p in papers}
    ignored = (ShownPick.objects.filter(user=user).exclude(paper_id__in=taken)
               .select_related("paper").order_by("-shown_at")[: MAX_NEGATIVES - len(papers)])
    return papers + [row.paper for row in ignored]


def shown_before(user) -> set[int]:
    return set(ShownPick.objects.filter(user=user).values_list("paper_id", flat=True))


def candidate_papers(start: date, end: date, categories: list[str] | None = None,
                     exclude: set[int] | None = None) -> list[Paper]:
    """Visible papers announced or listed in [start, end], newest first."""
    qs = (
        Paper.objects.visible()
        .announced_or_listed(start, end)
        .in_categories(categories)
        .exclude(pk__in=list(exclude or ()))
        .order_by("-announced", "-arxiv_id")
    )
    return list(qs[:MAX_CANDIDATES])


def recent_window(days: int = RECENT_DAYS) -> tuple[date, date]:
    """The last ``days`` days up to the hub's newest listing (an old sample still gets picks)."""
    newest = Paper.objects.visible().order_by("-announced").values_list("announced", flat=True).first()
    last = max(filter(None, [ranking.latest_day(), newest]), default=date.today())
    return last - timedelta(days=days - 1), last


def _embedding_rows(papers: list[Paper]) -> np.ndarray | None:
    """Sentence vectors from the search app, or None when it cannot give one for every paper."""
    from paperfeed.search.reader import get_vectors

    try:
        found = get_vectors([p.pk for p in papers])
    except Exception:  # an index being rebuilt must not break a page or a digest
        log.warning("vector lookup failed; using tf-idf only", exc_info=True)
        return None
    if found is None:
        return None
    if isinstance(found, dict):
        if any(found.get(p.pk) is None for p in papers):
            return None
        matrix = np.vstack([np.asarray(found[p.pk], dtype=np.float32) for p in papers])
    else:
        matrix = np.asarray(found, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != len(papers) or not np.isfinite(matrix).all():
            return None
    return matrix


def features_for(papers: list[Paper]):
    """(tf-idf of title + abstract, that beside the categories, the search app's vectors or None).

    The scorer reads the categories too; a pick's reason names the paper closest in words alone.
    """
    text = recommender.tfidf([recommender.paper_text(p.title, p.abstract) for p in papers])
    scored = recommender.with_categories(text, [p.category_list for p in papers])
    return text, scored, (_embedding_rows(papers) if feature_kind() == "hybrid" else None)


def cold_start(categories: list[str] | None, limit: int, exclude: set[int], window: tuple[date, date]) -> list[Pick]:
    """Trending papers in the member's categories: the best guess before they have saved anything."""
    picks: list[Pick] = []
    for category in categories or [None]:
        for item in ranking.trending(limit=limit * 3, category=category):
            if item.paper.pk not in exclude and all(p.paper.pk != item.paper.pk for p in picks):
                where = f" in {category}" if category else ""
                picks.append(Pick(item.paper, item.score, f"Trending{where}"))
    if not picks:  # no votes anywhere yet: newest papers of the window
        for paper in candidate_papers(*window, categories=categories, exclude=exclude)[:limit]:
            picks.append(Pick(paper, 0.0, "New" + (f" in {', '.join(categories)}" if categories else "")))
    picks.sort(key=lambda p: -p.score)
    return picks[:limit]


def picks_for(user, *, window: tuple[date, date] | None = None, categories: list[str] | None = None,
              limit: int = 10, keep: set[int] | frozenset[int] = frozenset()) -> list[Pick]:
    """The member's best new papers in ``window`` (default: the last two weeks), each with a reason.

    Never a paper shown to the member before, unless it is in ``keep`` (their current list).
    """
    window = window or recent_window()
    mine = member_papers(user)
    mine_ids = {p.pk for p, _ in mine}
    negatives = member_negatives(user, mine_ids, keep)
    exclude = mine_ids | {p.pk for p in negatives} | (shown_before(user) - set(keep))
    if not mine:
        return cold_start(categories, limit, exclude, window)
    candidates = candidate_papers(*window, categories=categories, exclude=exclude)
    if not candidates:
        return []
    positives = [p for p, _ in mine]
    text, features, vectors = features_for(positives + negatives + candidates)
    pos_idx = list(range(len(positives)))
    neg_idx = list(range(len(positives), len(positives) + len(negatives)))
    cand_idx = list(range(len(positives) + len(negatives), len(positives) + len(negatives) + len(candidates)))
    scores = recommender.score(features, pos_idx, cand_idx, method=METHOD, negative=neg_idx, vectors=vectors)
    top = np.argsort(-scores, kind="stable")[:limit]
    reasons = recommender.explain(text, pos_idx, [cand_idx[i] for i in top])
    picks = []
    for i, why in zip(top, reasons, strict=True):
        source, where = mine[why.positive_index]
        title = source.title if len(source.title) <= 70 else source.title[:67] + "…"
        picks.append(Pick(candidates[i], float(scores[i]), f"Similar to “{title}” in {where}", source))
    return picks
