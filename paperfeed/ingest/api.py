"""The arXiv API (``export.arxiv.org/api/query``, Atom): searches, id lists, single papers.

Why feedparser on responses fetched with requests and not the ``arxiv`` package: that package
builds its request URL from a class attribute pointing at export.arxiv.org and does its own
paging and retries, while every client here must take its base URL from settings (tests run
a local server) and share the polite-retry helper. feedparser reads both feed generations
(2016: namespaces declared per element, wrapped summaries; 2026: namespaces on the root,
one-line summaries, HTTP 400 with a single ``Error`` entry) into the same dicts.

arXiv asks API clients for one request every three seconds: ``settings.ARXIV_API_DELAY``
seconds are kept between any two calls made by this process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from xml.sax import SAXException

import feedparser
from django.conf import settings

from paperfeed.papers.arxiv import parse_arxiv_id
from paperfeed.papers.models import Paper
from paperfeed.papers.records import PaperRecord, RecordError, parse_date
from paperfeed.papers.upsert import UpsertResult, upsert_papers

from . import http
from .report import IngestReport, print_report, timed, tracking

SOURCE = "api"
PAGE_SIZE = 100  # arXiv's recommended page size for paging through a query
IDS_PER_CALL = 100
_throttle_lock = threading.Lock()
_last_call = 0.0


class ArxivApiError(RuntimeError):
    """arXiv refused the query (HTTP 400 error entry) or answered something that is not a feed."""


def _wait_turn(sleep: Callable[[float], None]) -> None:
    """Keep ARXIV_API_DELAY seconds between calls, across every caller in this process."""
    global _last_call
    sleep = sleep or time.sleep
    with _throttle_lock:
        delay = float(settings.ARXIV_API_DELAY or 0)
        wait = _last_call + delay - time.monotonic()
        if wait > 0:
            sleep(wait)
        _last_call = time.monotonic()


def _error_entry(parsed) -> str | None:
    for entry in parsed.entries:
        if entry.get("title") == "Error" or "/api/errors" in entry.get("id", ""):
            return " ".join(entry.get("summary", "unknown error").split())
    return None


def fetch_feed(params: dict, *, sleep: Callable[[float], None] | None = None, position: str = ""):
    """One API call: the parsed feed, or ArxivApiError with arXiv's own error message."""
    _wait_turn(sleep)
    url = settings.ARXIV_API_URL
    response = http.get(url, params, sleep=sleep)
    parsed = feedparser.parse(response.content)
    where = f"{SOURCE} {position}".strip()
    if response.status_code != 200:
        message = _error_entry(parsed) if parsed.entries else None
        raise ArxivApiError(f"{where}: arXiv answered HTTP {response.status_code}: "
                            f"{message or response.text[:200].strip()}")
    problem = parsed.get("bozo_exception")
    # feedparser's loose fallback would "recover" a truncated page, last entry cut short; a
    # page that is not well-formed XML is refused whole instead.
    if parsed.get("bozo") and isinstance(problem, SAXException):
        raise ArxivApiError(f"{where}: malformed feed: {problem}")
    if message := _error_entry(parsed):
        raise ArxivApiError(f"{where}: arXiv says: {message}")
    return parsed


def _when(value: str | None, position: str, arxiv_id: str, name: str) -> datetime | None:
    return parse_date(value, source=SOURCE, position=position, field=name) if value else None


def entry_to_record(entry, position: str) -> PaperRecord:
    """One Atom entry as a record. The feed gives v1's date and the current version's date."""
    raw_id = entry.get("id", "")
    parsed = parse_arxiv_id(raw_id.replace("http://", "https://"))
    if not raw_id:
        raise RecordError(SOURCE, position, "missing", field="id")
    if parsed is None:
        raise RecordError(SOURCE, position, f"not an arXiv abs URL: {raw_id[:80]!r}", field="id")
    published = _when(entry.get("published"), position, parsed.id, "published")
    updated = _when(entry.get("updated"), position, parsed.id, "updated")
    version = parsed.version
    versions = []
    if published:
        versions.append({"version": 1, "date": published.isoformat()})
    if version and version > 1 and updated:
        versions.append({"version": version, "date": updated.isoformat()})
    primary = (entry.get("arxiv_primary_category") or {}).get("term")
    categories = [t["term"] for t in entry.get("tags", []) if t.get("term")]
    if primary:
        categories = [primary, *[c for c in categories if c != primary]]
    return PaperRecord(
        arxiv_id=parsed.id,
        title=entry.get("title"),
        abstract=entry.get("summary", ""),
        authors=[a.get("name", "") for a in entry.get("authors", [])],
        categories=categories,
        version=version,
        versions=versions or None,
        comment=entry.get("arxiv_comment", ""),
        journal_ref=entry.get("arxiv_journal_ref", ""),
        doi=entry.get("arxiv_doi", ""),
        published=published,
        updated=updated or published,
        source=SOURCE,
        position=position,
    )


