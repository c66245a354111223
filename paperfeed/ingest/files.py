"""Reading the files sources come in: plain or gzipped text, JSON lines."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from paperfeed.papers.records import RecordError

T = TypeVar("T")


def open_text(path: str | Path) -> io.TextIOBase:
    """Open a plain or gzipped text file (decided by its magic bytes, not its name)."""
    path = Path(path)
    with path.open("rb") as raw:
        magic = raw.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def read_json_lines(
    path: str | Path, source: str, convert: Callable[[Any, str], T]
) -> Iterator[T | RecordError]:
    """``convert(row, "line N")`` for each JSON line, streamed.

    A line that is not JSON, or that ``convert`` rejects, becomes a RecordError in its place,
    so one bad line is reported and the rest of the file still goes in.
    """
    with open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            position = f"line {number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                yield RecordError(source, position, f"broken JSON: {error.msg} (column {error.colno})")
                continue
            try:
                yield convert(row, position)
            except RecordError as error:
                yield error
