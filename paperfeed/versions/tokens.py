"""Version tokens of what cached pages show, kept in the database every process shares.

A write that changes a list or a paper page calls :func:`bump` with the keys it touched, inside its
own transaction; a cached page reads the tokens of the keys it shows with :func:`read` (one indexed
query) and puts them in its cache key. The tokens live in the shared database, so a bump made by any
process on any node reaches every process's cache at its next request; no message bus is needed.

A token is random, not a counter: a key never seen gets a fresh token the first time it is read, so a
database restored from a backup or created anew (every test) never meets a cache filled for an
earlier state under the same numbers.

The keys (see :mod:`paperfeed.versions.keys`) are few and coarse where a finer key would cost more to
keep than the re-render it saves.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.db import connection

from .models import ContentVersion


def _fresh() -> int:
    return secrets.randbits(62)


def bump(keys: Iterable[str]) -> None:
    """Give every key a new token (one upsert; sorted so concurrent bumps lock rows in one order)."""
    token = _fresh()
    rows = [ContentVersion(key=key, token=token) for key in sorted(set(keys))]
    if rows:
        ContentVersion.objects.bulk_create(rows, update_conflicts=True, unique_fields=["key"], update_fields=["token"])


def _select(keys: list[str]) -> dict[str, int]:
    """One indexed SELECT, in plain SQL: it runs on every cached request, and the ORM's query
    building would cost more than the query itself."""
    quote = connection.ops.quote_name
    sql = (f"SELECT {quote('key')}, {quote('token')} FROM {quote(ContentVersion._meta.db_table)} "
           f"WHERE {quote('key')} IN ({', '.join(['%s'] * len(keys))})")
    with connection.cursor() as cursor:
        cursor.execute(sql, keys)
        return dict(cursor.fetchall())


def read(keys: Iterable[str]) -> tuple[int, ...]:
    """The tokens of ``keys`` in their order; keys never seen get a token now (once, ever)."""
    wanted = list(keys)
    found = _select(wanted)
    missing = [key for key in wanted if key not in found]
    if missing:
        ContentVersion.objects.bulk_create(
            [ContentVersion(key=key, token=_fresh()) for key in sorted(set(missing))], ignore_conflicts=True
        )
        found.update(_select(missing))
    return tuple(found[key] for key in wanted)
