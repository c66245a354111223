"""Author search by person, end to end: real papers, a real index, the service, the page and the API.

An author filter matches papers where ONE author answers to the whole name; a query that is
only a person's name lists that person's papers and stops; a filter without a name part gets
a note, never an exception, and a filter next to words is applied.
"""

from __future__ import annotations

from datetime import date

import pytest

from paperfeed.search import service
from paperfeed.search.sync import sync_indexes
from tests.factories import make_paper

pytestmark = pytest.mark.django_db(transaction=True)

SONG_HAN = ("2603.21001", "2603.21002")


@pytest.fixture
def people(index_env):
    make_paper("2603.21001", "Efficient quantization of large language models",
               "We quantize weights to four bits with little loss.", authors=("Song Han", "Ji Lin"),
               announced=date(2026, 3, 2))
    make_paper("2603.21002", "Sparse attention kernels for long contexts",
               "Block-sparse attention on GPUs.", authors=("Guangxuan Xiao", "Song Han"), announced=date(2026, 3, 3))
    # "Song" and "Han" on the same paper, but two different people.
    make_paper("2603.21003", "Quantization aware training for vision transformers",
               "Training vision transformers with quantization in the loop.", authors=("Song Wang", "Wei Han"),
               announced=date(2026, 3, 4))
    make_paper("2603.21004", "Product quantization for nearest neighbour search",
               "Compact codes for billion-scale search.", authors=("Hervé Jégou", "Matthijs Douze"),
               announced=date(2026, 3, 5))
    make_paper("2603.21005", "Energy-based models of quantization",
               "Learning energy landscapes.", authors=("Yann André LeCun",), announced=date(2026, 3, 6))
    make_paper("2603.21006", "Quantization in the song of humpback whales",
               "Han dynasty recordings, quantized.", authors=("Ada Lovelace",), announced=date(2026, 3, 7))
    sync_indexes(progress=False)


def ids(results) -> list[str]:
    return [hit.paper.arxiv_id for hit in results.hits]


@pytest.mark.parametrize("name", ["Song Han", "song han", "S. Han", "Han, Song", "SONG HAN"])
def test_author_filter_is_one_person(people, name):
    assert sorted(ids(service.search("", author=name))) == list(SONG_HAN)
    assert sorted(ids(service.search(f'author:"{name}"'))) == list(SONG_HAN)


def test_author_filter_with_words_is_applied(people):
    assert ids(service.search("quantization", author="Song Han")) == ["2603.21001"]
    assert ids(service.search('quantization author:"Han, Song"')) == ["2603.21001"]


def test_accents_and_middle_names(people):
    assert ids(service.search("quantization", author="herve jegou")) == ["2603.21004"]
    assert ids(service.search("", author="Y. LeCun")) == ["2603.21005"]
    assert ids(service.search("", author="Yann LeCun")) == ["2603.21005"]


@pytest.mark.parametrize("value", ["!!!", "-", "()"])
def test_filter_without_a_name_gets_a_note(people, value):
    alone = service.search("", author=value)
    assert alone.hits == [] and f"author “{value}” holds no name" in alone.message
    with_words = service.search("quantization", author=value)
    assert with_words.hits and f"author “{value}” holds no name" in with_words.message
    in_query = service.search(f"quantization author:{value}")
    assert in_query.hits and "holds no name" in in_query.message


def test_a_name_alone_lists_that_persons_papers_and_stops(people):
    results = service.search("Song Han")
    assert sorted(ids(results)) == list(SONG_HAN) and results.total == 2
    assert "Papers by authors named “Song Han”" in results.message
    assert ids(service.search("LeCun")) == ["2603.21005"]
    # A surname that is also a word some texts hold more often is searched as text.
    assert "2603.21006" in ids(service.search("humpback"))


def test_the_page_and_the_api_agree(people, client):
    html = client.get("/search/", {"q": "quantization", "author": "S. Han"}).content.decode()
    assert "Efficient quantization of large language models" in html
    assert "Quantization aware training for vision transformers" not in html
    items = client.get("/api/papers/search", {"q": "", "author": "Han, Song"}).json()
    assert sorted(i["paper"]["id"] for i in items) == list(SONG_HAN)
    body = client.get("/api/papers/search", {"author": "!!!", "groups": "1"}).json()
    assert body["results"] == [] and "holds no name" in body["message"]
