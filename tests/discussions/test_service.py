"""The discussion rules in the domain: threads, own-only edits, deletion stubs, hiding, reports, limits, counts."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from paperfeed.discussions import counts, service
from paperfeed.discussions.errors import (
    AlreadyReported,
    CommentGone,
    CommentInvalid,
    CommentNotFound,
    CommentRateLimited,
    NotModerator,
    NotYours,
    TooDeep,
)
from paperfeed.discussions.models import Comment, CommentReport
from paperfeed.discussions.threads import thread
from paperfeed.versions import keys
from paperfeed.versions.tokens import read
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def _shown(nodes) -> list[tuple[str, int]]:
    return [(node.comment.body if node.shown else f"[{node.stub}]", node.depth) for node in nodes]


def test_replies_thread_under_their_parent(paper, ada, bob):
    first = service.post(ada, paper, "first")
    second = service.post(bob, paper, "second")
    reply = service.post(bob, paper, "reply to first", first.pk)
    service.post(ada, paper, "reply to reply", reply.pk)
    assert _shown(thread(paper)) == [("first", 0), ("reply to first", 1), ("reply to reply", 2), ("second", 0)]
    assert second.parent is None and reply.parent_id == first.pk and reply.depth == 1


def test_depth_is_bounded(paper, ada):
    parent = service.post(ada, paper, "level 0")
    for level in range(1, service.MAX_DEPTH + 1):
        parent = service.post(ada, paper, f"level {level}", parent.pk)
    with pytest.raises(TooDeep):
        service.post(ada, paper, "too deep", parent.pk)


def test_parent_must_be_a_comment_of_the_same_paper(paper, ada):
    elsewhere = service.post(ada, make_paper(), "on another paper")
    with pytest.raises(CommentNotFound):
        service.post(ada, paper, "reply", elsewhere.pk)
    with pytest.raises(CommentNotFound):
        service.post(ada, paper, "reply", "not-a-number")


@pytest.mark.parametrize("body", ["", "   \n\t "])
def test_blank_comment_is_refused(paper, ada, body):
    with pytest.raises(CommentInvalid):
        service.post(ada, paper, body)


def test_long_comment_is_refused(paper, ada, settings):
    settings.COMMENT_MAX_CHARS = 50
    with pytest.raises(CommentInvalid, match="50"):
        service.post(ada, paper, "x" * 51)
    assert service.post(ada, paper, "x" * 50).body == "x" * 50


def test_only_the_author_edits_or_deletes(paper, ada, bob):
    comment = service.post(ada, paper, "mine")
    with pytest.raises(NotYours):
        service.edit(bob, comment.pk, "hijacked")
    with pytest.raises(NotYours):
        service.delete(bob, comment.pk)
    edited = service.edit(ada, comment.pk, "mine, fixed")
    assert edited.body == "mine, fixed" and edited.edited_at is not None
    assert service.delete(ada, comment.pk) is True
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_deleted_comment_with_replies_stays_as_a_stub(paper, ada, bob):
    parent = service.post(ada, paper, "parent")
    service.post(bob, paper, "child", parent.pk)
    assert service.delete(ada, parent.pk) is False
    assert _shown(thread(paper)) == [("[deleted]", 0), ("child", 1)]
    assert Comment.objects.get(pk=parent.pk).body == ""  # the text is gone, the place in the thread stays
    with pytest.raises(CommentGone):
        service.post(bob, paper, "reply to deleted", parent.pk)
    with pytest.raises(CommentGone):
        service.edit(ada, parent.pk, "undelete")


def test_moderators_hide_and_only_they_see_hidden(paper, ada, bob, mod):
    comment = service.post(ada, paper, "rude")
    service.post(bob, paper, "fine")
    with pytest.raises(NotModerator):
        service.set_hidden(bob, comment.pk, True)
    service.set_hidden(mod, comment.pk, True)
    assert _shown(thread(paper)) == [("fine", 0)]
    assert _shown(thread(paper, bob)) == [("fine", 0)]
    assert _shown(thread(paper, ada)) == [("fine", 0)]  # the author too
    assert _shown(thread(paper, mod)) == [("rude", 0), ("fine", 0)]
    service.set_hidden(mod, comment.pk, False)
    assert _shown(thread(paper)) == [("rude", 0), ("fine", 0)]


def test_staff_moderate_without_the_group(paper, ada, django_user_model):
    staff = django_user_model.objects.create_user("staff", "s@example.org", "pw", is_staff=True)
    comment = service.post(ada, paper, "x")
    assert service.set_hidden(staff, comment.pk, True).hidden_at is not None


def test_hidden_comment_with_visible_replies_is_a_stub(paper, ada, bob, mod):
    parent = service.post(ada, paper, "hidden one")
    service.post(bob, paper, "answer", parent.pk)
    service.set_hidden(mod, parent.pk, True)
    assert _shown(thread(paper)) == [("[hidden]", 0), ("answer", 1)]


def test_one_report_per_member(paper, ada, bob, mod):
    comment = service.post(ada, paper, "questionable")
    service.report(bob, comment.pk, "spam")
    with pytest.raises(AlreadyReported):
        service.report(bob, comment.pk, "spam again")
    service.report(mod, comment.pk)
    assert CommentReport.objects.filter(comment=comment).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the rule too
        CommentReport.objects.create(comment=comment, reporter=bob)
    service.set_hidden(mod, comment.pk, True)
    assert not CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).exists()


def test_comments_are_rate_limited(paper, ada, bob, settings):
    settings.COMMENT_RATE = "3/h"
    for n in range(3):
        service.post(ada, paper, f"comment {n}")
    with pytest.raises(CommentRateLimited) as refused:
        service.post(ada, paper, "one too many")
    assert refused.value.limit == 3 and refused.value.retry_after > 0
    service.post(bob, paper, "another member is not limited")
    assert Comment.objects.filter(author=ada).count() == 3


def test_counts_are_visible_local_plus_imported(paper, ada, bob, mod):
    kept = service.post(ada, paper, "kept")
    hidden = service.post(bob, paper, "hidden")
    gone = service.post(bob, paper, "to delete")
    service.post(ada, paper, "reply", kept.pk)
    service.set_hidden(mod, hidden.pk, True)
    service.delete(bob, gone.pk)
    other = make_paper()
    assert counts.local_counts([paper, other]) == {paper.pk: 2}
    assert counts.total(paper, imported=3) == 5
    attached = counts.attach([paper, other], {paper.pk: 3})
    assert [(p.local_comments, p.num_comments) for p in attached] == [(2, 5), (0, 0)]


def test_a_comment_bumps_the_pages_that_show_it(paper, ada):
    shown = [keys.paper(paper.arxiv_id), keys.TRENDING, keys.day(paper.daily_entries.get().day)]
    before = read(shown)
    comment = service.post(ada, paper, "fresh")
    after_post = read(shown)
    assert all(a != b for a, b in zip(before, after_post, strict=True))
    service.edit(ada, comment.pk, "edited")
    assert read(shown) != after_post
