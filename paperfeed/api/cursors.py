"""Keyset pagination for ``GET /api/papers``: newest announced first, then newest row first.

Why keyset and not offsets: with ``?offset=`` a paper inserted on page 1 while a client
reads page 2 shifts everything by one, so one item is served twice (or skipped when rows
go away). A cursor that says "after (announced, pk)" does not move when rows are inserted:
rows inserted above it are simply not part of this walk, rows inserted below it are met
in order, and nothing already served comes back. Papers never announced sort last.

The cursor is opaque and signed (django.core.signing), so clients cannot forge positions
and we can change its contents later without breaking anyone who treats it as a string.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core import signing
from django.db.models import F, Q, QuerySet

from paperfeed.papers.models import Paper

from .errors import ApiError

SALT = "paperfeed.api.papers.cursor"
VERSION = 1


@dataclass(frozen=True)
class Position:
    announced: date | None
    pk: int


def encode(position: Position) -> str:
    payload = {"v": VERSION, "a": position.announced.isoformat() if position.announced else None, "i": position.pk}
    return signing.dumps(payload, salt=SALT, compress=True)


def decode(cursor: str) -> Position:
    """The position a cursor names; 400 for anything we did not sign or cannot read."""
    try:
        payload = signing.loads(cursor, salt=SALT)
        if not isinstance(payload, dict) or payload.get("v") != VERSION:
            raise ValueError("unknown cursor version")
        announced = date.fromisoformat(payload["a"]) if payload["a"] is not None else None
        pk = payload["i"]
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError("bad position")
    except (signing.BadSignature, ValueError, KeyError, TypeError) as error:
        raise ApiError(400, "Invalid cursor", f"Use the next_cursor of a previous page ({error})") from None
    return Position(announced, pk)


def ordered(qs: QuerySet[Paper]) -> QuerySet[Paper]:
    return qs.order_by(F("announced").desc(nulls_last=True), "-pk")


def after(qs: QuerySet[Paper], position: Position) -> QuerySet[Paper]:
    """Rows strictly after the position in :func:`ordered` order."""
    if position.announced is None:
        return qs.filter(announced__isnull=True, pk__lt=position.pk)
    return qs.filter(
        Q(announced__lt=position.announced)
        | Q(announced=position.announced, pk__lt=position.pk)
        | Q(announced__isnull=True)
    )


def page(qs: QuerySet[Paper], cursor: str | None, limit: int) -> tuple[list[Paper], str | None]:
    """One page and the cursor of the next (None when this page is the last)."""
    if cursor:
        qs = after(qs, decode(cursor))
    rows = list(ordered(qs)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode(Position(rows[-1].announced, rows[-1].pk)) if more and rows else None
    return rows, next_cursor
