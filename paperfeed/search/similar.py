"""Similar papers for a paper page: what both retrievers find for the paper itself, fused.

The paper is the query. The lexical side asks BM25 for its most distinctive terms (a
"more like this" query: the title's and abstract's terms ranked by tf x idf, the top
``MLT_TERMS``, each weighted by that tf x idf); the dense side takes the nearest
neighbours of its vector. Both candidate
lists are fused exactly as search fuses them (:func:`.hybrid.fuse`: per-query normalised
scores, equal weights), so a paper close only in wording, or only in meaning, can still
make the list.

Why both: dense vectors alone miss the shared rare terms (a dataset, a method's name) that tie
a line of work together, and BM25 alone misses paraphrases. ``benchmarks/similar.py`` measures
tf-idf, BM25 more-like-this, dense and the fused ranking side by side on query-by-example sets of
arXiv papers under three notions of "related" (shared authors, the same code account, shared rare
Hugging Face keywords; docs/search.md): the fused ranking is clearly above dense alone on each,
level with plain tf-idf on two (+1 % and +9 %, 95 % intervals spanning 0) and below it on the
third (-41 % on its 42 queries), where shared words decide and dense vectors alone are far behind.

Excludes the paper itself and its duplicates: another row with the same normalised title
(the same work under a second id, e.g. a replacement or a conference copy) or a vector so
close (cosine >= ``DUPLICATE_COSINE``) that it is the same text. Hidden papers never show.
A paper that is not indexed yet (just added) is embedded on the fly, so the section is
never empty for a fresh paper when there are neighbours.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import tantivy

from paperfeed.papers.models import Paper

from .embedder import normalize_text
from .hybrid import DEFAULT_FUSION, Candidate, FusionParams, Pool, fuse, scored_pool
from .lexical import DEFAULT_PARAMS, STOPWORDS, LexicalIndex, analyze
from .reader import current
from .vectors import VectorSet

DUPLICATE_COSINE = 0.985
DEPTH = 100  # candidates from each retriever
MLT_TERMS = 50  # distinctive terms in the lexical query (25 unweighted: -13 % nDCG@10 against tf-idf)
_NON_WORD = re.compile(r"\W+")
_WORD = re.compile(r"[^\W_]+")


def title_key(title: str) -> str:
    return _NON_WORD.sub(" ", normalize_text(title).lower()).strip()


def distinctive_terms(lexical: LexicalIndex, title: str, abstract: str,
                      n: int = MLT_TERMS) -> list[tuple[float, str]]:
    """The ``n`` index terms of a paper with the highest ``(1 + log tf) x idf``, with that weight.

    Title words count twice. Terms no other paper holds are skipped: they find only the paper itself.
    """
    counts: Counter[str] = Counter()
    for weight, text in ((2, title), (1, abstract)):
        for word in _WORD.findall(normalize_text(text)):
            terms = analyze(word)
            if len(terms) == 1 and terms[0] not in STOPWORDS and len(terms[0]) >= 3 and not terms[0].isdigit():
                counts[terms[0]] += weight
    docs = max(lexical.num_docs, 1)
    scored = []
    for term, tf in counts.items():
        df = max(lexical.doc_freq("abstract", term), lexical.doc_freq("title", term))
        if df >= 2:
            scored.append(((1.0 + math.log(tf)) * math.log(1.0 + (docs - df + 0.5) / (df + 0.5)), term))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return scored[:n]


def more_like_this(lexical: LexicalIndex, terms: list[tuple[float, str]]) -> tantivy.Query | None:
    """BM25 over title and abstract for the weighted terms, each as search weighs a query word."""
    if not terms:
        return None
    schema, params = lexical.schema, DEFAULT_PARAMS
    clauses = []
    for weight, term in terms:
        per_field = tantivy.Query.disjunction_max_query(
            [tantivy.Query.boost_query(tantivy.Query.term_query(schema, "title", term), params.title_boost),
             tantivy.Query.boost_query(tantivy.Query.term_query(schema, "abstract", term), params.abstract_boost)],
            params.tie_breaker)
        clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(per_field, float(weight))))
    return tantivy.Query.boolean_query(clauses)


def similar_pool(lexical: LexicalIndex, vectors: VectorSet | None, pk: int, title: str, abstract: str,
                 vector: np.ndarray | None, *, depth: int = DEPTH) -> Pool:
    """Both retrievers' candidates for "papers like ``pk``", the paper itself left out."""
    lex_hits: list[tuple[int, float]] = []
    query = more_like_this(lexical, distinctive_terms(lexical, title, abstract))
    if query is not None:
        lex_hits = [hit for hit in lexical.search(query, depth + 1)[0] if hit[0] != pk][:depth]
    dense_hits: list[tuple[int, float]] = []
    if vector is not None and vectors is not None and len(vectors):
        dense_hits = [hit for hit in vectors.search(vector, depth + 1) if hit[0] != pk][:depth]
    return scored_pool(lex_hits, dense_hits, lexical, query, vectors, vector)


def rank_similar(lexical: LexicalIndex, vectors: VectorSet | None, pk: int, title: str, abstract: str,
                 vector: np.ndarray | None, *, fusion: FusionParams = DEFAULT_FUSION) -> list[Candidate]:
    """Candidates for "papers like ``pk``", best first: both retrievers, fused as search fuses them."""
    return fuse(similar_pool(lexical, vectors, pk, title, abstract, vector), fusion)


def similar_papers(paper: Paper, limit: int = 6) -> list[Paper]:
    """Up to ``limit`` visible papers most like ``paper`` in wording and meaning, best first."""
    snapshot = current()
    if snapshot is None or limit <= 0:
        return []
    vector = snapshot.vectors.vectors_for([paper.pk]).get(paper.pk) if len(snapshot.vectors) else None
    if vector is None and len(snapshot.vectors):
        from .embedder import Embedder, paper_text

        vector = Embedder.default().encode([paper_text(paper.title, paper.abstract)])[0]
    vector = np.asarray(vector, dtype=np.float32) if vector is not None else None
    ranked = rank_similar(snapshot.lexical, snapshot.vectors, paper.pk, paper.title, paper.abstract, vector)
    candidates = [c.pk for c in ranked if c.cosine < DUPLICATE_COSINE]
    return _distinct_visible(paper, candidates, limit)


def _distinct_visible(paper: Paper, pks: list[int], limit: int) -> list[Paper]:
    """The first ``limit`` visible papers of ``pks`` that are not ``paper`` again under another id or title copy."""
    found = Paper.objects.visible().in_bulk(pks[: limit * 3 + 10])
    out: list[Paper] = []
    seen_titles = {title_key(paper.title)}
    for pk in pks:
        other = found.get(pk)
        if other is None or other.arxiv_id == paper.arxiv_id:
            continue
        key = title_key(other.title)
        if key in seen_titles:
            continue
        seen_titles.add(key)
        out.append(other)
        if len(out) >= limit:
            break
    return out
