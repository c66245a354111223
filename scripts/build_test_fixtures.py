"""Cut tests/fixtures/ from ../shared/data (deterministic), so the tests need nothing outside the repo.

The tests read real data; this script copies exactly what they read and nothing more:

* ``arxiv-formats/`` — the recorded arXiv OAI-PMH pages, API feeds and snapshot lines the
  ingest, API and submission tests serve from local servers (copied byte for byte).
* ``arxiv_daily.jsonl.gz`` — the rows of the arXiv listing file that the tests pick by day and
  category: the digest and worker tests' day (2026-05-12), the recommendation tests' week of
  cs.CV and cs.CL papers (2026-05-04 … 05-10), and every paper of BUILD_DAY for the
  bundled-sample build test. Lines are kept as they are, in the file's order, so a test's own
  filter picks the same rows from the slice as from the full file.
* ``hf_daily_papers.jsonl.gz`` — the Hugging Face items the API contract test learns its profile
  from (the last 60 days of the archive), the first 40 items the hf-daily import tests use,
  which carry every mapped field, and the items of BUILD_DAY.

Same input, same bytes out (gzip mtime 0). Run: ``python scripts/build_test_fixtures.py``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "tests" / "fixtures"

FORMATS = (
    "api_query_error_id_list_abc_http400_2026.xml",
    "api_query_error_invalid_query_http400_2026.xml",
    "api_query_id_list_0000.0000_empty_2026.xml",
    "api_query_id_list_0808.05394_1707.08567_2026.xml",
    "api_query_id_list_1111.2011v2_2016.xml",
    "api_query_id_list_astro-ph_0601001_2026.xml",
    "api_query_search_au_del_maestro_2016.xml",
    "api_query_search_testing_start0_max100_2026.xml",
    "oai_error_badArgument.xml",
    "oai_error_badResumptionToken.xml",
    "oai_error_badVerb.xml",
    "oai_error_noRecordsMatch.xml",
    "oai_getrecord_arXivRaw_1302.2146.xml",
    "oai_listrecords_arXivRaw_page1.xml",
    "oai_listrecords_arXiv_hep-ex_2017-12-14.xml",
    "oai_listrecords_arXiv_hep-th_2017-12-14.xml",
    "snapshot_sample.jsonl",
)
FORMATS_NOTE = """\
> Copied from `../shared/data/arxiv-formats/` by `scripts/build_test_fixtures.py`: only the
> files the tests read are here (byte for byte); the README below is the original and also
> describes files that were left out.

"""

DIGEST_DAY = "2026-05-12"  # tests/digests/conftest.py (day_papers), tests/jobs/harness.py (seed)
WEEK = ("2026-05-04", "2026-05-10")  # tests/digests/test_recommendations.py (two_topics)
BUILD_DAY = "2026-06-25"  # tests/ingest/test_sample.py (the sample build on fixture-sized input)
RECENT_DAYS = 60  # tests/api/test_contract.py (recent)
HF_IMPORT_ROWS = 40  # tests/ingest/test_hf_daily.py (hf_rows)


def _lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return handle.read().splitlines()


def _write_gz(path: Path, lines: list[str]) -> None:
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write("".join(line + "\n" for line in lines).encode())
    path.write_bytes(raw.getvalue())


def _first(rows: list[dict], count: int, keep: Callable[[dict], bool]) -> set[str]:
    """Ids of the first ``count`` rows (in file order) that ``keep`` accepts."""
    return {row["id"] for row in [row for row in rows if keep(row)][:count]}


def _primary(row: dict, *categories: str) -> bool:
    return row["categories"][0] in categories


def arxiv_ids(rows: list[dict], hf_build_ids: set[str]) -> set[str]:
    """The arXiv rows the tests pick, by the same filters the tests apply."""
    day = [r for r in rows if r["date"] == DIGEST_DAY]
    week = [r for r in rows if WEEK[0] <= r["date"] <= WEEK[1] and _primary(r, "cs.CV", "cs.CL")]
    return (
        _first(day, 60, lambda r: _primary(r, "cs.CL", "cs.LG", "cs.CV"))
        | _first(day, 30, lambda r: _primary(r, "cs.CL", "cs.LG"))
        | _first(week, 60, lambda r: _primary(r, "cs.CV") and "cs.CL" not in r["categories"])
        | _first(week, 60, lambda r: _primary(r, "cs.CL") and "cs.CV" not in r["categories"])
        | {r["id"] for r in rows if r["date"] == BUILD_DAY}
        | hf_build_ids
    )


def hf_positions(rows: list[dict]) -> list[int]:
    """Line numbers of the Hugging Face items the tests pick."""
    last = max(date.fromisoformat(r["day"]) for r in rows)
    since = (last - timedelta(days=RECENT_DAYS)).isoformat()
    complete = [i for i, r in enumerate(rows)
                if "submittedBy" in r["item"] and "githubRepo" in r["item"]["paper"]
                and "ai_summary" in r["item"]["paper"]][:HF_IMPORT_ROWS]
    return sorted(set(complete) | {i for i, r in enumerate(rows) if r["day"] >= since or r["day"] == BUILD_DAY})


def build(shared: Path, out: Path) -> dict[str, int]:
    formats = out / "arxiv-formats"
    formats.mkdir(parents=True, exist_ok=True)
    for name in FORMATS:
        shutil.copyfile(shared / "arxiv-formats" / name, formats / name)
    (formats / "README.md").write_text(FORMATS_NOTE + (shared / "arxiv-formats" / "README.md").read_text())

    hf_lines = _lines(shared / "hf_daily_papers.jsonl.gz")
    hf_rows = [json.loads(line) for line in hf_lines]
    kept_hf = hf_positions(hf_rows)
    _write_gz(out / "hf_daily_papers.jsonl.gz", [hf_lines[i] for i in kept_hf])

    arxiv_lines = _lines(shared / "arxiv_daily.jsonl.gz")
    arxiv_rows = [json.loads(line) for line in arxiv_lines]
    hf_build_ids = {r["item"]["paper"]["id"] for r in hf_rows if r["day"] == BUILD_DAY}
    wanted = arxiv_ids(arxiv_rows, hf_build_ids)
    kept_arxiv = [line for line, row in zip(arxiv_lines, arxiv_rows, strict=True) if row["id"] in wanted]
    _write_gz(out / "arxiv_daily.jsonl.gz", kept_arxiv)
    return {"arxiv rows": len(kept_arxiv), "hf items": len(kept_hf), "format files": len(FORMATS)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="the full data (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=OUT, help="where the fixtures go (default: %(default)s)")
    args = parser.parse_args()
    for key, value in build(args.shared, args.out).items():
        print(f"{key:>12}: {value}")
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"{'total':>12}: {size / 1e6:.2f} MB in {args.out}")


if __name__ == "__main__":
    main()
