"""The lexical (BM25) side of search: a tantivy index over title, abstract, authors, categories.

Why tantivy: BM25 with per-field boosts, English stemming and phrase queries in a Rust
library with a Python binding, on-disk segments that readers open without locks while
one writer commits. Queries are *built* here from a :class:`~.query.ParsedQuery` instead of
going through tantivy's query-string parser, so no user input can be a syntax error and
every choice (field weights, stopwords, how fields combine) is a parameter measured on
SciFact *train* (``benchmarks/search_quality.py --tune``), see :data:`DEFAULT_PARAMS`.

Filters (category, author, date range) are tantivy clauses of the same query with zero
score, so they cut the candidate set *inside* the retriever, never a top-k afterwards.

Authors are indexed as whole-name keys (:mod:`.names`) in the untokenized ``author_keys``
field, so an author filter matches one person. :data:`FORMAT` names the schema and the keys;
each generation's manifest records it and sync rebuilds an index written with another one.

Long queries (a pasted abstract) keep only their :data:`LONG_QUERY_TERMS` most informative
terms (rarest in the corpus first), OR-ed: a paper need not contain 200 words to be found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import tantivy

from paperfeed.papers.arxiv import canonical_category

from . import names
from .embedder import normalize_text

FORMAT = 2  # 2: authors as whole-name keys (1 had name parts in a tokenized field)
TEXT_TOKENIZER = "en_stem"  # tantivy built-in: simple tokenizer, remove_long(40), lowercase, English stemmer
PERSON_QUERY_PARTS = 4  # a free-text query of 2..4 name parts may be one person's name
LONG_QUERY_TERMS = 24  # past this many distinct terms a query keeps its rarest ones (a pasted abstract)

STOPWORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "has", "have", "in", "into", "is", "it", "its", "of", "on", "or", "not", "no", "nor", "that", "the", "their", "then", "there", "these", "they", "this", "those", "to", "was", "were", "which", "while", "will", "with", "we", "our", "via", "using", "use", "than", "such", "can", "may", "also", "does", "do", "did"]
)
MAX_TERMS = 64


@dataclass(frozen=True)
class LexicalParams:
    """How free text becomes a BM25 query; chosen on SciFact *train* (``search_quality.py --tune``).

    Train nDCG@10: dismax 0.698 vs sum 0.679; title boost 0.75 best of 0.5-3; dropping
    stopwords +0.001; the whole-query title phrase and adjacent-pair proximity clauses made
    no difference on SciFact (claims are not titles), so the title phrase stays on for people
    who paste a title and pairs stay off.
    """

    title_boost: float = 0.75
    abstract_boost: float = 1.0
    author_boost: float = 1.0
    combine: str = "dismax"  # "sum": every field's BM25 adds up; "dismax": best field + tie_breaker * rest
    tie_breaker: float = 0.3
    drop_stopwords: bool = True
    title_phrase_boost: float = 1.0  # whole query as a title phrase (people paste titles)
    pair_boost: float = 0.0  # adjacent content-word pairs near each other (slop 2) in title/abstract


DEFAULT_PARAMS = LexicalParams()


def _text_analyzer() -> tantivy.TextAnalyzer:
    """``en_stem``'s pipeline in Python: the terms the title and abstract fields hold."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


TEXT_ANALYZER = _text_analyzer()  # raw text -> the fields' terms (analyze() normalises first)


def analyze(text: str) -> list[str]:
    """The terms the title/abstract fields hold for ``text`` (same pipeline as ``en_stem``)."""
    return TEXT_ANALYZER.analyze(normalize_text(text)) if text else []


