"""Hugging Face Daily Papers (``GET /api/daily_papers?date=DAY``) as papers, daily entries and votes.

Input: JSON lines ``{"day": "YYYY-MM-DD", "item": {…}}`` (plain or .gz, as archived), a plain
JSON array of items (what the API returns; the day is then the requested date or the item's
``submittedOnDailyAt``), or a live fetch of ``settings.HF_DAILY_URL?date=DAY``.

Hugging Face's paper metadata is second-hand (copied from arXiv), so its records are
non-authoritative: they create a paper arXiv has not given us yet and fill fields arXiv left
empty, but never overwrite arXiv's own metadata. What is Hugging Face's own — votes, the
GitHub repo and stars, the project page, the organisation, AI summary and keywords, the daily
entry with its submitter and comment count — is always applied. Items keep what has no column under
Hugging Face's key names in ``DailyEntry.extra`` (read back by paperfeed.api.serializers).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction

from paperfeed.papers import freshness
from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.papers.records import PaperRecord, RecordError, parse_date, validate
from paperfeed.papers.upsert import UpsertResult, upsert_papers

from . import http
from .files import open_text, read_json_lines
from .report import IngestReport, print_report, timed, tracking

SOURCE = "hf-daily"
TOP_EXTRAS = ("thumbnail", "organization", "submittedBy", "isAuthorParticipating", "mediaUrls", "mediaUrl",
              "submitterOrganization")
PAPER_EXTRAS = ("authors", "submittedOnDailyBy", "discussionId", "githubRepoAddedBy", "ai_summary_model",
                "mediaUrls", "organization")
MAX_EXTRA_BYTES = 200_000


@dataclass
class HfItem:
    """One daily item: the paper record plus the daily entry it makes."""

    record: PaperRecord
    day: date
    submitter_name: str
    submitted_at: datetime | None
    num_comments: int
    extra: dict


def _str(value) -> str | None:
    return value if isinstance(value, str) else None


def _int(value, position: str, name: str, arxiv_id: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(SOURCE, position, f"expected a whole number, got {str(value)[:40]!r}", arxiv_id, name)
    if value < 0:
        raise RecordError(SOURCE, position, f"negative: {value}", arxiv_id, name)
    return value


def _organization(item: dict, paper: dict) -> tuple[str | None, str | None]:
    """The organisation's handle and display name (the paper's own, else the item's)."""
    for org in (paper.get("organization"), item.get("organization")):
        if isinstance(org, dict) and (_str(org.get("name")) or "").strip():
            return org["name"], _str(org.get("fullname")) or org["name"]
    return None, None


def _author_names(authors) -> list[str] | None:
    if not isinstance(authors, list):
        return None
    names = [a.get("name", "") if isinstance(a, dict) else str(a) for a in authors]
    return [n for n in names if isinstance(n, str) and n.strip()] or None


