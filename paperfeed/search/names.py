"""People's names as whole-name keys, so an author search finds one person, not name parts.

An author filter used to require every name part somewhere in the author list, so
``author:"Song Han"`` matched a paper by "Song Wang" and "Wei Han". Now each author of a
paper is indexed as a set of *keys* ``surname|given`` in an untokenized field, and a query
turns into the keys it could mean; a paper matches when one author holds one of them.

Keys of an author (every way to split the name into given names and a surname, so
multi-part surnames like "de la Cruz" or "Di Wang" work in either reading)::

    "Yann André LeCun" -> lecun|            lecun|yann andre   lecun|yann   lecun|y
                          lecun|y a         lecun|yann a       andre lecun|yann  …

A query ``"S. Han"``, ``"Han, Song"``, ``"Song Han"`` or ``"song han"`` builds its candidate
keys for both orders (given-first and surname-first) unless a comma says which part is the
surname; a single word is a surname. Accents and case fold the same way on both sides
(tantivy's ASCII folding: ``Hervé Jégou`` == ``herve jegou``); punctuation separates parts.
"""

from __future__ import annotations

import tantivy

MAX_PARTS = 6  # name parts kept per name: long enough for any real name, bounded for 1000-author papers
SUFFIXES = frozenset(["jr", "sr", "ii", "iii", "iv"])

_ANALYZER = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(40))
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.ascii_fold())
    .build()
)


def parts(name: str) -> list[str]:
    """Folded name parts, suffixes ("Jr.") dropped: ``"Hervé  Jégou"`` -> ``["herve", "jegou"]``."""
    tokens = _ANALYZER.analyze(name) if name else []
    while len(tokens) > 1 and tokens[-1] in SUFFIXES:
        tokens.pop()
    return tokens[:MAX_PARTS]


def _key(surname: list[str], given: list[str]) -> str:
    return f"{' '.join(surname)}|{' '.join(given)}"


def _given_forms(given: list[str]) -> set[tuple[str, ...]]:
    """How a reader may write these given names: in full, first only, initials, first + initials."""
    initials = tuple(g[0] for g in given)
    return {tuple(given), (given[0],), (given[0][0],), initials, (given[0], *initials[1:]), ()}


def _split(name: str) -> tuple[list[str], list[str]] | None:
    """``"Han, Song"`` -> (surname parts, given parts); None without a comma."""
    if "," not in name:
        return None
    surname, given = name.split(",", 1)
    surname_parts, given_parts = parts(surname), parts(given)
    return (surname_parts, given_parts) if surname_parts else None


def author_keys(name: str) -> set[str]:
    """Every key an author's name answers to (see the module docstring)."""
    split = _split(name)
    if split is not None:
        splits = [split]
    else:
        tokens = parts(name)
        splits = [(tokens[k:], tokens[:k]) for k in range(1, len(tokens))] or ([(tokens, [])] if tokens else [])
    keys: set[str] = set()
    for surname, given in splits:
        keys.update(_key(surname, list(form)) for form in (_given_forms(given) if given else {()}))
    return keys


def query_keys(name: str) -> list[str]:
    """The keys a name typed into a search could mean, most literal reading first."""
    split = _split(name)
    if split is not None:
        return [_key(*split)]
    tokens = parts(name)
    if not tokens:
        return []
    keys = [_key(tokens[k:], tokens[:k]) for k in range(1, len(tokens))]  # "Song Han": given first
    keys += [_key(tokens[:k], tokens[k:]) for k in range(1, len(tokens))]  # "Han Song": surname first
    keys.append(_key(tokens, []))  # a surname alone, or a multi-part one ("de la Cruz")
    return list(dict.fromkeys(keys))


def is_name(text: str) -> bool:
    """Whether ``text`` holds any name part at all (``"!!!"`` and ``"-"`` do not)."""
    return bool(parts(text))
