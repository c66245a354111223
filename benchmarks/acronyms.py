"""Acronym meanings on the 74,728-paper arXiv corpus: group purity and meaning coverage.

Ground truth comes from the papers themselves: a paper that defines SF as LF belongs to the
meaning LF (definitions mined by ``paperfeed.search.acronyms``, spelling variants merged as the
product merges them: the *strict* meanings). The benchmark takes every acronym with at least
two meanings defined by at least ``--min-papers`` (5) papers each, the ``--acronyms`` (25) most
defined.

Concepts. Some strict meanings are other names of one concept ("speech" and "spoken language
models", "multimodal language models" beside "multimodal large language models"). Whether two
names are one concept is decided here, by a rule of this benchmark that uses no product code
(:func:`concepts`): after lower-casing, splitting at spaces and hyphens, dropping little words
and plural "s", and reading the word pairs of :data:`SAME_WORD` as one word, two long forms of
one acronym are one concept when the words of one are all among the other's ("single domain
generalization" in "single-source domain generalization"), or when they differ by one letter
written together ("multi-model" / "multimodal"). Coverage is reported both ways.

Held out, so that the papers judged are ones the product cannot group by their own definition:
each meaning's definers are split in two by a hash of their arXiv id; centroids come from the
first half, and the second half is grouped by the product's own code (``acronyms.naming`` and
``acronyms.assign``). Three conditions, each reported:

- ``vectors``: nearest centroid only (the method before the long forms counted);
- ``product``: what search does: a paper that writes a meaning's long form joins the nearest of
  the meanings it names (over a lexical index of the judged papers, the product's own), others
  the nearest centroid;
- ``unnamed``: the hardest case, a paper that never writes the acronym or any of its long forms:
  the held-out texts with the acronym and every long form of it (and each long form without its
  last word, when two words remain) removed, embedded again and indexed again.

- purity: over the groups, the share of held-out papers that sit in a group whose majority
  meaning is their own (the usual cluster purity);
- coverage: the share of meanings with >= ``--min-papers`` definers that get their own group,
  i.e. the group labelled with that meaning holds more of its held-out papers than any other
  group does (a tie is a miss; concept level: the groups labelled with a meaning of that concept).

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
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from djangoenv import configure  # noqa: E402
from vector_cache import cache_path, cached_vectors  # noqa: E402

configure(None, "pf-bench-")

from paperfeed.search import acronyms  # noqa: E402
from paperfeed.search.embedder import Embedder, normalize_text, paper_text  # noqa: E402
from paperfeed.search.hybrid import Candidate  # noqa: E402
from paperfeed.search.lexical import LexicalDoc, LexicalIndex  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "arxiv_daily.jsonl.gz"
CACHE = REPO / ".benchcache" / "acronyms"
CONDITIONS = ("vectors", "product", "unnamed")
# The concept rule's only word list: pairs the field uses for one idea in these long forms.
SAME_WORD = {"spoken": "speech", "visual": "vision", "automated": "autonomous"}
LITTLE_WORDS = frozenset(["a", "an", "and", "based", "for", "from", "in", "of", "on", "the", "to", "with"])
UNNAMED = 10_000_000  # pk offset of a held-out paper's text with its acronym and long forms removed


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


# --------------------------------------------------------------------------- concepts (no product code)


def _words(long: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", long.lower()).encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[^a-z0-9]+", folded) if w and w not in LITTLE_WORDS]
    words = [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")) else w
             for w in words]
    return [SAME_WORD.get(w, w) for w in words]


def _one_letter_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) <= 1


def same_concept(a: str, b: str) -> bool:
    """The benchmark's rule (module docstring): one's words all among the other's, or one letter apart."""
    wa, wb = _words(a), _words(b)
    return bool(wa and wb) and (set(wa) <= set(wb) or set(wb) <= set(wa)
                                or _one_letter_apart("".join(wa), "".join(wb)))


