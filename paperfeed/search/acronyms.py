"""Acronym meanings, mined from the corpus itself: "SSL" -> self-supervised / semi-supervised / secure sockets.

Papers define their acronyms as they write them, "self-supervised learning (SSL)" or "SSL
(Secure Sockets Layer)". :func:`definitions` finds those pairs with the Schwartz–Hearst rule
(Schwartz & Hearst, PSB 2003): the short form's characters must appear, in order, in the
words before the parenthesis, its first character at the start of a word, within
``min(len + 5, 2 * len)`` words. Long forms are normalised (case, plurals, hyphens and spaces)
so "Self-Supervised Learning", "self supervised learning" and "selfsupervised learning" are one
meaning.

An :class:`AcronymTable` holds, per short form, every meaning with the papers that define it.
Sync writes it into each index generation (``acronyms.json``, next to the vectors it goes
with) and the reader loads it with them; it is recomputed from the database on every publish
(mining 75k papers costs a few seconds, measured in docs/search.md), so incremental syncs
never leave it stale.

Search uses it twice: :func:`widen` adds each meaning's papers to the candidates of an acronym
query (the long forms as lexical phrases, the meaning's centroid -- the mean vector of the
papers that define it -- as a dense query), and :func:`group_by_meaning` splits the results by
meaning. A paper that defines the acronym belongs to the meaning it gives; one that writes a
meaning's long form joins the nearest of the meanings it writes; any other paper joins the
meaning whose centroid is nearest to its vector, so a paper that never spells "SSL" out still
lands with the other self-supervised papers.

Per query the work is bounded by the candidates: centroids, and which papers write each long
form, are gathered once per generation (a phrase search for a common long form costs as much
restricted to a query's candidates as over the whole index); the query's other words are one
search restricted to the candidates' pks, never a list of every matching paper in the index.
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
import time
import unicodedata
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tantivy

from paperfeed.papers.models import Paper

from . import kept_scores
from .embedder import normalize_text
from .hybrid import Retrieval, TopLists, fuse, scored_pool
from .kept_scores import KeptScores
from .lexical import STOPWORDS, Filters, LexicalIndex, analyze

TABLE_FILE = "acronyms.json"
PAIRS_FILE = "acronym_pairs.json"
# A meaning defined by one paper only may be a parsing accident, unless the acronym is rare:
# on a small hub "semi-supervised learning (SSL)" written once, beside 7 self-supervised, is a meaning.
# An acronym defined by a single paper in all is not kept at all.
MIN_DEFINERS = 2
MIN_SHARE = 0.05
MAX_MEANINGS = 8  # meanings kept per short form, most defined first
WARM_ACRONYMS = 32  # the most-defined acronyms whose kept scores a web worker builds as it warms up (2 spellings each)
# Acronym queries (an acronym with its long forms) whose papers' lexical scores a generation keeps: twice
# what the warm-up builds, so the first other acronyms queried do not push the warmed ones out (at 64,
# "LLM", built first, went with the 65th list and its next query paid 40 ms for it again at 75k).
KEPT_ACRONYMS = 4 * WARM_ACRONYMS
WARM_SECONDS = 2.0  # at most this long per generation and process (at 75k: 0.4 s of CPU for the 64 lists, 7 MB)
CENTROID_PAPERS = 200  # definers averaged into a centroid (most recent first)
TIE_BREAKER = 0.3  # lexical: the best of the acronym and its long forms, plus this share of the others
GENERIC_HEADS = frozenset(["learning", "model", "models", "network", "networks", "method", "methods"])
SAME_MEANING_COSINE = 0.95  # two meanings whose centroids are this close are one topic under two names
NARROW_SHARE = 0.25  # a meaning stays when its papers match the other words at least this much of the best one

_PAREN = re.compile(r"\(([^()]{1,120})\)")
_SENTENCE_END = re.compile(r"[.;:!?](?:\s|$)")
_SHORT = re.compile(r"^[A-Za-z][A-Za-z0-9\-/&.']{0,8}[A-Za-z0-9]s?$")
_WORD = re.compile(r"\S+")
_KEY_SPLIT = re.compile(r"[\s\-‐–—/_]+")
_MARKUP = re.compile(r"[\\$&{}]")
_SPACES = re.compile(r"\s+")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_INSIDE_END = re.compile(r"[;,]\s")
_LOOKBEHIND = 240  # characters before a parenthesis searched for its long form (10 long words)


# --------------------------------------------------------------------------- mining


def _is_short_form(token: str) -> bool:
    """A short form is one token of 2-10 characters, starting with a letter, with capitals in it."""
    if not _SHORT.match(token) or len(token) < 2:
        return False
    core = token[:-1] if token.endswith("s") and token[:-1].isupper() else token
    capitals = sum(ch.isupper() for ch in core)
    return capitals >= 2 or (capitals >= 1 and any(ch.isdigit() for ch in core))


def _best_long_form(short: str, candidate: str) -> str | None:
    """Schwartz–Hearst: the shortest tail of ``candidate`` that holds ``short``'s characters in order."""
    s_idx, l_idx = len(short) - 1, len(candidate) - 1
    while s_idx >= 0:
        ch = short[s_idx].lower()
        if not ch.isalnum():
            s_idx -= 1
            continue
        while l_idx >= 0 and (candidate[l_idx].lower() != ch
                              or (s_idx == 0 and l_idx > 0 and candidate[l_idx - 1].isalnum())):
            l_idx -= 1
        if l_idx < 0:
            return None
        l_idx -= 1
        s_idx -= 1
    start = candidate.rfind(" ", 0, l_idx + 1) + 1
    return _extend(short, candidate, start)


