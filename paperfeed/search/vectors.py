"""The semantic side of search: paper vectors, exact scan while small, usearch HNSW beyond.

A published vector set is a directory written once by sync and never changed::

    vectors.f16.npy   (n, 384) float16, rows L2-normalised, sorted by paper pk
    pks.npy           (n,) int64 paper pks, ascending (row lookup is a binary search)
    days.npy          (n,) int32 listing day as YYYYMMDD (0 when unknown), for date filters
    cats.npz          one array of row numbers per category (lowercased), for category filters
    hnsw.usearch      only when n > EXACT_MAX: usearch HNSW graph (int8), keys = paper pks

Why: below ``PAPERFEED_SEARCH_EXACT_MAX`` vectors (default 20,000; the bundled sample, tests)
an exact numpy scan costs well under a millisecond and is always right. Beyond it a search
is a usearch HNSW graph walk: at 75k papers the float32 scan reads 115 MB per query (memory
bound, ~4 ms on a quiet machine, 30+ ms on a busy one) while the graph answers the service's
300-deep list in about a millisecond with recall@300 ~0.99 against the exact scan
(``benchmarks/search_latency.py`` reports it). The graph only *selects*: the cosines it
returns are recomputed from the stored rows, so they are the exact scan's values. That is
why the graph can hold its vectors as int8 (half the bytes of float16: a walk reads half the
memory, and in the service other steps empty the CPU caches between walks) and be asked for
:data:`GRAPH_SELECT` times the rows wanted: the exact re-scoring puts the true nearest back on
top. Filters are applied inside: a boolean row mask for the exact scan; with a graph, selective filters
are an exact scan over the allowed rows and broad ones an oversampled graph search whose
misses fall back to the exact scan.

Rows are held as float32 up to :data:`FLOAT32_MAX` vectors (~300 MB per process at the
bound): the service gathers hundreds of rows per query (both signals for every candidate,
topic groups), and converting float16 rows costs more than the graph walk itself. Larger
sets stay a float16 memory map.

Other apps read stored vectors through :func:`.reader.get_vectors` (the current
generation); this module knows files and arrays, never which generation is current.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

HNSW_FILE = "hnsw.usearch"
# A filtered graph search asks for k / (allowed share) x this many neighbours; filters allowing
# fewer rows than max(min(20,000, n / 8), n / 20) scan those rows exactly instead. Measured at 75k
# (search_latency.py queries with cat:/after:, ~45 % of rows allowed): x2.0 / 1.5 / 1.2 gave
# recall@300 0.988 / 0.980 / 0.972 at 6.6 / 5.5 / 5.0 ms CPU p50 (shared machine), beside 14.6 ms
# for the full float32 scan and 39 ms for gathering the allowed rows.
GRAPH_OVERSAMPLE = 1.5
GRAPH_UPDATE_MAX_SHARE = 0.25  # a sync changing more of the set than this builds the graph afresh
FLOAT32_MAX = 200_000  # up to this many vectors the rows are held as float32 (see the module docstring)
# An exact scan of a filter allowing at least this share of a float32 set multiplies every row and masks
# the rest out: at 75k (one BLAS thread, load 0.7) gathering 26k / 37k allowed rows took 7.9 / 10.0 ms
# against 4.8 / 4.2 ms for all 75k rows; at 15k rows 4.5 against 5.3.
FULL_SCAN_SHARE = 0.25
# A filtered walk of a memory-mapped (float16) set that found too few allowed rows walks this many times
# as far before scanning exactly: at 1M, 4 of 200 benchmark queries (cat:cs.CV, after:) found 25-82 of
# 100 among 391 neighbours and scanned 450-520k rows in 0.5-0.9 s; 1,600 neighbours held 199-555 in 7-15 ms.
GRAPH_RETRY = 4
# The int8 graph is asked for this many times the rows a search wants, the exact cosines of the stored rows
# choose among them. At 75k (300 real queries, ef 512) its top 100 alone held 93.3 % of the exact top 100,
# float16's 98.3 %; its top 200 re-scored held 98.3 %, in 1.8 ms against float16's 3.3 ms per walk when other
# work has filled the caches between searches, as in the service.
GRAPH_SELECT = 2


def exact_max() -> int:
    """Above this many vectors searches go through HNSW (``PAPERFEED_SEARCH_EXACT_MAX``)."""
    return int(settings.SEARCH_EXACT_MAX)


@dataclass(frozen=True)
class HnswParams:
    """Graph settings measured with real query vectors (benchmarks/search_latency.py): at 300k
    documents connectivity 16 / ef 96 gave recall@10 0.81; connectivity 32 with ef 256 / 512 /
    1024 gave 0.95 / 0.975 / 0.984 at 1.0 / 1.9 / 3.6 ms p50.

    ``expansion_add`` (the build's beam) is what decides the recall left at ef 512: at 300k
    (200 real queries, the top 100 re-scored exactly) 128 gave recall@10 0.963 and 256 gave
    0.983, for a build 9 % longer (548 / 597 s at load 7-9). Asking the graph for 300 instead of
    10 neighbours changed nothing (0.9645): the misses were never in the beam, so a better graph,
    not a deeper search, is the fix. The file does not keep it: an updated graph is set again.

    ``dtype`` int8 rather than float16: see :data:`GRAPH_SELECT`."""

    connectivity: int = 32
    expansion_add: int = 256
    expansion_search: int = 512
    dtype: str = "i8"


class VectorSet:
    """One published, read-only set of paper vectors."""

    def __init__(self, pks: np.ndarray, matrix: np.ndarray, days: np.ndarray | None = None,
                 cats: dict[str, np.ndarray] | None = None, hnsw=None, path: Path | None = None) -> None:
        order = np.argsort(pks, kind="stable")
        if not np.all(order == np.arange(len(pks))):
            pks, matrix = pks[order], matrix[order]
            days = days[order] if days is not None else None
            inverse = np.empty_like(order)
            inverse[order] = np.arange(len(order))
            cats = {c: np.sort(inverse[rows]) for c, rows in (cats or {}).items()}
        self.pks = np.ascontiguousarray(pks, dtype=np.int64)
        self.matrix = matrix
        self.days = days if days is not None else np.zeros(len(pks), dtype=np.int32)
        self.cats = cats or {}
        self.hnsw = hnsw
        self.path = path
        self.dim = int(matrix.shape[1]) if matrix.ndim == 2 and matrix.shape[0] else 384

    def __len__(self) -> int:
        return int(self.pks.shape[0])

    # -- files ----------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> VectorSet:
        """Open a published set. Small sets are held as float32 for the exact scan."""
        pks = np.load(path / "pks.npy")
        stored = np.load(path / "vectors.f16.npy", mmap_mode="r")
        days = np.load(path / "days.npy")
        cats: dict[str, np.ndarray] = {}
        if (path / "cats.npz").exists():
            with np.load(path / "cats.npz") as z:
                names = json.loads((path / "cats.json").read_text(encoding="utf-8"))
                cats = {name: z[f"c{i}"] for i, name in enumerate(names)}
        hnsw = None
        if (path / HNSW_FILE).exists():
            from usearch.index import Index

            hnsw = Index.restore(str(path / HNSW_FILE), view=True)
            hnsw.expansion_search = HnswParams.expansion_search  # the file does not keep it (restored: 64)
        matrix = stored if len(pks) > FLOAT32_MAX else np.asarray(stored, dtype=np.float32)
        return cls(pks, matrix, days, cats, hnsw, path)

    @staticmethod
    def write(path: Path, pks: np.ndarray, vectors: np.ndarray, days: np.ndarray,
              categories: list[list[str]], *, hnsw_from=None, hnsw_params: HnswParams = HnswParams(),
              progress=None) -> Path:
        """Publish a set into the new directory ``path`` (sorted by pk here).

        ``hnsw_from``: the previous generation's directory, whose graph is updated rather than
        built again when little changed (:func:`updated_hnsw`).
        """
        path.mkdir(parents=True, exist_ok=False)
        order = np.argsort(pks, kind="stable")
        pks = np.asarray(pks, dtype=np.int64)[order]
        vectors = np.asarray(vectors)[order].astype(np.float16)
        days = np.asarray(days, dtype=np.int32)[order]
        np.save(path / "pks.npy", pks)
        np.save(path / "vectors.f16.npy", vectors)
        np.save(path / "days.npy", days)
        by_cat: dict[str, list[int]] = {}
        for row, src in enumerate(order):
            for cat in categories[src]:
                by_cat.setdefault(cat.lower(), []).append(row)
        names = sorted(by_cat)
        np.savez(path / "cats.npz", **{f"c{i}": np.asarray(by_cat[n], dtype=np.int32) for i, n in enumerate(names)})
        (path / "cats.json").write_text(json.dumps(names), encoding="utf-8")
        if len(pks) > exact_max():
            graph = updated_hnsw(hnsw_from, pks, vectors, hnsw_params) if hnsw_from is not None else None
            graph = graph if graph is not None else build_hnsw(pks, vectors, hnsw_params, progress=progress)
            graph.save(str(path / HNSW_FILE))
        return path

    # -- lookups --------------------------------------------------------------------------

    def rows_for(self, pks: np.ndarray | list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(rows, found mask) for paper pks."""
        pks = np.asarray(pks, dtype=np.int64)
        if not len(self.pks) or not len(pks):
            return np.zeros(len(pks), dtype=np.int64), np.zeros(len(pks), dtype=bool)
        rows = np.searchsorted(self.pks, pks)
        rows = np.minimum(rows, len(self.pks) - 1)
        return rows, self.pks[rows] == pks

    def vectors_for(self, pks: list[int]) -> dict[int, np.ndarray]:
        """float32 rows of the pks that have a vector; one gather for all of them (a search's
        groups ask for up to a thousand at a time)."""
        rows, found = self.rows_for(pks)
        if not found.any():
            return {}
        block = np.asarray(self.matrix[rows[found]], dtype=np.float32)
        return dict(zip(np.asarray(pks, dtype=np.int64)[found].tolist(), block, strict=True))

    def scores_for(self, query: np.ndarray, pks: list[int]) -> np.ndarray:
        """Cosine of ``query`` with each pk's vector (-1 where the pk has no vector)."""
        rows, found = self.rows_for(pks)
        out = np.full(len(pks), -1.0, dtype=np.float32)
        if found.any():
            out[found] = np.asarray(self.matrix[rows[found]], dtype=np.float32) @ query
        return out

    def mask(self, *, categories=(), after: int = 0, before: int = 0, pks: list[int] | None = None) -> np.ndarray | None:
        """Boolean row mask for filters (None: no restriction)."""
        if not (categories or after or before or pks is not None):
            return None
        mask = np.ones(len(self), dtype=bool)
        if categories:
            cat_mask = np.zeros(len(self), dtype=bool)
            for cat in categories:
                rows = self.cats.get(cat.lower())
                if rows is not None:
                    cat_mask[rows] = True
            mask &= cat_mask
        if after:
            mask &= self.days >= after
        if before:
            mask &= (self.days <= before) & (self.days > 0)
        if pks is not None:
            allowed = np.zeros(len(self), dtype=bool)
            rows, found = self.rows_for(pks)
            allowed[rows[found]] = True
            mask &= allowed
        return mask

    # -- search ---------------------------------------------------------------------------

    def search(self, query: np.ndarray, k: int, mask: np.ndarray | None = None,
               exact: bool | None = None) -> list[tuple[int, float]]:
        """Top ``k`` (pk, cosine) for a unit ``query``, restricted to ``mask`` rows."""
        n = len(self)
        if not n or k <= 0:
            return []
        query = np.asarray(query, dtype=np.float32)
        use_graph = self.hnsw is not None and not exact
        if mask is not None:
            allowed = int(mask.sum())
            if not allowed:
                return []
            if use_graph and allowed < max(min(20_000, n // 8), n // 20):
                return self._exact_rows(query, np.flatnonzero(mask), k)
        if not use_graph:
            if self.matrix.dtype != np.float32:
                return self._exact_rows(query, np.flatnonzero(mask) if mask is not None else np.arange(n), k)
            scores = self.matrix @ query
            if mask is not None:
                scores = np.where(mask, scores, -np.inf)
            return self._top(scores, np.arange(n), k)
        return self._graph(query, k, mask)

    def _graph(self, query: np.ndarray, k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        n = len(self)
        want = k if mask is None else min(n, int(k * n / max(int(mask.sum()), 1) * GRAPH_OVERSAMPLE) + k)
        want = max(want, min(n, k * self._select()))
        rows = self._walk(query, want, mask)
        if mask is not None and len(rows) < k and self.matrix.dtype != np.float32 and want < n:
            # The filter ate the neighbourhood of a memory-mapped set, whose exact scan reads every
            # allowed float16 row (0.5-0.9 s for 450-520k rows at 1M): walk further first.
            rows = self._walk(query, min(n, want * GRAPH_RETRY), mask)
        if mask is not None and len(rows) < k:  # the filter ate the neighbourhood: be exact instead
            return self._exact_masked(query, mask, k)
        return self._exact_rows(query, rows, k)  # the graph selects; the stored rows give the exact cosines

    def _select(self) -> int:
        """How many times the rows wanted the graph is asked for: :data:`GRAPH_SELECT` for an int8 graph."""
        return GRAPH_SELECT if self.hnsw.dtype.name.lower() == "i8" else 1

    def _walk(self, query: np.ndarray, count: int, mask: np.ndarray | None) -> np.ndarray:
        """The rows of the graph's ``count`` nearest neighbours that ``mask`` allows, nearest first."""
        matches = self.hnsw.search(query.astype(np.float16 if self.hnsw.dtype.name.lower() == "f16" else np.float32),
                                   min(count, len(self)), threads=1)
        rows, found = self.rows_for(np.asarray(matches.keys, dtype=np.int64))
        return rows[found if mask is None else found & mask[rows]]

    def _exact_masked(self, query: np.ndarray, mask: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The exact top ``k`` of the ``mask`` rows: one product with every row when the mask allows
        :data:`FULL_SCAN_SHARE` or more of a float32 set (gathering that many rows costs more than
        the rows it skips), else the allowed rows gathered."""
        allowed = int(mask.sum())
        if self.matrix.dtype == np.float32 and allowed >= FULL_SCAN_SHARE * len(self):
            return self._top(np.where(mask, self.matrix @ query, -np.inf), np.arange(len(self)), k)
        return self._exact_rows(query, np.flatnonzero(mask), k)

    def _exact_rows(self, query: np.ndarray, rows: np.ndarray, k: int) -> list[tuple[int, float]]:
        if not len(rows):
            return []
        scores = np.empty(len(rows), dtype=np.float32)
        for start in range(0, len(rows), 65536):  # bounded float32 copies of float16 rows
            part = rows[start : start + 65536]
            scores[start : start + len(part)] = np.asarray(self.matrix[part], dtype=np.float32) @ query
        return self._top(scores, rows, k)

    def _top(self, scores: np.ndarray, rows: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, len(scores))
        idx = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        idx = idx[np.argsort(-scores[idx], kind="stable")]
        idx = idx[np.isfinite(scores[idx])]
        return list(zip(self.pks[rows[idx]].tolist(), scores[idx].tolist(), strict=True))


def updated_hnsw(previous: Path, pks: np.ndarray, vectors: np.ndarray, params: HnswParams = HnswParams()):
    """The previous generation's graph with removed and changed papers taken out and new ones put in.

    Why: a sync publishes a new generation whenever a paper changes, and building the graph from
    scratch costs tens of seconds of CPU at 75k papers on every node that syncs; a day's new papers
    change a small share of it. None (build afresh) when there is no previous graph, or when more
    than :data:`GRAPH_UPDATE_MAX_SHARE` of the set changed, so the graph never drifts far from a
    fresh build, or when the previous graph was built with other settings than ``params``.
    ``pks`` are sorted and ``vectors`` are float16 rows in their order.
    """
    if not (previous / HNSW_FILE).exists() or not (previous / "pks.npy").exists():
        return None
    old_pks = np.load(previous / "pks.npy")
    old_vectors = np.load(previous / "vectors.f16.npy", mmap_mode="r")
    rows = np.searchsorted(old_pks, pks).clip(0, max(len(old_pks) - 1, 0))
    kept = (old_pks[rows] == pks) if len(old_pks) else np.zeros(len(pks), dtype=bool)
    same = kept.copy()
    same[kept] = np.all(np.asarray(old_vectors[rows[kept]]) == vectors[kept], axis=1)
    removed = np.setdiff1d(old_pks, pks[kept], assume_unique=True)
    fresh = pks[~same]
    changed_or_gone = np.union1d(removed, pks[kept & ~same])
    if len(changed_or_gone) + len(fresh) > GRAPH_UPDATE_MAX_SHARE * max(len(pks), 1):
        return None
    from usearch.index import Index

    graph = Index.restore(str(previous / HNSW_FILE))  # a copy in memory: the old file stays as it was
    if graph.connectivity != params.connectivity or graph.dtype.name.lower() != params.dtype.lower() or graph.ndim != vectors.shape[1]:
        return None
    graph.expansion_add = params.expansion_add  # not kept in the file (restored: 128)
    if len(changed_or_gone):
        graph.remove(changed_or_gone.astype(np.uint64))
    if len(fresh):
        graph.add(fresh.astype(np.uint64), _graph_input(vectors[~same], params))
    return graph


def build_hnsw(pks: np.ndarray, vectors: np.ndarray, params: HnswParams = HnswParams(), progress=None):
    """An HNSW graph over unit vectors (inner product == cosine), keys = paper pks."""
    from usearch.index import Index

    index = Index(ndim=vectors.shape[1], metric="ip", dtype=params.dtype, connectivity=params.connectivity,
                  expansion_add=params.expansion_add, expansion_search=params.expansion_search)
    index.add(np.asarray(pks, dtype=np.uint64), _graph_input(vectors, params), progress=progress)
    return index


def _graph_input(vectors: np.ndarray, params: HnswParams) -> np.ndarray:
    """Rows as the graph takes them: float16 for a float16 graph, else float32, which usearch quantizes."""
    return np.asarray(vectors, dtype=np.float16 if params.dtype == "f16" else np.float32)

