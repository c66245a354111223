"""The tantivy side on its own: stemming, phrases, typos, LaTeX, and filters inside the query."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from paperfeed.search.lexical import Filters, LexicalDoc, LexicalIndex


@pytest.fixture
def lexical(tmp_path):
    index = LexicalIndex.create(tmp_path / "lexical")
    docs = [
        LexicalDoc(1, "Learning to rank with transformers", "We learned rankers.", ["Ada Lovelace"], ["cs.IR"],
                   date(2025, 1, 10)),
        LexicalDoc(2, "Optimal transport for domain adaptation", "Transport plans between domains.",
                   ["Yann LeCun", "Alan Turing"], ["cs.LG"], date(2025, 3, 1)),
        LexicalDoc(3, r"The $\alpha$-divergence and \emph{variational}" + "\ninference", "Bounds.",
                   ["Hervé Jégou"], ["stat.ML", "cs.LG"], date(2025, 6, 1)),
        LexicalDoc(4, "Transport of optimal things", "Optimal is not transport here.", ["Grace Hopper"], ["cs.CV"],
                   date(2025, 9, 1)),
    ]
    # Many strong "transport" matches in cs.CV: a post-hoc cut of the top-k would lose doc 2.
    docs += [LexicalDoc(100 + i, f"Transport transport transport {i}", "transport " * 5, ["X Y"], ["cs.CV"],
                        date(2024, 1, 1)) for i in range(30)]
    index.write(docs)
    return index


def pks(index, words=(), phrases=(), filters=Filters(), limit=10):
    text = index.text_query(list(words), list(phrases))
    hits, _ = index.search(index.combine(text, index.filter_query(filters)), limit)
    return [pk for pk, _ in hits]


def test_stemming_matches_word_forms(lexical):
    assert pks(lexical, ["learn"])[0] == 1
    assert pks(lexical, ["rankings"])[0] == 1


def test_phrase_must_match_in_order(lexical):
    assert pks(lexical, phrases=["optimal transport"]) == [2]


def test_latex_and_line_breaks_are_normalised(lexical):
    assert pks(lexical, ["alpha", "divergence", "variational", "inference"])[0] == 3
    assert pks(lexical, ["emph"]) == []  # markup is not content


def test_typo_finds_the_title_word(lexical):
    assert 3 in pks(lexical, ["variatonal"])


def test_category_filter_is_inside_the_retriever(lexical):
    # With limit 3 and 30 stronger cs.CV matches, only an in-query filter can return doc 2.
    assert pks(lexical, ["transport"], filters=Filters(categories=("cs.LG",)), limit=3) == [2]
    assert pks(lexical, ["transport"], filters=Filters(categories=("CS.lg",)), limit=3) == [2]


def test_author_filter_in_any_order_and_accents(lexical):
    assert pks(lexical, ["transport"], filters=Filters(authors=("Yann LeCun",))) == [2]
    assert pks(lexical, ["transport"], filters=Filters(authors=("LeCun, Yann",))) == [2]
    assert pks(lexical, ["bounds"], filters=Filters(authors=("herve jegou",))) == [3]


def test_date_range_filter(lexical):
    assert set(pks(lexical, ["transport"], filters=Filters(after=date(2025, 2, 1)), limit=50)) == {2, 4}
    assert pks(lexical, ["transport"], filters=Filters(after=date(2025, 2, 1), before=date(2025, 5, 1))) == [2]


def test_newest_and_update_delete(lexical):
    only_cs = lexical.filter_query(Filters(categories=("cs.LG",)))
    assert lexical.newest(only_cs, 10)[0] == [3, 2]
    lexical.write([LexicalDoc(2, "Renamed paper", "", [], ["cs.LG"], date(2025, 3, 1))], deletes=[3])
    assert lexical.newest(only_cs, 10)[0] == [2]
    assert pks(lexical, ["renamed"]) == [2]
    assert 2 not in pks(lexical, ["optimal"])


def test_search_arrays_are_the_search_list(lexical):
    """The array form of a top list (kept_scores.top_within reads thousands of hits) is the list itself."""
    query = lexical.text_query(["optimal", "transport"])  # 32 papers, many tied
    for limit in (1, 2, 100):
        hits, _ = lexical.search(query, limit, count=False)
        found_pks, scores, places = lexical.search_arrays(query, limit, places=True)
        assert found_pks.dtype == np.int64 and scores.dtype == np.float32 and places.dtype == np.int64
        assert list(zip(found_pks.tolist(), scores.tolist(), strict=True)) == hits
        assert len(set(places.tolist())) == len(hits)  # one place per document
        assert lexical.search_arrays(query, limit)[2] is None  # places only when asked
        assert len(hits) == min(limit, 32)
    nothing = lexical.search_arrays(lexical.text_query(["xyzzyq"]), 10)
    assert len(nothing[0]) == len(nothing[1]) == 0 and nothing[2] is None
