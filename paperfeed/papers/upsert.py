"""The one place that writes papers, whatever the source.

Rules: the same record twice changes nothing (content hash, no write, ``updated_at`` kept
so the index follower sees no change); a newer version replaces the metadata and extends the
version history; an older version never overwrites a newer one (its history is merged);
withdrawn papers are flagged, never deleted; second-hand sources (Hugging Face) create a
missing paper but never overwrite arXiv's metadata, only their community fields; a project link
that only leads back to the paper is dropped (links.is_bogus_project), whoever sent it.

Speed (a 2.7M-line arXiv snapshot must load in minutes): a paper's stored state is handled
as a plain dict, never a model instance. Per chunk one query reads ``(arxiv_id,
content_hash)``; a record whose would-be state hashes to the stored hash is unchanged without
reading the row (same state in, same state out), new papers are inserted with one
``executemany``, and only the rest are read in full, merged and updated. One transaction per
chunk, so a chunk is written entirely or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from . import freshness
from .links import extract_links, is_bogus_project
from .models import Paper
from .records import PaperRecord, RecordError, validate

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
# Columns added after papers were stored: hashed only when set, so adding one does not mark
# every stored paper changed (and re-index them all) on the next re-ingest.
LATER_FIELDS = ("organization", "organization_name")
# Every column whose value the hash covers, in a fixed order (the hash is of this tuple).
HASHED = (
    *METADATA_FIELDS,
    "announced",
    "code_url",
    "project_url",
    "primary_category",
    *COMMUNITY_FIELDS,
)
STATE_FIELDS = (*HASHED, *LATER_FIELDS, "source")
MAX_REJECTIONS_KEPT = 50
MAX_DROPPED_EXAMPLES_KEPT = 10
MAX_CHANGED_IDS_KEPT = 100_000
SECOND_HAND_SOURCES = ("", "hf-daily")
# Everything links.extract_links can find contains one of these (a scheme or a code host).
_CODE_HOSTS = ("github.com", "gitlab.com", "codeberg.org", "bitbucket.org")


def _may_link(text: str | None) -> bool:
    if not text:
        return False
    if "://" in text:
        return True
    lowered = text.lower()
    return any(host in lowered for host in _CODE_HOSTS)


@dataclass
class UpsertResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[str] = field(default_factory=list)
    # Ids added or updated (the first 100,000: a full snapshot load must not hold millions).
    changed_ids: list[str] = field(default_factory=list)
    # Non-arXiv category tokens validate() dropped (ACM/MSC classes), and in how many papers.
    dropped_tokens: int = 0
    dropped_papers: int = 0
    dropped_examples: list[str] = field(default_factory=list)

    def reject(self, error: RecordError | str) -> None:
        self.rejected += 1
        if len(self.rejections) < MAX_REJECTIONS_KEPT:
            self.rejections.append(str(error))

    def dropped(self, rec: PaperRecord) -> None:
        """Count the category tokens the record lost, keeping a few examples that say where."""
        self.dropped_tokens += len(rec.dropped_categories)
        self.dropped_papers += 1
        if len(self.dropped_examples) < MAX_DROPPED_EXAMPLES_KEPT:
            tokens = ", ".join(repr(t) for t in rec.dropped_categories[:5])
            more = len(rec.dropped_categories) - 5
            tokens += f" and {more} more" if more > 0 else ""
            self.dropped_examples.append(
                str(RecordError(rec.source, rec.position, f"dropped {tokens}", rec.arxiv_id, "categories")))

    def changed(self, ids: Iterable[str]) -> None:
        room = MAX_CHANGED_IDS_KEPT - len(self.changed_ids)
        if room > 0:
            self.changed_ids.extend(islice(ids, room))

    def merge(self, other: UpsertResult) -> None:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        room = MAX_REJECTIONS_KEPT - len(self.rejections)
        self.rejections.extend(other.rejections[: max(room, 0)])
        self.changed(other.changed_ids)
        self.dropped_tokens += other.dropped_tokens
        self.dropped_papers += other.dropped_papers
        room = MAX_DROPPED_EXAMPLES_KEPT - len(self.dropped_examples)
        self.dropped_examples.extend(other.dropped_examples[: max(room, 0)])

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged + self.rejected


def _padded(categories: list[str]) -> str:
    return f" {' '.join(categories)} " if categories else ""


def state_hash(state: dict) -> str:
    """Stable hash of a paper's stored metadata, so an unchanged re-ingest writes nothing.

    Built from ``repr`` of plain values (C-fast, deterministic for str/int/None/tuples); the
    version history is hashed as (number, date) pairs because PostgreSQL's jsonb hands dicts
    back with their keys reordered.
    """
    values = []
    for name in HASHED:
        value = state[name]
        if name == "versions":
            value = tuple((v.get("version"), v.get("date") or "") for v in value or ())
        elif isinstance(value, list):
            value = tuple(value)
        elif isinstance(value, datetime | date):
            value = value.isoformat()
        values.append(value)
    if any(state[name] for name in LATER_FIELDS):
        values.extend(state[name] for name in LATER_FIELDS)
    return hashlib.sha256(repr(values).encode("utf-8", "surrogatepass")).hexdigest()


def blank_state(source: str = "") -> dict:
    return {
        "title": "", "abstract": "", "authors": [], "categories": "", "version": 0, "versions": [],
        "comment": "", "journal_ref": "", "doi": "", "license": "", "published": None, "updated": None,
        "withdrawn": False, "announced": None, "code_url": "", "project_url": "", "primary_category": "",
        "imported_upvotes": 0, "github_stars": None, "ai_summary": "", "ai_keywords": [], "source": source,
        "organization": "", "organization_name": "",
    }


def _is_newer(rec: PaperRecord, state: dict) -> bool:
    """Does the record's metadata replace the stored one?

    arXiv's own sources always beat second-hand ones. Between two versioned views the higher
    version wins; when either side does not name a version (OAI ``arXiv`` format, Hugging
    Face) the later date wins; ties go to the record, so re-ingesting the same view is a no-op.
    """
    stored_first_hand = state["source"] not in SECOND_HAND_SOURCES
    if rec.authoritative != stored_first_hand:
        return rec.authoritative
    if rec.version and state["version"] and rec.version != state["version"]:
        return rec.version > state["version"]
    rec_stamp = rec.updated or rec.published
    stored_stamp = state["updated"] or state["published"]
    if rec_stamp and stored_stamp and rec_stamp != stored_stamp:
        return rec_stamp > stored_stamp
    return True


def _merge_versions(old: list[dict], new: list[dict] | None) -> list[dict]:
    if not new:
        return old or []
    if not old:
        return new
    merged = {v["version"]: v for v in old}
    for v in new:
        if v["version"] not in merged or (v.get("date") and not merged[v["version"]].get("date")):
            merged[v["version"]] = v
    return [merged[k] for k in sorted(merged)]


# Fields a second-hand source may fill when arXiv left them empty (never overwrite).
FILLABLE_FIELDS = (
    "title", "abstract", "authors", "categories", "comment", "journal_ref", "doi", "license", "published", "updated",
)


def _is_blank(value) -> bool:
    return value is None or value == "" or value == []


def apply_record(state: dict, rec: PaperRecord, *, metadata: bool) -> dict:
    """Copy what the record knows onto the state (fields it does not know are kept)."""
    stored_first_hand = state["source"] not in SECOND_HAND_SOURCES
    had_announced = state["announced"] is not None
    if metadata:
        _take_metadata(state, rec)
    else:
        state["versions"] = _merge_versions(state["versions"], rec.versions)
        if not rec.authoritative:
            _fill_gaps(state, rec)
    _apply_announced(state, rec, had_announced=had_announced, stored_first_hand=stored_first_hand)
    if rec.withdrawn:
        state["withdrawn"] = True
    _apply_links(state, rec)
    if is_bogus_project(state["project_url"], rec.arxiv_id):
        state["project_url"] = ""
    _apply_community(state, rec)
    return state


def _take_metadata(state: dict, rec: PaperRecord) -> None:
    for name in METADATA_FIELDS:
        value = getattr(rec, name)
        if value is None:
            continue
        if name == "categories":
            state["categories"] = _padded(value)
            state["primary_category"] = value[0] if value else ""
        elif name == "versions":
            state["versions"] = _merge_versions(state["versions"], value)
        else:
            state[name] = value
    if rec.source:
        state["source"] = rec.source


def _fill_gaps(state: dict, rec: PaperRecord) -> None:
    """A second-hand record fills what arXiv left empty, and nothing else."""
    for name in FILLABLE_FIELDS:
        value = getattr(rec, name)
        current = state[name].strip() if name == "categories" else state[name]
        if _is_blank(value) or not _is_blank(current):
            continue
        if name == "categories":
            state["categories"] = _padded(value)
            state["primary_category"] = value[0]
        else:
            state[name] = value


def _apply_announced(state: dict, rec: PaperRecord, *, had_announced: bool, stored_first_hand: bool) -> None:
    """The listing day: the earliest one arXiv's own sources name.

    A second-hand source, or a date guessed from the submission date, only fills a gap, and
    gives way once arXiv says.
    """
    if rec.announced is not None:
        if (not had_announced or (rec.authoritative and not stored_first_hand)
                or (rec.authoritative and rec.announced < state["announced"])):
            state["announced"] = rec.announced
    elif not had_announced and state["published"] is not None:
        state["announced"] = state["published"].date()


def _apply_links(state: dict, rec: PaperRecord) -> None:
    """An explicit link from the source wins; else what the comment/abstract says.

    The cheap _may_link test skips the extractor for the many papers that mention no URL.
    """
    if (not (rec.code_url or state["code_url"]) or not (rec.project_url or state["project_url"])) and (
        _may_link(state["comment"]) or _may_link(state["abstract"])
    ):
        found = extract_links(state["comment"], state["abstract"])
        code, project = found.code_url, found.project_url
    else:
        code = project = ""
    state["code_url"] = rec.code_url or state["code_url"] or code
    given = "" if is_bogus_project(rec.project_url, rec.arxiv_id) else rec.project_url
    state["project_url"] = given or state["project_url"] or project


def _apply_community(state: dict, rec: PaperRecord) -> None:
    if rec.imported_upvotes is not None:
        state["imported_upvotes"] = max(state["imported_upvotes"] or 0, int(rec.imported_upvotes))
    if rec.github_stars is not None:
        # Like votes, star counts only grow in practice; the max makes re-importing an older
        # day's snapshot of them a no-op instead of a flip-flop.
        state["github_stars"] = max(state["github_stars"] or 0, int(rec.github_stars))
    if rec.ai_summary is not None:
        state["ai_summary"] = rec.ai_summary
    if rec.ai_keywords is not None:
        state["ai_keywords"] = rec.ai_keywords
    if rec.organization is not None:
        state["organization"] = rec.organization
        state["organization_name"] = rec.organization_name or rec.organization


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
    # Several views of one paper in a chunk are applied in turn to one state, so a chunk
    # holding the same paper twice writes it once (and a re-run of it writes nothing).
    valid: dict[str, list[PaperRecord]] = {}
    for item in chunk:
        if isinstance(item, RecordError):
            result.reject(item)
            continue
        try:
            rec = validate(item)
        except RecordError as error:
            result.reject(error)
            continue
        if rec.dropped_categories:
            result.dropped(rec)
        valid.setdefault(rec.arxiv_id, []).append(rec)
    if not valid:
        return result
    try:
        with transaction.atomic():
            _write(valid, result)
    except IntegrityError:
        # A concurrent writer inserted one of these ids between our read and write: redo the
        # chunk paper by paper so only a truly bad record is lost.
        for arxiv_id, recs in valid.items():
            try:
                with transaction.atomic():
                    _write({arxiv_id: recs}, result)
            except IntegrityError as error:
                rec = recs[-1]
                result.reject(RecordError(rec.source, rec.position, f"database refused it: {error}", arxiv_id))
    return result


def _json_text(value) -> str | None:
    return None if value is None else json.dumps(value)


def _sqlite_datetime(value: datetime | None) -> str | None:
    """What Django's SQLite backend stores for an aware datetime: naive UTC, ISO with a space."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ")