def day_number(day: date | None) -> int:
    """Dates as YYYYMMDD integers: sortable, range-queryable, readable in a debugger."""
    return day.year * 10000 + day.month * 100 + day.day if day else 0


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("pk", stored=True, indexed=True, fast=True)
    sb.add_text_field("title", stored=False, tokenizer_name=TEXT_TOKENIZER)
    sb.add_text_field("abstract", stored=False, tokenizer_name=TEXT_TOKENIZER)
    sb.add_text_field("author_keys", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("cats", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("day", stored=False, indexed=True, fast=True)
    return sb.build()


@dataclass
class LexicalDoc:
    """What the lexical index holds for one paper (text is normalised on the way in)."""

    pk: int
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    day: date | None = None


@dataclass(frozen=True)
class Filters:
    """Restrictions every retriever applies inside its search."""

    categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    after: date | None = None
    before: date | None = None

    def __bool__(self) -> bool:
        return bool(self.categories or self.authors or self.after or self.before)


class LexicalIndex:
    """One tantivy index directory. Open it read-only in web processes; only sync writes."""

    def __init__(self, path: Path, index: tantivy.Index) -> None:
        self.path = path
        self.index = index
        self.schema = index.schema

    @classmethod
    def create(cls, path: Path) -> LexicalIndex:
        path.mkdir(parents=True, exist_ok=True)
        return cls(path, tantivy.Index(build_schema(), path=str(path), reuse=False))

    @classmethod
    def open(cls, path: Path) -> LexicalIndex:
        return cls(path, tantivy.Index.open(str(path)))

    # -- writing (sync only) --------------------------------------------------------------

    def write(self, upserts: Iterable[LexicalDoc], deletes: Iterable[int] = ()) -> int:
        """Replace/add ``upserts`` and drop ``deletes`` (paper pks) in one commit."""
        writer = self.index.writer(heap_size=64_000_000, num_threads=1)
        n = 0
        try:
            for pk in deletes:
                writer.delete_documents_by_term("pk", int(pk))
            for doc in upserts:
                writer.delete_documents_by_term("pk", int(doc.pk))
                writer.add_document(self._document(doc))
                n += 1
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        self.index.reload()
        return n

    @staticmethod
    def _document(doc: LexicalDoc) -> tantivy.Document:
        d = tantivy.Document()
        d.add_integer("pk", int(doc.pk))
        d.add_text("title", normalize_text(doc.title))
        d.add_text("abstract", normalize_text(doc.abstract))
        for key in sorted({key for author in doc.authors for key in names.author_keys(str(author))}):
            d.add_text("author_keys", key)
        for cat in doc.categories:
            d.add_text("cats", cat.lower())
        d.add_integer("day", day_number(doc.day))
        return d

    # -- reading --------------------------------------------------------------------------

    def reload(self) -> None:
        self.index.reload()

    @property
    def num_docs(self) -> int:
        return self.index.searcher().num_docs

    def doc_freq(self, field_name: str, term: str) -> int:
        return self.index.searcher().doc_freq(field_name, term)

    def search(self, query: tantivy.Query, limit: int, *, count: bool = True) -> tuple[list[tuple[int, float]], int]:
        """Top ``limit`` (pk, BM25 score), best first, and how many documents matched.

        ``count=False`` counts only the hits returned: counting every match visits every
        document holding a query word, while the top list alone can skip blocks that cannot
        reach it (block-max WAND), which is most of the work for common words.
        """
        searcher = self.index.searcher()
        result = searcher.search(query, limit=max(1, limit), count=count)
        found = result.hits  # a new Python list on every read of the property: read it once
        addresses = [addr for _, addr in found]
        pks = searcher.fast_field_values("pk", addresses) if addresses else []
        hits = [(int(pk), float(score)) for (score, _), pk in zip(found, pks, strict=True)]
        return hits, result.count if count else len(hits)

    def search_arrays(self, query: tantivy.Query, limit: int, *,
                      places: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """:meth:`search`'s top list as arrays (pks int64, scores float32), for lists of thousands
        (:class:`.kept_scores.KeptScores`, :func:`.kept_scores.top_within`), where a tuple per hit
        was most of the cost; with ``places``, each hit's place in the index (segment, then
        document, int64), else None.

        Why the place: tantivy breaks equal scores by it, so a list merged from kept scores
        (:func:`.kept_scores.top_within`) can order its ties as the index would.
        """
        searcher = self.index.searcher()
        found = searcher.search(query, limit=max(1, limit), count=False).hits
        addresses = [addr for _, addr in found]
        scores = np.fromiter((score for score, _ in found), dtype=np.float32, count=len(found))
        pks = np.asarray(searcher.fast_field_values("pk", addresses) if addresses else [], dtype=np.int64)
        placed = np.fromiter(((a.segment_ord << 32) + a.doc for a in addresses), dtype=np.int64,
                             count=len(addresses)) if places else None
        return pks, scores, placed

    def search_among(self, query: tantivy.Query, pks: list[int]) -> list[tuple[int, float]]:
        """(pk, score) of the papers among ``pks`` that ``query`` matches, with their exact scores.

        The one way search restricts a query to given papers (the exact BM25 of dense-only
        candidates, acronym marks): one term clause per pk, which tantivy intersects about twice
        as fast as a ``term_set_query`` of the same pks (measured at 75k, 300 pks), same scores.
        """
        if not pks:
            return []
        among = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "pk", int(pk))) for pk in pks])
        only = tantivy.Query.const_score_query(among, 0.0)
        return self.search(self.combine(query, only), len(pks), count=False)[0]

    def newest(self, query: tantivy.Query, limit: int, offset: int = 0) -> tuple[list[int], int]:
        """Pks of matches, newest listing day first (browse mode: filters without words)."""
        searcher = self.index.searcher()
        result = searcher.search(query, limit=max(1, limit), count=True, order_by_field="day", offset=offset)
        addresses = [addr for _, addr in result.hits]
        pks = searcher.fast_field_values("pk", addresses) if addresses else []
        return [int(pk) for pk in pks], result.count

    def matching_pks(self, query: tantivy.Query) -> list[int]:
        """Every pk matching ``query`` (author filters for the dense side; verify)."""
        searcher = self.index.searcher()
        total = searcher.num_docs
        if not total:
            return []
        result = searcher.search(query, limit=total, count=False, order_by_field="pk")
        addresses = [addr for _, addr in result.hits]
        return [int(pk) for pk in searcher.fast_field_values("pk", addresses)]

    def all_pks(self) -> list[int]:
        return self.matching_pks(tantivy.Query.all_query())

    # -- query building -------------------------------------------------------------------

    def filter_query(self, filters: Filters) -> tantivy.Query | None:
        """Zero-score clauses for the filters (None when there are none)."""
        clauses: list[tantivy.Query] = []
        if filters.categories:
            cats = [tantivy.Query.term_query(self.schema, "cats", c.lower()) for c in filters.categories]
            clauses.append(cats[0] if len(cats) == 1 else tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, c) for c in cats]))
        for author in filters.authors:
            person = self.person_query(author)
            if person is not None:  # the service refuses names without letters, with a note
                clauses.append(person)
        if filters.after or filters.before:
            clauses.append(tantivy.Query.range_query(
                self.schema, "day", tantivy.FieldType.Integer,
                day_number(filters.after) if filters.after else None,
                day_number(filters.before) if filters.before else None,
            ))
        if not clauses:
            return None
        return tantivy.Query.const_score_query(
            clauses[0] if len(clauses) == 1 else tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, c) for c in clauses]), 0.0)

    def person_query(self, name: str) -> tantivy.Query | None:
        """Papers with one author answering to ``name`` ("S. Han", "Han, Song"); None without a name part."""
        keys = names.query_keys(name)
        if not keys:
            return None
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "author_keys", k)) for k in keys])

    def person_count(self, name: str) -> int:
        """How many papers have an author answering to ``name``."""
        query = self.person_query(name)
        return self.index.searcher().search(query, limit=1, count=True).count if query is not None else 0

    def text_doc_freq(self, term: str) -> int:
        """Papers whose title or abstract hold the analysed ``term`` (the larger of the two counts)."""
        searcher = self.index.searcher()
        return max(searcher.doc_freq(f, term) for f in ("title", "abstract"))

    def phrase_count(self, text: str) -> int:
        """Papers whose title or abstract hold ``text`` as a phrase (one word: its document frequency)."""
        terms = analyze(text)[:MAX_TERMS]
        if len(terms) <= 1:
            return self.text_doc_freq(terms[0]) if terms else 0
        query = tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.phrase_query(self.schema, f, terms))
                                             for f in ("title", "abstract")])
        return self.index.searcher().search(query, limit=1, count=True).count

    def content_terms(self, words: list[str], params: LexicalParams = DEFAULT_PARAMS) -> list[str]:
        """The distinct analysed terms free ``words`` search for; a long query keeps its rarest ones."""
        terms = analyze(" ".join(words))
        if params.drop_stopwords:
            content = [t for t in terms if t not in STOPWORDS]
            terms = content or terms  # "to be or not to be" still searches something
        unique = list(dict.fromkeys(terms))
        if len(unique) <= LONG_QUERY_TERMS:
            return unique
        # Rarest first (most informative); terms no paper holds cannot help and are left out.
        freq = {t: self.text_doc_freq(t) for t in unique}
        return sorted((t for t in unique if freq[t]), key=lambda t: freq[t])[:LONG_QUERY_TERMS]

    def text_query(
        self, words: list[str], phrases: list[str] = (), params: LexicalParams = DEFAULT_PARAMS
    ) -> tantivy.Query | None:
        """BM25 over the fields for free ``words`` (any may match) and quoted ``phrases`` (all must)."""
        raw_words = " ".join(words)
        terms = analyze(raw_words)
        unique = self.content_terms(words, params)
        should = [*self._term_clauses(unique, params), *self._author_clauses(raw_words, params),
                  *self._category_clauses(words), *self._proximity_clauses(raw_words, terms, unique, params)]
        must = self._phrase_clauses(phrases, params)
        if not should and not must:
            return None
        clauses = [(tantivy.Occur.Must, q) for q in must]
        if should:
            clauses.append((tantivy.Occur.Should if must else tantivy.Occur.Must,
                            tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in should])))
        return clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)

    @staticmethod
    def _fields(params: LexicalParams) -> tuple[tuple[str, float], ...]:
        return (("title", params.title_boost), ("abstract", params.abstract_boost))

    def _term_clauses(self, unique: list[str], params: LexicalParams) -> list[tantivy.Query]:
        """One clause per query term over title and abstract; unknown words also match close spellings."""
        out: list[tantivy.Query] = []
        searcher = self.index.searcher()
        fields = self._fields(params)
        for term in unique:
            per_field = [self._boost(tantivy.Query.term_query(self.schema, f, term), b) for f, b in fields]
            known = any(searcher.doc_freq(f, term) for f, _ in fields)
            if not known and len(term) >= 4 and term.isalpha():
                # Probably a typo: let close spellings of the title/abstract words match.
                distance = 2 if len(term) >= 8 else 1
                per_field += [
                    self._boost(tantivy.Query.fuzzy_term_query(self.schema, f, term, distance=distance), b * 0.5)
                    for f, b in fields
                ]
            if params.combine == "dismax":
                out.append(tantivy.Query.disjunction_max_query(per_field, params.tie_breaker))
            else:
                out.extend(per_field)
        return out

    def _author_clauses(self, raw_words: str, params: LexicalParams) -> list[tantivy.Query]:
        """Free words may be surnames ("hinton distillation"), a short query a whole name ("Song Han")."""
        parts = names.parts(raw_words)
        if params.author_boost <= 0 or not parts or len(parts) > PERSON_QUERY_PARTS * 4:
            return []
        keys = [f"{part}|" for part in dict.fromkeys(parts) if part not in STOPWORDS and len(part) > 1]
        out = [self._boost(tantivy.Query.term_query(self.schema, "author_keys", k), params.author_boost)
               for k in keys]
        if 1 < len(parts) <= PERSON_QUERY_PARTS:
            # The whole query as one person counts on top of its parts as surnames.
            out.append(self._boost(self.person_query(raw_words), params.author_boost))
        return out

    def _category_clauses(self, words: list[str]) -> list[tantivy.Query]:
        """A free word that names an arXiv category ("cs.LG") also matches papers listed there."""
        return [tantivy.Query.term_query(self.schema, "cats", word.lower())
                for word in words if "." in word and canonical_category(word)]

    def _proximity_clauses(self, raw_words: str, terms: list[str], unique: list[str],
                           params: LexicalParams) -> list[tantivy.Query]:
        """Adjacent-pair proximity (off by default) and the whole query as a title phrase."""
        out: list[tantivy.Query] = []
        if params.pair_boost > 0 and len(unique) >= 2:
            content = [t for t in terms if t not in STOPWORDS][:MAX_TERMS]
            for a, b in list(dict.fromkeys(zip(content, content[1:], strict=False)))[:16]:
                if a == b:
                    continue
                out.extend(self._boost(tantivy.Query.phrase_query(self.schema, f, [a, b], slop=2),
                                       params.pair_boost * w) for f, w in self._fields(params))
        all_terms = analyze(raw_words)[:MAX_TERMS]
        if params.title_phrase_boost > 0 and 1 < len(all_terms) <= 16:
            out.append(self._boost(tantivy.Query.phrase_query(self.schema, "title", all_terms),
                                   params.title_phrase_boost))
        return out

    def _phrase_clauses(self, phrases: list[str], params: LexicalParams) -> list[tantivy.Query]:
        """Each quoted phrase must occur in the title or the abstract."""
        must: list[tantivy.Query] = []
        for phrase in phrases:
            tokens = analyze(phrase)[:MAX_TERMS]
            if not tokens:
                continue
            if len(tokens) == 1:
                options = [self._boost(tantivy.Query.term_query(self.schema, f, tokens[0]), b)
                           for f, b in self._fields(params)]
            else:
                options = [self._boost(tantivy.Query.phrase_query(self.schema, f, tokens), b)
                           for f, b in self._fields(params)]
            must.append(tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in options]))
        return must

    @staticmethod
    def _boost(query: tantivy.Query, boost: float) -> tantivy.Query:
        return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)

    @staticmethod
    def combine(text: tantivy.Query | None, filt: tantivy.Query | None) -> tantivy.Query:
        if text is None and filt is None:
            return tantivy.Query.all_query()
        if text is None:
            return filt
        if filt is None:
            return text
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, text), (tantivy.Occur.Must, filt)])
