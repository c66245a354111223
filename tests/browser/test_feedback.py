"""The cards' "More like this" / "Not interested" in real Chromium: htmx swaps the answer into the card
without a reload (with an Undo), only in that card, and the same forms work without JavaScript."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from paperfeed.digests.models import Feedback
from tests.factories import list_paper, make_paper

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-Long-enough-pass-42"


@pytest.fixture
def papers(django_user_model):
    django_user_model.objects.create_user("ada", "ada@example.org", PASSWORD)
    today = timezone.localdate()
    found = [make_paper(title=title, announced=today) for title in ("Sparse attention at scale", "Diffusion for video")]
    for paper in found:
        list_paper(paper, today)
    return found


def log_in(page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _card(page, paper):
    return page.locator(".paper-card", has=page.get_by_role("link", name=paper.title, exact=True))


def test_not_interested_swaps_in_place(page, papers):
    log_in(page)
    page.goto("/")
    page.evaluate("() => { window.stillHere = true; }")
    card = _card(page, papers[0])
    card.get_by_role("button", name="Not interested").click()
    expect(card.locator(".feedback-said")).to_have_text("Not interested: noted")
    assert page.evaluate("() => window.stillHere") is True  # htmx swapped the answer; no reload
    assert _card(page, papers[1]).get_by_role("button", name="Not interested").is_visible()  # only that card
    card.get_by_role("button", name="Undo").click()
    expect(card.get_by_role("button", name="More like this")).to_have_count(1)  # one set again, in place
    expect(card.get_by_role("button", name="Not interested")).to_have_count(1)
    assert not Feedback.objects.filter(paper=papers[0]).exists()


def test_more_like_this_without_javascript(browser, live_server, papers):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page)
        page.goto("/")
        _card(page, papers[1]).get_by_role("button", name="More like this").click()
        page.wait_for_load_state()
        assert papers[1].title in page.get_by_text("We'll pick more papers like").inner_text()
        assert Feedback.objects.get(paper=papers[1]).kind == "more"
    finally:
        context.close()