class _Columns:
    """Database-ready values for raw ``executemany`` (JSON and dates as the backend wants them)."""

    def __init__(self, names: tuple[str, ...], *, all_columns: bool = False):
        fields = {f.name: f for f in Paper._meta.concrete_fields}
        # Columns this module does not set (hidden, local_upvotes, any added later) get the
        # model's default, as Model.save() would give them.
        self.defaults = {name: f.get_default() for name, f in fields.items()
                         if all_columns and name not in names and not f.primary_key}
        names = (*names, *self.defaults)
        self.names = names
        self.convert = []
        for name in names:
            f = fields[name]
            internal = f.get_internal_type()
            sqlite = connection.vendor == "sqlite"
            if internal == "JSONField":
                # SQLite stores JSON as text (what Django's own adaptation does, minus its layers).
                self.convert.append(_json_text if sqlite else (lambda v, f=f: f.get_db_prep_save(v, connection)))
            elif internal == "DateTimeField":
                self.convert.append(_sqlite_datetime if sqlite else connection.ops.adapt_datetimefield_value)
            elif internal == "DateField":
                self.convert.append(connection.ops.adapt_datefield_value)
            else:
                self.convert.append(None)
        self.column = [connection.ops.quote_name(fields[n].column) for n in names]

    def row(self, values: dict) -> list:
        return [conv(values[n]) if conv else values[n] for n, conv in zip(self.names, self.convert, strict=True)]


