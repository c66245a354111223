"""The one place that writes papers, whatever the source.

Rules: the same record twice changes nothing (content hash, no write, ``updated_at`` kept
so the index follower sees no change); a newer version replaces the metadata and extends the
version history; an older version never overwrites a newer one (its history is merged);
withdrawn papers are flagged, never deleted; second-hand sources (Hugging Face) create a
missing paper but never overwrite arXiv's metadata, only their community fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.db import IntegrityError, transaction
from django.utils import timezone

from .links import extract_links
from .models import Paper
from .records import PaperRecord, RecordError, content_hash, validate

METADATA_FIELDS = (
    "title",
    "abstract",
    "authors",
    "categories",
    "version",
    "versions",
    "comment",
    "journal_ref",
    "doi",
    "license",
    "published",
    "updated",
    "withdrawn",
)
COMMUNITY_FIELDS = ("imported_upvotes", "github_stars", "ai_summary", "ai_keywords")
MAX_REJECTIONS_KEPT = 50


@dataclass
class UpsertResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[str] = field(default_factory=list)
    changed_ids: list[str] = field(default_factory=list)

    def reject(self, error: RecordError | str) -> None:
        self.rejected += 1
        if len(self.rejections) < MAX_REJECTIONS_KEPT:
            self.rejections.append(str(error))

    def merge(self, other: UpsertResult) -> None:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        room = MAX_REJECTIONS_KEPT - len(self.rejections)
        self.rejections.extend(other.rejections[: max(room, 0)])
        self.changed_ids.extend(other.changed_ids)

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged + self.rejected


def _padded(categories: list[str]) -> str:
    return f" {' '.join(categories)} " if categories else ""


def _hash_of(paper: Paper) -> str:
    return content_hash(
        {
            "title": paper.title,
            "abstract": paper.abstract,
            "authors": paper.authors,
            "categories": paper.categories,
            "version": paper.version,
            "versions": paper.versions,
            "comment": paper.comment,
            "journal_ref": paper.journal_ref,
            "doi": paper.doi,
            "license": paper.license,
            "published": paper.published.isoformat() if paper.published else None,
            "updated": paper.updated.isoformat() if paper.updated else None,
            "announced": paper.announced.isoformat() if paper.announced else None,
            "withdrawn": paper.withdrawn,
            "code_url": paper.code_url,
            "project_url": paper.project_url,
            "primary_category": paper.primary_category,
            **{name: getattr(paper, name) for name in COMMUNITY_FIELDS},
        }
    )


def _stored_rank(paper: Paper) -> tuple[int, int, str]:
    stamp = paper.updated or paper.published
    authoritative = 0 if paper.source in ("", "hf-daily") else 1
    return (authoritative, paper.version or 0, stamp.isoformat() if stamp else "")


def _merge_versions(old: list[dict], new: list[dict] | None) -> list[dict]:
    merged = {v["version"]: v for v in old or []}
    for v in new or []:
        if v["version"] not in merged or (v.get("date") and not merged[v["version"]].get("date")):
            merged[v["version"]] = v
    return [merged[k] for k in sorted(merged)]


# Fields a second-hand source may fill when arXiv left them empty (never overwrite).
FILLABLE_FIELDS = (
    "title", "abstract", "authors", "categories", "comment", "journal_ref", "doi", "license", "published", "updated",
)


def _is_blank(value) -> bool:
    return value is None or value == "" or value == []


def _apply(paper: Paper, rec: PaperRecord, *, metadata: bool, stored_authoritative: bool = True) -> None:
    """Copy what the record knows onto the paper (fields it does not know are kept)."""
    if metadata:
        for name in METADATA_FIELDS:
            value = getattr(rec, name)
            if value is None:
                continue
            if name == "categories":
                paper.categories = _padded(value)
                paper.primary_category = value[0] if value else ""
            elif name == "versions":
                paper.versions = _merge_versions(paper.versions, value)
            else:
                setattr(paper, name, value)
        if rec.source:
            paper.source = rec.source
    else:
        paper.versions = _merge_versions(paper.versions, rec.versions)
        if not rec.authoritative:
            for name in FILLABLE_FIELDS:
                value = getattr(rec, name)
                current = paper.categories.strip() if name == "categories" else getattr(paper, name)
                if _is_blank(value) or not _is_blank(current):
                    continue
                if name == "categories":
                    paper.categories = _padded(value)
                    paper.primary_category = value[0]
                else:
                    setattr(paper, name, value)
    if rec.announced is not None:
        # The listing day: the earliest an authoritative source says; a second-hand source
        # (whose "announced" is only derived from its publication date) just fills a gap,
        # and gives way once arXiv itself says.
        if paper.announced is None or (rec.authoritative and not stored_authoritative):
            paper.announced = rec.announced
        elif rec.authoritative and rec.announced < paper.announced:
            paper.announced = rec.announced
    if rec.withdrawn:
        paper.withdrawn = True
    # Links: an explicit one from the source wins; else what the comment/abstract says.
    found = extract_links(paper.comment, paper.abstract) if not (paper.code_url and paper.project_url) else None
    paper.code_url = rec.code_url or paper.code_url or (found.code_url if found else "")
    paper.project_url = rec.project_url or paper.project_url or (found.project_url if found else "")
    if rec.imported_upvotes is not None:
        paper.imported_upvotes = max(paper.imported_upvotes or 0, int(rec.imported_upvotes))
    if rec.github_stars is not None:
        paper.github_stars = rec.github_stars
    if rec.ai_summary is not None:
        paper.ai_summary = rec.ai_summary
    if rec.ai_keywords is not None:
        paper.ai_keywords = rec.ai_keywords


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def upsert_papers(
    records: Iterable[PaperRecord | RecordError], *, chunk_size: int = 2000, on_chunk=None
) -> UpsertResult:
    """Validate and store records in chunks; each chunk is one transaction.

    Sources may yield a RecordError in place of a record they could not parse: it is counted
    and reported with the rest, so every rejection lands in one report. ``on_chunk(n)`` is
    called after each chunk with the number of input items it held (for progress bars).
    """
    result = UpsertResult()
    for chunk in _chunks(records, chunk_size):
        result.merge(_upsert_chunk(chunk))
        if on_chunk:
            on_chunk(len(chunk))
    return result


def _upsert_chunk(chunk: list[PaperRecord | RecordError]) -> UpsertResult:
    result = UpsertResult()
    valid: dict[str, PaperRecord] = {}
    for item in chunk:
        if isinstance(item, RecordError):
            result.reject(item)
            continue
        try:
            rec = validate(item)
        except RecordError as error:
            result.reject(error)
            continue
        seen = valid.get(rec.arxiv_id)
        if seen is None:
            valid[rec.arxiv_id] = rec
        else:
            # Two views of one paper in a chunk: the newer wins, histories merge.
            newer, older = (rec, seen) if rec.rank() >= seen.rank() else (seen, rec)
            newer.versions = _merge_versions(older.versions or [], newer.versions) if (
                older.versions or newer.versions
            ) else None
            valid[rec.arxiv_id] = newer
            result.unchanged += 1
    if not valid:
        return result
    try:
        with transaction.atomic():
            _write(valid, result)
    except IntegrityError:
        # A concurrent writer inserted one of these ids between our read and write: redo
        # the chunk record by record so only a truly bad record is lost.
        for rec in valid.values():
            try:
                with transaction.atomic():
                    _write({rec.arxiv_id: rec}, result)
            except IntegrityError as error:
                result.reject(RecordError(rec.source, rec.position, f"database refused it: {error}", rec.arxiv_id))
    return result


def _write(valid: dict[str, PaperRecord], result: UpsertResult) -> None:
    existing = Paper.objects.in_bulk(list(valid), field_name="arxiv_id")
    to_create: list[Paper] = []
    to_update: list[Paper] = []
    now = timezone.now()
    for arxiv_id, rec in valid.items():
        paper = existing.get(arxiv_id)
        if paper is None:
            if not rec.title:
                result.reject(RecordError(rec.source, rec.position, "unknown paper and the record has no title",
                                          arxiv_id, "title"))
                continue
            paper = Paper(arxiv_id=arxiv_id, source=rec.source)
            _apply(paper, rec, metadata=True)
            paper.content_hash = _hash_of(paper)
            paper.created_at = paper.updated_at = now
            to_create.append(paper)
            continue
        stored = _stored_rank(paper)
        newer = rec.rank() >= stored
        _apply(paper, rec, metadata=newer, stored_authoritative=bool(stored[0]))
        digest = _hash_of(paper)
        if digest == paper.content_hash:
            result.unchanged += 1
            continue
        paper.content_hash = digest
        paper.updated_at = now
        to_update.append(paper)
    if to_create:
        Paper.objects.bulk_create(to_create, batch_size=500)
        result.added += len(to_create)
        result.changed_ids.extend(p.arxiv_id for p in to_create)
    if to_update:
        fields = [
            *METADATA_FIELDS,
            *COMMUNITY_FIELDS,
            "primary_category",
            "announced",
            "code_url",
            "project_url",
            "source",
            "content_hash",
            "updated_at",
        ]
        Paper.objects.bulk_update(to_update, fields, batch_size=200)
        result.updated += len(to_update)
        result.changed_ids.extend(p.arxiv_id for p in to_update)
