"""Every query word is accounted for, the weak tail is cut, and a query in another language says so.

On 240 real papers: a word no paper holds is named in a note; a rare word shows the papers that
hold it and stops instead of being padded with the dense retriever's nearest neighbours; German
and Chinese queries get a note that the hub's model reads English, never a bare "No papers match".
"""

from __future__ import annotations

import pytest

from paperfeed.papers.models import Paper
from paperfeed.search import service

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def corpus(load_subset):
    return load_subset()


def test_a_word_no_paper_holds_is_named(corpus):
    results = service.search("xyzzy gaussian splatting")
    assert results.hits and "No paper mentions “xyzzy”." in results.message
    both = service.search("qwxzv gaussian splatting zzkvq")
    assert "“qwxzv”" in both.message and "“zzkvq”" in both.message
    assert "No paper mentions" not in service.search("gaussian splatting slam").message


def test_many_unmatched_words_are_counted(corpus):
    words = " ".join(f"zq{chr(97 + i)}x{chr(97 + i)}q" for i in range(8))
    results = service.search(f"gaussian splatting {words}")
    assert "or 3 more of your words." in results.message


@pytest.mark.parametrize("word", ["tomography", "nuscenes"])
def test_a_rare_word_shows_its_papers_and_stops(corpus, word):
    holding = {p.arxiv_id for p in Paper.objects.all() if word in f"{p.title} {p.abstract}".lower()}
    results = service.search(word, limit=100)
    found = {hit.paper.arxiv_id for hit in results.hits}
    assert holding and holding <= found
    # Without the cut the dense retriever pads this to 100 papers (the depth it used to take).
    assert results.total == len(found) < len(holding) + 15


@pytest.mark.parametrize(("query", "language"), [("Halluzinationen in großen Sprachmodellen erkennen", "German"),
                                                 ("扩散模型蒸馏", "Chinese"),
                                                 ("détection des hallucinations dans les grands modèles", "French")])
def test_another_language_gets_a_clear_note(corpus, query, language):
    results = service.search(query)
    assert "reads English" in results.message and language in results.message


@pytest.mark.parametrize("query", ["gaussian splatting slam", "SSL", "diffusion distillation", "kv cache",
                                   "self-supervised speech"])
def test_english_queries_get_no_language_note(corpus, query):
    assert "reads English" not in service.search(query).message
