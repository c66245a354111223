"""The discussion through the web door: the paper page, posting, editing, moderation, cards, the feed."""

from __future__ import annotations

import feedparser
import pytest
from django.urls import reverse
from lxml import html as lxml_html

from paperfeed.discussions import service
from paperfeed.discussions.models import Comment, CommentReport

pytestmark = pytest.mark.django_db

HOSTILE = 'Look <script>alert("pwned")</script> <img src=x onerror=alert(1)> [x](javascript:alert(2)) $a<b$'


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return lxml_html.fromstring(response.content)


def _comments(tree) -> list[str]:
    return [li.get("id") for li in tree.xpath("//*[@id='discussion']//li[contains(concat(' ', @class, ' '), ' comment ')]")]


def test_member_posts_and_replies_through_forms(client, paper, ada, bob):
    url = reverse("discussion", args=[paper.arxiv_id])
    client.force_login(ada)
    response = client.post(url, {"body": "First **thought**"})
    first = Comment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{first.pk}")
    client.force_login(bob)
    client.post(url, {"body": "A reply", "parent": str(first.pk)})
    reply = Comment.objects.get(parent=first)
    tree = _page(client, paper.get_absolute_url())
    assert _comments(tree) == [f"comment-{first.pk}", f"comment-{reply.pk}"]
    assert "depth-1" in tree.xpath(f"//*[@id='comment-{reply.pk}']")[0].get("class")
    assert tree.xpath(f"//*[@id='comment-{first.pk}']//div[@class='comment-body']//strong")[0].text == "thought"


def test_hostile_comment_is_escaped_on_the_page_and_in_the_feed(client, paper, ada):
    service.post(ada, paper, HOSTILE)
    body = client.get(paper.get_absolute_url()).content.decode()
    assert '<script>alert("pwned")' not in body and "<img src=x" not in body
    tree = lxml_html.fromstring(body)
    rendered = tree.xpath("//*[@id='discussion']//div[@class='comment-body']")[0]
    assert '<script>alert("pwned")</script>' in rendered.text_content()  # shown as the text it is
    assert not rendered.xpath(".//script | .//img | .//*[@onerror] | .//a[starts-with(@href, 'javascript')]")
    raw = client.get(reverse("feed_discussion", args=[paper.arxiv_id])).content
    assert b"<script" not in raw and b"&lt;script&gt;" in raw  # escaped text inside the XML
    assert not feedparser.parse(raw).bozo


def test_anonymous_reader_sees_comments_and_no_forms(client, paper, ada):
    service.post(ada, paper, "public remark")
    tree = _page(client, paper.get_absolute_url())
    section = tree.xpath("//*[@id='discussion']")[0]
    assert "public remark" in section.text_content()
    assert not section.xpath(".//form")
    assert client.post(reverse("discussion", args=[paper.arxiv_id]), {"body": "x"}).status_code == 302
    assert Comment.objects.count() == 1


def test_cached_paper_page_changes_when_a_comment_arrives(client, paper, ada, settings):
    settings.PAGE_CACHE = True
    assert "first remark" not in client.get(paper.get_absolute_url()).content.decode()
    service.post(ada, paper, "first remark")
    assert "first remark" in client.get(paper.get_absolute_url()).content.decode()


def test_cached_page_swaps_in_the_readers_own_view(client, paper, ada, settings):
    settings.PAGE_CACHE = True
    service.post(ada, paper, "mine")
    client.force_login(ada)
    section = _page(client, paper.get_absolute_url()).xpath("//*[@id='discussion']")[0]
    assert section.get("hx-get") == reverse("discussion", args=[paper.arxiv_id])
    own = _page(client, section.get("hx-get")).xpath("//*[@id='discussion']")[0]
    assert own.xpath(".//a[contains(@href, '/edit/')]") and own.xpath(".//textarea[@name='body']")