INSERT_FIELDS = (*STATE_FIELDS, "arxiv_id", "content_hash", "created_at", "updated_at")
UPDATE_FIELDS = (*STATE_FIELDS, "content_hash", "updated_at")


def _write(valid: dict[str, list[PaperRecord]], result: UpsertResult) -> None:
    """Plan (hashes only) → read and merge what may have changed → insert → update."""
    now = timezone.now()
    inserts, suspects = _plan(valid, _stored_hashes(list(valid)), result, now)
    changed = _merge_stored(suspects, valid, result, now)
    if inserts:
        _insert(inserts)
        result.added += len(inserts)
        result.changed(v["arxiv_id"] for v in inserts)
    if changed:
        _update(changed)
        result.updated += len(changed)
        result.changed(v["arxiv_id"] for v in changed)
        freshness.papers_changed(v["arxiv_id"] for v in changed)
    elif inserts:
        freshness.papers_added()


def _stored_hashes(ids: list[str]) -> dict[str, str]:
    stored: dict[str, str] = {}
    for start in range(0, len(ids), 900):  # SQLite's bound-parameter limit
        stored.update(
            Paper.objects.filter(arxiv_id__in=ids[start: start + 900]).values_list("arxiv_id", "content_hash")
        )
    return stored


def _plan(valid: dict[str, list[PaperRecord]], stored: dict[str, str], result: UpsertResult,
          now: datetime) -> tuple[list[dict], list[str]]:
    """New papers' full rows, and the ids whose stored row must be read because it may change."""
    inserts: list[dict] = []
    suspects: list[str] = []
    for arxiv_id, recs in valid.items():
        first = recs[0]
        if arxiv_id not in stored and not first.title:
            result.reject(RecordError(first.source, first.position, "unknown paper and the record has no title",
                                      arxiv_id, "title"))
            recs = recs[1:]
            if not recs:
                continue
            valid[arxiv_id] = recs
            first = recs[0]
        result.unchanged += len(recs) - 1  # the extra views are folded into one write
        fresh = apply_record(blank_state(first.source), first, metadata=True)
        for rec in recs[1:]:
            apply_record(fresh, rec, metadata=_is_newer(rec, fresh))
        digest = state_hash(fresh)
        if arxiv_id not in stored:
            fresh.update(arxiv_id=arxiv_id, content_hash=digest, created_at=now, updated_at=now)
            inserts.append(fresh)
        elif stored[arxiv_id] == digest and len(recs) == 1:
            result.unchanged += 1  # the stored state is exactly what this record alone makes
        else:
            suspects.append(arxiv_id)
    return inserts, suspects


