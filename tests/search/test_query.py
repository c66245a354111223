"""The query language: operators, phrases, arXiv ids, and input that must never raise."""

from __future__ import annotations

from datetime import date

import pytest

from paperfeed.search.query import MAX_QUERY_CHARS, normalize_sort, parse_query


def test_free_text_phrases_and_operators():
    p = parse_query('diffusion "optimal transport" cat:cs.LG author:"Yann LeCun" after:2025-01-01 before:2025-06 '
                    "sort:newest")
    assert p.words == ["diffusion"]
    assert p.phrases == ["optimal transport"]
    assert p.categories == ["cs.LG"]
    assert p.authors == ["Yann LeCun"]
    assert p.after == date(2025, 1, 1)
    assert p.before == date(2025, 6, 30)  # a month as upper bound means its last day
    assert p.sort == "newest"
    assert p.text == "diffusion optimal transport"
    assert p.notes == []


@pytest.mark.parametrize("text", ["2503.11731", "arXiv:2503.11731v2", "https://arxiv.org/abs/2503.11731",
                                  "http://arxiv.org/pdf/2503.11731v1.pdf", " arxiv:2503.11731 "])
def test_arxiv_ids_in_any_form(text):
    assert parse_query(text).arxiv_id.id == "2503.11731"


def test_old_style_id_and_id_with_filter():
    assert parse_query("hep-th/9901001").arxiv_id.id == "hep-th/9901001"
    assert parse_query("2503.11731 cat:cs.CV").arxiv_id.id == "2503.11731"


def test_an_id_among_words_is_just_text():
    p = parse_query("2503.11731 gaussian splatting")
    assert p.arxiv_id is None and "2503.11731" in p.words


@pytest.mark.parametrize(("text", "note"), [
    ("cat:", "cat: needs a value"),
    ("after:soon", "is not a date"),
    ("before:2025-13-45", "is not a date"),
    ("sort:sideways", "is unknown"),
    ('"unbalanced quote', "unclosed quote"),
    ("cat:<script>", "not an arXiv category"),
])
def test_problems_become_notes(text, note):
    p = parse_query(text)
    assert any(note in n for n in p.notes), p.notes


def test_unbalanced_quote_still_searches_the_words():
    p = parse_query('"graph neural')
    assert p.phrases == ["graph neural"]


def test_colons_that_are_not_operators_are_words():
    p = parse_query("BERT: pre-training of deep transformers")
    assert p.words[0] == "BERT:" and p.categories == []


def test_long_query_is_shortened():
    p = parse_query("word " * 5000)
    assert len(p.text) <= MAX_QUERY_CHARS and any("shortened" in n for n in p.notes)


@pytest.mark.parametrize("text", ["", "   ", "AND OR NOT", "😀🔥", "مرحبا بالعالم", "'; DROP TABLE papers; --",
                                  "<img src=x onerror=alert(1)>", r"$\mathcal{O}(n^2)$ \emph{x}", "\x00\x01\x7f",
                                  "((((", "cat:cs.LG cat:", "author:", '""', "a" * 10000])
def test_never_raises(text):
    parse_query(text)


def test_sort_spellings():
    assert normalize_sort("Most upvoted") == "upvoted"
    assert normalize_sort("most_upvoted") == "upvoted"
    assert normalize_sort("NEWEST") == "newest"
    assert normalize_sort("relevance") == "relevance"
    assert normalize_sort("bogus") is None


def test_cat_takes_arxivs_categories_in_any_case_and_only_them():
    p = parse_query("cat:CS.cv,physics.optics cat:cond-mat.stat-mech cat:hep-TH cat:I.4 cat:68T45 gans")
    assert p.categories == ["cs.CV", "physics.optics", "cond-mat.stat-mech", "hep-th"]
    assert [n for n in p.notes if "not an arXiv category" in n] == [
        "“I.4” is not an arXiv category (e.g. cs.LG); it was ignored.",
        "“68T45” is not an arXiv category (e.g. cs.LG); it was ignored.",
    ]
