"""Shared test parts: a real SMTP server (aiosmtpd) and real arXiv papers from tests/fixtures."""

from __future__ import annotations

import gzip
import json
import re
from datetime import date
from email.message import EmailMessage
from functools import lru_cache
from pathlib import Path


def text_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


def path_of(url: str, site_url: str) -> str:
    assert url.startswith(site_url), f"{url} does not point back to {site_url}"
    return url[len(site_url):]


@lru_cache(maxsize=4)
def real_papers(data_dir: str, start: str, end: str, categories: tuple[str, ...] = ()) -> tuple[dict, ...]:
    """Papers of arxiv_daily.jsonl.gz listed in [start, end] (optionally only these primaries)."""
    rows = []
    with gzip.open(Path(data_dir) / "arxiv_daily.jsonl.gz", "rt") as fh:
        for line in fh:
            row = json.loads(line)
            if start <= row["date"] <= end and (not categories or row["categories"][0] in categories):
                rows.append(row)
    return tuple(rows)


def store(rows, upvotes: dict[str, int] | None = None) -> None:
    """Write the rows through the one service that writes papers."""
    from paperfeed.papers.records import PaperRecord
    from paperfeed.papers.upsert import upsert_papers

    upvotes = upvotes or {}
    records = [
        PaperRecord(
            arxiv_id=row["id"], title=row["title"], abstract=row["abstract"], authors=row["authors"],
            categories=row["categories"], comment=row.get("comment"), announced=date.fromisoformat(row["date"]),
            imported_upvotes=upvotes.get(row["id"]), source="arxiv-test", version=1,
        )
        for row in rows
    ]
    result = upsert_papers(records)
    assert result.rejected == 0, result.rejections
