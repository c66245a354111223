"""Load the bundled sample (real arXiv papers + Hugging Face daily entries) with the real ingest code.

The demo, benchmarks and screenshots call :func:`load_sample`. It runs the same readers and
upsert as ``paperfeed ingest snapshot`` and ``paperfeed ingest hf-daily``, so the sample is also
an end-to-end check of them; a second run finds everything unchanged and writes nothing.
See README.md beside this file for what the files hold.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

HERE = Path(__file__).resolve().parent
ARXIV_FILE = HERE / "arxiv_sample.jsonl.gz"
HF_FILE = HERE / "hf_daily_sample.jsonl.gz"


def load_sample(progress: bool = True, console: Console | None = None) -> dict:
    """Ingest the sample's arXiv papers, then its HF daily entries; return both reports.

    Returns ``{"papers": {...}, "hf": {...}, "added", "updated", "unchanged", "rejected",
    "entries_added", "seconds"}`` (the per-source reports and their totals).
    """
    from paperfeed.ingest.hf_daily import ingest_file
    from paperfeed.ingest.snapshot import ingest_snapshot

    console = console or Console(stderr=True)
    papers = ingest_snapshot(ARXIV_FILE, progress=progress, console=console, quiet=True)
    hf = ingest_file(HF_FILE, progress=progress, console=console, quiet=True)
    totals = {
        key: getattr(papers.result, key) + getattr(hf.result, key)
        for key in ("added", "updated", "unchanged", "rejected")
    }
    report = {
        "papers": papers.as_dict(),
        "hf": hf.as_dict(),
        **totals,
        "entries_added": hf.notes.get("entries added", 0),
        "seconds": round(papers.seconds + hf.seconds, 2),
    }
    if progress:
        console.print(f"  sample: {papers.summary_line()}")
        console.print(f"  sample: {hf.summary_line()}")
    return report
