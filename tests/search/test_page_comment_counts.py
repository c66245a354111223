"""The comment counts on the search page's cards are never stale, and a page asks only for a token.

Counts are kept per process under the ``comments`` version token (discussions/counts.py); every path
that changes a comment row moves it (discussions/signals.py). Each change below is followed by a page
with a query the process has not served, and its card must show the new count at once.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperfeed.discussions import service
from paperfeed.discussions.models import Comment
from paperfeed.discussions.moderation import MODERATORS_GROUP
from paperfeed.lists.cache import pages
from paperfeed.search.sync import sync_indexes
from tests.factories import make_paper

pytestmark = pytest.mark.django_db(transaction=True)

QUERIES = iter(f"wombat {word}" for word in ["burrow", "grass", "night", "study", "wild", "paper"] * 20)


@pytest.fixture
def wombats(index_env):
    pages.clear()
    papers = [make_paper(f"2603.3{i:04d}", f"Wombat study number {i} on {topic}",
                         f"We observe wombats {topic} in the wild, paper {i}.", categories=("q-bio.PE",),
                         announced=date(2026, 3, 2))
              for i, topic in enumerate(["burrow", "grass", "night"] * 4)]
    sync_indexes(progress=False)
    yield papers
    pages.clear()


def _shown(paper) -> str:
    """The comment count on ``paper``'s card, on a page with a query new to the process."""
    html = Client().get("/search/", {"q": next(QUERIES)}).content.decode()
    card = html.split(f'id="card-{paper.pk}"', 1)[1].split("</article>", 1)[0]
    return card.split('class="comments-link"', 1)[1].split(">", 1)[1].split("<", 1)[0] if "comments-link" in card \
        else "none"


def test_every_comment_change_shows_on_the_next_page(wombats, member, other, django_user_model):
    paper = wombats[3]
    moderator = django_user_model.objects.create_user("mo", "mo@example.org", "correct horse battery")
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    assert _shown(paper) == "none"
    first = service.post(member, paper, "Nice burrows.")
    assert _shown(paper) == "1 comment"
    reply = service.post(other, paper, "Agreed.", parent_id=first.pk)
    assert _shown(paper) == "2 comments"
    service.edit(member, first.pk, "Nice burrows, and grass.")
    assert _shown(paper) == "2 comments"
    service.set_hidden(moderator, reply.pk, True)
    assert _shown(paper) == "1 comment"
    service.set_hidden(moderator, reply.pk, False)
    assert _shown(paper) == "2 comments"
    assert service.delete(member, first.pk) is False  # stays as "[deleted]" above its reply
    assert _shown(paper) == "1 comment"
    Comment.objects.get(pk=reply.pk).delete()  # as the admin's delete does, outside the service
    assert _shown(paper) == "none"
    service.post(other, paper, "Back again.")
    assert _shown(paper) == "1 comment"
    other.delete()  # an account deleted: its comments go by cascade
    assert _shown(paper) == "none"


def test_a_page_reads_the_comments_only_after_a_change(wombats, member):
    service.post(member, wombats[0], "First!")
    _shown(wombats[0])
    table = Comment._meta.db_table
    with CaptureQueriesContext(connection) as steady:
        assert _shown(wombats[0]) == "1 comment"
    assert not [q for q in steady.captured_queries if table in q["sql"]]
    service.post(member, wombats[0], "Second.")
    with CaptureQueriesContext(connection) as after_write:
        assert _shown(wombats[0]) == "2 comments"
    assert len([q for q in after_write.captured_queries if table in q["sql"]]) == 1
    assert len(after_write.captured_queries) == len(steady.captured_queries) + 1
