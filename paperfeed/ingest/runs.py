"""One ingest run per source, for every caller: ``paperfeed ingest``/``add`` and the worker's harvest job.

Each function runs its source to the end and returns the run's IngestReport (``add_paper`` returns
the stored Paper), so a caller reads counts from an object instead of parsing printed text.
Anything that stops a whole run (an OAI-PMH error, arXiv refusing a query, a host that cannot be
reached, a missing file) is raised as IngestError with one line naming the source and the cause:
the command prints it, a job records it on its JobRun. Progress bars and the printed report are
the caller's choice (``progress``); the worker runs without them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from paperfeed.papers.arxiv import parse_arxiv_id
from paperfeed.papers.models import Paper

from . import http
from .api import ArxivApiError, fetch_paper, ingest
from .hf_daily import ingest_date, ingest_file
from .oai import HarvestError, harvest
from .report import IngestReport
from .snapshot import ingest_snapshot


class IngestError(RuntimeError):
    """A run could not go on; the message names the source and the reason."""


@contextmanager
def _stops_as_ingest_error(source: str) -> Iterator[None]:
    try:
        yield
    except http.FetchError as error:
        raise IngestError(f"{source}: {error}") from error
    except (HarvestError, ArxivApiError) as error:  # their messages already name the source
        raise IngestError(str(error)) from error


def _existing(path: str | Path, source: str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"{source}: no such file: {path}")
    return path


def harvest_oai(set_spec: str = "", from_date: date | None = None, until: date | None = None,
                prefix: str = "arXiv", *, restart: bool = False, progress: bool = False,
                console=None) -> IngestReport:
    """One OAI-PMH harvest of a set; without ``from_date`` it continues from the last harvest."""
    with _stops_as_ingest_error("oai"):
        return harvest(set_spec, from_date, until, prefix, restart=restart, progress=progress, console=console)


def query_api(query: str | None = None, ids: list[str] | None = None, max_results: int | None = None, *,
              progress: bool = False, console=None) -> IngestReport:
    """An arXiv API search query (paged) or a list of ids."""
    with _stops_as_ingest_error("api"):
        return ingest(query, ids or None, max_results, progress=progress, console=console)


def import_snapshot(path: str | Path, *, chunk_size: int = 5000, progress: bool = False,
                    console=None) -> IngestReport:
    """arXiv's bulk metadata snapshot (JSON lines, plain or .gz)."""
    path = _existing(path, "snapshot")
    with _stops_as_ingest_error("snapshot"):
        return ingest_snapshot(path, progress=progress, console=console, chunk_size=chunk_size)


def import_hf_file(path: str | Path, *, day: date | None = None, progress: bool = False,
                   console=None) -> IngestReport:
    """A Hugging Face daily papers file; ``day`` dates a plain array that carries no dates."""
    path = _existing(path, "hf-daily")
    with _stops_as_ingest_error("hf-daily"):
        return ingest_file(path, day=day, progress=progress, console=console)


def fetch_hf_day(day: date, *, progress: bool = False, console=None) -> IngestReport:
    """The Hugging Face daily papers list of one day, fetched."""
    with _stops_as_ingest_error("hf-daily"):
        return ingest_date(day, progress=progress, console=console)


def add_paper(raw: str) -> Paper:
    """One paper by id or URL in any form, fetched from the arXiv API, stored and returned."""
    parsed = parse_arxiv_id(raw.strip())
    if parsed is None:
        raise IngestError(f"not an arXiv id or URL: {raw!r}")
    try:
        paper = fetch_paper(raw)
    except (ArxivApiError, http.FetchError) as error:
        raise IngestError(str(error)) from error
    if paper is None:
        raise IngestError(f"arXiv has no paper {parsed.id}")
    return paper
