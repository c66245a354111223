"""Is a query in another language than English? The hub's model and stemmer read English only.

Why not a multilingual model: the one a package ships that would do (multilingual-e5-small,
4-bit) encodes a query in 18 / 38 ms p50 / p95 on these machines (EMBEDDING-NOTES.md), several
times the whole search budget, and every stored vector would have to be re-embedded into its
space. So a query in another language gets a clear note instead, with what matches anyway.

How: a query mostly in a non-Latin script is not English. A Latin-script query is judged only
when at least half of its words appear in no paper here (an English query's words nearly
always do), and then py3langid, a small language identifier that ships its model, names
the language; on two or three words alone it guesses too often to be asked first, and a
made-up word is no language at all.
"""

from __future__ import annotations

import unicodedata

import py3langid

NAMES = {"de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch",
         "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ru": "Russian", "uk": "Ukrainian", "ar": "Arabic",
         "he": "Hebrew", "fa": "Persian", "hi": "Hindi", "tr": "Turkish", "pl": "Polish", "vi": "Vietnamese",
         "el": "Greek", "th": "Thai", "sv": "Swedish", "cs": "Czech", "id": "Indonesian"}
UNKNOWN_SHARE = 0.5  # of a Latin-script query's words no paper holds, before its language is asked


def _non_latin_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if not unicodedata.name(ch, "").startswith("LATIN")) / len(letters)


def other_language(text: str, unknown_share: float) -> str | None:
    """The name of the language ``text`` is in when that is not English, else None.

    ``unknown_share`` is the share of the query's words that no paper on the hub contains.
    """
    if _non_latin_share(text) >= 0.5:
        code = py3langid.classify(text)[0]
        return NAMES.get(code, "another language")
    if unknown_share < UNKNOWN_SHARE:
        return None
    # Only a language the identifier knows well counts: made-up words come back as "zxx" (no
    # language) or a rare one, and are unmatched words, not a language.
    return NAMES.get(py3langid.classify(text)[0])
