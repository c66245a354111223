"""How much the search service's tail cut removes, and what it costs, on the bundled sample.

The service keeps a candidate that matches the words well (BM25 at least a share of the best)
or is close in meaning (cosine within a band of the 5th best, and at least 0.30); everything
else was padding (paperfeed.search.service._strong). This measures, on the 4,500-paper
sample, with the product's own retrieval:

* known-item queries: 2-4 consecutive content words of a sample title (seeded); how many
  candidates the fused list holds before and after the cut, whether the paper the words came
  from survives it, and its reciprocal rank;
* surname queries: a sample author's surname typed as free text (the service would list that
  person's papers; this measures the text ranking under it), the share of kept results that
  have an author of that surname.

    python benchmarks/search_tail.py                 # the table (builds the sample in a temp dir)
    python benchmarks/search_tail.py --json
    python benchmarks/search_tail.py --share 0.3 0.5 0.7   # other BM25 shares side by side
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from djangoenv import setup_django  # noqa: E402

_STOP = {"a", "an", "the", "of", "for", "and", "in", "on", "with", "to", "via", "from", "by", "is", "are"}


def known_item_queries(papers: list, n: int, rng: random.Random) -> list[tuple[str, int]]:
    out = []
    while len(out) < n:
        paper = rng.choice(papers)
        words = [w.strip(":,.()?!") for w in paper.title.split() if w.lower() not in _STOP and len(w) > 2]
        if len(words) < 2:
            continue
        start = rng.randrange(0, max(1, len(words) - 2))
        out.append((" ".join(words[start : start + rng.randint(2, 4)]), paper.pk))
    return out


def surname_queries(papers: list, n: int, rng: random.Random) -> list[str]:
    names = sorted({a.split()[-1] for p in papers for a in p.authors if len(a.split()) >= 2 and a.split()[-1].isalpha()})
    return rng.sample(names, n)


def retrieve_all(queries: list[str]) -> list[list]:
    """The fused candidate list of each query, as the service retrieves it (before the cut)."""
    from paperfeed.search.embedder import Embedder
    from paperfeed.search.hybrid import retrieve
    from paperfeed.search.query import parse_query
    from paperfeed.search.reader import current
    from paperfeed.search.service import MAX_RESULTS

    snapshot, embedder = current(), Embedder.default()
    out = []
    for q in queries:
        parsed = parse_query(q)
        out.append(retrieve(snapshot.lexical, snapshot.vectors, parsed.words, parsed.phrases,
                            embedder.encode_query(parsed.text), depth=MAX_RESULTS).candidates)
    return out


def measure(share: float, items: list[tuple[str, int]], item_lists: list, surnames: list[str], surname_lists: list,
            authors: dict[int, list[str]]) -> dict:
    from paperfeed.search import service

    service.TAIL_BM25_SHARE = share
    before, after, kept, rr_before, rr_after = [], [], 0, [], []
    for (_, pk), candidates in zip(items, item_lists, strict=True):
        cut = service._strong(candidates)
        before.append(len(candidates))
        after.append(len(cut))
        pks_before, pks_after = [c.pk for c in candidates], [c.pk for c in cut]
        rr_before.append(1 / (pks_before.index(pk) + 1) if pk in pks_before else 0.0)
        rr_after.append(1 / (pks_after.index(pk) + 1) if pk in pks_after else 0.0)
        kept += pk in pks_after
    s_before, s_after, precision = [], [], []
    for name, candidates in zip(surnames, surname_lists, strict=True):
        cut = service._strong(candidates)
        s_before.append(min(len(candidates), 100))  # what the service used to show: its top 100
        s_after.append(len(cut))
        if cut:
            precision.append(sum(any(a.split()[-1].lower() == name.lower() for a in authors[c.pk])
                                 for c in cut) / len(cut))
    return {"share": share, "known_item_queries": len(items),
            "candidates_before_median": statistics.median(before), "candidates_after_median": statistics.median(after),
            "cut_share": round(1 - sum(after) / max(1, sum(before)), 3),
            "known_item_kept": round(kept / len(items), 3),
            "mrr_before": round(statistics.mean(rr_before), 4), "mrr_after": round(statistics.mean(rr_after), 4),
            "surname_queries": len(surnames), "surname_shown_before_median": statistics.median(s_before),
            "surname_shown_after_median": statistics.median(s_after),
            "surname_precision_after": round(statistics.mean(precision), 3) if precision else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--share", type=float, nargs="*", default=None, help="BM25 shares to compare")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    setup_django(None, "pf-tail-")
    from paperfeed.papers.models import Paper
    from paperfeed.sample.loader import load_sample
    from paperfeed.search import service
    from paperfeed.search.sync import sync_indexes

    load_sample(progress=False)
    sync_indexes(progress=False)
    papers = list(Paper.objects.visible())
    authors = {p.pk: p.authors for p in papers}
    rng = random.Random(args.seed)
    items = known_item_queries(papers, args.queries, rng)
    surnames = surname_queries(papers, min(100, args.queries), rng)
    item_lists, surname_lists = retrieve_all([q for q, _ in items]), retrieve_all(surnames)
    shares = args.share or [service.TAIL_BM25_SHARE]
    rows = [measure(s, items, item_lists, surnames, surname_lists, authors) for s in shares]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"sample: {len(papers)} papers; {len(items)} known-item queries, {len(surnames)} surname queries "
          f"(seed {args.seed})\n")
    print("| BM25 share | candidates before → after (median) | cut | known item kept | MRR before → after "
          "| surname: shown before → after (median) | surname precision after |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['share']} | {r['candidates_before_median']:.0f} → {r['candidates_after_median']:.0f} "
              f"| {r['cut_share']:.1%} | {r['known_item_kept']:.1%} | {r['mrr_before']:.3f} → {r['mrr_after']:.3f} "
              f"| {r['surname_shown_before_median']:.0f} → {r['surname_shown_after_median']:.0f} "
              f"| {r['surname_precision_after']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