def to_item(item: dict, day: date | str | None, position: str) -> HfItem:
    """One API item (and the day it was listed) as an HfItem; RecordError naming what is wrong."""
    if not isinstance(item, dict):
        raise RecordError(SOURCE, position, f"expected a JSON object, got {type(item).__name__}")
    paper = item.get("paper")
    if not isinstance(paper, dict):
        raise RecordError(SOURCE, position, "missing", field="paper")
    arxiv_id = _str(paper.get("id")) or ""
    if not arxiv_id.strip():
        raise RecordError(SOURCE, position, "missing", field="paper.id")
    submitted_at = parse_date(_str(paper.get("submittedOnDailyAt")), source=SOURCE, position=position,
                              field="submittedOnDailyAt")
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            raise RecordError(SOURCE, position, f"not a date: {day[:40]!r}", arxiv_id, "day") from None
    if day is None:
        if submitted_at is None:
            raise RecordError(SOURCE, position, "no day given and no submittedOnDailyAt", arxiv_id, "day")
        day = submitted_at.date()
    published = parse_date(_str(paper.get("publishedAt")) or _str(item.get("publishedAt")), source=SOURCE,
                           position=position, field="publishedAt")
    names = _author_names(paper.get("authors"))
    keywords = paper.get("ai_keywords")
    if keywords is not None and not (isinstance(keywords, list) and all(isinstance(k, str) for k in keywords)):
        raise RecordError(SOURCE, position, "expected a list of strings", arxiv_id, "ai_keywords")
    organization, organization_name = _organization(item, paper)
    record = PaperRecord(
        arxiv_id=arxiv_id,
        title=_str(paper.get("title")) or _str(item.get("title")),
        abstract=_str(paper.get("summary")) or _str(item.get("summary")),
        authors=names,
        published=published,
        imported_upvotes=_int(paper.get("upvotes"), position, "upvotes", arxiv_id),
        code_url=_str(paper.get("githubRepo")) or None,
        project_url=_str(paper.get("projectPage")) or None,
        github_stars=_int(paper.get("githubStars"), position, "githubStars", arxiv_id),
        ai_summary=_str(paper.get("ai_summary")),
        ai_keywords=keywords,
        organization=organization,
        organization_name=organization_name,
        authoritative=False,
        source=SOURCE,
        position=position,
    )
    by = item.get("submittedBy") if isinstance(item.get("submittedBy"), dict) else {}
    on_daily = paper.get("submittedOnDailyBy") if isinstance(paper.get("submittedOnDailyBy"), dict) else {}
    submitter = _str(by.get("fullname")) or _str(on_daily.get("fullname")) or _str(by.get("name")) or ""
    extra = {key: item[key] for key in TOP_EXTRAS if key in item}
    nested = {key: paper[key] for key in PAPER_EXTRAS if key in paper}
    if nested:
        extra["paper"] = nested
    if len(json.dumps(extra, default=str)) > MAX_EXTRA_BYTES:
        raise RecordError(SOURCE, position, f"extra fields over {MAX_EXTRA_BYTES:,} bytes", arxiv_id, "item")
    comments = _int(item.get("numComments"), position, "numComments", arxiv_id) or 0
    return HfItem(record, day, submitter[:150], submitted_at, comments, extra)


def _first_char(path: str | Path) -> str:
    with open_text(path) as handle:
        while (char := handle.read(1)) and char.isspace():
            pass
    return char


def read_items(path: str | Path, day: date | None = None) -> Iterator[HfItem | RecordError]:
    """Items from a file: JSON lines of {"day", "item"} (or bare items), or one JSON array."""
    if _first_char(path) == "[":
        with open_text(path) as handle:
            try:
                items = json.load(handle)
            except json.JSONDecodeError as error:
                yield RecordError(SOURCE, f"{Path(path).name} line {error.lineno}", f"broken JSON: {error.msg}")
                return
        yield from items_from_array(items, day)
        return

    def convert(row, position: str) -> HfItem:
        if isinstance(row, dict) and "item" in row:
            return to_item(row["item"], row.get("day") or day, position)
        return to_item(row, day, position)

    yield from read_json_lines(path, SOURCE, convert)


def items_from_array(items, day: date | None) -> Iterator[HfItem | RecordError]:
    if not isinstance(items, list):
        yield RecordError(SOURCE, "response", f"expected a JSON array of items, got {type(items).__name__}")
        return
    for index, item in enumerate(items, start=1):
        try:
            yield to_item(item, day, f"item {index}")
        except RecordError as error:
            yield error


def fetch_day(day: date) -> list[HfItem | RecordError]:
    """The items Hugging Face lists for one day (settings.HF_DAILY_URL?date=DAY)."""
    url = getattr(settings, "HF_DAILY_URL", "https://huggingface.co/api/daily_papers")
    response = http.get(url, {"date": day.isoformat()})
    if response.status_code != 200:
        raise http.FetchError(f"{url}?date={day}: HTTP {response.status_code}: {response.text[:200]}")
    try:
        payload = response.json()
    except ValueError as error:
        raise http.FetchError(f"{url}?date={day}: not JSON ({error})") from None
    return list(items_from_array(payload, day))


