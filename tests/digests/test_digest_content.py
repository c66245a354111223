"""A digest worth reading: named sections, the start of each abstract, LaTeX as Unicode, no stray marks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from paperfeed.accounts import votes
from paperfeed.digests import content, sending
from paperfeed.digests.models import Subscription
from paperfeed.digests.plaintext import first_sentences, latex_to_text
from paperfeed.lists.ranking import day_period
from tests.factories import list_paper, make_paper

from .helpers import html_part, text_part

pytestmark = pytest.mark.django_db

DAY = date(2026, 5, 12)


def test_latex_becomes_unicode_and_a_bare_percent_keeps_the_sentence():
    assert latex_to_text(r"We prove $\alpha \le \beta$ in 50% of cases.") == "We prove α≤β in 50% of cases."
    assert latex_to_text(r"$\mathcal{O}(n^2)$ sorting {unbalanced") == "𝒪(n^2) sorting unbalanced"
    assert latex_to_text("plain <b>text</b>") == "plain <b>text</b>"  # escaping is the template's job


def test_first_sentences_keep_abbreviations_inside_and_cut_long_text():
    text = "We study X, see Fig. 3 of Smith et al. (2020). It works. A third sentence."
    assert first_sentences(text) == "We study X, see Fig. 3 of Smith et al. (2020). It works."
    long = first_sentences("word " * 200, max_chars=50)
    assert long.endswith("…") and len(long) <= 51


@pytest.fixture
def digest_day(db):
    """Three papers on DAY's list, and one older paper the community is voting up now."""
    listed = [
        make_paper(title=r"Fast $\mathcal{O}(n \log n)$ attention", categories="cs.LG", announced=DAY,
                   abstract=r"We make attention run in $\mathcal{O}(n \log n)$ time. It is 40% faster. "
                            "Details follow in a third sentence that the email leaves out.", imported_upvotes=9),
        make_paper(title="Uncategorised listing", categories=[], announced=DAY, imported_upvotes=4,
                   abstract="A paper from Hugging Face only. It has no category yet."),
        make_paper(title="Quiet paper", categories="cs.LG", announced=DAY, imported_upvotes=1),
    ]
    for paper in listed:
        list_paper(paper, DAY)
    older = make_paper(title="Community favourite", categories="cs.LG", announced=DAY - timedelta(days=3))
    list_paper(older, DAY - timedelta(days=3))
    voters = [Subscription.objects.model._meta.apps.get_model("auth", "User").objects.create_user(f"v{i}")
              for i in range(12)]
    for user in voters:
        votes.upvote(user, older)
    return listed, older


def test_sections_are_named_for_what_they_are(digest_day, monkeypatch):
    listed, older = digest_day
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 5, 12, 20, tzinfo=timezone.get_current_timezone()))
    sub = Subscription.objects.create(email="r@example.com", status=Subscription.Status.ACTIVE)
    digest = content.build(sub, day_period(DAY))
    assert [p.title for p in digest.papers][:2] == [listed[0].title, "Uncategorised listing"]
    assert older in digest.trending  # voted up now, though listed days ago
    assert not set(digest.trending) & set(digest.papers)  # no paper twice


def test_text_part_has_abstract_starts_unicode_and_no_stray_separator(smtp, digest_day):
    Subscription.objects.create(email="r@example.com", status=Subscription.Status.ACTIVE)
    assert sending.send_digests("daily", day_period(DAY)).sent == 1
    text = text_part(smtp.messages[-1])
    assert "\r\nTop of the day\r\n" in text
    assert "Fast 𝒪(n log n) attention" in text and "$" not in text and "\\mathcal" not in text
    assert "We make attention run in 𝒪(n log n) time. It is 40% faster." in text
    assert "third sentence" not in text
    uncategorised = next(line for line in text.splitlines() if "Uncategorised" in line)
    byline = text.splitlines()[text.splitlines().index(uncategorised) + 1]
    assert not byline.rstrip().endswith("·") and "· ·" not in byline and byline.count("·") == 1  # "authors · 4 upvotes"
    html = html_part(smtp.messages[-1])
    assert ">Top of the day</h2>" in html and "𝒪(n log n)" in html
