"""What members tell the recommender: "more like this", "not interested", papers they pick or claim.

Every word is one :class:`~paperfeed.digests.models.Feedback` row per member and paper, written only
here; the latest word wins, so repeating it (a thumbs link clicked twice) changes nothing. Saving a
row marks the member's cached picks due (signals.py), like a vote or a save does.

Digest emails carry thumbs links signed with :mod:`django.core.signing`: they name the member, the
paper and the word, work without logging in, and expire after ``RECOMMEND_FEEDBACK_LINK_MAX_AGE``.

What was recommended is recorded too (:class:`~paperfeed.digests.models.ShownPick`), so a paper is
never recommended to the same member twice, across the "For you" page and digests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.core import signing

from paperfeed.papers.models import Paper

from .models import Feedback, ShownPick
from .tokens import TokenError

LINK_SALT = "paperfeed.digests.feedback"
MAX_CLAIMED_PAPERS = 200
ONBOARDING_CHOICES = 30
_SPACES = re.compile(r"\s+")


class FeedbackError(ValueError):
    """Feedback that cannot be taken: an unknown word, or an author name the hub has no paper by."""


def _kind(kind: str) -> str:
    if kind not in Feedback.Kind.values:
        raise FeedbackError(f"“{kind}” is not a kind of feedback; use one of {', '.join(Feedback.Kind.values)}.")
    return kind


def give(user, paper: Paper, kind: str, source: str = Feedback.Source.CARD) -> Feedback:
    """Record the member's word on ``paper``; the same word again is a no-op (no write, no refresh)."""
    kind = _kind(kind)
    existing = Feedback.objects.filter(user=user, paper=paper).first()
    if existing is not None and existing.kind == kind:
        return existing
    if existing is None:
        row, created = Feedback.objects.get_or_create(user=user, paper=paper,
                                                      defaults={"kind": kind, "source": source})
        if created or row.kind == kind:
            return row
        existing = row
    existing.kind, existing.source = kind, source
    existing.save(update_fields=["kind", "source", "updated_at"])
    return existing


def withdraw(user, paper: Paper) -> bool:
    """Forget the member's word on ``paper``; True when there was one."""
    for row in Feedback.objects.filter(user=user, paper=paper):
        row.delete()  # one by one, so the signal that refreshes picks sees it
        return True
    return False


def words(user) -> dict[int, str]:
    """paper pk → "more" or "less" for everything the member said."""
    return dict(Feedback.objects.filter(user=user).values_list("paper_id", "kind"))


def link_token(user_id: int, paper_id: int, kind: str) -> str:
    """The signed part of a digest's thumbs link."""
    return signing.TimestampSigner(salt=LINK_SALT).sign_object({"u": user_id, "p": paper_id, "k": _kind(kind)})


def read_link(token: str) -> tuple:
    """The member, paper and word a thumbs link names, without applying it; TokenError says why not.

    Why apart from :func:`take_link`: mail scanners and link previews fetch every link in an email,
    so opening a link (GET) only shows what it would record; the page's button (POST) records it.
    """
    try:
        payload = signing.TimestampSigner(salt=LINK_SALT).unsign_object(
            token, max_age=int(settings.RECOMMEND_FEEDBACK_LINK_MAX_AGE))
        user_id, paper_id, kind = int(payload["u"]), int(payload["p"]), _kind(payload["k"])
    except signing.SignatureExpired:
        raise TokenError("This feedback link has expired; use the buttons on the paper's card instead.") from None
    except (signing.BadSignature, ValueError, TypeError, KeyError, FeedbackError):
        raise TokenError("This feedback link is not valid.") from None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    paper = Paper.objects.visible().filter(pk=paper_id).first()
    if user is None or paper is None:
        raise TokenError("This feedback link is for an account or a paper that no longer exists.")
    return user, paper, kind


def take_link(token: str) -> Feedback:
    """Apply a thumbs link (idempotent); TokenError says why a link is refused."""
    user, paper, kind = read_link(token)
    return give(user, paper, kind, Feedback.Source.EMAIL)


def _name_key(name: str) -> str:
    return _SPACES.sub(" ", name).strip().casefold()


def papers_by(name: str) -> list[Paper]:
    """The hub's visible papers with an author of exactly this name (case and spacing aside), newest first."""
    key = _name_key(name)
    if len(key) < 3:
        raise FeedbackError("Type an author's full name, as it appears on their papers.")
    # The database narrows on the last word; the exact name is compared here (JSON lists differ by backend).
    rough = Paper.objects.visible().filter(authors__icontains=key.split(" ")[-1]).order_by("-announced")
    found = [p for p in rough.only("pk", "authors", "announced")[:5000]
             if any(_name_key(a) == key for a in p.authors or [])]
    if not found:
        raise FeedbackError(f"No paper on this hub has an author named “{name.strip()}”. "
                            "Check the spelling as it appears on arXiv, or pick papers instead.")
    return found[:MAX_CLAIMED_PAPERS]


def claim_author(user, name: str) -> int:
    """Take the author's papers as the member's own ("more like this"); returns how many."""
    papers = papers_by(name)
    for paper in papers:
        give(user, paper, Feedback.Kind.MORE, Feedback.Source.AUTHOR)
    return len(papers)


def pick_papers(user, papers: Iterable[Paper]) -> int:
    """Onboarding: the papers a member ticked become "more like this"."""
    count = 0
    for paper in papers:
        give(user, paper, Feedback.Kind.MORE, Feedback.Source.ONBOARDING)
        count += 1
    return count


def onboarding_choices(limit: int = ONBOARDING_CHOICES) -> list[Paper]:
    """Papers to pick from when a member has nothing yet: trending, then the newest listed."""
    from paperfeed.lists import ranking

    chosen = [item.paper for item in ranking.trending(limit=limit)]
    if len(chosen) < limit:
        have = {p.pk for p in chosen}
        chosen += [p for p in Paper.objects.visible().order_by("-announced", "-arxiv_id")[: limit * 2]
                   if p.pk not in have][: limit - len(chosen)]
    return chosen


def record_shown(user, papers: Iterable[Paper], where: str) -> None:
    """Remember what was recommended; a paper shown once stays shown (its first place and time are kept)."""
    rows = [ShownPick(user=user, paper=paper, where=where) for paper in papers]
    if rows:
        ShownPick.objects.bulk_create(rows, ignore_conflicts=True)


def shown_ids(user) -> set[int]:
    return set(ShownPick.objects.filter(user=user).values_list("paper_id", flat=True))