def _extend(short: str, candidate: str, start: int) -> str:
    """Take in earlier words while the long form has fewer words than the short form has letters.

    Why: the bare rule stops as soon as every character is found, inside any word, so
    "proximal policy optimization (PPO)" gives "policy optimization" (the "p" of "optimization").
    A word before it that starts with the short form's first letter belongs to it.
    """
    letters = sum(ch.isupper() for ch in _singular_short(short))
    while start > 0:
        words = _KEY_SPLIT.split(candidate[start:].strip())
        previous = candidate[:start].rstrip().rsplit(" ", 1)[-1]
        if (len(words) >= letters or previous[:1].lower() != short[:1].lower() or not previous.isalpha()
                or len(previous) < 4 or previous.lower() in STOPWORDS):
            break
        start = candidate.rfind(" ", 0, start - 1) + 1
    return candidate[start:].strip()


def _plausible(short: str, long: str) -> bool:
    words = long.split()
    return (len(long) > len(short) and short.lower() not in long.lower().split()
            and len(words) <= min(len(short) + 5, 2 * len(short)) and "(" not in long and ")" not in long)


def _window(before: str, short: str) -> str:
    """The words before a parenthesis that may hold the long form (same sentence, bounded count)."""
    ends = list(_SENTENCE_END.finditer(before))
    if ends:
        before = before[ends[-1].end():]
    words = _WORD.findall(before)
    return " ".join(words[-min(len(short) + 5, 2 * len(short)):])


def definitions(text: str) -> list[tuple[str, str]]:
    """(short form, long form) pairs a text defines, in order, e.g. ``("SSL", "self-supervised learning")``."""
    text = normalize_text(text) if _MARKUP.search(text) else _SPACES.sub(" ", text)
    out: list[tuple[str, str]] = []
    for match in _PAREN.finditer(text):
        inside = _INSIDE_END.split(match.group(1).strip(), 1)[0].strip()
        before = text[max(0, match.start() - _LOOKBEHIND) : match.start()].rstrip()
        if _is_short_form(inside):  # "long form (SF)"
            long = _best_long_form(inside, _window(before, inside))
            if long and _plausible(inside, long):
                out.append((_singular_short(inside), long))
        elif len(inside.split()) >= 2:  # "SF (long form)"
            last = before.rsplit(" ", 1)[-1] if before else ""
            if _is_short_form(last):
                long = _best_long_form(last, inside)
                if long and _plausible(last, long) and long == inside:
                    out.append((_singular_short(last), long))
    return out


def _singular_short(short: str) -> str:
    """"LLMs" defines the same acronym as "LLM"."""
    return short[:-1] if short.endswith("s") and short[:-1].isupper() and len(short) > 2 else short


@functools.lru_cache(maxsize=65536)
def _singular(word: str) -> str:
    word = word.removesuffix("'s").rstrip("'’")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=65536)
def long_form_key(long: str) -> str:
    """One key per meaning: lower case, singular words, accents, hyphens and spaces ignored."""
    folded = unicodedata.normalize("NFKD", long.lower())
    return _NON_ALNUM.sub("", "".join(_singular(w) for w in _KEY_SPLIT.split(folded) if w))


@functools.lru_cache(maxsize=65536)
def _display(long: str) -> str:
    """Ordinary capitalised words in lower case; acronyms inside keep their case ("RL from human feedback")."""
    return _CAPITALISED.sub(lambda m: m.group(0).lower(), long).rstrip("'’")


@functools.lru_cache(maxsize=4096)
def _content_words(long: str) -> tuple[str, ...]:
    """Singular words without the little ones: "vision-and-language" reads as "vision language"."""
    return tuple(_singular(w) for w in _KEY_SPLIT.split(long.lower()) if w and w not in STOPWORDS)


