"""tf-idf over a paper's words and word pairs, scored against candidates with exact corpus statistics.

The second lexical signal of similar papers (:mod:`.similar`), beside the BM25 more-like-this:
a group's line of work is often named by two words together ("Gaussian splatting", "visual
odometry") whose parts alone are common, which a word-by-word query cannot see. Modelled on
arxiv-sanity-lite's tf-idf of words and word pairs, without its corpus matrix: the statistics
are read from the generation's tantivy index when a paper page asks, so nothing more is stored.

Features: the stems the index holds (:func:`.lexical.analyze`'s pipeline) of title and
abstract, without stopwords (scikit-learn's English list and search's), numbers and one-letter
tokens; a *pair* is two such words with at most ``MAX_GAP`` stopwords between them, as
scikit-learn's ``ngram_range=(1, 2)`` pairs words across the stopwords it removed ("mixture of
experts", "text-to-image", "state of the art": names that are made of common words). The
stopwords between are kept in the pair, so a phrase query of its stems finds exactly the
papers holding it. No pair spans the title's end, a number or a link. Link words (URLs, e-mail
addresses, ``github.com/<account>/...``) are removed first: a group's code account in every
abstract is the same "word pair" in each, which would reward the link instead of the subject
(docs/search.md, "Similar papers").

Weights are scikit-learn's ``TfidfVectorizer(sublinear_tf=True, min_df=2)``, the benchmark's
baseline: ``(1 + ln tf) x idf`` with ``idf = 1 + ln((1 + N) / (1 + df))``, and no weight for a
word held by one paper alone. A word's df is the index's document frequency of its stem
(the larger of the title's and the abstract's, as :func:`.similar.distinctive_terms` reads it;
tantivy's count still includes a paper deleted or replaced since its segment was merged, so it
can be off by the papers changed since: a term query's count would be exact but dearer);
a pair's df is the number of papers whose title or abstract holds it as a phrase, counted only
for the pairs the query paper shares with a candidate, the only ones a score reads.

The score is ``(words_q . words_d + pairs_q . pairs_d) / (|words_q| |words_d|)``: the words'
cosine plus the shared pairs over the same norms. Why not one cosine over words and pairs: a
candidate's norm would then need the df of every pair it holds (about a hundred, most held by no
other paper), a phrase query each; on the benchmark the two scores rank within noise of each other.
"""

from __future__ import annotations

import math
import re
import weakref
from collections import Counter
from dataclasses import dataclass

import numpy as np
import tantivy
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .embedder import normalize_text
from .lexical import STOPWORDS, TEXT_ANALYZER, LexicalIndex

_LINK_MARKS = ("://", "www.", "@", "github.", "gitlab.", "bitbucket.", "huggingface.")
_MARKUP_MARKS = ("\\", "&")  # all that normalize_text changes for the tokenizer: LaTeX commands, HTML entities
_EMAIL = re.compile(r"[^@]*\w@[\w-]+\.[\w.-]*\w\W*")  # a token with "@" is a link only as an address
STOP = frozenset(ENGLISH_STOP_WORDS) | STOPWORDS
MAX_GAP = 2  # stopwords a pair may span ("mixture of experts", "state of the art")
FIELD_BREAK = " 0 "  # a number between title and abstract (and for a link): no pair spans it
CACHE_PAIRS = 200_000  # pair frequencies kept per index generation before the memo starts over
_STOP_STEMS = frozenset(stem for word in STOP for stem in TEXT_ANALYZER.analyze(word))


def without_links(text: str) -> str:
    """``text`` in lower case, each link word (a token holding a URL, an e-mail address or a code
    host's path) replaced by :data:`FIELD_BREAK` so that no pair spans it.

    Found with ``str.find`` on the marks and cut at the surrounding spaces: a regular expression
    over the whole text costs about 100 us per abstract, more than the rest of :func:`bag`.
    """
    text = " ".join(text.lower().split())
    cuts = []
    for mark in _LINK_MARKS:
        at = text.find(mark)
        while at >= 0:
            start, end = text.rfind(" ", 0, at) + 1, text.find(" ", at)
            end = len(text) if end < 0 else end
            if mark != "@" or _EMAIL.fullmatch(text, start, end):
                cuts.append((start, end))
            at = text.find(mark, end)
    if not cuts:
        return text
    parts, done = [], 0
    for start, end in sorted(cuts):
        if start >= done:
            parts += [text[done:start], FIELD_BREAK]
            done = end
    return "".join([*parts, text[done:]])


@dataclass(frozen=True, slots=True)
class Bag:
    """A paper's content stems and adjacent stem pairs, with their counts."""

    words: Counter[str]
    pairs: Counter[tuple[str, ...]]


def bag(title: str, abstract: str, among: Bag | None = None) -> Bag:
    """The features of a paper (see the module docstring); link words are not read.

    With ``among`` (the query paper's bag), only the pairs it holds are kept: a score reads no
    other pair of a candidate, and finding only those is a lookup at the few places where one
    of its pairs' first words stands, not a pass over every word. Stopwords are recognised by
    their stems (one analysis of the text), so a word whose stem is a stopword's ("shows" of
    "show") is left out with it.
    """
    text = f"{title}{FIELD_BREAK}{abstract}"
    if any(mark in text for mark in _MARKUP_MARKS):  # else normalising would not change a token
        text = normalize_text(text)
    stems = TEXT_ANALYZER.analyze(without_links(text))
    if among is None:
        return _every_feature(stems)
    words = Counter(stems)
    for stem in [s for s in words if s in _STOP_STEMS or len(s) < 2 or s.isdigit()]:
        del words[stem]
    pairs: Counter[tuple[str, ...]] = Counter()
    firsts = {pair[0] for pair in among.pairs}
    for i in [i for i, stem in enumerate(stems) if stem in firsts]:
        for j in range(i + 1, min(i + MAX_GAP + 2, len(stems))):
            if (pair := tuple(stems[i:j + 1])) in among.pairs:
                pairs[pair] += 1
            if stems[j] not in _STOP_STEMS:
                break
    return Bag(words, pairs)


