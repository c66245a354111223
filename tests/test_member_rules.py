"""The members' rules, one table of cases driven through the domain, the web and the API.

Each Case names a rule (submit, create, add, remove, vote), prepares the database, gives the
member's input and says which domain error the rule refuses it with (None: accepted). The
same case then runs three ways, so the doors cannot drift apart again:

- the domain service directly: it raises exactly that error class (or accepts);
- the web: the page has the case's status and shows the domain error's own sentence;
- the API: the case's status and the documented ``{"error", "detail"}`` body.

Accepted cases also check what the rule leaves behind (one vote, one entry, ``updated_at``
bumped on removal), through every door.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from paperfeed.accounts import collections, submissions, votes
from paperfeed.accounts.errors import (
    AlreadyInCollection,
    AlreadyListed,
    CollectionExists,
    CollectionNameInvalid,
    CollectionNotFound,
    DailyLimitReached,
    MemberRuleError,
    NotInCollection,
)
from paperfeed.accounts.models import ApiToken, Collection, CollectionItem, FetchIntent, Upvote
from paperfeed.api.errors import DOMAIN_ERRORS
from paperfeed.papers.lookup import NotAnArxivId, PaperHidden, PaperLookupError, PaperNotFound, find_paper
from paperfeed.papers.models import DailyEntry, Paper
from tests.factories import list_paper, make_paper

pytestmark = pytest.mark.django_db

KNOWN, HIDDEN, OTHER = "2611.00001", "2611.00002", "2611.00003"
MISSING = "2611.99999"  # not on the hub
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass
class World:
    """What a case's setup and checks get: the member and the test's fixtures."""

    member: Any
    settings: Any
    request: pytest.FixtureRequest

    def reading(self) -> Collection:
        return Collection.objects.get(user=self.member, name="Reading")


def _nothing(world: World) -> None:
    """No preparation beyond the common one."""


@dataclass(frozen=True)
class Case:
    id: str
    rule: str  # submit | create | add | remove | vote
    arg: str  # the arXiv id or collection name the member gives
    error: type[Exception] | None  # the domain's refusal; None when the rule accepts
    web: int  # the web page's status
    api: tuple[int, str]  # the API's status and a phrase of its "error"
    setup: Callable[[World], None] = _nothing
    collection: str = "Reading"  # add/remove: the collection named
    check: Callable[[World], None] = field(default=_nothing)  # what an accepted case leaves behind


# --- setups and checks -------------------------------------------------------------------------


def _listed_before(world: World) -> None:
    list_paper(Paper.objects.get(arxiv_id=KNOWN), timezone.localdate() - timedelta(days=3))


def _two_submitted_today(world: World) -> None:
    world.settings.SUBMISSIONS_PER_DAY = 2
    for _ in range(2):
        list_paper(make_paper(), timezone.localdate(), source=DailyEntry.Source.MEMBER, submitted_by=world.member)


def _untouched_reading(world: World) -> None:
    Collection.objects.filter(pk=world.reading().pk).update(updated_at=LONG_AGO)


def _in_reading(world: World) -> None:
    collections.add(world.reading(), Paper.objects.get(arxiv_id=KNOWN))
    _untouched_reading(world)


def _upvoted(world: World) -> None:
    votes.upvote(world.member, Paper.objects.get(arxiv_id=KNOWN))


def _submitted_with_own_vote(world: World) -> None:
    entry = DailyEntry.objects.get(paper__arxiv_id=KNOWN)
    assert entry.submitted_by == world.member and entry.day == timezone.localdate()
    assert Paper.objects.get(arxiv_id=KNOWN).local_upvotes == 1


def _queued_for_the_worker(world: World) -> None:
    """A paper new to the hub is not fetched in the request: a pending fetch carries the submission."""
    intent = FetchIntent.objects.get(user=world.member)
    assert intent.action == "submit" and intent.done_at is None
    assert intent.fetch.arxiv_id == MISSING and intent.fetch.state == "pending"
    assert not Paper.objects.filter(arxiv_id=MISSING).exists()


def _created(world: World) -> None:
    assert Collection.objects.get(user=world.member, name="New shelf").slug == "new-shelf"


def _added(world: World) -> None:
    assert CollectionItem.objects.filter(collection=world.reading(), paper__arxiv_id=KNOWN).exists()
    assert world.reading().updated_at > LONG_AGO


def _removed(world: World) -> None:
    assert not CollectionItem.objects.filter(collection=world.reading()).exists()
    assert world.reading().updated_at > LONG_AGO  # the API's copy forgot this once


def _one_vote(world: World) -> None:
    assert Upvote.objects.filter(user=world.member).count() == 1
    assert Paper.objects.get(arxiv_id=KNOWN).local_upvotes == 1


# --- the table ----------------------------------------------------------------------------------

CASES = [
    Case("submit a known paper", "submit", f"https://arxiv.org/abs/{KNOWN}v2", None, 302, (201, ""),
         check=_submitted_with_own_vote),
    Case("submit: not an id", "submit", "not an id", NotAnArxivId, 400, (400, "Not an arXiv identifier")),
    Case("submit a paper new to the hub", "submit", MISSING, None, 302, (202, ""), check=_queued_for_the_worker),
    Case("submit: already listed", "submit", KNOWN, AlreadyListed, 409, (409, f"{KNOWN} is already listed"),
         setup=_listed_before),
    Case("submit: daily limit", "submit", KNOWN, DailyLimitReached, 429, (429, "Daily submission limit reached"),
         setup=_two_submitted_today),
    Case("submit: hidden paper", "submit", HIDDEN, PaperHidden, 400, (403, "hidden by a moderator")),
    Case("create a collection", "create", "  New   shelf ", None, 200, (201, ""), check=_created),
    Case("create: blank name", "create", "   ", CollectionNameInvalid, 400, (422, "Invalid name")),
    Case("create: name too long", "create", "x" * 101, CollectionNameInvalid, 400, (422, "Invalid name")),
    Case("create: control characters", "create", "bad\x01name", CollectionNameInvalid, 400,
         (422, "control characters")),
    Case("create: duplicate name", "create", "Reading", CollectionExists, 400,
         (409, "You already have a collection named 'Reading'")),
    Case("add a paper", "add", KNOWN, None, 200, (201, ""), setup=_untouched_reading, check=_added),
    Case("add: twice", "add", KNOWN, AlreadyInCollection, 400, (409, f"{KNOWN} is already in 'Reading'"),
         setup=_in_reading),
    Case("add: someone else's collection", "add", KNOWN, CollectionNotFound, 404,
         (404, "You have no collection 'Secret'"), collection="Secret"),
    Case("add: hidden paper", "add", HIDDEN, PaperHidden, 404, (403, "hidden by a moderator")),
    Case("remove a paper", "remove", KNOWN, None, 200, (200, ""), setup=_in_reading, check=_removed),
    Case("remove: not in it", "remove", KNOWN, NotInCollection, 400, (404, f"{KNOWN} is not in 'Reading'")),
    Case("remove: unknown collection", "remove", KNOWN, CollectionNotFound, 404,
         (404, "You have no collection 'Secret'"), collection="Secret"),
    Case("vote twice is one vote", "vote", KNOWN, None, 200, (200, ""), setup=_upvoted, check=_one_vote),
    Case("vote: unknown paper", "vote", MISSING, PaperNotFound, 404, (404, f"No paper {MISSING} on this hub")),
    Case("vote: hidden paper", "vote", HIDDEN, PaperHidden, 404, (403, "hidden by a moderator")),
    Case("vote: not an id", "vote", "nonsense", NotAnArxivId, 404, (400, "Not an arXiv identifier")),
]


@pytest.fixture
def world(member, other, settings, request) -> World:
    cache.clear()
    make_paper(KNOWN, "A known paper")
    make_paper(OTHER, "Another paper")
    make_paper(HIDDEN, "A hidden paper", hidden=True)
    collections.create(member, "Reading")
    collections.create(other, "Secret")
    case = request.node.callspec.params["case"]
    built = World(member, settings, request)
    case.setup(built)
    return built


# --- the three drivers ----------------------------------------------------------------------------


def through_domain(case: Case, member) -> None:
    if case.rule == "submit":
        submissions.submit(member, case.arg)
    elif case.rule == "create":
        collections.create(member, case.arg)
    elif case.rule == "add":
        collections.save(collections.named(member, case.collection), case.arg)
    elif case.rule == "remove":
        collections.remove(collections.named(member, case.collection), find_paper(case.arg))
    else:
        votes.upvote(member, find_paper(case.arg))


def through_web(case: Case, client) -> Any:
    htmx = {"HTTP_HX_REQUEST": "true"}
    if case.rule == "submit":
        return client.post("/submit/", {"arxiv_id": case.arg})
    if case.rule == "create":
        return client.post(f"/papers/{OTHER}/save/", {"action": "create", "name": case.arg}, **htmx)
    if case.rule in {"add", "remove"}:
        shelf = Collection.objects.get(name=case.collection)
        return client.post(f"/papers/{case.arg}/save/", {"action": case.rule, "collection": shelf.pk}, **htmx)
    return client.post(f"/papers/{case.arg}/vote/", {"action": "up"}, **htmx)


def through_api(case: Case, client, member) -> Any:
    _, secret = ApiToken.issue(member)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def post(url: str, body: dict) -> Any:
        return client.post(url, data=json.dumps(body), content_type="application/json", **auth)

    if case.rule == "submit":
        return post("/api/daily_papers/submit", {"id": case.arg})
    if case.rule == "create":
        return post("/api/collections", {"name": case.arg})
    if case.rule == "add":
        return post(f"/api/collections/{case.collection}/papers", {"id": case.arg})
    if case.rule == "remove":
        return client.delete(f"/api/collections/{case.collection}/papers/{case.arg}", **auth)
    return client.post(f"/api/papers/{case.arg}/upvote", **auth)


def domain_refusal(case: Case, member) -> Exception:
    """The error the domain raises for this case, its effects rolled back."""
    with transaction.atomic():
        with pytest.raises(case.error) as caught:
            through_domain(case, member)
        transaction.set_rollback(True)
    return caught.value


# --- the tests --------------------------------------------------------------------------------------

by_id = pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])


@by_id
def test_domain(case: Case, world: World):
    if case.error is None:
        through_domain(case, world.member)
        case.check(world)
    else:
        assert type(domain_refusal(case, world.member)) is case.error


@by_id
def test_web(case: Case, world: World, client):
    client.force_login(world.member)
    response = through_web(case, client)
    assert response.status_code == case.web, response.content.decode()[:500]
    if case.error is None:
        case.check(world)
    elif case.web != 404:  # a 404 page shows nothing of the rule, on purpose
        assert escape(str(domain_refusal(case, world.member))) in response.content.decode()


@by_id
def test_api(case: Case, world: World, client):
    response = through_api(case, client, world.member)
    assert response.status_code == case.api[0], response.content
    if case.error is None:
        case.check(world)
        return
    body = response.json()
    assert set(body) == {"error", "detail"} and case.api[1] in body["error"]


def _leaves(cls: type) -> set[type]:
    subclasses = cls.__subclasses__()
    return set().union(*map(_leaves, subclasses)) if subclasses else {cls}


def test_every_refusal_has_a_case_and_an_api_answer():
    refusals = _leaves(MemberRuleError) | _leaves(PaperLookupError)
    assert refusals == set(DOMAIN_ERRORS)
    assert refusals == {case.error for case in CASES if case.error is not None}