def _records(feed, page: int) -> Iterator[PaperRecord | RecordError]:
    for number, entry in enumerate(feed.entries, start=1):
        position = f"page {page} entry {number}"
        try:
            yield entry_to_record(entry, position)
        except RecordError as error:
            yield error


def search(query: str, max_results: int | None = None, *, page_size: int = PAGE_SIZE,
           sleep: Callable[[float], None] | None = None, on_total=None) -> Iterator[list]:
    """Pages of records for a search query, following start/max_results until done or max."""
    start, page = 0, 0
    while True:
        size = page_size if max_results is None else min(page_size, max_results - start)
        if size <= 0:
            return
        page += 1
        feed = fetch_feed({"search_query": query, "start": start, "max_results": size,
                           "sortBy": "submittedDate", "sortOrder": "descending"},
                          sleep=sleep, position=f"page {page} (start={start})")
        total = int(feed.feed.get("opensearch_totalresults", 0) or 0)
        if on_total:
            on_total(total if max_results is None else min(total, max_results))
        records = list(_records(feed, page))
        if not records:
            return
        yield records
        start += len(records)
        if start >= total:
            return


def by_ids(ids: Iterable[str], *, sleep: Callable[[float], None] | None = None) -> Iterator[list]:
    """Pages of records for explicit ids (bad ids become rejections, not a failed call)."""
    wanted: list[str] = []
    bad: list[RecordError] = []
    for raw in ids:
        parsed = parse_arxiv_id(raw.strip())
        if parsed is None:
            bad.append(RecordError(SOURCE, "--ids", f"not an arXiv identifier: {raw.strip()[:80]!r}"))
        elif parsed.id not in wanted:
            wanted.append(parsed.id)
    if bad:
        yield bad
    for page, offset in enumerate(range(0, len(wanted), IDS_PER_CALL), start=1):
        chunk = wanted[offset: offset + IDS_PER_CALL]
        feed = fetch_feed({"id_list": ",".join(chunk), "start": 0, "max_results": len(chunk)},
                          sleep=sleep, position=f"page {page} (id_list)")
        yield list(_records(feed, page))


def ingest(query: str | None = None, ids: list[str] | None = None, max_results: int | None = None, *,
           progress: bool = True, console=None, sleep: Callable[[float], None] | None = None,
           page_size: int = PAGE_SIZE) -> IngestReport:
    """``paperfeed ingest api``: a query (paged) or an id list, upserted page by page."""
    report = IngestReport(SOURCE)
    report.notes = {"pages": 0}
    label = f"arXiv API {query!r}" if query else f"arXiv API {len(ids or [])} ids"
    with timed(report), tracking(label, enabled=progress, console=console) as tracker:
        if ids:
            tracker.total(len(ids))
            pages = by_ids(ids, sleep=sleep)
        else:
            pages = search(query or "", max_results, page_size=page_size, sleep=sleep, on_total=tracker.total)
        for records in pages:
            report.result.merge(upsert_papers(records))
            report.notes["pages"] += 1
            tracker.advance(len(records))
    if progress:
        print_report(report, console)
    return report


def fetch_papers(ids: list[str]) -> UpsertResult:
    """Fetch these papers from arXiv and store them (the web UI and API call this)."""
    result = UpsertResult()
    for records in by_ids(ids):
        result.merge(upsert_papers(records))
    return result


def fetch_paper(arxiv_id: str) -> Paper | None:
    """One paper by id in any form: fetched, stored and returned; None if arXiv has no such paper.

    Raises ArxivApiError when arXiv refuses the id and http.FetchError when it cannot be reached.
    """
    parsed = parse_arxiv_id(arxiv_id.strip())
    if parsed is None:
        raise ArxivApiError(f"{SOURCE}: not an arXiv identifier: {arxiv_id.strip()[:80]!r}")
    result = fetch_papers([parsed.id])
    if result.rejected and not (result.added or result.updated or result.unchanged):
        raise ArxivApiError("; ".join(result.rejections[:3]))
    return Paper.objects.filter(arxiv_id=parsed.id).first()
