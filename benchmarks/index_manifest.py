"""What the index manifest costs at 75k papers: checksums on publish and on check, stats per query.

Builds one generation the way sync lays it out (``gen-1/lexical`` from the 74,728-paper corpus,
``gen-1/vectors`` with 74,728 x 384 float16 vectors), then a second generation that hard-links
the first one's segments and commits 100 changed papers, as an incremental sync does. The vectors
are random unit vectors: a checksum reads bytes, so their values do not change its cost, and
embedding 75k texts takes 15+ minutes here. Each figure sits beside a reference from the same
run (reading the same bytes without hashing; one ``stat`` of ``CURRENT.json``, which every query
already pays).

    python benchmarks/index_manifest.py            # prints the table
    python benchmarks/index_manifest.py --json
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
from djangoenv import configure  # noqa: E402

configure(None, "pf-bench-manifest-")

from search_corpus import load_corpus  # noqa: E402

from paperfeed.search import manifest  # noqa: E402
from paperfeed.search.lexical import FORMAT, LexicalDoc, LexicalIndex  # noqa: E402
from paperfeed.search.vectors import VectorSet  # noqa: E402


def best_of(fn, repeat: int = 3) -> float:
    """Best wall time of ``repeat`` calls, in seconds (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def build_generation(papers: list[dict], gen_dir: Path) -> None:
    lexical = LexicalIndex.create(gen_dir / "lexical")
    docs = [LexicalDoc(pk, p["title"], p["abstract"], p["authors"], p["categories"], date.fromisoformat(p["date"]))
            for pk, p in enumerate(papers)]
    lexical.write(docs)
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((len(papers), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    VectorSet.write(gen_dir / "vectors", np.arange(len(papers)), vectors, np.zeros(len(papers), dtype=np.int32),
                    [p["categories"] for p in papers])


def read_all(gen_dir: Path) -> None:
    for rel in manifest.content_files(gen_dir):
        with open(gen_dir / rel, "rb") as handle:
            while handle.read(1 << 20):
                pass


def measure(papers: list[dict], root: Path) -> dict:
    first = root / "gen-1"
    started = time.perf_counter()
    build_generation(papers, first)
    build_s = time.perf_counter() - started
    built = manifest.build(first, generation=1, papers=len(papers), fingerprint="bench", lexical_format=FORMAT)
    manifest.write(first, built)
    out = {"papers": len(papers), "files": len(built.files), "bytes": sum(e.size for e in built.files.values()),
           "vector_bytes": built.files["vectors/vectors.f16.npy"].size, "build_generation_s": build_s}
    out["read_all_s"] = best_of(lambda: read_all(first))
    out["manifest_full_s"] = best_of(lambda: manifest.build(first, generation=1, papers=len(papers),
                                                            fingerprint="bench", lexical_format=FORMAT))
    out["checksum_check_s"] = best_of(lambda: manifest.checksum_problems(first, built))
    second = root / "gen-2"
    (second / "lexical").mkdir(parents=True)
    for child in (first / "lexical").iterdir():
        if child.is_file() and child.name not in manifest.IGNORED:
            (second / "lexical" / child.name).hardlink_to(child)
    lexical = LexicalIndex.open(second / "lexical")
    lexical.write([LexicalDoc(pk, f"changed title {pk}", "changed abstract") for pk in range(100)])
    shutil.copytree(first / "vectors", second / "vectors")  # sync writes new vectors; same bytes here
    out["manifest_incremental_s"] = best_of(lambda: manifest.build(
        second, generation=2, papers=len(papers), fingerprint="bench", lexical_format=FORMAT,
        previous=(first, built)))
    out.update(per_query(root))
    return out


def per_query(root: Path) -> dict:
    """What ``reader.current()`` costs per call once the generation is open, against one stat."""
    from django.conf import settings

    from paperfeed.search import reader

    settings.INDEX_DIR = root
    (root / "CURRENT.json").write_text(json.dumps({"generation": 1, "dir": "gen-1"}))
    reader.forget()
    reader.current()
    calls = 1000
    return {"current_call_us": best_of(lambda: [reader.current() for _ in range(calls)]) / calls * 1e6,
            "stat_current_us": best_of(lambda: [(root / "CURRENT.json").stat() for _ in range(calls)]) / calls * 1e6}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--limit", type=int, default=None, help="first N papers of the corpus (default: all)")
    args = parser.parse_args()
    papers = load_corpus()[: args.limit]
    with tempfile.TemporaryDirectory(prefix="pf-manifest-") as tmp:
        result = measure(papers, Path(tmp))
    if args.json:
        print(json.dumps(result))
        return 0
    mb = result["bytes"] / 1e6
    print(f"generation of {result['papers']:,} papers: {result['files']} files, {mb:.1f} MB "
          f"(vectors {result['vector_bytes'] / 1e6:.1f} MB); built in {result['build_generation_s']:.1f} s")
    print()
    print("| step | time | reference, same run |")
    print("|---|---|---|")
    print(f"| manifest of a new generation (blake2b of every file) | {result['manifest_full_s']:.2f} s "
          f"| reading the same {mb:.0f} MB without hashing: {result['read_all_s']:.2f} s |")
    print(f"| full check (`index --check`, every sync, readers' background pass) | {result['checksum_check_s']:.2f} s "
          f"| same |")
    print(f"| manifest after an incremental sync (100 papers changed) | {result['manifest_incremental_s']:.2f} s "
          f"| full: {result['manifest_full_s']:.2f} s |")
    print(f"| `reader.current()` per query (a stat per file of the open generation) | "
          f"{result['current_call_us']:.0f} µs | one stat of CURRENT.json: {result['stat_current_us']:.1f} µs |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
