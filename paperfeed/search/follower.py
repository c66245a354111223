"""The index follower: keeps this node's own search index current from the shared database.

Every app node has its own ``INDEX_DIR`` (derived files on local disk, never a network share);
one follower per node writes it and the node's web processes read it (:mod:`.reader`). The
follower asks the database one cheap question every ``FOLLOW_INTERVAL`` seconds -- how many
papers, how many visible, the newest ``updated_at`` (:func:`database_mark`) -- and runs the
incremental sync (:func:`.sync.sync_indexes`) only when the answer differs from the one its last
sync started from, or when the node has no published index at all. So:

- a node started with an empty index dir builds the whole index on its first pass, unaided;
- a new or edited paper moves the newest ``updated_at``; a paper hidden or deleted with
  ``QuerySet.update()``/``delete()`` changes a count; either wakes the follower;
- an idle database costs one aggregate query per interval, never a sync;
- a damaged index (:func:`.reader.status` not ok: a file deleted, truncated or garbled) is
  repaired on the next pass, without waiting for the database to change.

The mark is read *before* the sync, so a paper committed while a sync runs changes the next
mark and is picked up on the next pass. A database or index error is logged and the next pass
tries again: a follower outlives a database restart the way a web process does. Two followers
on one index dir (or a follower beside ``paperfeed index``) are safe: sync's file lock
serialises them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import close_old_connections
from django.db.models import Count, Max, Q

from paperfeed.papers.models import Paper

from .reader import status
from .sync import SyncReport, sync_indexes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DatabaseMark:
    """What the database holds, as far as the index cares, in three numbers."""

    papers: int
    visible: int
    newest: datetime | None


def database_mark() -> DatabaseMark:
    """One aggregate query (``updated_at`` is indexed), so asking every few seconds is cheap."""
    row = Paper.objects.aggregate(papers=Count("pk"), visible=Count("pk", filter=Q(hidden=False)),
                                  newest=Max("updated_at"))
    return DatabaseMark(row["papers"], row["visible"], row["newest"])


class Follower:
    """One node's follower; :meth:`step` is one pass, :meth:`run` the loop ``paperfeed follow-index`` runs."""

    def __init__(self) -> None:
        self.synced_from: DatabaseMark | None = None

    def step(self) -> SyncReport | None:
        """Sync when the database moved since the last sync, or the index is missing or damaged; else None."""
        mark = database_mark()
        if mark == self.synced_from and status().ok:
            return None
        report = sync_indexes(progress=False)
        self.synced_from = mark
        return report

    def run(self, interval: float, stop: threading.Event, on_report: Callable[[SyncReport], None],
            passes: int | None = None) -> None:
        """Pass every ``interval`` seconds until ``stop`` is set (or ``passes`` passes were made)."""
        done = 0
        while not stop.is_set() and (passes is None or done < passes):
            started = time.monotonic()
            try:
                report = self.step()
            except Exception:  # the database or the disk is away: say so, try again next pass
                log.exception("index follower: pass failed; retrying in %ss", interval)
                report = None
            finally:
                close_old_connections()
            if report is not None:
                on_report(report)
            done += 1
            if passes is None or done < passes:
                stop.wait(max(0.0, interval - (time.monotonic() - started)))
