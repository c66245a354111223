"""The ranked list a query keeps per index generation: later pages and re-sorts are slices of it."""

from __future__ import annotations

import pytest

from paperfeed.papers import freshness
from paperfeed.papers.models import Paper
from paperfeed.search import reader, service
from paperfeed.search.sync import sync_indexes
from tests.search.test_service import corpus, ids  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_kept_list_pages_and_sorts_like_a_fresh_one(corpus):  # noqa: F811
    first = service.search("supervised", limit=1)
    kept = reader.current().ranked
    assert len(kept) == 1
    second = service.search("supervised", limit=1, offset=1)
    newest = service.search("supervised", sort="newest")
    assert len(kept) == 1  # paging and sorting reused the list
    reader.current().ranked.__init__()  # forget it: the same answers computed again
    assert ids(service.search("supervised", limit=1, offset=1)) == ids(second)
    assert ids(service.search("supervised", sort="newest")) == ids(newest)
    assert second.total == first.total and ids(first) != ids(second)


def test_a_paper_hidden_after_the_list_was_kept_never_shows(corpus):  # noqa: F811
    before = service.search("supervised")
    assert "2603.11001" in ids(before)
    Paper.objects.filter(arxiv_id="2603.11001").update(hidden=True)
    freshness.papers_changed(["2603.11001"], visibility=True)  # as every writer that hides does
    after = service.search("supervised")
    assert "2603.11001" not in ids(after) and after.total == before.total - 1


def test_a_new_generation_starts_without_kept_lists(corpus):  # noqa: F811
    service.search("quokka speech")
    assert len(reader.current().ranked) == 1
    Paper.objects.filter(arxiv_id="2603.11002").update(title="Semi-supervised quokka segmentation")
    sync_indexes(progress=False)
    assert len(reader.current().ranked) == 0
    assert "2603.11002" in ids(service.search("quokka"))