def _variant(a: str, b: str) -> bool:
    """Two spellings of one meaning: word by word, each pair shares at least half of the shorter word.

    "vision-language model" ~ "visual language model", "multi-object tracking" ~ "multiple
    object tracking", "optimization" ~ "optimisation"; but "continual learning" is not
    "contrastive learning", nor "signed distance function" "signed distance field". Little words
    do not count: "RL with verifiable rewards" ~ "RL from verifiable rewards". A long form that
    starts another of at least two words is the same meaning ("structural similarity index
    measure" ~ "structural similarity index"). Callers spell out acronyms inside first
    (:func:`_spelled_out`).
    """
    wa, wb = _content_words(a), _content_words(b)
    shorter = min(len(wa), len(wb))
    if shorter >= 2 and wa[:shorter] == wb[:shorter]:  # "self-supervised" ~ "self-supervised learning"
        return True
    if len(wa) != len(wb):
        return False
    for x, y in zip(wa, wb, strict=True):
        common = len(os.path.commonprefix([x, y]))
        if x != y and (common < 3 or common < 0.5 * min(len(x), len(y))):
            return False
    return True


# --------------------------------------------------------------------------- the table


@dataclass
class Meaning:
    """One meaning of a short form: its label (the long form as most papers write it) and definers."""

    key: str
    label: str
    pks: list[int]  # papers that define the short form this way, newest (highest pk) first
    _centroids: dict = field(default_factory=dict, repr=False, compare=False)  # id(vectors) -> (vectors, c)
    _writers: dict = field(default_factory=dict, repr=False, compare=False)  # id(lexical) -> (lexical, pks)

    @property
    def count(self) -> int:
        return len(self.pks)

    @functools.cached_property
    def definers(self) -> frozenset[int]:
        """The pks as a set, built once: "large language models" alone has thousands of definers."""
        return frozenset(self.pks)

    def centroid(self, vectors) -> np.ndarray | None:
        """Mean unit vector of the definers the vector set holds (None when it holds none).

        Kept per vector set: a generation's table and vectors are loaded together and live as
        long as each other, so an acronym's centroids are gathered once per generation, not on
        every query (200 scattered rows per meaning).
        """
        cached = self._centroids.get(id(vectors))
        if cached is not None and cached[0] is vectors:
            return cached[1]
        found = vectors.vectors_for(self.pks[:CENTROID_PAPERS])
        centroid = None
        if found:
            mean = np.mean(np.vstack(list(found.values())), axis=0)
            centroid = (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
        self._centroids[id(vectors)] = (vectors, centroid)
        return centroid

    def writers(self, lexical: LexicalIndex) -> np.ndarray:
        """Sorted pks of every paper whose title or abstract writes the long form (:func:`long_form_query`).

        Kept per lexical index, as the centroids are per vector set: a long form's phrase search
        costs the same whether it is restricted to a query's candidates or not ("large language
        models" and its six variants: ~25 ms per query on 60 candidates, measured at 75k), so it
        is paid once per generation and each query reads a membership.
        """
        cached = self._writers.get(id(lexical))
        if cached is not None and cached[0] is lexical:
            return cached[1]
        query = long_form_query(lexical, self)
        pks = np.sort(np.asarray(lexical.matching_pks(query) if query is not None else [], dtype=np.int64))
        self._writers[id(lexical)] = (lexical, pks)
        return pks


@dataclass
class AcronymTable:
    """Short form (lower case) -> its meanings, most defined first."""

    entries: dict[str, list[Meaning]] = field(default_factory=dict)
    _kept: OrderedDict = field(default_factory=OrderedDict, repr=False, compare=False)  # see kept_scores()
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    built: int = field(default=0, repr=False, compare=False)  # kept score lists built so far (warm-up's and queries')

    def __len__(self) -> int:
        return len(self.entries)

    def kept_scores(self, lexical: LexicalIndex, either: tantivy.Query) -> KeptScores:
        """Every paper's score for an acronym or its long forms (``either``), kept for the generation.

        Kept by the query itself (its full description), so every spelling that makes the same
        query ("LoRA", "LORA") shares one list. The most recent :data:`KEPT_ACRONYMS` are kept (a
        common one's list: ~23,000 papers, 0.6 MB at 75k), as the centroids and the long forms'
        writers are.
        """
        key = (id(lexical), repr(either))
        with self._lock:
            cached = self._kept.get(key)
            if cached is not None and cached[0] is lexical:
                self._kept.move_to_end(key)
                return cached[1]
        scores = KeptScores.of(lexical, either)
        with self._lock:
            self.built += 1
            self._kept[key] = (lexical, scores)
            while len(self._kept) > KEPT_ACRONYMS:
                self._kept.popitem(last=False)
        return scores

    def warm(self, lexical: LexicalIndex, vectors=None, seconds: float = WARM_SECONDS) -> int:
        """Build the kept scores of the most-defined acronyms before a query asks; how many were built.

        The first query of an acronym in a new generation paid its whole list (60-90 ms for the
        common ones at 75k). Each acronym is built as written in capitals and as their plural
        ("LLM", "LLMs": two different queries), then its meanings' writers and, given ``vectors``,
        their centroids, which its first query's groups read (48 ms for "LLM"'s seven long forms
        at 75k, 0.3 s for the 32 acronyms); the most-defined first, and no longer than ``seconds``
        in all, so a generation with many acronyms never holds a worker up for long.
        """
        deadline = time.monotonic() + seconds
        before = self.built
        common = sorted(self.entries, key=lambda short: (-sum(m.count for m in self.entries[short]), short))
        for short in common[:WARM_ACRONYMS]:
            for typed in (short.upper(), short.upper() + "s"):
                if time.monotonic() >= deadline:
                    return self.built - before
                if _known(self, typed) is not None:
                    self.kept_scores(lexical, _acronym_query(lexical, typed, self.entries[short]))
            for meaning in self.entries[short]:
                if time.monotonic() >= deadline:
                    return self.built - before
                meaning.writers(lexical)
                if vectors is not None:
                    meaning.centroid(vectors)
        return self.built - before

    def meanings(self, short: str) -> list[Meaning]:
        return self.entries.get(short.lower(), [])

    @classmethod
    def build(cls, pairs: dict[int, list[tuple[str, str]]]) -> AcronymTable:
        """The table of mined pairs (pk -> its definitions); variants of one long form are merged."""
        definers: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        surfaces: dict[tuple[str, str], Counter] = defaultdict(Counter)
        for pk, defined in pairs.items():
            for short, long in defined:
                sf, key = _singular_short(short).lower(), long_form_key(long)
                definers[sf][key].add(int(pk))
                surfaces[(sf, key)][_display(long)] += 1
        top = {sf: _label(surfaces[(sf, max(by_key, key=lambda k: (len(by_key[k]), k)))])
               for sf, by_key in definers.items()}
        entries: dict[str, list[Meaning]] = {}
        for sf, by_key in definers.items():
            kept = _merge_variants([(key, surfaces[(sf, key)], pks) for key, pks in by_key.items()], top)
            total = len(set().union(*by_key.values()))
            kept = [m for m in kept if m.count >= MIN_DEFINERS or (total >= MIN_DEFINERS and m.count >= MIN_SHARE * total)]
            if kept:
                kept.sort(key=lambda m: (-m.count, m.key))
                entries[sf] = kept[:MAX_MEANINGS]
        return cls(entries)

    def write(self, directory: Path) -> Path:
        path = directory / TABLE_FILE
        payload = {sf: [[m.key, m.label, m.pks] for m in meanings] for sf, meanings in sorted(self.entries.items())}
        path.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
        return path

    @classmethod
    def load(cls, directory: Path) -> AcronymTable:
        """The table of a generation; empty for generations written before acronyms were mined."""
        path = directory / TABLE_FILE
        if not path.exists():
            return cls()
        payload = json.loads(path.read_text(encoding="utf-8"))
        return cls({sf: [Meaning(key, label, pks) for key, label, pks in rows] for sf, rows in payload.items()})


def _merge_variants(forms: list[tuple[str, Counter, set[int]]], top: dict[str, str]) -> list[Meaning]:
    """Fold each long form into a more defined one it is a spelling variant of (:func:`_variant`)."""
    forms.sort(key=lambda f: (-len(f[2]), f[0]))
    merged: list[tuple[str, str, Counter, set[int]]] = []
    by_start: dict[str, list[int]] = defaultdict(list)  # variants share their first word's first 3 letters
    for key, surfaces, pks in forms:
        label = _spelled_out(_label(surfaces), top)
        start = (_content_words(label) or ("",))[0][:3]
        for index in by_start[start]:
            _, other_label, other_surfaces, other_pks = merged[index]
            if _variant(label, other_label):
                other_surfaces.update(surfaces)
                other_pks.update(pks)
                break
        else:
            by_start[start].append(len(merged))
            merged.append((key, label, Counter(surfaces), set(pks)))
    return [Meaning(key, _label(surfaces), sorted(pks, reverse=True)) for key, _, surfaces, pks in merged]


def _spelled_out(long: str, top: dict[str, str]) -> str:
    """Acronyms inside a long form replaced by their most defined meaning: "multimodal LLMs" ->
    "multimodal large language models", "RL with verifiable rewards" -> "reinforcement learning …"."""
    words = []
    for word in long.split():
        short = _singular_short(word)
        words.append(top.get(short.lower(), word) if _is_short_form(word) else word)
    return " ".join(words)


def mine(papers: Iterable[tuple[int, str, str]]) -> dict[int, list[tuple[str, str]]]:
    """pk -> the definitions in its title and abstract, for ``(pk, title, abstract)`` rows (none: left out)."""
    out: dict[int, list[tuple[str, str]]] = {}
    for pk, title, abstract in papers:
        found = definitions(f"{title or ''}. {abstract or ''}")
        if found:
            out[int(pk)] = found
    return out


def _label(surfaces: Counter) -> str:
    """The most common way of writing it; ties go to the alphabetically first."""
    return min(surfaces.items(), key=lambda item: (-item[1], item[0]))[0]


# --------------------------------------------------------------------------- publishing with a generation


def publish(generation: Path, previous: Path | None, changed: list[dict], removed: list[int]) -> AcronymTable:
    """Write the pairs and the table of a new index generation; returns the table.

    The per-paper pairs (``acronym_pairs.json``) travel from generation to generation, so an
    incremental sync mines only the papers it changed. Without a previous generation's pairs
    (first build, rebuild, an older generation) every visible paper is mined from the database.
    """
    pairs = _previous_pairs(previous)
    if pairs is None:
        rows = Paper.objects.visible().values_list("pk", "title", "abstract").iterator(chunk_size=2000)
        pairs = mine(rows)
    else:
        for pk in [*removed, *(row["pk"] for row in changed)]:
            pairs.pop(int(pk), None)
        pairs.update(mine((row["pk"], row["title"], row["abstract"]) for row in changed))
    (generation / PAIRS_FILE).write_text(json.dumps({str(pk): found for pk, found in pairs.items()},
                                                    separators=(",", ":")), encoding="utf-8")
    table = AcronymTable.build(pairs)
    table.write(generation)
    return table


def _previous_pairs(previous: Path | None) -> dict[int, list[tuple[str, str]]] | None:
    if previous is None or not (previous / PAIRS_FILE).is_file():
        return None
    try:
        payload = json.loads((previous / PAIRS_FILE).read_text(encoding="utf-8"))
        return {int(pk): [(short, long) for short, long in found] for pk, found in payload.items()}
    except (ValueError, TypeError):  # unreadable: mine everything again
        return None


# --------------------------------------------------------------------------- queries


@dataclass
class Expansion:
    """The acronym a query holds, its meanings, and the query's other words."""

    typed: str
    meanings: list[Meaning]
    rest: list[str]


def expansion(table: AcronymTable, words: list[str]) -> Expansion | None:
    """The query word that is a known acronym with the most meanings (None: no acronym).

    A word counts when it is written with a capital letter ("SSL", "LoRA"): in lower case
    "map", "sam" or "cot" are far more often the plain words.
    """
    best: Expansion | None = None
    for word in words:
        meanings = _known(table, word)
        if meanings and (best is None or len(meanings) > len(best.meanings)):
            rest = [w for w in words if w is not word and w.lower() not in STOPWORDS]
            best = Expansion(word.strip(".,;:!?()[]\"'"), meanings, rest)
    return best


@dataclass(frozen=True)
class LongFormHits:
    """An acronym query's lexical top list with its long forms (:func:`long_form_hits`), and what scores
    more of its candidates the same way: the kept scores of "acronym or long forms", the other words."""

    hits: list[tuple[int, float]]  # (pk, BM25), best first
    kept: KeptScores
    rest: tantivy.Query | None


def long_form_hits(snapshot, found: Expansion, filters: Filters, depth: int) -> LongFormHits:
    """The lexical side of :func:`widen`: the acronym *or* any long form must match (each long form a
    phrase), the other words rank. It needs no query vector, so the service runs it while the model
    reads the query (the search's longest wait, otherwise)."""
    lexical = snapshot.lexical
    either = _acronym_query(lexical, found.typed, found.meanings)
    rest = rest_query(lexical, snapshot.acronyms, found.rest)
    kept = snapshot.acronyms.kept_scores(lexical, either)
    filt = lexical.filter_query(filters)
    if rest is None and filt is None:  # a bare acronym: its list is the kept one
        hits = kept_scores.top(kept, depth)
    elif len(kept.pks) >= kept_scores.WITHIN_MIN_KEPT:  # the same list without searching its phrases again
        superset = _acronym_superset(lexical, found.typed, found.meanings)
        hits = kept_scores.top_within(lexical, kept, superset, rest, filt, depth)
    else:
        hits = lexical.search(LexicalIndex.combine(_joined(either, rest), filt), depth, count=False)[0]
    return LongFormHits(hits, kept, rest)


def widen(snapshot, found: Expansion, wide: LongFormHits, lists: TopLists) -> Retrieval:
    """An acronym query retrieves with its long forms too (``found``: :func:`expansion` of its words).

    Lexical: ``wide`` (:func:`long_form_hits`). Dense: each meaning's centroid, moved towards the
    query vector, scores the candidates (the query's own and the lexical ones), a candidate's
    cosine being its best over them. Both are fused as any query's are (:func:`.hybrid.fuse`).

    ``lists`` are the query's own two top lists (:func:`.hybrid.top_lists`), taken unscored:
    every candidate of the pool gets both signals here, so scoring and fusing them first
    (:func:`.hybrid.retrieve`) would be thrown away (~2 ms of CPU per acronym query at 75k).

    Why no dense scan per meaning: each costs as much as the query's own scan (one pass over
    every vector; measured in docs/search.md, "Acronyms and topic groups"), while the long
    forms already bring in the papers that name a meaning without its acronym.
    """
    lexical, vectors, query_vector = snapshot.lexical, snapshot.vectors, lists.query_vector
    centroids = _centroids(found.meanings, vectors)
    # A bare acronym's own vector says little ("SSL" is three letters to the model): the centroids
    # speak for it. With other words the centroids move towards the query ("SSL certificate").
    moved = query_vector if found.rest else None
    queries = [*([query_vector] if moved is not None else []), *(_towards(c, moved) for c in centroids.values())]
    pks = list(dict.fromkeys(lists.pks + [pk for pk, _ in wide.hits]))
    dense = _best_cosines(vectors, queries, pks)
    pool = scored_pool(wide.hits, dense, None, None, vectors, None,
                       bm25_of=lambda unscored: kept_scores.scores_for(lexical, wide.kept, wide.rest, unscored))
    # Only "did anything match" is read of the lexical total.
    return Retrieval(fuse(pool), max(len(wide.hits), lists.lexical_total), lists.filtered_empty)


def _joined(either: tantivy.Query, rest: tantivy.Query | None) -> tantivy.Query:
    """(acronym | its long forms) AND ranked by the other words (:func:`rest_query`)."""
    if rest is None:
        return either
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, either), (tantivy.Occur.Should, rest)])