def concepts(labels: list[str]) -> list[int]:
    """Concept number of each label: labels joined by :func:`same_concept`, transitively."""
    parent = list(range(len(labels)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(labels)):
        for j in range(i):
            if same_concept(labels[i], labels[j]):
                parent[root(i)] = root(j)
    return [root(i) for i in range(len(labels))]


# --------------------------------------------------------------------------- the held-out texts


def unnamed_text(title: str, abstract: str, sf: str, long_forms: list[str]) -> str:
    """The paper's text with ``sf`` (as an acronym, any case with a capital) and every long form removed."""
    text = normalize_text(f"{title}. {abstract}")
    forms = set()
    for long in long_forms:
        tokens = [t for t in re.split(r"[\s\-‐–—/]+", normalize_text(long)) if t]
        forms.add(tuple(tokens))
        if len(tokens) >= 3:
            forms.add(tuple(tokens[:-1]))
    for tokens in sorted(forms, key=len, reverse=True):
        pattern = r"[\s\-‐–—/]+".join(re.escape(t) for t in tokens)
        text = re.sub(rf"\b{pattern}s?\b", " ", text, flags=re.IGNORECASE)
    text = re.sub(rf"\b{re.escape(sf)}s?\b", lambda m: " " if any(c.isupper() for c in m.group(0)) else m.group(0),
                  text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", re.sub(r"\(\W*\)", " ", text)).strip()


def embed(texts: dict[str, str]) -> dict[str, np.ndarray]:
    """Vectors of the texts judged, cached by key (an arXiv id, or an id and the acronym removed)."""
    embedder = Embedder.default()
    return cached_vectors(cache_path(CACHE, embedder), texts, embedder, chunk=256,
                          say=lambda done: print(f"  {done}", file=sys.stderr, flush=True))


def evaluate(sf: str, table: acronyms.AcronymTable, papers: list[dict], min_papers: int,
             per_meaning: int, long_forms: list[str]) -> dict:
    """Train/test split of one acronym's definers, and the held-out texts with the acronym removed."""
    meanings = table.meanings(sf)
    train: dict[int, list[int]] = {}
    test: dict[int, list[int]] = {}
    for i, meaning in enumerate(meanings):
        pks = meaning.pks[:per_meaning]
        train[i] = [pk for pk in pks if not held_out(papers[pk]["id"])]
        test[i] = [pk for pk in pks if held_out(papers[pk]["id"])]
    unnamed = {pk: unnamed_text(papers[pk]["title"], papers[pk]["abstract"], sf, long_forms)
               for pks in test.values() for pk in pks}
    return {"sf": sf, "meanings": meanings, "train": train, "test": test, "min_papers": min_papers,
            "unnamed": unnamed, "concepts": concepts([m.label for m in meanings])}


def judged_index(directory: Path, docs: dict[int, tuple[str, str]]) -> LexicalIndex:
    """A lexical index of the judged texts, written as sync writes one (the product's own class)."""
    index = LexicalIndex.create(directory)
    index.write(LexicalDoc(pk, title, abstract) for pk, (title, abstract) in docs.items())
    return index


def score(case: dict, vectors: dict[int, np.ndarray], lexical: LexicalIndex | None, unnamed: bool) -> dict:
    """Group the held-out papers with the product's code and judge the groups, strictly and by concept."""
    meanings = [acronyms.Meaning(m.key, m.label, case["train"][i]) for i, m in enumerate(case["meanings"])]
    source = DictVectors(vectors)
    centroids = acronyms.without_synonyms({i: c for i, m in enumerate(meanings)
                                           if (c := m.centroid(source)) is not None})
    offset = UNNAMED if unnamed else 0
    truth = {pk + offset: i for i, pks in case["test"].items() for pk in pks}
    candidates = [Candidate(pk, 0.0, 0.0, 0.0) for pk in truth]
    named = acronyms.naming(lexical, meanings, list(centroids), list(truth))[0] if lexical is not None else None
    members = acronyms.assign(meanings, centroids, candidates, source.vectors_for(list(truth)), named)
    group_of = {c.pk: g for g, cands in members.items() for c in cands}
    judged = [i for i, m in enumerate(case["meanings"]) if m.count >= case["min_papers"] and case["test"][i]]
    concept = case["concepts"]
    strict = _judge(truth, group_of, lambda i: i, judged, centroids)
    by_concept = _judge(truth, group_of, lambda i: concept[i], sorted({concept[i] for i in judged}),
                        {concept[i] for i in centroids})
    return {"acronym": case["sf"].upper(), "meanings": len(judged), "papers": len(truth),
            "purity": strict["purity"], "coverage": strict["coverage"],
            "concepts": len(by_concept["judged"]), "concept_purity": by_concept["purity"],
            "concept_coverage": by_concept["coverage"],
            "labels": [f"{case['meanings'][i].label} ({case['meanings'][i].count})" for i in judged],
            "missed": [case["meanings"][i].label for i in judged if i not in strict["covered"]],
            "concept_missed": [case["meanings"][c].label for c in by_concept["judged"]
                               if c not in by_concept["covered"]],
            "merged": [" = ".join(case["meanings"][i].label for i in judged if concept[i] == c)
                       for c in sorted({concept[i] for i in judged}) if sum(concept[i] == c for i in judged) > 1]}


def _judge(truth: dict[int, int], group_of: dict[int, int], label, judged: list[int], shown) -> dict:
    """Purity and coverage with ``label`` mapping a meaning (a paper's, or a group's) to what counts."""
    in_group: dict[int, Counter] = defaultdict(Counter)  # group's label -> the papers' labels
    where: dict[int, Counter] = defaultdict(Counter)  # paper's label -> the groups' labels
    for pk, meaning in truth.items():
        if pk in group_of:
            in_group[group_of[pk]][label(meaning)] += 1
            where[label(meaning)][label(group_of[pk])] += 1
    majority = sum(counts.most_common(1)[0][1] for counts in in_group.values())
    covered = [x for x in judged if x in shown and where[x][x] > max((n for y, n in where[x].items() if y != x),
                                                                   default=0)]
    return {"purity": majority / max(len(truth), 1), "coverage": len(covered) / max(len(judged), 1),
            "covered": covered, "judged": judged}


def mining_cost(papers: list[dict]) -> tuple[dict, dict, acronyms.AcronymTable]:
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
            "pairs_json_bytes": len(text), "table_json_bytes": len(payload)}, pairs, table


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


def long_forms_of(pairs: dict[int, list[tuple[str, str]]], chosen: list[str]) -> dict[str, list[str]]:
    """Every way the corpus writes a long form of each chosen acronym (what ``unnamed`` removes)."""
    out: dict[str, set[str]] = {sf: set() for sf in chosen}
    for found in pairs.values():
        for short, long in found:
            sf = short.lower()
            if sf in out:
                out[sf].add(long)
    return {sf: sorted(forms) for sf, forms in out.items()}


def run(cases: list[dict], papers: list[dict]) -> dict[str, list[dict]]:
    """Every case under the three conditions (module docstring)."""
    texts = {papers[pk]["id"]: paper_text(papers[pk]["title"], papers[pk]["abstract"])
             for case in cases for split in ("train", "test") for pks in case[split].values() for pk in pks}
    texts.update({f"{papers[pk]['id']}#{case['sf']}": text for case in cases for pk, text in case["unnamed"].items()})
    by_key = embed(texts)
    rows: dict[str, list[dict]] = {condition: [] for condition in CONDITIONS}
    with tempfile.TemporaryDirectory(prefix="pf-acronyms-") as tmp:
        for n, case in enumerate(cases):
            judged = {pk for split in ("train", "test") for pks in case[split].values() for pk in pks}
            vectors = {pk: by_key[papers[pk]["id"]] for pk in judged}
            vectors.update({UNNAMED + pk: by_key[f"{papers[pk]['id']}#{case['sf']}"] for pk in case["unnamed"]})
            full = judged_index(Path(tmp) / f"{n}-full", {pk: (papers[pk]["title"], papers[pk]["abstract"])
                                                          for pk in judged})
            hidden = judged_index(Path(tmp) / f"{n}-unnamed", {UNNAMED + pk: (text, "")
                                                               for pk, text in case["unnamed"].items()})
            rows["vectors"].append(score(case, vectors, None, unnamed=False))
            rows["product"].append(score(case, vectors, full, unnamed=False))
            rows["unnamed"].append(score(case, vectors, hidden, unnamed=True))
    return rows


def summary(rows: list[dict]) -> dict:
    papers = sum(r["papers"] for r in rows)
    meanings = sum(r["meanings"] for r in rows)
    concepts_ = sum(r["concepts"] for r in rows)
    return {"acronyms": len(rows), "meanings": meanings, "concepts": concepts_, "papers": papers,
            "purity": sum(r["purity"] * r["papers"] for r in rows) / max(papers, 1),
            "coverage": sum(r["coverage"] * r["meanings"] for r in rows) / max(meanings, 1),
            "concept_purity": sum(r["concept_purity"] * r["papers"] for r in rows) / max(papers, 1),
            "concept_coverage": sum(r["concept_coverage"] * r["concepts"] for r in rows) / max(concepts_, 1),
            "missed": [f"{r['acronym']}: {m}" for r in rows for m in r["missed"]],
            "concept_missed": [f"{r['acronym']}: {m}" for r in rows for m in r["concept_missed"]]}


def print_table(cost: dict, rows: dict[str, list[dict]], summaries: dict[str, dict], min_papers: int) -> None:
    print(f"mining {cost['papers']:,} papers: {cost['mine_s']} s (reference, normalize_text over the same texts: "
          f"{cost['reference_normalize_s']} s), table {cost['build_s']} s, "
          f"incremental (pairs read + 500 re-mined + table) {cost['incremental_500_s']} s; "
          f"{cost['acronyms']:,} acronyms, table {cost['table_json_bytes'] / 1e6:.1f} MB, "
          f"pairs {cost['pairs_json_bytes'] / 1e6:.1f} MB")
    print()
    print(f"| acronym | meanings (>= {min_papers} papers) | held-out papers | purity | coverage | concept coverage "
          "| missed (strict) | one concept (benchmark rule) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows["product"]:
        print(f"| {r['acronym']} | {'; '.join(r['labels'])} | {r['papers']} | {r['purity']:.3f} | "
              f"{r['coverage']:.0%} | {r['concept_coverage']:.0%} | {', '.join(r['missed']) or '-'} | "
              f"{'; '.join(r['merged']) or '-'} |")
    print()
    print("| condition | held-out papers | purity | coverage (meanings) | concept purity | coverage (concepts) "
          "| missed (strict) | missed (concepts) |")
    print("|---|---|---|---|---|---|---|---|")
    for condition, total in summaries.items():
        print(f"| {condition} | {total['papers']} | {total['purity']:.3f} | {total['coverage']:.1%} of "
              f"{total['meanings']} | {total['concept_purity']:.3f} | {total['concept_coverage']:.1%} of "
              f"{total['concepts']} | {len(total['missed'])} | {'; '.join(total['concept_missed']) or '-'} |")


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
    cost, pairs, table = mining_cost(papers)
    if args.fixture:
        cut_fixture(papers, table, args.fixture)
        return
    chosen = choose(table, args.min_papers, args.acronyms)
    forms = long_forms_of(pairs, chosen)
    cases = [evaluate(sf, table, papers, args.min_papers, args.per_meaning, forms[sf]) for sf in chosen]
    rows = run(cases, papers)
    summaries = {condition: summary(rows[condition]) for condition in CONDITIONS}
    if args.json:
        print(json.dumps({"mining": cost, "summary": summaries, "acronyms": rows}, indent=1))
        return
    print_table(cost, rows, summaries, args.min_papers)


if __name__ == "__main__":
    main()
