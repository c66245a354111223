"""A paper's discussion in a real browser: comment, reply, math typeset, hostile input inert; and without JS."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from paperfeed.discussions import service
from tests.factories import list_paper, make_paper

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-Long-enough-pass-42"
HOSTILE = 'Nice. <img src=x onerror="window.pwned=1"> <script>window.pwned=2</script> and $x^2 + y_1$'


@pytest.fixture
def paper():
    found = make_paper(title="Attention with $\\mathcal{O}(n)$ memory", announced=timezone.localdate())
    list_paper(found, timezone.localdate())
    return found


@pytest.fixture
def members(django_user_model):
    return [django_user_model.objects.create_user(name, f"{name}@example.org", PASSWORD) for name in ("ada", "bob")]


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_comment_and_reply_with_math_and_hostile_markup(page, paper, members):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, "ada")
    page.goto(paper.get_absolute_url())
    box = page.locator("#discussion").get_by_label(re.compile("Add a comment"))  # the member's view, via htmx
    box.fill(HOSTILE)
    page.get_by_role("button", name="Comment", exact=True).click()
    comment = page.locator("li.comment").first
    comment.locator(".katex").first.wait_for()
    assert "<script>window.pwned=2</script>" in comment.locator(".comment-body").inner_text()
    assert comment.locator(".comment-body img, .comment-body script").count() == 0
    assert page.evaluate("window.pwned === undefined") and dialogs == []

    page.get_by_role("link", name="Log out").or_(page.get_by_role("button", name="Log out")).first.click()
    log_in(page, "bob")
    page.goto(paper.get_absolute_url())
    thread = page.locator("#discussion")
    thread.locator("li.comment summary", has_text="Reply").first.click()
    thread.get_by_label("Reply to ada").fill("Agreed, see $\\sum_i x_i$")
    thread.get_by_role("button", name="Reply", exact=True).click()
    reply = page.locator("li.comment.depth-1")
    reply.locator(".katex").first.wait_for()
    assert "bob" in reply.locator(".comment-author").inner_text()


def test_card_links_to_the_discussion(page, paper, members):
    service.post(members[0], paper, "first")
    page.goto("/")
    page.locator(f"#card-{paper.pk}").get_by_role("link", name=re.compile(r"\d+ comments?")).click()
    page.locator("#discussion").get_by_text("first").wait_for()


def test_discussion_without_javascript(nojs_page, paper, members):
    service.post(members[1], paper, "visible to all")
    nojs_page.goto(paper.get_absolute_url())
    assert nojs_page.locator("#discussion").get_by_text("visible to all").count() == 1
    log_in(nojs_page, "ada")
    nojs_page.goto(paper.get_absolute_url())
    nojs_page.get_by_role("link", name="Join the discussion").click()
    nojs_page.get_by_label(re.compile("Add a comment")).fill("posted without JavaScript")
    nojs_page.get_by_role("button", name="Comment", exact=True).click()
    assert nojs_page.locator("#discussion").get_by_text("posted without JavaScript").count() == 1
