"""Acronym meanings on the 74,728-paper arXiv corpus: group purity and meaning coverage.

Ground truth comes from the papers themselves: a paper that defines SF as LF belongs to the
meaning LF (definitions mined by ``paperfeed.search.acronyms``, variants merged as the product
merges them). The benchmark takes every acronym with at least two meanings defined by at least
``--min-papers`` (5) papers each, the ``--acronyms`` (25) most defined.

Held out, so that the papers judged never spell the acronym out as far as the product knows:
each meaning's definers are split in two by a hash of their arXiv id; the table is built from
the first half only, and the second half is grouped by the product's own code
(``acronyms.assign``: nearest meaning centroid, the centroid of the first half's vectors).

- purity: over the groups, the share of held-out papers that sit in a group whose majority
  meaning is their own (the usual cluster purity);
- coverage: the share of meanings with >= ``--min-papers`` definers that get their own group,
  i.e. a group labelled with that meaning that holds most of that meaning's held-out papers.

Vectors: embedding 75k abstracts here takes 15-20 minutes on two shared cores, so only the
papers judged are embedded (at most ``--per-meaning`` definers per meaning, a few thousand
texts in all), cached in ``.benchcache/acronyms/`` by arXiv id and embedder fingerprint.
The mining cost of the whole corpus is measured too (what a rebuild's publish pays), and the
incremental path (the previous generation's pairs file read, 500 papers re-mined, table rebuilt).

    python benchmarks/acronyms.py                 # table
    python benchmarks/acronyms.py --json          # one JSON object
    python benchmarks/acronyms.py --fixture tests/fixtures/acronyms.jsonl.gz   # cut the test slice
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from djangoenv import configure  # noqa: E402

configure(None, "pf-bench-")

from paperfeed.search import acronyms  # noqa: E402
from paperfeed.search.embedder import Embedder, normalize_text, paper_text  # noqa: E402
from paperfeed.search.hybrid import Candidate  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "arxiv_daily.jsonl.gz"
CACHE = REPO / ".benchcache" / "acronyms"


class DictVectors:
    """The one lookup ``acronyms`` needs from a vector set, over a dict."""

    def __init__(self, vectors: dict[int, np.ndarray]) -> None:
        self.vectors = vectors

    def vectors_for(self, pks: list[int]) -> dict[int, np.ndarray]:
        return {pk: self.vectors[pk] for pk in pks if pk in self.vectors}


def load(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def held_out(arxiv_id: str) -> bool:
    return hashlib.sha256(arxiv_id.encode()).digest()[0] % 2 == 1


def choose(table: acronyms.AcronymTable, min_papers: int, count: int) -> list[str]:
    """Acronyms with >= 2 meanings of >= min_papers definers, the most defined first."""
    chosen = [(sf, ms) for sf, ms in table.entries.items() if sum(m.count >= min_papers for m in ms) >= 2]
    chosen.sort(key=lambda item: (-sum(m.count >= min_papers for m in item[1]),
                                  -sorted(m.count for m in item[1])[-2], item[0]))
    return [sf for sf, _ in chosen[:count]]


def embed(papers: list[dict], pks: set[int]) -> dict[int, np.ndarray]:
    """Vectors of the papers judged, cached by arXiv id."""
    embedder = Embedder.default()
    CACHE.mkdir(parents=True, exist_ok=True)
    cache_file = CACHE / f"vectors_{embedder.fingerprint[:16]}.npz"
    cached: dict[str, np.ndarray] = {}
    if cache_file.exists():
        with np.load(cache_file) as z:
            cached = dict(zip(z["ids"].tolist(), z["vectors"], strict=True))
    todo = sorted(pk for pk in pks if papers[pk]["id"] not in cached)
    for start in range(0, len(todo), 256):  # saved as it goes: a killed run resumes
        part = todo[start : start + 256]
        texts = [paper_text(papers[pk]["title"], papers[pk]["abstract"]) for pk in part]
        vectors = embedder.encode(texts, batch_size=64)
        cached.update({papers[pk]["id"]: v for pk, v in zip(part, vectors, strict=True)})
        ids = sorted(cached)
        np.savez(cache_file, ids=np.array(ids), vectors=np.vstack([cached[i] for i in ids]).astype(np.float32))
        print(f"  embedded {min(start + 256, len(todo))}/{len(todo)}", file=sys.stderr, flush=True)
    return {pk: np.asarray(cached[papers[pk]["id"]], dtype=np.float32) for pk in pks}


def evaluate(sf: str, table: acronyms.AcronymTable, papers: list[dict], min_papers: int,
             per_meaning: int) -> tuple[dict, set[int]]:
    """Train/test split of one acronym's definers: the pks to embed and how to judge them."""
    meanings = table.meanings(sf)
    train: dict[int, list[int]] = {}
    test: dict[int, list[int]] = {}
    for i, meaning in enumerate(meanings):
        pks = meaning.pks[:per_meaning]
        train[i] = [pk for pk in pks if not held_out(papers[pk]["id"])]
        test[i] = [pk for pk in pks if held_out(papers[pk]["id"])]
    needed = {pk for i in train for pk in train[i] + test[i]}
    return {"sf": sf, "meanings": meanings, "train": train, "test": test, "min_papers": min_papers}, needed


