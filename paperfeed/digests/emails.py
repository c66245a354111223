"""Building the two kinds of email: the confirmation and the digest (HTML + plain text).

Every digest carries RFC 8058 one-click unsubscribe headers and a deterministic Message-ID
(one per subscription and period), so if a crash forces a resend, clients that deduplicate
by Message-ID show it once (see docs/digests.md on at-least-once delivery).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from paperfeed.lists.ranking import Period
from paperfeed.papers.models import Paper

from .feedback import link_token
from .models import Subscription
from .plaintext import first_sentences, latex_to_text
from .recommendations import Pick

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.\-]")


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def paper_url(paper: Paper) -> str:
    return f"{settings.SITE_URL}{paper.get_absolute_url()}"


@dataclass
class DigestContent:
    """What one subscriber's digest for one period holds."""

    period: Period
    papers: list[Paper]  # top of the day (or week)
    picks: list[Pick] = field(default_factory=list)
    trending: list[Paper] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.papers and not self.picks and not self.trending

    def arxiv_ids(self) -> list[str]:
        return ([p.arxiv_id for p in self.papers] + [p.arxiv_id for p in self.trending]
                + [p.paper.arxiv_id for p in self.picks])


def _message(subject: str, to: str, template: str, context: dict, headers: dict | None = None) -> EmailMultiAlternatives:
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    text = render_to_string(f"email/{template}.txt", context)
    html = render_to_string(f"email/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    return message


def confirmation_message(subscription: Subscription, url: str, prefs: dict) -> EmailMultiAlternatives:
    return _message(
        f"Confirm your {settings.SITE_NAME} digest",
        subscription.email,
        "confirm",
        {"confirm_url": url, "prefs": prefs, "email": subscription.email},
    )


def _paper_rows(papers: list[Paper]) -> list[dict]:
    """What both parts show of a paper: no email client runs KaTeX, so LaTeX arrives as Unicode."""
    rows = []
    for paper in papers:
        authors = paper.authors or []
        shown = ", ".join(authors[:4]) + (f" and {len(authors) - 4} more" if len(authors) > 4 else "")
        summary = first_sentences(latex_to_text(paper.abstract))
        rows.append({
            "paper": paper,
            "title": latex_to_text(paper.title),
            "url": paper_url(paper),
            "authors": shown,
            "summary": summary,
            "summary_wrapped": textwrap.fill(summary, width=75, initial_indent="   ", subsequent_indent="   "),
            "upvotes": paper.upvotes,
            "category": paper.primary_category,
        })
    return rows


def feedback_urls(subscription: Subscription, paper: Paper) -> dict:
    """A pick's signed thumbs links (``feedback.py``): they work from the mailbox, without logging in."""
    if not subscription.user_id:
        return {}
    return {f"{kind}_url": settings.SITE_URL + reverse("digests:feedback_link",
                                                       args=[link_token(subscription.user_id, paper.pk, kind)])
            for kind in ("more", "less")}


def digest_subject(subscription: Subscription, content: DigestContent) -> str:
    kind = "daily" if subscription.frequency == Subscription.Frequency.DAILY else "weekly"
    return f"{settings.SITE_NAME} {kind} digest: {content.period.label}"


def digest_message(subscription: Subscription, content: DigestContent, unsubscribe_url: str,
                   send_id: int, period_key: str) -> EmailMultiAlternatives:
    picks = [{**row, "reason": pick.reason, **feedback_urls(subscription, pick.paper)}
             for row, pick in zip(_paper_rows([p.paper for p in content.picks]), content.picks, strict=True)]
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": f"<digest.{send_id}.{_ID_UNSAFE.sub('.', period_key)}@{site_domain()}>",
        "Auto-Submitted": "auto-generated",
        "Precedence": "bulk",
    }
    return _message(
        digest_subject(subscription, content),
        subscription.email,
        "digest",
        {
            "subscription": subscription,
            "period": content.period,
            "papers": _paper_rows(content.papers),
            "trending": _paper_rows(content.trending),
            "picks": picks,
            "unsubscribe_url": unsubscribe_url,
            "manage_url": f"{settings.SITE_URL}/subscribe/",
        },
        headers,
    )