@dataclass
class EntryCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


ENTRY_FIELDS = ("source", "submitter_name", "submitted_at", "num_comments", "extra")


def _store_chunk(chunk: list[HfItem | RecordError], result: UpsertResult, entries: EntryCounts) -> None:
    """Papers then entries of one chunk, in one transaction: a failure leaves neither."""
    good: list[HfItem] = []
    records: list[PaperRecord | RecordError] = []
    for item in chunk:
        if isinstance(item, RecordError):
            records.append(item)
            continue
        try:
            validate(item.record)
        except RecordError as error:
            records.append(error)
            continue
        good.append(item)
        records.append(item.record)
    with transaction.atomic():
        result.merge(upsert_papers(records, chunk_size=len(records) or 1))
        ids = {item.record.arxiv_id for item in good}
        papers = dict(Paper.objects.filter(arxiv_id__in=ids).values_list("arxiv_id", "pk"))
        wanted: dict[tuple[int, date], HfItem] = {}
        for item in good:
            pk = papers.get(item.record.arxiv_id)
            if pk is not None:  # rejected by upsert (already counted)
                wanted[(pk, item.day)] = item
        if not wanted:
            return
        existing = {
            (e.paper_id, e.day): e
            for e in DailyEntry.objects.filter(paper_id__in={k[0] for k in wanted}, day__in={k[1] for k in wanted})
        }
        to_create, to_update = [], []
        for (pk, day), item in wanted.items():
            values = {"source": DailyEntry.Source.HF, "submitter_name": item.submitter_name,
                      "submitted_at": item.submitted_at, "num_comments": item.num_comments, "extra": item.extra}
            entry = existing.get((pk, day))
            if entry is None:
                to_create.append(DailyEntry(paper_id=pk, day=day, **values))
                continue
            if entry.source != DailyEntry.Source.HF:
                # A member or admin listed it that day: keep theirs, only take HF's comment count.
                values = {"num_comments": max(entry.num_comments, item.num_comments)}
            if all(getattr(entry, k) == v for k, v in values.items()):
                entries.unchanged += 1
                continue
            for k, v in values.items():
                setattr(entry, k, v)
            to_update.append(entry)
        DailyEntry.objects.bulk_create(to_create, batch_size=500)
        if to_update:
            DailyEntry.objects.bulk_update(to_update, list(ENTRY_FIELDS), batch_size=200)
        entries.added += len(to_create)
        entries.updated += len(to_update)
        by_pk = {pk: arxiv_id for arxiv_id, pk in papers.items()}
        freshness.listings_changed((e.day, by_pk[e.paper_id]) for e in (*to_create, *to_update))


def ingest_items(items: Iterable[HfItem | RecordError], *, progress: bool = True, console=None,
                 chunk_size: int = 1000, total: int | None = None, quiet: bool = False,
                 label: str = SOURCE) -> IngestReport:
    """Store items in chunks (each chunk one transaction); returns (and prints) the report."""
    report = IngestReport(SOURCE)
    entries = EntryCounts()
    with timed(report), tracking(label, total=total, enabled=progress, console=console) as tracker:
        chunk: list[HfItem | RecordError] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= chunk_size:
                _store_chunk(chunk, report.result, entries)
                tracker.advance(len(chunk))
                chunk = []
        if chunk:
            _store_chunk(chunk, report.result, entries)
            tracker.advance(len(chunk))
    report.notes = {"entries added": entries.added, "entries updated": entries.updated,
                    "entries unchanged": entries.unchanged}
    if not quiet and progress:
        print_report(report, console)
    return report


def ingest_file(path: str | Path, *, day: date | None = None, **kwargs) -> IngestReport:
    return ingest_items(read_items(path, day), label=f"hf-daily {Path(path).name}", **kwargs)


def ingest_date(day: date, **kwargs) -> IngestReport:
    return ingest_items(fetch_day(day), label=f"hf-daily {day}", **kwargs)
