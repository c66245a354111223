"""The map of the field in real Chromium: points drawn from the worker's positions, a hover shows the
title, a click and the keyboard open papers, your papers are ringed; without JavaScript, a list."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from paperfeed.accounts.votes import upvote
from paperfeed.search import mapping, reader
from paperfeed.search.sync import sync_indexes
from tests.factories import list_paper, make_paper

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-Long-enough-pass-42"
SPLATS = ["Gaussian splatting SLAM with loop closure", "Dense RGB-D SLAM from 3D Gaussian splats",
          "Real-time Gaussian splatting for large outdoor scenes", "Relocalisation in a Gaussian splat map"]
REASONING = ["Chain-of-thought reasoning in large language models", "Verifying reasoning traces of language models",
             "Reinforcement learning makes language models reason longer", "Math word problems and LLM reasoning"]


@pytest.fixture
def month(data_dir, settings, django_user_model):
    """Eight papers listed today (two topics), indexed and mapped; ada upvoted one of them."""
    reader.forget()
    today = timezone.localdate()
    papers = []
    for n, title in enumerate(SPLATS + REASONING, start=1):
        paper = make_paper(f"2604.{n:05d}", title=title, abstract=f"{title}. We study {title.lower()}.",
                           categories="cs.CV" if title in SPLATS else "cs.CL", announced=today)
        list_paper(paper, today)
        papers.append(paper)
    sync_indexes(progress=False)
    assert mapping.draw_month().papers == 8
    ada = django_user_model.objects.create_user("ada", "ada@example.org", PASSWORD)
    upvote(ada, papers[0])
    yield papers
    reader.forget()


def log_in(page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_hover_shows_the_title_and_a_click_opens_the_paper(page, month):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Map").click()  # the map is in the nav
    page.wait_for_url("**/map/")
    points = page.locator("svg.map-svg circle")
    assert points.count() == 8
    assert page.locator(".map-list").get_attribute("open") is None  # the list folds away once the map is drawn
    target = month[5]
    page.locator(f'circle[data-id="{target.arxiv_id}"]').hover()
    tip = page.locator(".map-tip")
    assert tip.is_visible() and tip.inner_text() == target.title
    page.locator(f'circle[data-id="{target.arxiv_id}"]').click()
    page.wait_for_url(re.compile(re.escape(target.get_absolute_url()) + "$"))


def test_your_papers_are_ringed_and_the_keyboard_walks_the_map(page, month):
    log_in(page)
    page.goto("/map/")
    mine = page.locator("circle.mine")
    assert mine.count() == 1 and mine.get_attribute("data-id") == month[0].arxiv_id
    page.locator("svg.map-svg").focus()
    assert page.locator(".map-tip").inner_text() == f"{month[0].title} (yours)"  # focus starts on your paper
    seen = {month[0].title}
    for key in ("ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp") * 2:
        page.keyboard.press(key)
        seen.add(page.locator(".map-tip").inner_text().removesuffix(" (yours)"))
    assert len(seen) >= 3  # the arrows move between papers
    active = page.locator("svg.map-svg").get_attribute("aria-activedescendant")
    chosen = page.locator(f"#{active}").get_attribute("data-id")
    assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/papers/{re.escape(chosen)}/$"))


def test_a_search_is_mapped(page, month):
    page.goto("/map/")
    page.get_by_role("searchbox", name="Map a search").fill("gaussian splatting slam")
    page.get_by_role("button", name="Map", exact=True).click()
    page.wait_for_url(re.compile(r"/map/\?q="))
    titles = {page.locator(f'circle[data-id="{c.get_attribute("data-id")}"]').get_attribute("aria-label")
              for c in page.locator("svg.map-svg circle").all()}
    assert set(SPLATS) <= titles and not titles & {"Math word problems and LLM reasoning"}


def test_without_javascript_the_map_is_a_list(nojs_page, month):
    page = nojs_page
    page.goto("/map/")
    assert page.locator("svg").count() == 0
    links = page.locator(".map-list a")
    assert links.count() == 8 and links.first.is_visible()
    assert {link.inner_text() for link in links.all()} == set(SPLATS + REASONING)
    page.get_by_role("link", name=REASONING[1]).click()
    page.wait_for_url(re.compile(re.escape(month[5].get_absolute_url()) + "$"))