def _every_feature(stems: list[str]) -> Bag:
    words: Counter[str] = Counter()
    pairs: Counter[tuple[str, ...]] = Counter()
    last = -1  # where the last content word was, -1 after anything but a stopword
    for i, stem in enumerate(stems):
        if stem in _STOP_STEMS:
            continue
        if len(stem) < 2 or stem.isdigit():
            last = -1
            continue
        words[stem] += 1
        if last >= 0 and i - last <= MAX_GAP + 1:  # only stopwords between
            pairs[tuple(stems[last:i + 1])] += 1
        last = i
    return Bag(words, pairs)


class Statistics:
    """Document frequencies read from one index generation, each asked once per process.

    Why a memo: a pool's papers share most of their words, and consecutive paper pages share the
    common ones, which are the dearest to count (a phrase query reads both words' positions).
    Words are bounded by the index's vocabulary; pairs start over past ``CACHE_PAIRS``.
    """

    def __init__(self, lexical: LexicalIndex) -> None:
        self.lexical = lexical
        self.searcher = lexical.index.searcher()
        self.docs = self.searcher.num_docs
        self.words: dict[str, float] = {}
        self.pairs: dict[tuple[str, ...], float] = {}

    @classmethod
    def of(cls, lexical: LexicalIndex) -> Statistics:
        stats = _STATISTICS.get(lexical)
        if stats is None:
            stats = _STATISTICS[lexical] = cls(lexical)
        return stats

    def word_idf(self, stem: str) -> float:
        """The word's idf; 0 for a word no other paper holds (it ties no two papers, only lengthens a norm)."""
        idf = self.words.get(stem)
        if idf is None:
            df = self.lexical.text_doc_freq(stem)
            idf = self.words[stem] = self.idf(df) if df >= 2 else 0.0
        return idf

    def pair_idf(self, pair: tuple[str, ...]) -> float:
        idf = self.pairs.get(pair)
        if idf is None:
            if len(self.pairs) >= CACHE_PAIRS:
                self.pairs.clear()
            either = tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, tantivy.Query.phrase_query(self.lexical.schema, field, list(pair)))
                 for field in ("title", "abstract")])
            idf = self.pairs[pair] = self.idf(self.searcher.search(either, limit=1, count=True).count)
        return idf

    def idf(self, df: int) -> float:
        return 1.0 + math.log((1 + self.docs) / (1 + max(df, 1)))


_STATISTICS: weakref.WeakKeyDictionary[LexicalIndex, Statistics] = weakref.WeakKeyDictionary()


def forget() -> None:
    """Drop every kept frequency (a benchmark's cold start; a new generation is a new index anyway)."""
    _STATISTICS.clear()


def scores(lexical: LexicalIndex, query: Bag, candidates: list[Bag]) -> np.ndarray:
    """Each candidate's word-and-pair score against ``query`` (0 where they share nothing).

    The candidates' words are laid end to end in flat arrays so that weights, norms and dot
    products are a few array operations instead of a Python loop per word.
    """
    stats = Statistics.of(lexical)
    out = np.zeros(len(candidates))
    if not query.words or not candidates:
        return out
    sizes = np.fromiter((len(c.words) for c in candidates), dtype=np.int64, count=len(candidates))
    words = [f for c in candidates for f in c.words]
    counts = np.fromiter((n for c in candidates for n in c.words.values()), dtype=np.float64, count=len(words))
    idf = {f: stats.word_idf(f) for f in set(words) | query.words.keys()}
    weights = (1.0 + np.log(np.maximum(counts, 1.0))) * np.fromiter(map(idf.__getitem__, words), np.float64,
                                                                      len(words))
    q_words = {f: (1.0 + math.log(n)) * idf[f] for f, n in query.words.items()}
    q_norm = math.sqrt(sum(w * w for w in q_words.values()))
    shared = np.fromiter((q_words.get(f, 0.0) for f in words), np.float64, len(words))
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    has = sizes > 0
    norms = np.zeros(len(candidates))
    dots = np.zeros(len(candidates))
    norms[has] = np.sqrt(np.add.reduceat(weights * weights, starts[has]))
    dots[has] = np.add.reduceat(weights * shared, starts[has])
    # A shared pair adds (1 + ln tf_q) idf x (1 + ln tf_d) idf: its query side and idf once per pair.
    q_pairs = {p: (1.0 + math.log(query.pairs[p])) * stats.pair_idf(p) ** 2
               for p in {p for c in candidates for p in c.pairs if p in query.pairs}}
    if q_pairs:
        dots += [sum((1.0 + math.log(n)) * q_pairs[p] for p, n in c.pairs.items() if p in q_pairs)
                 for c in candidates]
    np.divide(dots, norms * q_norm, out=out, where=norms > 0)
    return out
