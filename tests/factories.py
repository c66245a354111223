"""The one place tests make papers, listings and corpus rows.

``make_paper`` stores a paper through ``upsert_papers``, the service every source writes
through, so a test paper gets the same normalising, links and content hash as a real one.
``raw=True`` writes the row directly instead, for what no source would store (hostile titles
upsert refuses) but pages and indexes must still survive. Columns no source sets (``hidden``,
``local_upvotes``) are written after the upsert, as moderation and votes do.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from paperfeed.papers.arxiv import is_category
from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.papers.records import PaperRecord
from paperfeed.papers.upsert import upsert_papers

DAY = date(2026, 4, 2)
PUBLISHED = datetime(2026, 4, 1, 12, tzinfo=UTC)
AUTHORS = ("Ada Lovelace", "Alan Turing")
ABSTRACT = "We study things and find results."
ROW_ONLY = ("hidden", "local_upvotes")  # Paper columns that are not part of a source's record

HOSTILE_TITLE = 'Attack <script>alert("t")</script> "><img src=x onerror=alert(1)> on $\\mathcal{O}(n^2)$ sorting'
HOSTILE_ABSTRACT = 'We show </p><script>alert("a")</script> and "><img onerror=alert(2) src=y> with \\(x < y\\) & $a>b$.'

_serial = itertools.count(10_000)


def next_id(day: date = DAY) -> str:
    """A fresh new-style arXiv id whose yymm matches the day it is listed."""
    return f"{day:%y%m}.{next(_serial):05d}"


def make_paper(arxiv_id: str | None = None, title: str | None = None, abstract: str | None = None, *,
               authors: Sequence[str] = AUTHORS, categories: str | Sequence[str] = "cs.LG",
               announced: date | None = DAY, raw: bool = False, **fields) -> Paper:
    """A paper stored the way sources store them; ``categories`` is a list or a space-separated string."""
    arxiv_id = arxiv_id or next_id(announced or DAY)
    values = {
        "arxiv_id": arxiv_id,
        "title": title if title is not None else f"Paper {arxiv_id}",
        "abstract": abstract if abstract is not None else ABSTRACT,
        "authors": list(authors),
        "categories": categories.split() if isinstance(categories, str) else list(categories),
        "announced": announced,
        "version": fields.pop("version", 1),
        "published": fields.pop("published", PUBLISHED),
        "updated": fields.pop("updated", PUBLISHED),
        **fields,
    }
    if raw:
        return _paper_row(**values)
    row_only = {key: values.pop(key) for key in ROW_ONLY if key in values}
    store([PaperRecord(source=values.pop("source", "test"), **values)])
    if row_only:
        Paper.objects.filter(arxiv_id=arxiv_id).update(**row_only)
    return Paper.objects.get(arxiv_id=arxiv_id)


def _paper_row(*, categories: list[str], **values) -> Paper:
    return Paper.objects.create(primary_category=categories[0] if categories else "",
                                categories=f" {' '.join(categories)} " if categories else "", **values)


def list_paper(paper: Paper, day: date = DAY, **fields) -> DailyEntry:
    """The paper on a day's list; imported from Hugging Face unless ``source`` says otherwise."""
    fields.setdefault("source", DailyEntry.Source.HF)
    return DailyEntry.objects.create(paper=paper, day=day, **fields)


def listed(n: int = 1, day: date = DAY, **paper_fields) -> list[Paper]:
    papers = [make_paper(**paper_fields) for _ in range(n)]
    for paper in papers:
        list_paper(paper, day)
    return papers


def corpus_record(row: dict, **overrides) -> PaperRecord:
    """A PaperRecord for a line of arxiv_daily.jsonl.gz (ACM/MSC classes riding in "categories" dropped)."""
    categories = [c for c in row["categories"] if is_category(c)]
    day = date.fromisoformat(row["date"])
    fields = {"arxiv_id": row["id"], "title": row["title"], "abstract": row["abstract"], "authors": row["authors"],
              "categories": categories, "version": 1, "announced": day, "comment": row.get("comment"),
              "published": datetime(day.year, day.month, day.day, 9, tzinfo=UTC), "source": "test"}
    return PaperRecord(**{**fields, **overrides})


def store(records: Iterable[PaperRecord]) -> None:
    """Write records through the one service that writes papers; every one must be accepted."""
    result = upsert_papers(list(records))
    assert not result.rejected, result.rejections
