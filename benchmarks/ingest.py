"""Snapshot ingest throughput: 74,728 real papers into a fresh SQLite database, then again unchanged.

Converts ../shared/data/arxiv_daily.jsonl.gz to arXiv's metadata-snapshot format (cached in
.benchcache/), then runs ``paperfeed.ingest.snapshot.ingest_snapshot`` twice, each in its own
process so peak RSS is that run's alone: a fresh ingest into an empty, migrated database and a
re-ingest of the same file (all unchanged). No embeddings, no indexes. Prints a table.

    nice -n 10 python benchmarks/ingest.py [--limit N] [--chunk-size 5000]
"""

from __future__ import annotations

import argparse
import datetime
import email.utils
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from paperfeed.papers.arxiv import is_category

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
CACHE = ROOT / ".benchcache"


def convert(limit: int | None) -> Path:
    """The daily file as snapshot JSON lines (+ ``announced``), gzipped like arXiv ships it.

    The daily crawl's category lists also hold ACM/MSC classes ("I.4", "68T45,"); arXiv's
    snapshot does not, so the conversion keeps arXiv categories only, as the snapshot would.
    """
    CACHE.mkdir(exist_ok=True)
    out = CACHE / f"arxiv_snapshot_v4{'' if limit is None else f'_{limit}'}.jsonl.gz"
    if out.exists():
        return out
    tmp = out.with_suffix(".tmp")
    with gzip.open(SHARED / "arxiv_daily.jsonl.gz", "rt", encoding="utf-8") as src, \
            gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as dst:
        for n, line in enumerate(src):
            if limit is not None and n >= limit:
                break
            row = json.loads(line)
            day = datetime.date.fromisoformat(row["date"])
            # The listing day stands in for v1's submission time (the daily file has no time).
            created = email.utils.format_datetime(
                datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC), usegmt=True)
            dst.write(json.dumps({
                "id": row["id"], "submitter": row["authors"][0] if row["authors"] else None,
                "authors": ", ".join(row["authors"]),
                "title": row["title"], "comments": row.get("comment"), "journal-ref": None, "doi": None,
                "report-no": None, "categories": " ".join(c for c in row["categories"] if is_category(c)), "license": None,
                "abstract": row["abstract"], "versions": [{"version": "v1", "created": created}],
                "update_date": row["date"],
                "authors_parsed": [[*reversed(name.rsplit(" ", 1)), ""] if " " in name else [name, "", ""]
                                   for name in row["authors"]],
                "announced": row["date"],
            }, ensure_ascii=False) + "\n")
    tmp.rename(out)
    return out


def run_phase(snapshot: Path, chunk_size: int) -> dict:
    """One ingest in this process (the database is already migrated by the parent)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    django.setup()
    from paperfeed.ingest.snapshot import ingest_snapshot
    from paperfeed.papers.models import Paper

    started, cpu = time.perf_counter(), time.process_time()
    report = ingest_snapshot(snapshot, progress=False, chunk_size=chunk_size)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    r = report.result
    return {
        "papers": r.added + r.updated + r.unchanged + r.rejected,
        "added": r.added, "updated": r.updated, "unchanged": r.unchanged, "rejected": r.rejected,
        "seconds": seconds, "cpu": cpu, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rows": Paper.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="only the first N papers")
    parser.add_argument("--chunk-size", type=int, default=5000)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--snapshot", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(Path(args.snapshot), args.chunk_size)))
        return

    snapshot = convert(args.limit)
    with tempfile.TemporaryDirectory(prefix="pf-bench-ingest-") as data_dir:
        env = {**os.environ, "PAPERFEED_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "paperfeed.settings"}
        env.pop("PAPERFEED_DATABASE_URL", None)  # always SQLite: the embedded default
        subprocess.run([sys.executable, "-m", "django", "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        rows = []
        for name in ("fresh ingest", "unchanged re-ingest"):
            out = subprocess.run(
                [sys.executable, __file__, "--phase", name, "--snapshot", str(snapshot),
                 "--chunk-size", str(args.chunk_size)],
                env=env, check=True, cwd=ROOT, capture_output=True, text=True,
            )
            rows.append((name, json.loads(out.stdout.strip().splitlines()[-1])))
    load = os.getloadavg()[0]
    print(f"snapshot ingest into SQLite, {snapshot.name}, chunk size {args.chunk_size}, "
          f"{os.cpu_count()} CPUs, load average {load:.1f} at the end")
    print("| run                 |  papers |  added | unchanged | rejected | seconds | papers/s "
          "| CPU s | papers/CPU-s | peak RSS MB |")
    print("|---------------------|--------:|-------:|----------:|---------:|--------:|---------:"
          "|------:|-------------:|------------:|")
    for name, r in rows:
        print(f"| {name:<19} | {r['papers']:>7,} | {r['added']:>6,} | {r['unchanged']:>9,} | {r['rejected']:>8,} "
              f"| {r['seconds']:>7.2f} | {r['papers'] / r['seconds']:>8,.0f} | {r['cpu']:>5.2f} "
              f"| {r['papers'] / r['cpu']:>12,.0f} | {r['rss_mb']:>11.0f} |")

if __name__ == "__main__":
    main()