def _acronym_query(lexical: LexicalIndex, typed: str, meanings: list[Meaning]) -> tantivy.Query:
    """The acronym or any of its long forms, the best one counting.

    Why the best and not the sum: a long rare phrase outscores the acronym, and a paper that
    writes both would dwarf one that only names its meaning. A long form also matches without
    its generic head word ("semi-supervised" for "semi-supervised learning"), as titles write it.
    """
    options = [_typed_query(lexical, typed)]
    for meaning in meanings:
        for tokens in _phrases(meaning.label):
            options.extend(tantivy.Query.term_query(lexical.schema, name, tokens[0]) if len(tokens) == 1 else
                           tantivy.Query.phrase_query(lexical.schema, name, tokens) for name in ("title", "abstract"))
    return tantivy.Query.disjunction_max_query([q for q in options if q is not None], TIE_BREAKER)


def _typed_query(lexical: LexicalIndex, typed: str) -> tantivy.Query | None:
    """The acronym as the query writes it, one option of :func:`_acronym_query` and of its superset.

    A spelling of several words ("LLM-based", "SSL-pretrained") counts as written, a phrase: word by
    word, "based" alone would satisfy the acronym (43,584 of 74,728 papers for "LLM-Based" at 75k).
    """
    return lexical.text_query([], [typed]) if len(analyze(typed)) > 1 else lexical.text_query([typed])


