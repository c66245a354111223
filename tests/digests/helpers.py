"""Shared test parts: a real SMTP server (aiosmtpd) and real arXiv papers from shared/data."""

from __future__ import annotations

import email
import email.policy
import gzip
import json
import re
import socket
import threading
import time
from datetime import date
from email.message import EmailMessage
from functools import lru_cache
from pathlib import Path

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collect:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.sink.lock:
            self.sink.messages.append(message)
            self.sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpSink:
    """A real SMTP server on 127.0.0.1 that keeps every delivered message, parsed."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()
        self.controller = Controller(_Collect(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        return list(self.messages)


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
