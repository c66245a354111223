"""Progress bars and the end-of-run report every ingest source shares.

One module so that ``ingest oai``, ``api``, ``snapshot``, ``hf-daily`` and the sample loader
look the same to an operator: a Rich progress bar while working, then one short table of
added / updated / unchanged / rejected with the first rejections spelled out, and how many
non-arXiv category tokens (ACM/MSC classes) were dropped from papers that still went in.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from paperfeed.papers.upsert import UpsertResult

SHOWN_REJECTIONS = 10
SHOWN_DROPPED = 5


@dataclass
class IngestReport:
    """What one run did: the upsert counts plus anything source-specific (entries, pages)."""

    source: str
    result: UpsertResult = field(default_factory=UpsertResult)
    seconds: float = 0.0
    notes: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict:
        r = self.result
        return {
            "source": self.source,
            "added": r.added,
            "updated": r.updated,
            "unchanged": r.unchanged,
            "rejected": r.rejected,
            "rejections": list(r.rejections),
            "dropped_category_tokens": r.dropped_tokens,
            "papers_with_dropped_categories": r.dropped_papers,
            "dropped_category_examples": list(r.dropped_examples),
            "seconds": round(self.seconds, 3),
            **self.notes,
        }

    def summary_line(self) -> str:
        r = self.result
        extra = "".join(f", {k} {v}" for k, v in self.notes.items() if isinstance(v, int | str))
        return (
            f"{self.source}: added {r.added}, updated {r.updated}, unchanged {r.unchanged}, "
            f"rejected {r.rejected}{extra}{self.dropped_phrase(', ')} in {self.seconds:.1f}s"
        )

    def dropped_phrase(self, lead: str = "") -> str:
        """'dropped 73 non-arXiv category tokens in 69 papers', or nothing when none were."""
        r = self.result
        if not r.dropped_tokens:
            return ""
        papers = "paper" if r.dropped_papers == 1 else "papers"
        tokens = "token" if r.dropped_tokens == 1 else "tokens"
        return f"{lead}dropped {r.dropped_tokens} non-arXiv category {tokens} in {r.dropped_papers} {papers}"


class Tracker:
    """A progress bar that may be switched off (tests, cron) without changing the caller."""

    def __init__(self, progress: Progress | None, task_id=None):
        self._progress, self._task = progress, task_id

    def advance(self, n: int = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)

    def total(self, total: int | None) -> None:
        if self._progress is not None:
            self._progress.update(self._task, total=total)

    def describe(self, text: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, description=text)


@contextmanager
def tracking(description: str, *, total: int | None = None, enabled: bool = True,
             console: Console | None = None) -> Iterator[Tracker]:
    """A Rich progress bar (or a silent tracker when ``enabled`` is false)."""
    if not enabled:
        yield Tracker(None)
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console or Console(stderr=True),
        transient=False,
    )
    with progress:
        task = progress.add_task(description, total=total)
        yield Tracker(progress, task)


@contextmanager
def timed(report: IngestReport) -> Iterator[IngestReport]:
    started = time.perf_counter()
    try:
        yield report
    finally:
        report.seconds = time.perf_counter() - started


def print_report(report: IngestReport, console: Console | None = None) -> None:
    """The one-screen end report: counts, then the first rejections with where and why."""
    console = console or Console(stderr=True)
    r = report.result
    table = Table(title=f"ingest {report.source}", show_header=True, header_style="bold")
    for column in ("added", "updated", "unchanged", "rejected", "seconds"):
        table.add_column(column, justify="right")
    for key in report.notes:
        table.add_column(key, justify="right")
    table.add_row(
        str(r.added), str(r.updated), str(r.unchanged), str(r.rejected), f"{report.seconds:.1f}",
        *(str(v) for v in report.notes.values()),
    )
    console.print(table)
    if r.rejections:
        console.print(f"[yellow]First {min(len(r.rejections), SHOWN_REJECTIONS)} of {r.rejected} rejections:[/]")
        for line in r.rejections[:SHOWN_REJECTIONS]:
            console.print(f"  - {line}", markup=False, highlight=False)
    if r.dropped_tokens:
        phrase = report.dropped_phrase()
        console.print(f"[yellow]{phrase[:1].upper()}{phrase[1:]} (ACM/MSC classes and the like; "
                      "the papers went in), for example:[/]")
        for line in r.dropped_examples[:SHOWN_DROPPED]:
            console.print(f"  - {line}", markup=False, highlight=False)
