"""OAI-PMH harvesting from arXiv (``metadataPrefix`` arXiv or arXivRaw), resumable after a kill.

Why not Sickle (installed, and it does follow resumption tokens): its 503 handling reads
``Retry-After`` with ``int()`` (an HTTP-date value raises), sleeps as long as the server asks
with no cap, and it hides page boundaries inside its record iterator, while we must commit
each page's papers *together with* the token of the next page. So pages are fetched with
:mod:`paperfeed.ingest.http` (polite 503 retries) and parsed with lxml here; the loop is
short. Each page and its :class:`HarvestState` row are written in one transaction, so a
``kill -9`` at any moment leaves either both or neither, and a rerun fetches exactly the
pages that are missing: the papers end up as an uninterrupted harvest would leave them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from lxml import etree

from paperfeed.papers.records import PaperRecord, RecordError, parse_date
from paperfeed.papers.upsert import upsert_papers

from . import http
from .authors import split_authors
from .models import HarvestState
from .report import IngestReport, print_report, timed, tracking

SOURCE = "oai"
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
FORMAT_NS = {"arXiv": "http://arxiv.org/OAI/arXiv/", "arXivRaw": "http://arxiv.org/OAI/arXivRaw/"}
PREFIXES = tuple(FORMAT_NS)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


class HarvestError(RuntimeError):
    """A harvest that cannot go on; the message says what the repository or the page said."""


@dataclass
class Page:
    """One parsed ListRecords response."""

    items: list[PaperRecord | RecordError] = field(default_factory=list)
    token: str = ""
    cursor: int | None = None
    complete_list_size: int | None = None
    deleted: int = 0
    newest_datestamp: date | None = None
    error_code: str = ""
    error_message: str = ""


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _text(parent: etree._Element, ns: str, tag: str) -> str | None:
    node = parent.find(_q(ns, tag))
    if node is None:
        return None
    return "".join(node.itertext())


def _day(value: str | None, position: str, arxiv_id: str, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(value.strip()), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise RecordError(SOURCE, position, f"not a date: {value.strip()[:40]!r}", arxiv_id, name) from None


def _arxiv_record(meta: etree._Element, position: str) -> PaperRecord:
    """``metadataPrefix=arXiv``: structured authors, created/updated dates, no version numbers."""
    ns = FORMAT_NS["arXiv"]
    arxiv_id = (_text(meta, ns, "id") or "").strip()
    if not arxiv_id:
        raise RecordError(SOURCE, position, "missing", field="id")
    authors = []
    for author in meta.iterfind(f"{_q(ns, 'authors')}/{_q(ns, 'author')}"):
        parts = [_text(author, ns, "forenames"), _text(author, ns, "keyname"), _text(author, ns, "suffix")]
        name = " ".join(p.strip() for p in parts if p and p.strip())
        if name:
            authors.append(name)
    created = _day(_text(meta, ns, "created"), position, arxiv_id, "created")
    updated = _day(_text(meta, ns, "updated"), position, arxiv_id, "updated")
    categories = (_text(meta, ns, "categories") or "").split()
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=_text(meta, ns, "title"),
        abstract=_text(meta, ns, "abstract") or "",
        authors=authors,
        categories=categories,
        # This format names no version numbers; v1 is the created date.
        versions=[{"version": 1, "date": created.isoformat()}] if created else None,
        comment=_text(meta, ns, "comments") or "",
        journal_ref=_text(meta, ns, "journal-ref") or "",
        doi=_text(meta, ns, "doi") or "",
        license=_text(meta, ns, "license") or "",
        published=created,
        updated=updated or created,
        source=SOURCE,
        position=position,
    )


def _raw_record(meta: etree._Element, position: str) -> PaperRecord:
    """``metadataPrefix=arXivRaw``: the full version history, authors as one string."""
    ns = FORMAT_NS["arXivRaw"]
    arxiv_id = (_text(meta, ns, "id") or "").strip()
    if not arxiv_id:
        raise RecordError(SOURCE, position, "missing", field="id")
    versions = []
    for node in meta.iterfind(_q(ns, "version")):
        label = (node.get("version") or "").lstrip("v")
        if not label.isdigit():
            raise RecordError(SOURCE, position, f"bad version {node.get('version')!r}", arxiv_id, "version")
        when = (_text(node, ns, "date") or "").strip()
        stamp = parse_date(when, source=SOURCE, position=position, field="version date") if when else None
        versions.append({"version": int(label), "date": stamp.isoformat() if stamp else ""})
    versions.sort(key=lambda v: v["version"])
    dated = [v["date"] for v in versions if v["date"]]
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=_text(meta, ns, "title"),
        abstract=_text(meta, ns, "abstract") or "",
        authors=split_authors(_text(meta, ns, "authors") or ""),
        categories=(_text(meta, ns, "categories") or "").split(),
        version=versions[-1]["version"] if versions else None,
        versions=versions or None,
        comment=_text(meta, ns, "comments") or "",
        journal_ref=_text(meta, ns, "journal-ref") or "",
        doi=_text(meta, ns, "doi") or "",
        license=_text(meta, ns, "license") or "",
        published=datetime.fromisoformat(dated[0]) if dated else None,
        updated=datetime.fromisoformat(dated[-1]) if dated else None,
        source=SOURCE,
        position=position,
    )


def parse_page(body: bytes, page_number: int, prefix: str) -> Page:
    """Parse one OAI-PMH response; malformed XML raises HarvestError naming the page and line."""
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as error:
        raise HarvestError(f"{SOURCE} page {page_number}: malformed XML: {error}") from None
    page = Page()
    error = root.find(_q(OAI_NS, "error"))
    if error is not None:
        page.error_code = error.get("code", "")
        page.error_message = " ".join("".join(error.itertext()).split())
        return page
    listing = root.find(_q(OAI_NS, "ListRecords"))
    if listing is None:
        raise HarvestError(f"{SOURCE} page {page_number}: not a ListRecords response (root <{root.tag}>)")
    builder = _raw_record if prefix == "arXivRaw" else _arxiv_record
    meta_tag = _q(FORMAT_NS[prefix], prefix)
    for number, record in enumerate(listing.iterfind(_q(OAI_NS, "record")), start=1):
        position = f"page {page_number} record {number}"
        header = record.find(_q(OAI_NS, "header"))
        stamp = header.findtext(_q(OAI_NS, "datestamp")) if header is not None else None
        if stamp:
            try:
                stamp_day = date.fromisoformat(stamp.strip()[:10])
                if page.newest_datestamp is None or stamp_day > page.newest_datestamp:
                    page.newest_datestamp = stamp_day
            except ValueError:
                pass
        if header is not None and header.get("status") == "deleted":
            page.deleted += 1
            continue
        meta = record.find(f"{_q(OAI_NS, 'metadata')}/{meta_tag}")
        if meta is None:
            page.items.append(RecordError(SOURCE, position, f"no <{prefix}> metadata in the record"))
            continue
        try:
            page.items.append(builder(meta, position))
        except RecordError as problem:
            page.items.append(problem)
    token = listing.find(_q(OAI_NS, "resumptionToken"))
    if token is not None:
        page.token = (token.text or "").strip()
        for attr, name in (("cursor", "cursor"), ("completeListSize", "complete_list_size")):
            value = token.get(attr)
            if value and value.isdigit():
                setattr(page, name, int(value))
    return page


def _explain(code: str, message: str, state: HarvestState) -> str:
    hints = {
        "badResumptionToken": "the saved resumption token expired or is not this repository's; "
        "rerun with --restart to start this harvest over",
        "badArgument": "check --set, --from/--until (YYYY-MM-DD) and --prefix",
        "cannotDisseminateFormat": f"the repository does not offer metadataPrefix={state.prefix}",
        "badVerb": "ARXIV_OAI_URL may not point at an OAI-PMH endpoint",
    }
    hint = hints.get(code, "")
    return f"OAI-PMH error {code}: {message}" + (f" ({hint})" if hint else "")


def _state_for(set_spec: str, prefix: str, from_date: date | None, until: date | None) -> HarvestState:
    key = {
        "source": SOURCE,
        "set_spec": set_spec,
        "prefix": prefix,
        "from_date": from_date.isoformat() if from_date else "",
        "until_date": until.isoformat() if until else "",
    }
    state, _ = HarvestState.objects.get_or_create(**key)
    return state


def _fresh_params(state: HarvestState) -> dict:
    params = {"verb": "ListRecords", "metadataPrefix": state.prefix}
    if state.set_spec:
        params["set"] = state.set_spec
    if state.effective_from:
        params["from"] = state.effective_from.isoformat()
    if state.until_date:
        params["until"] = state.until_date
    return params


def _start(state: HarvestState, restart: bool) -> tuple[dict, bool]:
    """Params of the first request: the saved token when resuming, else a new ListRecords."""
    if state.status == HarvestState.Status.RUNNING and state.resumption_token and not restart:
        return {"verb": "ListRecords", "resumptionToken": state.resumption_token}, True
    if state.from_date:
        effective = date.fromisoformat(state.from_date)
    elif state.last_datestamp:
        # Incremental: OAI's from is inclusive, so the last day is fetched again (harmless:
        # unchanged records are no-ops) rather than risking a gap.
        effective = state.last_datestamp
    else:
        effective = timezone.localdate() - timedelta(days=settings.OAI_DEFAULT_DAYS)
    state.status = HarvestState.Status.RUNNING
    state.effective_from = effective
    state.resumption_token = ""
    state.error = ""
    state.cursor = state.pages = state.records = 0
    state.added = state.updated = state.unchanged = state.rejected = state.deleted = 0
    state.complete_list_size = None
    state.started_at = timezone.now()
    state.finished_at = None
    state.save()
    return _fresh_params(state), False


def harvest(
    set_spec: str = "",
    from_date: date | None = None,
    until: date | None = None,
    prefix: str = "arXiv",
    *,
    restart: bool = False,
    progress: bool = True,
    console=None,
    sleep: Callable[[float], None] | None = None,
) -> IngestReport:
    """Harvest ListRecords page by page into the database; resumes a killed run of the same key."""
    if prefix not in PREFIXES:
        raise HarvestError(f"unsupported metadataPrefix {prefix!r}; use one of {', '.join(PREFIXES)}")
    state = _state_for(set_spec, prefix, from_date, until)
    params, resumed = _start(state, restart)
    report = IngestReport(SOURCE)
    report.notes = {"pages": 0, "deleted": 0, "resumed": "yes" if resumed else "no"}
    url = settings.ARXIV_OAI_URL
    client = http.session()
    with timed(report), tracking(f"OAI {set_spec or 'all'} {prefix}", enabled=progress,
                                 console=console) as tracker:
        if state.complete_list_size:
            tracker.total(state.complete_list_size)
            tracker.advance(state.cursor)
        while True:
            page_number = state.pages + 1
            response = http.get(url, params, client=client, **({"sleep": sleep} if sleep else {}),
                                on_wait=lambda s, status: tracker.describe(f"OAI: HTTP {status}, waiting {s:.0f}s"))
            if response.status_code != 200:
                _fail(state, f"{SOURCE} page {page_number}: HTTP {response.status_code} from {url}")
            try:
                page = parse_page(response.content, page_number, prefix)
            except HarvestError as error:
                _fail(state, str(error))
            if page.error_code == "noRecordsMatch":
                _finish(state)
                report.notes["empty"] = "noRecordsMatch"
                break
            if page.error_code:
                _fail(state, f"{SOURCE} page {page_number}: {_explain(page.error_code, page.error_message, state)}")
            with transaction.atomic():
                result = upsert_papers(page.items)
                _advance(state, page, result)
                if not page.token:
                    _finish(state, save=False)
                state.save()
            report.result.merge(result)
            report.notes["pages"] += 1
            report.notes["deleted"] += page.deleted
            if page.complete_list_size:
                tracker.total(page.complete_list_size)
            tracker.advance(len(page.items) + page.deleted)
            tracker.describe(f"OAI {set_spec or 'all'} {prefix} page {page_number}")
            if not page.token:
                break
            params = {"verb": "ListRecords", "resumptionToken": page.token}
    if progress:
        print_report(report, console)
    return report


def _advance(state: HarvestState, page: Page, result) -> None:
    state.pages += 1
    state.records += len(page.items)
    state.deleted += page.deleted
    state.added += result.added
    state.updated += result.updated
    state.unchanged += result.unchanged
    state.rejected += result.rejected
    state.resumption_token = page.token
    if page.cursor is not None:
        state.cursor = page.cursor
    else:
        state.cursor += len(page.items) + page.deleted
    if page.complete_list_size is not None:
        state.complete_list_size = page.complete_list_size
    if page.newest_datestamp and (state.last_datestamp is None or page.newest_datestamp > state.last_datestamp):
        state.last_datestamp = page.newest_datestamp


def _finish(state: HarvestState, save: bool = True) -> None:
    state.status = HarvestState.Status.DONE
    state.resumption_token = ""
    state.finished_at = timezone.now()
    if state.last_datestamp is None and state.effective_from:
        state.last_datestamp = state.effective_from
    if save:
        state.save()


def _fail(state: HarvestState, message: str) -> None:
    """Record why the harvest stopped (keeping the token, so a rerun can resume) and raise."""
    state.error = message
    if state.resumption_token:
        state.status = HarvestState.Status.RUNNING  # resumable from the saved token
    else:
        state.status = HarvestState.Status.FAILED
    state.save(update_fields=["error", "status", "updated_at"])
    raise HarvestError(message)
