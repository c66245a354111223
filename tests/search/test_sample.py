"""The bundled sample: its shipped vectors cover it (the demo embeds nothing), and search on it
behaves — an ambiguous query gets topic groups, a focused one does not."""

from __future__ import annotations

import pytest

from paperfeed.search import reader, service
from paperfeed.search.sync import sync_indexes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sample(data_dir, settings):
    from paperfeed.sample.loader import load_sample

    settings.SEARCH_SHIPPED_VECTORS = None  # the package's own sample vectors
    reader.forget()
    load_sample(progress=False)
    report = sync_indexes(progress=False)
    yield report
    reader.forget()


def test_shipped_vectors_cover_the_sample(sample):
    assert sample.indexed >= 4000
    assert sample.embedded == 0, "rebuild them: python scripts/build_sample_vectors.py"
    assert sample.shipped_vectors_used == sample.indexed


def test_topics_on_the_sample(sample):
    ssl = service.search("SSL")
    assert len(ssl.groups) >= 2, ssl.groups
    assert service.search("gaussian splatting slam").groups == []
    assert service.search("kv cache").groups == []
