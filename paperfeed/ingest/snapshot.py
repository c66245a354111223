"""arXiv's bulk metadata snapshot (``arxiv-metadata-oai-snapshot.json``): one JSON object a line.

Keys as arXiv/Kaggle publish them: ``id, submitter, authors, title, comments, journal-ref,
doi, report-no, categories, license, abstract, versions[{version, created}], update_date,
authors_parsed``. The file is millions of lines, so it is streamed (plain or .gz) and every
line is turned into a :class:`PaperRecord` without building anything else per line.

One extra key is accepted: ``announced`` (YYYY-MM-DD; ``listing_date`` is read as a synonym),
the day arXiv listed the paper. The
real snapshot has no such field (so ``announced`` falls back to the v1 date there); the
bundled sample carries it because its source, arXiv's daily listings, knows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from paperfeed.papers.records import PaperRecord, RecordError, parse_date
from paperfeed.papers.upsert import UpsertResult, upsert_papers

from .authors import parsed_authors, split_authors
from .files import open_text, read_json_lines
from .report import IngestReport, print_report, timed, tracking

SOURCE = "snapshot"
_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}


def created_date(value: str, position: str) -> datetime:
    """``Mon, 2 Apr 2007 19:18:42 GMT`` quickly (strptime is the hot spot of a 2M-line load)."""
    try:
        _, day, mon, year, clock, _zone = value.split()
        hh, mm, ss = clock.split(":")
        return datetime(int(year), _MONTHS[mon], int(day), int(hh), int(mm), int(ss), tzinfo=UTC)
    except (ValueError, KeyError):
        parsed = parse_date(value, source=SOURCE, position=position, field="versions")
        assert parsed is not None
        return parsed


def to_record(row: dict, position: str) -> PaperRecord:
    """One snapshot object as a record (RecordError for anything that is not one)."""
    if not isinstance(row, dict):
        raise RecordError(SOURCE, position, f"expected a JSON object, got {type(row).__name__}")
    arxiv_id = row.get("id")
    if not isinstance(arxiv_id, str) or not arxiv_id.strip():
        raise RecordError(SOURCE, position, "missing", field="id")
    versions = []
    for v in row.get("versions") or []:
        try:
            number = int(str(v.get("version", "")).lstrip("v"))
        except (ValueError, AttributeError):
            raise RecordError(SOURCE, position, f"bad version entry {str(v)[:60]!r}", arxiv_id, "versions") from None
        created = v.get("created")
        try:
            stamp = created_date(created, position).isoformat() if created else ""
        except RecordError as error:
            raise RecordError(SOURCE, position, error.reason, arxiv_id, "versions") from None
        versions.append({"version": number, "date": stamp})
    versions.sort(key=lambda v: v["version"])
    parsed = row.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        authors = parsed_authors(parsed)
    else:
        authors = split_authors(row.get("authors") or "")
    announced = row.get("announced", row.get("listing_date"))
    if announced is not None:
        try:
            announced = date.fromisoformat(str(announced))
        except ValueError:
            raise RecordError(SOURCE, position, f"not a date: {str(announced)[:40]!r}", arxiv_id, "announced") from None
    categories = row.get("categories")
    if categories is not None and not isinstance(categories, str):
        raise RecordError(SOURCE, position, "expected a space-separated string", arxiv_id, "categories")
    dated = [v["date"] for v in versions if v["date"]]
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=row.get("title"),
        abstract=row.get("abstract"),
        authors=authors,
        categories=categories.split() if categories else [],
        version=versions[-1]["version"] if versions else None,
        versions=versions or None,
        comment=row.get("comments") or "",
        journal_ref=row.get("journal-ref") or "",
        doi=row.get("doi") or "",
        license=row.get("license") or "",
        published=datetime.fromisoformat(dated[0]) if dated else None,
        updated=datetime.fromisoformat(dated[-1]) if dated else None,
        announced=announced,
        source=SOURCE,
        position=position,
    )


def read_snapshot(path: str | Path) -> Iterator[PaperRecord | RecordError]:
    """Records from a snapshot file; a line that cannot be read becomes a RecordError in place."""
    return read_json_lines(path, SOURCE, to_record)


def ingest_snapshot(path: str | Path, *, progress: bool = True, console=None, chunk_size: int = 5000,
                    quiet: bool = False) -> IngestReport:
    """Stream a snapshot file into the database; returns (and prints) the report."""
    path = Path(path)
    report = IngestReport(SOURCE)
    with timed(report), tracking(f"snapshot {path.name}", enabled=progress, console=console) as tracker:
        report.result = upsert_papers(read_snapshot(path), chunk_size=chunk_size, on_chunk=tracker.advance)
    if not quiet and progress:
        print_report(report, console)
    return report


__all__ = ["read_snapshot", "ingest_snapshot", "to_record", "split_authors", "open_text", "UpsertResult"]
