"""Highlights are escaped text plus <mark>, whatever the paper contains."""

from __future__ import annotations

from paperfeed.search.highlight import highlight_title, query_terms, snippet

HOSTILE = 'Attack <script>alert("t")</script> "><img src=x onerror=alert(1)> on sorting'


def test_hostile_title_is_escaped_and_marked():
    html = highlight_title(HOSTILE, query_terms(["sorting", "script"], []))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;<mark>script</mark>&gt;alert(&quot;t&quot;)" in html
    assert "<mark>sorting</mark>" in html
    assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_stems_match_and_math_is_left_alone():
    html = highlight_title(r"Learned $\alpha$ learning alpha", query_terms(["learning", "alpha"], []))
    assert html == r"<mark>Learned</mark> $\alpha$ <mark>learning</mark> <mark>alpha</mark>"


def test_snippet_picks_the_window_with_matches():
    abstract = " ".join(["filler"] * 200 + ["the", "quokka", "result"] + ["filler"] * 200)
    html = snippet(abstract, query_terms(["quokka"], []))
    assert "<mark>quokka</mark>" in html and html.startswith("… ") and html.endswith(" …")
    assert len(html.split()) < 60


def test_stopword_only_query_still_marks():
    assert "<mark>" in highlight_title("To be or not", query_terms(["not"], []))


def _fixture_text() -> str:
    import gzip
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv_daily.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return " ".join(f"{p['title']} {p['abstract']}" for p in map(json.loads, f))


def test_plain_words_start_with_their_stem_less_its_last_letter():
    # _spans skips a plain ASCII word that starts with no query term's stem less its last letter
    # (highlight._prefix) without stemming it; that is only right while the stemmer rewrites no
    # more of a word than that, apart from the exceptional words it looks for as they are.
    import re

    from paperfeed.search.highlight import _IRREGULAR, _prefix
    from paperfeed.search.lexical import analyze

    words = set(re.findall(r"\w+", _fixture_text())) | {"dying", "lying", "tying", "skies", "Early", "ugly", "ies",
                                                        "yes", "studies", "happy", "gently", "news"}
    broken = [(w, t) for w in words if w.isascii() and w.isalnum() for t in analyze(w)
              if not w.lower().startswith(_prefix(t)) and w.lower() not in _IRREGULAR.get(t, ())]
    assert len(words) > 3000 and broken == []
    assert _IRREGULAR["die"] == ("dying",)


def test_exceptional_words_are_marked():
    html = highlight_title("Dying stars, lying data, dies and studies", query_terms(["die", "lie", "study"], []))
    assert html == "<mark>Dying</mark> stars, <mark>lying</mark> data, <mark>dies</mark> and <mark>studies</mark>"


def test_marks_are_those_of_stemming_every_word():
    import html
    import re

    from paperfeed.search.lexical import analyze

    text = " ".join(_fixture_text()[:20000].replace("$", "").split())
    terms = query_terms(["learning", "models", "strategic", "données", "naïve", "agents"], [])
    expected = "".join(f"<mark>{html.escape(m.group(0))}</mark>" if terms & set(analyze(m.group(0)))
                       else html.escape(m.group(0)) for m in re.finditer(r"\w+|\W+", text))
    assert expected.count("<mark>") >= 20
    assert highlight_title(text, terms) == expected


def _window_by_brute_force(abstract: str, terms: frozenset[str], words: int) -> str:
    """Every window of ``words`` words counted one by one; the first with the most marked words."""
    import html
    import re

    from paperfeed.search.embedder import normalize_text
    from paperfeed.search.lexical import analyze

    text = normalize_text(abstract)
    tokens = list(re.finditer(r"\S+", text))
    marked = [m.span() for m in re.finditer(r"\w+", text) if terms & set(analyze(m.group(0)))]
    if len(tokens) <= words:
        lo, hi = 0, len(text)
    else:
        counts = [sum(1 for a, _ in marked if tokens[i].start() <= a < tokens[i + words - 1].end())
                  for i in range(len(tokens) - words + 1)]
        first = counts.index(max(counts))
        lo, hi = tokens[first].start(), tokens[first + words - 1].end()
    out, pos = [], lo
    for a, b in marked:
        if a >= lo and b <= hi:
            out += [html.escape(text[pos:a]), f"<mark>{html.escape(text[a:b])}</mark>"]
            pos = b
    body = "".join(out) + html.escape(text[pos:hi])
    return ("… " if lo > 0 else "") + body + (" …" if hi < len(text) else "")


def test_snippet_is_the_first_window_with_the_most_marks():
    import gzip
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv_daily.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        abstracts = [p["abstract"] for p, _ in zip(map(json.loads, f), range(60), strict=False)]
    queries = [["learning", "models"], ["graph", "neural", "networks"], ["the"], ["données", "naïve"], ["quokka"]]
    compared = 0
    for abstract in abstracts:
        for words in (["learning", "models"], *queries):
            terms = query_terms(words, [])
            for size in (40, 12):
                assert snippet(abstract, terms, size) == _window_by_brute_force(abstract, terms, size)
                compared += 1
    assert compared > 500


def test_a_term_inside_a_word_is_not_a_match():
    # the plain-text path finds each term's start anywhere in the text; only a word's start counts
    html = highlight_title("Unlearning, relearned and LEARNING-based learners (learn)", query_terms(["learning"], []))
    assert html == "Unlearning, relearned and <mark>LEARNING</mark>-based learners (<mark>learn</mark>)"


def test_warm_flattens_ahead_within_its_bounds():
    from paperfeed.search import highlight

    highlight._flat.cache_clear()
    abstracts = [f"Paper {i} on $\\alpha$-quokkas." for i in range(10)]
    assert highlight.warm(abstracts, seconds=-1) == 0 and highlight._flat.cache_info().currsize == 0
    assert highlight.warm(abstracts, seconds=5) == 10 and highlight._flat.cache_info().currsize == 10
    hits = highlight._flat.cache_info().hits
    assert "<mark>" in snippet(abstracts[3], query_terms(["quokkas"], []))
    assert highlight._flat.cache_info().hits == hits + 1
    full = highlight._flat.cache_info().maxsize
    assert highlight.warm((f"abstract {i}" for i in range(full + 5)), seconds=60) == full
    highlight._flat.cache_clear()
