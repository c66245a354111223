"""Similar papers for a paper page: both retrievers' candidates, ranked by four kinds of evidence.

The paper is the query. The pool: BM25's answer to its most distinctive terms (a "more like
this" query: the title's and abstract's terms ranked by tf x idf, the top ``MLT_TERMS``, each
weighted by that tf x idf) and the nearest neighbours of its vector, ``DEPTH`` each. Every
candidate then gets four scores: its BM25 for that query and its cosine (exact for all, as
search scores its pools: :func:`.hybrid.scored_pool`), the tf-idf of words and word pairs it
shares with the paper (:mod:`.word_pairs`), and how far their arXiv categories overlap. Each
score is z-scored over the pool and the four are summed with :data:`DEFAULT_WEIGHTS`: a third
each for BM25, dense and word pairs (not fitted: every signal counts once), ``CATEGORY_WEIGHT``
for the categories (chosen on co-author queries kept apart from the benchmark's).

Why these: dense vectors alone miss the shared rare terms (a dataset, a method's name) that tie
a line of work together, BM25 of single words misses the two-word names ("visual odometry",
"mixture of experts") whose words alone are common, and both miss what the categories say about
the field. Link words (URLs, ``github.com/<account>``, e-mail addresses) are read by neither
lexical signal: a group's account in each of its abstracts would otherwise tie its papers
together by the link, not the subject. ``benchmarks/similar.py`` measures tf-idf, each signal
and the fusions side by side on query-by-example sets of arXiv papers under three notions of
"related" (shared authors, the same code account, shared rare Hugging Face keywords); the
figures and the variants tried are in docs/search.md ("Similar papers").

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
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import tantivy

from paperfeed.papers.models import Paper

from . import word_pairs
from .embedder import normalize_text
from .hybrid import Candidate, Pool, fill_missing, normalise, scored_pool
from .lexical import DEFAULT_PARAMS, STOPWORDS, LexicalIndex, analyze
from .reader import current
from .vectors import VectorSet

DUPLICATE_COSINE = 0.985
DEPTH = 100  # candidates from each retriever
CATEGORY_WEIGHT = 0.2  # chosen on 1,000 co-author queries outside the benchmark's (docs/search.md)
MLT_TERMS = 50  # distinctive terms in the lexical query (25 unweighted: -13 % nDCG@10 against tf-idf)
_NON_WORD = re.compile(r"\W+")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Described:
    """What the ranking reads of a paper besides the indexes."""

    title: str
    abstract: str
    categories: tuple[str, ...] = ()


Describe = Callable[[list[int]], dict[int, Described]]  # pks -> their descriptions (a missing pk: unknown)
_UNKNOWN = Described("", "")


@dataclass(frozen=True, slots=True)
class Signals:
    """A pool's candidates and their scores, one array per signal in the order of ``pks`` (NaN: none)."""

    pks: list[int]
    bm25: np.ndarray
    dense: np.ndarray
    words: np.ndarray
    categories: np.ndarray


Weights = dict[str, float]  # signal name (a field of Signals) -> its weight over the pool's z-scores
DEFAULT_WEIGHTS: Weights = {"bm25": 1 / 3, "dense": 1 / 3, "words": 1 / 3, "categories": CATEGORY_WEIGHT}


def title_key(title: str) -> str:
    return _NON_WORD.sub(" ", normalize_text(title).lower()).strip()


def distinctive_terms(lexical: LexicalIndex, title: str, abstract: str,
                      n: int = MLT_TERMS) -> list[tuple[float, str]]:
    """The ``n`` index terms of a paper with the highest ``(1 + log tf) x idf``, with that weight.

    Title words count twice. Terms no other paper holds are skipped: they find only the paper itself.
    """
    counts: Counter[str] = Counter()
    for weight, text in ((2, title), (1, abstract)):
        for word in _WORD.findall(word_pairs.without_links(normalize_text(text))):
            terms = analyze(word)
            if len(terms) == 1 and terms[0] not in STOPWORDS and len(terms[0]) >= 3 and not terms[0].isdigit():
                counts[terms[0]] += weight
    docs = max(lexical.num_docs, 1)
    scored = []
    for term, tf in counts.items():
        df = lexical.text_doc_freq(term)
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


def similar_signals(lexical: LexicalIndex, vectors: VectorSet | None, pk: int, paper: Described,
                    vector: np.ndarray | None, describe: Describe) -> Signals:
    """The pool of "papers like ``pk``" and each candidate's four scores (see the module docstring)."""
    pool = similar_pool(lexical, vectors, pk, paper.title, paper.abstract, vector)
    pks = pool.pks
    found = describe(pks)
    others = [found.get(c, _UNKNOWN) for c in pks]
    query_cats = set(paper.categories)
    return Signals(
        pks,
        bm25=np.array([pool.bm25.get(c, np.nan) for c in pks], dtype=np.float64),
        dense=np.array([pool.cosine.get(c, np.nan) for c in pks], dtype=np.float64),
        words=word_pairs.scores(lexical, query := word_pairs.bag(paper.title, paper.abstract),
                                [word_pairs.bag(o.title, o.abstract, query) for o in others]),
        categories=np.array([_overlap(query_cats, o.categories) for o in others], dtype=np.float64),
    )


def fuse_signals(signals: Signals, weights: Weights = DEFAULT_WEIGHTS) -> list[Candidate]:
    """Candidates best first by the weighted sum of each signal's z-score over the pool."""
    if not signals.pks:
        return []
    fused = sum(w * normalise(getattr(signals, name), "zscore") for name, w in weights.items() if w)
    order = np.argsort(-fused, kind="stable")
    bm25, cosine = np.nan_to_num(signals.bm25, nan=0.0), fill_missing(signals.dense)
    return [Candidate(signals.pks[i], float(fused[i]), float(bm25[i]), float(cosine[i])) for i in order.tolist()]


def rank_similar(lexical: LexicalIndex, vectors: VectorSet | None, pk: int, paper: Described,
                 vector: np.ndarray | None, describe: Describe, weights: Weights = DEFAULT_WEIGHTS) -> list[Candidate]:
    """Candidates for "papers like ``pk``", best first: both retrievers' pool, ranked by four signals."""
    return fuse_signals(similar_signals(lexical, vectors, pk, paper, vector, describe), weights)


def _overlap(a: set[str], b: tuple[str, ...]) -> float:
    """Cosine of two category sets: shared categories over the geometric mean of their sizes."""
    return len(a.intersection(b)) / math.sqrt(len(a) * len(b)) if a and b else 0.0


def describe_papers(pks: list[int]) -> dict[int, Described]:
    """Title, abstract and categories of the papers ``pks`` from the database (one query)."""
    rows = Paper.objects.filter(pk__in=pks).values_list("pk", "title", "abstract", "categories")
    return {pk: Described(title, abstract, tuple(categories.split())) for pk, title, abstract, categories in rows}


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
    described = Described(paper.title, paper.abstract, tuple(paper.category_list))
    ranked = rank_similar(snapshot.lexical, snapshot.vectors, paper.pk, described, vector, describe_papers)
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
