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