def test_edit_and_delete_only_own(client, paper, ada, bob):
    comment = service.post(ada, paper, "original")
    edit = reverse("comment_edit", args=[paper.arxiv_id, comment.pk])
    delete = reverse("comment_delete", args=[paper.arxiv_id, comment.pk])
    client.force_login(bob)
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"body": "hijack"}).status_code == 403
    assert client.post(delete).status_code == 403
    client.force_login(ada)
    assert client.post(edit, {"body": "   "}).status_code == 400
    assert client.post(edit, {"body": "fixed"}).status_code == 302
    assert Comment.objects.get().body == "fixed"
    assert client.post(delete).status_code == 302
    assert not Comment.objects.exists()


def test_moderator_hides_and_members_report(client, paper, ada, bob, mod):
    comment = service.post(ada, paper, "spammy link")
    report = reverse("comment_report", args=[paper.arxiv_id, comment.pk])
    hide = reverse("comment_hide", args=[paper.arxiv_id, comment.pk])
    client.force_login(bob)
    assert client.post(report, {"reason": "spam"}).status_code == 302
    second = client.post(report, {"reason": "spam"})
    assert second.status_code == 409 and "already reported" in second.content.decode()
    assert client.post(hide).status_code == 403
    client.force_login(mod)
    assert client.post(hide, {"action": "hide"}).status_code == 302
    assert "spammy link" in _page(client, reverse("discussion", args=[paper.arxiv_id])).text_content()
    client.logout()
    assert "spammy link" not in _page(client, paper.get_absolute_url()).text_content()
    assert CommentReport.objects.get().resolved_at is not None


def test_rate_limit_answers_429_and_keeps_the_text(client, paper, ada, settings):
    settings.COMMENT_RATE = "1/h"
    client.force_login(ada)
    url = reverse("discussion", args=[paper.arxiv_id])
    client.post(url, {"body": "one"})
    refused = client.post(url, {"body": "two, kept in the form"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "two, kept in the form" in refused.content.decode()


def test_cards_show_local_plus_imported_comments(client, paper, ada, settings):
    settings.PAGE_CACHE = True
    daily = reverse("daily", args=[paper.daily_entries.get().day.isoformat()])
    link = lambda: _page(client, daily).xpath(f"//*[@id='card-{paper.pk}']//a[@class='comments-link']")[0].text  # noqa: E731
    assert link() == "3 comments"  # imported from Hugging Face
    service.post(ada, paper, "one of ours")
    assert link() == "4 comments"


def test_discussion_feeds_are_valid(client, paper, ada, bob):
    first = service.post(ada, paper, "first")
    service.post(bob, paper, "second", first.pk)
    for name in ("feed_discussion", "feed_discussion_atom"):
        feed = feedparser.parse(client.get(reverse(name, args=[paper.arxiv_id])).content)
        assert not feed.bozo, feed.bozo_exception
        assert [e.summary for e in feed.entries] == ["second", "first"]
        assert all(e.get("published_parsed") or e.get("updated_parsed") for e in feed.entries)
        assert feed.entries[0].link.endswith(f"#comment-{first.pk + 1}")


def test_reply_email_setting(client, ada):
    client.force_login(ada)
    url = reverse("discussion_settings")
    assert b"checked" not in client.get(url).content  # off by default
    client.post(url, {"email_replies": "1"})
    assert b"checked" in client.get(url).content


def test_uncached_paper_page_renders_the_readers_own_view(client, paper, ada, settings):
    settings.PAGE_CACHE = False
    service.post(ada, paper, "mine")
    client.force_login(ada)
    section = _page(client, paper.get_absolute_url()).xpath("//*[@id='discussion']")[0]
    assert section.get("hx-get") is None  # nothing to swap: it is already this reader's view
    assert section.xpath(".//textarea[@name='body']") and section.xpath(".//a[contains(@href, '/edit/')]")


def test_admin_lists_reports_and_hides(admin_client, paper, ada, bob):
    comment = service.post(ada, paper, "reported one")
    service.report(bob, comment.pk, "spam")
    assert admin_client.get("/admin/discussions/comment/").status_code == 200
    assert admin_client.get(f"/admin/discussions/comment/{comment.pk}/change/").status_code == 200
    response = admin_client.post("/admin/discussions/comment/",
                                 {"action": "hide", "_selected_action": [comment.pk]})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.hidden_at is not None and not CommentReport.objects.filter(resolved_at__isnull=True).exists()
    assert admin_client.get("/admin/discussions/commentreport/").status_code == 200