def score(case: dict, vectors: dict[int, np.ndarray]) -> dict:
    """Group the held-out papers with the product's assignment and judge the groups."""
    meanings = [acronyms.Meaning(m.key, m.label, case["train"][i]) for i, m in enumerate(case["meanings"])]
    source = DictVectors(vectors)
    centroids = acronyms.without_synonyms({i: c for i, m in enumerate(meanings)
                                           if (c := m.centroid(source)) is not None})
    truth = {pk: i for i, pks in case["test"].items() for pk in pks}
    candidates = [Candidate(pk, 0.0, 0.0, 0.0) for pk in truth]
    members = acronyms.assign(meanings, centroids, candidates, source.vectors_for(list(truth)))
    majority = 0
    owner: dict[int, int] = {}  # meaning -> the group holding most of its held-out papers
    for cands in members.values():
        counts = Counter(truth[c.pk] for c in cands)
        if counts:
            majority += counts.most_common(1)[0][1]
    for meaning in set(truth.values()):
        where = Counter(g for g, cands in members.items() for c in cands if truth[c.pk] == meaning)
        owner[meaning] = where.most_common(1)[0][0]
    judged = [i for i, m in enumerate(case["meanings"]) if m.count >= case["min_papers"] and case["test"][i]]
    covered = [i for i in judged if owner.get(i) == i and i in centroids]
    return {"acronym": case["sf"].upper(), "meanings": len(judged), "papers": len(truth),
            "purity": majority / max(len(truth), 1), "coverage": len(covered) / max(len(judged), 1),
            "labels": [f"{case['meanings'][i].label} ({case['meanings'][i].count})" for i in judged],
            "missed": [case["meanings"][i].label for i in judged if i not in covered]}


def mining_cost(papers: list[dict]) -> dict:
    """What publish pays: the whole corpus mined (rebuild), and the incremental path.

    Reference in the same run (the machine is shared): normalising every title and abstract the
    way the lexical index and the embedder do (``normalize_text``), a pass any index build makes.
    """
    started = time.perf_counter()
    for p in papers:
        normalize_text(f"{p['title']}. {p['abstract']}")
    reference = time.perf_counter() - started
    started = time.perf_counter()
    pairs = acronyms.mine((pk, p["title"], p["abstract"]) for pk, p in enumerate(papers))
    mined = time.perf_counter() - started
    started = time.perf_counter()
    table = acronyms.AcronymTable.build(pairs)
    built = time.perf_counter() - started
    started = time.perf_counter()
    text = json.dumps({str(pk): found for pk, found in pairs.items()}, separators=(",", ":"))
    again = {int(pk): [tuple(x) for x in found] for pk, found in json.loads(text).items()}
    changed = list(range(len(papers) - 500, len(papers)))
    for pk in changed:
        again.pop(pk, None)
    again.update(acronyms.mine((pk, papers[pk]["title"], papers[pk]["abstract"]) for pk in changed))
    acronyms.AcronymTable.build(again)
    incremental = time.perf_counter() - started
    payload = json.dumps({sf: [[m.key, m.label, m.pks] for m in ms] for sf, ms in table.entries.items()})
    return {"papers": len(papers), "papers_with_definitions": len(pairs), "acronyms": len(table),
            "reference_normalize_s": round(reference, 2), "mine_s": round(mined, 2), "build_s": round(built, 2), "incremental_500_s": round(incremental, 2),
            "pairs_json_bytes": len(text), "table_json_bytes": len(payload)}, table


