"""Papers, listings and members for the web UI tests, written straight to the database.

Papers are created with Paper.objects.create (not upsert_papers) so tests can store exactly
the hostile titles, hidden flags and vote counts they need.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from paperfeed.papers.models import DailyEntry, Paper

_serial = itertools.count(10_000)

DAY = date(2026, 4, 2)

HOSTILE_TITLE = 'Attack <script>alert("t")</script> "><img src=x onerror=alert(1)> on $\\mathcal{O}(n^2)$ sorting'
HOSTILE_ABSTRACT = 'We show </p><script>alert("a")</script> and "><img onerror=alert(2) src=y> with \\(x < y\\) & $a>b$.'


def make_paper(
    arxiv_id: str | None = None,
    *,
    title: str | None = None,
    abstract: str = "We study things and find results.",
    authors: list[str] | None = None,
    categories: str = "cs.LG",
    announced: date | None = DAY,
    imported_upvotes: int = 0,
    **fields,
) -> Paper:
    arxiv_id = arxiv_id or f"2604.{next(_serial):05d}"
    cats = categories.split()
    return Paper.objects.create(
        arxiv_id=arxiv_id,
        version=fields.pop("version", 1),
        title=title if title is not None else f"Paper {arxiv_id}",
        abstract=abstract,
        authors=authors if authors is not None else ["Ada Lovelace", "Alan Turing"],
        primary_category=cats[0] if cats else "",
        categories=f" {' '.join(cats)} " if cats else "",
        announced=announced,
        published=fields.pop("published", datetime(2026, 4, 1, 12, tzinfo=UTC)),
        updated=fields.pop("updated", datetime(2026, 4, 1, 12, tzinfo=UTC)),
        imported_upvotes=imported_upvotes,
        **fields,
    )


def list_paper(paper: Paper, day: date = DAY, **fields) -> DailyEntry:
    fields.setdefault("source", DailyEntry.Source.HF)
    return DailyEntry.objects.create(paper=paper, day=day, **fields)


def listed(n: int = 1, day: date = DAY, **paper_fields) -> list[Paper]:
    papers = [make_paper(**paper_fields) for _ in range(n)]
    for paper in papers:
        list_paper(paper, day)
    return papers
