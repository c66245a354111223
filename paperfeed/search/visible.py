"""Which indexed papers may be shown now, without asking the database about every candidate.

A generation holds what its sync saw; a paper hidden or deleted since must still never show,
and a total must not count it. Asking about each search's candidates cost one query with hundreds
of primary keys per search. Every writer that adds, changes, hides, shows or deletes papers bumps
the ``catalog`` version token in its own transaction (:mod:`paperfeed.papers.freshness`, the admin
included), so what is visible can only differ from what a process last read when that token moved.
One :class:`VisiblePapers` hangs off each generation's snapshot: a search reads the token (one
indexed query), and the visible primary keys are read again (one query, all of them) only when it
moved. A new generation starts empty, so a paper only a sync brought in is never missing.

The token is read before the keys, so the keys are never older than the token they are kept
under; a write that lands in between only makes the next search read them again.
"""

from __future__ import annotations

import threading

import numpy as np
from django.db import connection

from paperfeed.papers.models import Paper
from paperfeed.versions import keys
from paperfeed.versions.tokens import read


class VisiblePapers:
    """The sorted primary keys of the visible papers, as of the catalog token last read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[tuple, np.ndarray] | None = None  # ((database, token), sorted pks)

    def pks(self) -> np.ndarray:
        """Every visible paper's primary key, sorted (shared: never mutate it)."""
        key = (connection.settings_dict.get("NAME"), read([keys.CATALOG]))
        with self._lock:
            kept = self._kept
        if kept is not None and kept[0] == key:
            return kept[1]
        pks = np.fromiter(Paper.objects.visible().values_list("pk", flat=True), dtype=np.int64)
        pks.sort()
        with self._lock:
            self._kept = (key, pks)
        return pks

    def are_visible(self, pks: list[int]) -> list[bool]:
        """For each primary key, whether that paper exists and is not hidden."""
        if not pks:
            return []
        visible = self.pks()
        if not len(visible):
            return [False] * len(pks)
        wanted = np.asarray(pks, dtype=np.int64)
        at = np.minimum(np.searchsorted(visible, wanted), len(visible) - 1)
        return (visible[at] == wanted).tolist()
