"""The one shape every source turns its input into, and the checks every record passes.

Sources parse their own format into :class:`PaperRecord`; :func:`validate` normalises it
and raises :class:`RecordError` naming source, position, id, field and reason, so a bad
record is rejected alone and the rest of the batch goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from .arxiv import CONTROL_RE, is_category, parse_arxiv_id

MAX_TITLE = 1_000
MAX_ABSTRACT = 50_000
MAX_COMMENT = 10_000
MAX_AUTHORS = 5_000
MAX_AUTHOR_NAME = 300
MAX_SHORT = 500

_HOSTILE_RE = re.compile(
    r"<\s*/?\s*(?:script|iframe|object|embed|style|img|svg|link|meta|form|input|body|html|a|video|audio|base)\b"
    r"|<[^>]*\bon[a-z]+\s*=|javascript\s*:",
    re.IGNORECASE,
)
_WITHDRAWN_RE = re.compile(r"\b(?:this (?:paper|article|submission|manuscript) (?:has been|is) withdrawn|withdrawn)\b", re.I)
_HTTP_URL_RE = re.compile(r"^https?://[^\s]+$")


def _hostile(text: str) -> bool:
    """_HOSTILE_RE, skipped when the text cannot match it (no "<", no "javascript")."""
    if "<" in text or ("javascript" in text.lower()):
        return _HOSTILE_RE.search(text) is not None
    return False


class RecordError(ValueError):
    """A record that cannot be stored; the message names where it came from and why."""

    def __init__(self, source: str, position: str, reason: str, record_id: str = "", field: str = ""):
        self.source, self.position, self.record_id, self.field, self.reason = (
            source,
            position,
            record_id,
            field,
            reason,
        )
        where = f"{source} {position}".strip()
        ident = f" ({record_id})" if record_id else ""
        what = f"{field}: " if field else ""
        super().__init__(f"{where}{ident}: {what}{reason}")


@dataclass
class PaperRecord:
    """A paper as one source saw it. ``None`` means "this source does not say" (keep what we have)."""

    arxiv_id: str
    title: str | None = None
    abstract: str | None = None
    authors: list[str] | None = None
    categories: list[str] | None = None
    version: int | None = None
    versions: list[dict] | None = None
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    license: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    announced: date | None = None
    withdrawn: bool | None = None
    # Community fields (Hugging Face): applied whatever the metadata rank.
    imported_upvotes: int | None = None
    code_url: str | None = None
    project_url: str | None = None
    github_stars: int | None = None
    ai_summary: str | None = None
    ai_keywords: list[str] | None = None
    organization: str | None = None  # Hugging Face organisation handle, and its display name
    organization_name: str | None = None
    # False for sources whose metadata is second-hand (HF): they create missing papers but
    # never overwrite arXiv's own metadata.
    authoritative: bool = True
    source: str = ""
    position: str = ""
    extra: dict = field(default_factory=dict)
    # Category tokens validate() set aside as not arXiv's (ACM/MSC classes), for the report.
    dropped_categories: list[str] = field(default_factory=list)


def clean_text(value: str | None, *, keep_paragraphs: bool = False) -> str:
    """Collapse arXiv's hard line wraps; keep blank-line paragraph breaks when asked."""
    if value is None:
        return ""
    if not keep_paragraphs:
        # split() treats \r and \n as spaces already; only control characters need a pass.
        return " ".join((CONTROL_RE.sub("", value) if CONTROL_RE.search(value) else value).split())
    value = CONTROL_RE.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = re.split(r"\n\s*\n", value.strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _fail(rec: PaperRecord, reason: str, field: str = "") -> RecordError:
    return RecordError(rec.source, rec.position, reason, rec.arxiv_id, field)


def _limit(rec: PaperRecord, name: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise _fail(rec, f"{len(value):,} characters, limit {limit:,}", name)
    return value


def _validate_id(rec: PaperRecord) -> None:
    raw_id = (rec.arxiv_id or "").strip()
    if not raw_id:
        raise _fail(rec, "missing", "id")
    parsed = parse_arxiv_id(raw_id)
    if parsed is None:
        raise _fail(rec, f"not an arXiv identifier: {raw_id[:80]!r}", "id")
    rec.arxiv_id = parsed.id
    if parsed.version and not rec.version:
        rec.version = parsed.version


def _validate_title(rec: PaperRecord) -> None:
    if rec.title is None:
        if rec.authoritative:
            raise _fail(rec, "missing", "title")
        return
    title = clean_text(rec.title)
    if not title:
        raise _fail(rec, "empty", "title")
    _limit(rec, "title", title, MAX_TITLE)
    if _hostile(title):
        raise _fail(rec, "contains HTML markup or script", "title")
    rec.title = title


def _validate_abstract(rec: PaperRecord) -> None:
    if rec.abstract is not None:
        rec.abstract = _limit(rec, "abstract", clean_text(rec.abstract, keep_paragraphs=True), MAX_ABSTRACT)


def _validate_comment(rec: PaperRecord) -> None:
    if rec.comment is None:
        return
    rec.comment = _limit(rec, "comment", clean_text(rec.comment), MAX_COMMENT)
    if rec.withdrawn is None and "withdrawn" in rec.comment.lower() and _WITHDRAWN_RE.search(rec.comment):
        rec.withdrawn = True


def _validate_short_texts(rec: PaperRecord) -> None:
    for name in ("journal_ref", "doi", "license", "code_url", "project_url"):
        value = getattr(rec, name)
        if value is not None:
            setattr(rec, name, _limit(rec, name, clean_text(value), MAX_SHORT))
    for name, limit in (("organization", 100), ("organization_name", 200)):
        value = getattr(rec, name)
        if value is not None:
            setattr(rec, name, _limit(rec, name, clean_text(value), limit))


def _validate_urls(rec: PaperRecord) -> None:
    for name in ("code_url", "project_url"):
        value = getattr(rec, name)
        if value and not _HTTP_URL_RE.match(value):
            raise _fail(rec, f"not an http(s) URL: {value[:80]!r}", name)


def _validate_authors(rec: PaperRecord) -> None:
    if rec.authors is None:
        return
    if not isinstance(rec.authors, list):
        raise _fail(rec, "expected a list of names", "authors")
    if len(rec.authors) > MAX_AUTHORS:
        raise _fail(rec, f"{len(rec.authors):,} names, limit {MAX_AUTHORS:,}", "authors")
    # Checked as one blob first (a bulk load has ~10 names a paper); the per-name path
    # runs only when the blob has something to clean or to refuse.
    raw = [a if isinstance(a, str) else str(a) for a in rec.authors]
    blob = "\n".join(raw)
    names = [clean_text(a) for a in raw] if CONTROL_RE.search(blob) else [" ".join(a.split()) for a in raw]
    if _hostile(blob) and any(_hostile(n) for n in names):
        raise _fail(rec, "contains HTML markup or script", "authors")
    if len(blob) > MAX_AUTHOR_NAME:
        for name in names:
            if len(name) > MAX_AUTHOR_NAME:
                raise _fail(rec, f"a name of {len(name):,} characters", "authors")
    rec.authors = [n for n in names if n]


def _validate_categories(rec: PaperRecord) -> None:
    """Keep the arXiv categories; other tokens (ACM/MSC classes such as "I.4", "68T45,") are dropped.

    Feeds mix classification codes into the category list; refusing the paper for them lost
    real papers, so they are set aside on the record for the ingest report instead. A record
    left with no category at all named one that was not arXiv's, and is refused.
    """
    if rec.categories is None:
        return
    kept: list[str] = []
    dropped: list[str] = []
    for entry in rec.categories:
        for token in str(entry).split():
            if not is_category(token):
                dropped.append(token)
            elif token not in kept:
                kept.append(token)
    if dropped and not kept:
        raise _fail(rec, f"not an arXiv category: {' '.join(dropped)[:40]!r}", "categories")
    rec.categories = kept
    if dropped:  # a second validate of the same record keeps what the first one dropped
        rec.dropped_categories = dropped


def _validate_version(rec: PaperRecord) -> None:
    if rec.version is not None and not (1 <= int(rec.version) <= 999):
        raise _fail(rec, f"out of range: {rec.version}", "version")


def _validate_versions(rec: PaperRecord) -> None:
    if rec.versions is None:
        return
    rec.versions = sorted(
        {int(v["version"]): {"version": int(v["version"]), "date": v.get("date") or ""} for v in rec.versions}.values(),
        key=lambda v: v["version"],
    )
    if rec.versions and (rec.version or 0) < rec.versions[-1]["version"]:
        rec.version = rec.versions[-1]["version"]


def _validate_timestamps(rec: PaperRecord) -> None:
    for name in ("published", "updated"):
        value = getattr(rec, name)
        if value is None:
            continue
        if not isinstance(value, datetime):
            raise _fail(rec, f"not a date: {str(value)[:40]!r}", name)
        # UTC, as the database hands it back, so the content hash of a re-read paper matches.
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        setattr(rec, name, value)
        if not 1980 <= value.year <= 2100:
            raise _fail(rec, f"implausible year {value.year}", name)


def _validate_announced(rec: PaperRecord) -> None:
    # No announced date is guessed here: upsert fills a missing one from ``published`` but
    # never lets such a guess replace a listing date a source actually named.
    if rec.announced is None:
        return
    if not isinstance(rec.announced, date):
        raise _fail(rec, f"not a date: {str(rec.announced)[:40]!r}", "announced")
    if isinstance(rec.announced, datetime):
        rec.announced = rec.announced.date()
    if not 1980 <= rec.announced.year <= 2100:
        raise _fail(rec, f"implausible year {rec.announced.year}", "announced")


def _validate_upvotes(rec: PaperRecord) -> None:
    if rec.imported_upvotes is not None and not (0 <= int(rec.imported_upvotes) < 10_000_000):
        raise _fail(rec, f"out of range: {rec.imported_upvotes}", "upvotes")


# In this order: the id first (every later message names it), the version before the
# history that may raise it.
_VALIDATORS = (
    _validate_id, _validate_title, _validate_abstract, _validate_comment, _validate_short_texts, _validate_urls,
    _validate_authors, _validate_categories, _validate_version, _validate_versions, _validate_timestamps,
    _validate_announced, _validate_upvotes,
)


def validate(rec: PaperRecord) -> PaperRecord:
    """Normalise a record in place and return it, or raise RecordError naming the first bad field."""
    for check in _VALIDATORS:
        check(rec)
    return rec


def parse_date(value: str | None, *, source: str = "", position: str = "", field: str = "date") -> datetime | None:
    """Parse the date formats arXiv and HF use; raise RecordError naming the field otherwise."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d",
                "%a, %d %b %Y %H:%M:%S %Z", "%a, %d %b %Y %H:%M:%S %z"):
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(source, position, f"not a date: {text[:40]!r}", field=field) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