def _acronym_superset(lexical: LexicalIndex, typed: str, meanings: list[Meaning]) -> tantivy.Query:
    """Every paper :func:`_acronym_query` matches, and some more, without reading a word's positions.

    A phrase becomes its words anywhere in the same field, and a long form whose words include
    another's is left out (its papers hold the other's words already): "large language models" and
    its six rarer variants at 75k are one pair of words per field instead of 28 phrases.
    """
    options = [_typed_query(lexical, typed)]
    words = {frozenset(tokens) for meaning in meanings for tokens in _phrases(meaning.label)}
    for needed in sorted((w for w in words if not any(other < w for other in words)), key=sorted):
        for name in ("title", "abstract"):
            options.append(tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, tantivy.Query.term_query(lexical.schema, name, t)) for t in sorted(needed)]))
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in options if q is not None])


def rest_query(lexical: LexicalIndex, table: AcronymTable, words: list[str]) -> tantivy.Query | None:
    """The query's other words, any matching; another acronym among them ("RL for LLM") with its long forms."""
    plain = [w for w in words if _known(table, w) is None]
    clauses = [_acronym_query(lexical, w, meanings) for w in words if (meanings := _known(table, w))]
    if plain and (text := lexical.text_query(plain)) is not None:
        clauses.append(text)
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, q) for q in clauses])