def _merge_stored(suspects: list[str], valid: dict[str, list[PaperRecord]], result: UpsertResult,
                  now: datetime) -> list[dict]:
    """Apply the records onto the stored rows; those whose hash moved are returned for update."""
    changed: list[dict] = []
    for start in range(0, len(suspects), 900):
        for row in Paper.objects.filter(arxiv_id__in=suspects[start: start + 900]).values(
            "pk", "arxiv_id", "content_hash", *STATE_FIELDS
        ):
            state = {name: row[name] for name in STATE_FIELDS}
            for rec in valid[row["arxiv_id"]]:
                apply_record(state, rec, metadata=_is_newer(rec, state))
            digest = state_hash(state)
            if digest == row["content_hash"]:
                result.unchanged += 1
                continue
            state.update(pk=row["pk"], arxiv_id=row["arxiv_id"], content_hash=digest, updated_at=now)
            changed.append(state)
    return changed


def _insert(inserts: list[dict]) -> None:
    cols = _Columns(INSERT_FIELDS, all_columns=True)
    defaults = cols.defaults
    sql = (f"INSERT INTO {connection.ops.quote_name(Paper._meta.db_table)} ({', '.join(cols.column)}) "
           f"VALUES ({', '.join(['%s'] * len(cols.column))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [cols.row(values | defaults) if defaults else cols.row(values)
                                 for values in inserts])


def _update(changed: list[dict]) -> None:
    cols = _Columns(UPDATE_FIELDS)
    assignments = ", ".join(f"{c} = %s" for c in cols.column)
    sql = f"UPDATE {connection.ops.quote_name(Paper._meta.db_table)} SET {assignments} WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*cols.row(values), values["pk"]] for values in changed])
