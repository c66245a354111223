"""The map of the field: the month's papers (or a search's results) placed in 2D by their vectors.

The worker fits a PCA on the vectors of the month's papers -- papers listed or announced in the
:data:`MONTH_DAYS` days up to the latest listed day -- and stores the two axes and every paper's
position (:func:`draw_month`, job ``map``). PCA rather than UMAP: it is exact, needs numpy only,
takes milliseconds for a month, and its axes can place any other paper later, which is how a
search's results are drawn (:func:`place`) without refitting in a web request.

Positions are in [0, 1] x [0, 1]. Points are coloured by primary category: the
:data:`MAX_GROUPS` - 1 most common ones keep their own colour, the rest are "other"
(:func:`groups`). A paper without a vector (not yet indexed) is left off the map.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.db import transaction
from django.db.models import Max

from paperfeed.papers.models import DailyEntry, Paper

from . import reader
from .models import MapLayout, MapPoint

MONTH_DAYS = 30
MAX_GROUPS = 8
OTHER = "other"


@dataclass(frozen=True)
class Placed:
    paper: Paper
    x: float
    y: float


@dataclass(frozen=True)
class MapReport:
    papers: int
    start: date | None = None
    end: date | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.reason:
            return f"map not drawn: {self.reason}"
        return f"map of {self.papers} papers listed {self.start}..{self.end}"


def month_span() -> tuple[date, date] | None:
    """The month ending on the latest day anything was listed (None on an empty hub)."""
    latest = DailyEntry.objects.filter(hidden=False).aggregate(day=Max("day"))["day"]
    latest = latest or Paper.objects.visible().aggregate(day=Max("announced"))["day"]
    if latest is None:
        return None
    return latest - timedelta(days=MONTH_DAYS - 1), latest


def fit(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and the two principal axes (rows). Each axis is signed so its largest loading is
    positive: the same vectors always give the same picture, not a mirrored one."""
    mean = vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(vectors - mean, full_matrices=False)
    axes = np.zeros((2, vectors.shape[1]), dtype=np.float64)
    axes[: min(2, len(vt))] = vt[:2]
    for axis in axes:
        if axis[np.argmax(np.abs(axis))] < 0:
            axis *= -1
    return mean, axes


def project(vectors: np.ndarray, mean: np.ndarray, axes: np.ndarray) -> np.ndarray:
    return (vectors - mean) @ axes.T


def normalise(xy: np.ndarray, bounds: list[float] | None = None) -> np.ndarray:
    """Into [0, 1] by these bounds (x_min, x_max, y_min, y_max), or the points' own extent."""
    bounds = bounds or _bounds(xy)
    lo = np.array([bounds[0], bounds[2]])
    span = np.maximum(np.array([bounds[1] - bounds[0], bounds[3] - bounds[2]]), 1e-9)
    return np.clip((xy - lo) / span, 0.0, 1.0)


def _bounds(xy: np.ndarray) -> list[float]:
    return [float(xy[:, 0].min()), float(xy[:, 0].max()), float(xy[:, 1].min()), float(xy[:, 1].max())]


def draw_month() -> MapReport:
    """Fit the axes on the month's papers and store their positions, replacing the last map."""
    span = month_span()
    snapshot = reader.current()
    if span is None or snapshot is None:
        return MapReport(0, reason="no papers listed yet" if span is None else "no search index yet")
    pks = list(Paper.objects.visible().announced_or_listed(*span).values_list("pk", flat=True))
    found = snapshot.vectors.vectors_for(pks)
    if len(found) < 2:
        return MapReport(len(found), *span, reason=f"{len(found)} of the month's papers have vectors")
    ids = sorted(found)
    vectors = np.stack([found[pk] for pk in ids]).astype(np.float64)
    mean, axes = fit(vectors)
    xy = project(vectors, mean, axes)
    bounds = _bounds(xy)
    unit = normalise(xy, bounds)
    with transaction.atomic():
        MapLayout.objects.all().delete()
        layout = MapLayout.objects.create(start=span[0], end=span[1], generation=snapshot.generation,
                                          mean=mean.tolist(), axes=axes.tolist(), bounds=bounds)
        MapPoint.objects.bulk_create(
            [MapPoint(layout=layout, paper_id=pk, x=float(x), y=float(y)) for pk, (x, y) in zip(ids, unit, strict=True)],
            batch_size=1000,
        )
    return MapReport(len(ids), *span)


def current_layout() -> MapLayout | None:
    return MapLayout.objects.first()


def month_map(layout: MapLayout) -> list[Placed]:
    """The stored points of the layout's visible papers, in a stable order (by position)."""
    points = MapPoint.objects.filter(layout=layout, paper__hidden=False).select_related("paper")
    return sorted((Placed(p.paper, p.x, p.y) for p in points), key=lambda p: (p.x, p.y, p.paper.arxiv_id))


def place(papers: list[Paper], layout: MapLayout | None) -> list[Placed]:
    """These papers (a search's results) on the layout's axes, spread over their own extent so a
    narrow topic still fills the map; fitted on themselves when the worker has drawn no map yet."""
    found = reader.get_vectors([paper.pk for paper in papers])
    kept = [paper for paper in papers if paper.pk in found]
    if not kept:
        return []
    vectors = np.stack([found[paper.pk] for paper in kept]).astype(np.float64)
    if layout is not None:
        mean, axes = np.asarray(layout.mean), np.asarray(layout.axes)
    else:
        mean, axes = fit(vectors)
    unit = normalise(project(vectors, mean, axes)) if len(kept) > 1 else np.full((1, 2), 0.5)
    return [Placed(paper, float(x), float(y)) for paper, (x, y) in zip(kept, unit, strict=True)]


def groups(placed: list[Placed]) -> list[str]:
    """The colour groups, most common first: primary categories, then :data:`OTHER` if needed."""
    counts = Counter(p.paper.primary_category or OTHER for p in placed)
    common = [name for name, _ in counts.most_common() if name != OTHER]
    if len(common) + (OTHER in counts) <= MAX_GROUPS:
        return common + ([OTHER] if OTHER in counts else [])
    return common[: MAX_GROUPS - 1] + [OTHER]


def group_of(paper: Paper, named: list[str]) -> str:
    category = paper.primary_category or OTHER
    return category if category in named else OTHER
