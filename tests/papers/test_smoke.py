import pytest

from paperfeed.papers.models import Paper


@pytest.mark.django_db
def test_database_is_usable():
    Paper.objects.create(arxiv_id="2503.11731", title="A paper")
    assert Paper.objects.count() == 1