def _known(table: AcronymTable, word: str) -> list[Meaning] | None:
    """The meanings of a word written as an acronym, None for other words.

    "Written as an acronym" is the miner's own rule (:func:`_is_short_form`: two capitals, or a
    capital and a digit): "SSL", "LoRA", "LLMs" count; "Aid" or "Edit" at the start of a pasted
    title are words, although "AID" and "EDIT" are defined somewhere in the corpus.
    """
    token = word.strip(".,;:!?()[]\"'")
    if not _is_short_form(token):
        return None
    return table.meanings(_singular_short(token)) or None


def _phrases(label: str) -> list[list[str]]:
    tokens = analyze(label)
    words = _KEY_SPLIT.split(label.lower())
    if len(tokens) > 2 and words[-1] in GENERIC_HEADS:
        return [tokens, tokens[:-1]]
    return [tokens] if tokens else []


def _centroids(meanings: list[Meaning], vectors) -> dict[int, np.ndarray]:
    """Meaning index -> its centroid, for the meanings whose definers have vectors."""
    out: dict[int, np.ndarray] = {}
    for i, meaning in enumerate(meanings):
        centroid = meaning.centroid(vectors)
        if centroid is not None:
            out[i] = centroid
    return out


def _towards(centroid: np.ndarray, query_vector: np.ndarray | None) -> np.ndarray:
    """The meaning's centroid moved towards the query, so "SSL certificate" still weighs "certificate"."""
    if query_vector is None:
        return centroid
    q = centroid + np.asarray(query_vector, dtype=np.float32)
    return (q / max(float(np.linalg.norm(q)), 1e-12)).astype(np.float32)


