"""Build the bundled sample in paperfeed/sample/ from ../shared/data (deterministic).

Picks three months of real arXiv listings (2026-04-01 … 2026-06-30) where the archived Hugging
Face Daily Papers overlap: every paper Hugging Face listed in that period (from arXiv's own
metadata when the arXiv file has it, else with the title/abstract/authors Hugging Face copied
from arXiv), plus a fixed, hash-ordered selection of the period's other listings, ~4,500
papers in all. Writes:

* ``arxiv_sample.jsonl.gz`` — arXiv metadata-snapshot format (what ``paperfeed ingest snapshot``
  reads), plus ``announced``, the day arXiv listed the paper. arXiv metadata is CC0.
* ``hf_daily_sample.jsonl.gz`` — ``{"day", "item"}`` lines in Hugging Face's /api/daily_papers
  shape, keeping only: paper id, upvotes, publishedAt, submittedOnDailyAt, numComments,
  githubRepo, githubStars, projectPage (+ title/summary/author names for papers the arXiv file
  lacks). No AI summaries or keywords, no user names, avatars or submitters.

Same input, same bytes out (sorted rows, gzip mtime 0). Run: ``python scripts/build_sample.py``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "paperfeed" / "sample"
START, END = "2026-04-01", "2026-06-30"
TARGET = 4_500
HF_PAPER_KEYS = ("upvotes", "publishedAt", "submittedOnDailyAt", "githubRepo", "githubStars", "projectPage")


def _rows(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def _order(arxiv_id: str) -> str:
    return hashlib.sha256(arxiv_id.encode()).hexdigest()


def _write_gz(path: Path, lines: list[str]) -> None:
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write("".join(line + "\n" for line in lines).encode())
    path.write_bytes(raw.getvalue())


def _snapshot_line(row: dict) -> str:
    authors = ", ".join(row["authors"])
    return json.dumps({
        "id": row["id"],
        "submitter": None,
        "authors": authors,
        "title": row["title"],
        "comments": row.get("comment"),
        "journal-ref": None,
        "doi": None,
        "report-no": None,
        "categories": " ".join(row["categories"]),
        "license": None,
        "abstract": row["abstract"],
        "versions": [],
        "update_date": None,
        "announced": row["date"],
    }, ensure_ascii=False)


def _split_authors(text: str) -> list[str]:
    from paperfeed.ingest.authors import split_authors

    return split_authors(text)


def build(shared: Path, out: Path, start: str = START, end: str = END, target: int = TARGET) -> dict:
    arxiv = {row["id"]: row for row in _rows(shared / "arxiv_daily.jsonl.gz")}
    hf_rows = [r for r in _rows(shared / "hf_daily_papers.jsonl.gz") if start <= r["day"] <= end]
    hf_ids = {r["item"]["paper"]["id"] for r in hf_rows}

    chosen = {i for i in hf_ids if i in arxiv}
    others = sorted((i for i, r in arxiv.items() if start <= r["date"] <= end and i not in chosen), key=_order)
    room = max(target - len(hf_ids), 0)
    chosen.update(others[:room])
    # Names must survive the snapshot's "A, B, C" author string; drop the rare paper where not.
    kept = [arxiv[i] for i in chosen if _split_authors(", ".join(arxiv[i]["authors"])) == arxiv[i]["authors"]]
    kept.sort(key=lambda r: (r["date"], r["id"]))
    kept_ids = {r["id"] for r in kept}

    hf_lines = []
    for row in sorted(hf_rows, key=lambda r: (r["day"], r["item"]["paper"]["id"])):
        item, paper = row["item"], row["item"]["paper"]
        if paper["id"] in arxiv and paper["id"] not in kept_ids:
            continue
        slim = {"id": paper["id"], **{k: paper[k] for k in HF_PAPER_KEYS if paper.get(k) not in (None, "")}}
        if paper["id"] not in arxiv:
            slim["title"] = paper["title"]
            slim["summary"] = paper["summary"]
            slim["authors"] = [{"name": a["name"]} for a in paper.get("authors") or [] if a.get("name")]
        hf_lines.append(json.dumps({"day": row["day"], "item": {"paper": slim,
                                                                "numComments": item.get("numComments", 0)}},
                                   ensure_ascii=False))
    out.mkdir(parents=True, exist_ok=True)
    _write_gz(out / "arxiv_sample.jsonl.gz", [_snapshot_line(r) for r in kept])
    _write_gz(out / "hf_daily_sample.jsonl.gz", hf_lines)
    hf_only = len({json.loads(line)["item"]["paper"]["id"] for line in hf_lines} - kept_ids)
    return {"arxiv papers": len(kept), "hf entries": len(hf_lines), "hf-only papers": hf_only,
            "papers": len(kept) + hf_only, "period": f"{start} … {end}"}


def check(shared: Path, shipped: Path) -> int:
    """Rebuild from the full data and compare with the shipped sample (the determinism check on real data)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        build(shared, Path(tmp))
        differ = [name for name in ("arxiv_sample.jsonl.gz", "hf_daily_sample.jsonl.gz")
                  if (Path(tmp) / name).read_bytes() != (shipped / name).read_bytes()]
    print(f"differs from {shipped}: {', '.join(differ)}" if differ else f"rebuilt sample matches {shipped}")
    return 1 if differ else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true",
                        help="build into a temporary directory and fail unless it matches --out byte for byte")
    args = parser.parse_args()
    if args.check:
        raise SystemExit(check(args.shared, args.out))
    stats = build(args.shared, args.out)
    for key, value in stats.items():
        print(f"{key:>16}: {value}")
    for name in ("arxiv_sample.jsonl.gz", "hf_daily_sample.jsonl.gz"):
        path = args.out / name
        print(f"{name:>26}: {path.stat().st_size / 1e6:.2f} MB  sha256 {hashlib.sha256(path.read_bytes()).hexdigest()[:16]}")


if __name__ == "__main__":
    main()