def cut_fixture(papers: list[dict], table: acronyms.AcronymTable, path: Path) -> None:
    """The test slice: SSL, ASR and MAE definers of each meaning, papers about a meaning that never
    write the acronym, and filler; deterministic (file order)."""
    chosen: list[int] = []
    for sf, per in (("ssl", 14), ("asr", 8), ("mae", 8)):
        for meaning in table.meanings(sf):
            chosen.extend(sorted(meaning.pks)[:per])
    never = {"self-supervised": 6, "semi-supervised": 6, "sound source localization": 3}
    for phrase, n in never.items():
        hits = [pk for pk, p in enumerate(papers) if phrase in p["title"].lower()
                and "SSL" not in p["title"] + p["abstract"]]
        chosen.extend(hits[:n])
    chosen.extend(range(0, len(papers), len(papers) // 40))
    rows = [papers[pk] for pk in sorted(set(chosen))]
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in rows).encode("utf-8"))
    print(f"{len(rows)} papers -> {path} ({path.stat().st_size:,} bytes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--acronyms", type=int, default=25)
    parser.add_argument("--min-papers", type=int, default=5)
    parser.add_argument("--per-meaning", type=int, default=120, help="definers judged per meaning (newest)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--fixture", type=Path, help="write the test slice here and stop")
    args = parser.parse_args()
    papers = load(args.data)
    cost, table = mining_cost(papers)
    if args.fixture:
        cut_fixture(papers, table, args.fixture)
        return
    cases = [evaluate(sf, table, papers, args.min_papers, args.per_meaning)
             for sf in choose(table, args.min_papers, args.acronyms)]
    vectors = embed(papers, set().union(*(needed for _, needed in cases)))
    rows = [score(case, vectors) for case, _ in cases]
    papers_judged = sum(r["papers"] for r in rows)
    summary = {"acronyms": len(rows), "meanings": sum(r["meanings"] for r in rows), "papers": papers_judged,
               "purity": sum(r["purity"] * r["papers"] for r in rows) / max(papers_judged, 1),
               "coverage": sum(r["coverage"] * r["meanings"] for r in rows) / max(sum(r["meanings"] for r in rows), 1)}
    if args.json:
        print(json.dumps({"mining": cost, "summary": summary, "acronyms": rows}, indent=1))
        return
    print(f"mining {cost['papers']:,} papers: {cost['mine_s']} s (reference, normalize_text over the same texts: "
          f"{cost['reference_normalize_s']} s), table {cost['build_s']} s, "
          f"incremental (pairs read + 500 re-mined + table) {cost['incremental_500_s']} s; "
          f"{cost['acronyms']:,} acronyms, table {cost['table_json_bytes'] / 1e6:.1f} MB, "
          f"pairs {cost['pairs_json_bytes'] / 1e6:.1f} MB")
    print(f"| acronym | meanings (>= {args.min_papers} papers) | held-out papers | purity | coverage | missed |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['acronym']} | {'; '.join(r['labels'])} | {r['papers']} | {r['purity']:.3f} | "
              f"{r['coverage']:.0%} | {', '.join(r['missed']) or '-'} |")
    print(f"| **all {summary['acronyms']}** | {summary['meanings']} meanings | {summary['papers']} | "
          f"**{summary['purity']:.3f}** | **{summary['coverage']:.0%}** | |")


if __name__ == "__main__":
    main()