def _cosines(block: np.ndarray, queries: list[np.ndarray]) -> np.ndarray:
    """(rows, queries) cosines of unit vectors, one matrix-vector product per query.

    Why not one matrix product: for these shapes (hundreds of rows, a few queries) BLAS runs a
    matrix product on all its threads, and on a busy machine waking them costs 4-5x the work
    (measured while the two cores were shared: 3.9 ms for 600 rows x 9 queries, 0.8 ms as 9
    matrix-vector products).
    """
    return np.column_stack([block @ q for q in queries])


def _best_cosines(vectors, queries: list[np.ndarray], pks: list[int]) -> list[tuple[int, float]]:
    """(pk, best cosine over the queries), best first; the candidates' rows are gathered once."""
    if not queries or not pks:
        return []
    rows, found = vectors.rows_for(pks)
    best = _cosines(np.asarray(vectors.matrix[rows[found]], dtype=np.float32), queries).max(axis=1)
    order = np.argsort(-best, kind="stable")
    keys = np.asarray(pks, dtype=np.int64)[found][order]
    return list(zip(keys.tolist(), best[order].tolist(), strict=True))


# --------------------------------------------------------------------------- groups by meaning


@dataclass
class MeaningGroups:
    """The results of an acronym query split by meaning (only the meanings the query's words leave)."""

    keys: list[str]
    labels: list[str]
    members: dict[int, list]  # group index -> its candidates, in ranking order
    candidates: list  # the candidates of the groups shown, in ranking order
    notes: list[str]


def group_by_meaning(snapshot, words: list[str], candidates: list) -> MeaningGroups | None:
    """Split the candidates of an acronym query by meaning; None when fewer than two meanings are present.

    A candidate that defines the acronym belongs to the meaning it gives; one that writes a
    meaning's long form joins the nearest of the meanings it names; any other joins the meaning
    whose centroid is nearest. The query's other words narrow the meanings shown (and say so in
    a note): "SSL certificate" keeps the meanings whose papers mention a certificate.

    Bounded work: the centroids and the long forms' writers are kept per generation
    (:meth:`Meaning.centroid`, :meth:`Meaning.writers`), and the other words are looked up in
    one lexical search over the candidates only (:func:`marks`), never over the whole index.
    """
    found = expansion(snapshot.acronyms, words)
    if found is None or not candidates:
        return None
    centroids = without_synonyms(_centroids(found.meanings, snapshot.vectors))
    if len(centroids) < 2:
        return None
    rest = [w for w in found.rest if analyze(w)]
    rest_q = rest_query(snapshot.lexical, snapshot.acronyms, rest) if rest else None
    pks = [c.pk for c in candidates]
    # The long forms matter only for papers that do not define the acronym; the other words, for all.
    asked = pks if rest_q is not None else [pk for pk in pks
                                            if not any(pk in found.meanings[i].definers for i in centroids)]
    named, matching = naming(snapshot.lexical, found.meanings, list(centroids), asked, rest_q)
    members = assign(found.meanings, centroids, candidates, snapshot.vectors.vectors_for(pks), named)
    present = [i for i in centroids if members[i]]
    if len(present) < 2:
        return None
    present, notes = _narrow(found, rest, present, members, matching) if rest_q is not None else (present, [])
    present.sort(key=lambda i: (-len(members[i]), i))
    labels = [found.meanings[i].label for i in present]
    keys = _keys(labels)
    shown = {c.pk for i in present for c in members[i]}
    return MeaningGroups(keys, labels, {n: members[i] for n, i in enumerate(present)},
                         [c for c in candidates if c.pk in shown], notes)


def without_synonyms(centroids: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
    """Drop a meaning whose centroid is as close to a more defined one's as synonyms are.

    Why: some names of one thing differ in more than spelling ("speech" and "spoken language
    models") and would split one topic in two groups.
    Measured on the 30 benchmark acronyms (docs/search.md): such names sit 0.84-0.96 apart in
    cosine, distinct meanings 0.06-0.89; only the clear cases (>= ``SAME_MEANING_COSINE``) are
    dropped. The dropped meaning's papers join the nearest remaining centroid.
    """
    kept: dict[int, np.ndarray] = {}
    for i in sorted(centroids):  # most defined first
        if all(float(centroids[i] @ c) < SAME_MEANING_COSINE for c in kept.values()):
            kept[i] = centroids[i]
    return kept


def long_form_query(lexical: LexicalIndex, meaning: Meaning) -> tantivy.Query | None:
    """The meaning's long form written in a title or abstract (as :func:`_acronym_query` matches it)."""
    options = [tantivy.Query.term_query(lexical.schema, name, tokens[0]) if len(tokens) == 1 else
               tantivy.Query.phrase_query(lexical.schema, name, tokens)
               for tokens in _phrases(meaning.label) for name in ("title", "abstract")]
    if not options:
        return None
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in options])


def marks(lexical: LexicalIndex, clauses: list[tantivy.Query | None], pks: list[int]) -> dict[int, int]:
    """pk -> a bit mask of the ``clauses`` (at most 20; None never matches) each of these papers matches.

    One search for all of them: clause ``j`` scores exactly ``2**j`` (a constant score) and a
    boolean query of optional clauses adds its matching clauses' scores, so a paper's score is
    its bit mask. Restricted to ``pks`` (:meth:`.LexicalIndex.search_among`), it costs what the
    candidates cost, never a list of every paper in the index that says "speech".
    """
    scored = [(tantivy.Occur.Should, tantivy.Query.const_score_query(q, float(2 ** j)))
              for j, q in enumerate(clauses) if q is not None]
    if not scored or not pks:
        return {}
    return {pk: int(round(score)) for pk, score in lexical.search_among(tantivy.Query.boolean_query(scored), pks)}


def naming(lexical: LexicalIndex, meanings: list[Meaning], indices: list[int], pks: list[int],
           also: tantivy.Query | None = None) -> tuple[dict[int, set[int]], set[int]]:
    """pk -> the meanings (of ``indices``) whose long form the paper writes, and the pks ``also`` matches.

    The long forms from each meaning's writers (:meth:`Meaning.writers`, kept per generation),
    ``also`` from one search over these papers only (:func:`marks`).
    """
    wanted = np.asarray(pks, dtype=np.int64)
    named: dict[int, set[int]] = {}
    for i in indices:
        writers = meanings[i].writers(lexical)
        if not len(writers) or not len(wanted):
            continue
        at = np.minimum(np.searchsorted(writers, wanted), len(writers) - 1)
        for pk in wanted[writers[at] == wanted].tolist():
            named.setdefault(pk, set()).add(i)
    matching = set(marks(lexical, [also], pks)) if also is not None else set()
    return named, matching


def assign(meanings: list[Meaning], centroids: dict[int, np.ndarray], candidates: list,
           vectors: dict[int, np.ndarray], named: dict[int, set[int]] | None = None) -> dict[int, list]:
    """Meaning index -> candidates: by the paper's own definition, else by the nearest centroid
    among the meanings whose long form it writes (``named``), else by the nearest centroid of all.

    Why the long form first: a paper that writes "curriculum learning" is about curriculum
    learning even when its vector sits nearer the continual-learning papers (its subject is,
    say, hyperspectral images); by the centroid alone small meanings lost such papers to a big
    neighbour (docs/search.md, "Benchmark").
    """
    order = list(centroids)
    defined = {c.pk: i for c in candidates for i in reversed(order) if c.pk in meanings[i].definers}
    members: dict[int, list] = {i: [] for i in order}
    rest = [c for c in candidates if c.pk not in defined and c.pk in vectors]
    nearest: dict[int, int] = {}
    if rest:
        scores = _cosines(np.vstack([vectors[c.pk] for c in rest]), [centroids[i] for i in order])
        allowed = np.ones(scores.shape, dtype=bool)  # a paper that names none: every meaning may take it
        columns = {i: col for col, i in enumerate(order)}
        for row, c in enumerate(rest):
            if cols := [columns[i] for i in (named or {}).get(c.pk, ()) if i in columns]:
                allowed[row] = False
                allowed[row, cols] = True
        best = np.argmax(np.where(allowed, scores, -np.inf), axis=1)
        nearest = dict(zip([c.pk for c in rest], best.tolist(), strict=True))
    for c in candidates:
        if c.pk in defined:
            members[defined[c.pk]].append(c)
        elif c.pk in nearest:
            members[order[nearest[c.pk]]].append(c)
    return members


def _narrow(found: Expansion, rest: list[str], present: list[int], members: dict[int, list],
            matching: set[int]) -> tuple[list[int], list[str]]:
    """The meanings the query's other words point to (``matching``: the candidates that hold them);
    every other word is accounted for in a note."""
    hits = {i: sum(c.pk in matching for c in members[i]) for i in present}
    words = " ".join(f"“{w}”" for w in rest)
    if not any(hits.values()):
        return present, [f"No paper about any meaning of {found.typed} mentions {words}; showing every meaning."]
    top = max(hits.values())
    kept = [i for i in present if hits[i] >= max(1.0, NARROW_SHARE * top)]
    if len(kept) == len(present):
        return present, []
    names = ", ".join(found.meanings[i].label for i in kept)
    return kept, [f"{words} narrows {found.typed} to {names}."]


def _keys(labels: list[str]) -> list[str]:
    keys: list[str] = []
    for label in labels:
        key = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40] or "meaning"
        while key in keys:
            key += "-2"
        keys.append(key)
    return keys
