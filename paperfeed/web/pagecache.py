"""Pages served from the process cache (:mod:`paperfeed.lists.cache`), each member's own state on top.

A cached view renders once per set of version tokens, with markers where pages differ between
readers: ``<!--pf:account-->`` (the header's account links), ``<!--pf:messages-->``, and per paper
``<!--pf:vote:PK:ID:VOTES-->`` (its vote button), ``<!--pf:save:PK:ID-->`` (the card's Save link),
``<!--pf:side:PK:ID-->`` (the paper page's save panel), ``<!--pf:submit:PK:ID-->`` (its "Submit
it" link) and ``<!--pf:feedback:PK:ID-->`` (the card's "More like this" / "Not interested" forms).
The anonymous page is joined once and then served as bytes. A member's page joins the same
parts with the member's variants: which of its papers they upvoted is one query, the two vote forms
of each paper are rendered once per cached page with a placeholder CSRF token, and only the account
links and the save panel (their collections) are rendered per request. The forms are the same as
on an uncached page, so voting and saving work without JavaScript.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import escape

from paperfeed.accounts import collections as collection_service
from paperfeed.accounts.votes import upvoted_ids
from paperfeed.lists.cache import pages
from paperfeed.papers.models import Paper
from paperfeed.search.reader import CURRENT_FILE

_MARKER = re.compile(r"<!--pf:(account|messages|vote|save|feedback|side|submit)((?::[^:>]*)*)-->")
# Stands for the request's CSRF token in cached member markup; swapped for the real one per response.
CSRF_PLACEHOLDER = "pf-csrf-token-placeholder"
# Stands for the member's name in the account links rendered once per cached page.
_NAME_PLACEHOLDER = "pf-member-name-placeholder"
_MEMBER = SimpleNamespace(is_authenticated=True, get_username=lambda: _NAME_PLACEHOLDER)

Part = str | tuple[str, tuple[str, ...]]
# Markers every member sees alike (rendered once per cached page) and anonymous readers not at all.
_MEMBER_LINKS = {"save": "partials/save_link.html", "submit": "partials/submit_link.html",
                 "feedback": "partials/feedback_buttons.html"}


@dataclass
class Page:
    """One cached rendering: its parts (text and markers), the anonymous bytes, the member votes."""

    parts: list[Part]
    content_type: str
    anonymous: bytes = b""
    paper_ids: list[int] = field(default_factory=list)
    # For members, made on the first member's request: the parts with every marker that is the same
    # for all members filled in (and neighbours merged), and each paper's (vote, remove vote) forms.
    member_parts: list[Part] | None = None
    member_votes: dict[str, tuple[str, str]] = field(default_factory=dict)
    member_account: str = ""


def markers(request: HttpRequest) -> bool:
    """Whether the view renders markers (it is filling the cache) rather than one reader's page."""
    return getattr(request, "page_markers", False)


def index_stamp() -> int:
    """When the search index last published a generation (similar papers, search feeds): one stat."""
    try:
        return os.stat(Path(settings.INDEX_DIR) / CURRENT_FILE).st_mtime_ns
    except OSError:
        return 0


def _paper(pk: str, arxiv_id: str, votes: str = "0") -> SimpleNamespace:
    url = reverse("paper", args=[arxiv_id])
    return SimpleNamespace(pk=int(pk), arxiv_id=arxiv_id, upvotes=int(votes), get_absolute_url=lambda: url)


def _vote(args: tuple[str, ...], user, upvoted: bool) -> str:
    paper = _paper(*args)
    return render_to_string("partials/vote_button.html", {
        "paper": paper, "upvoted": upvoted, "score": paper.upvotes, "user": user, "csrf_token": CSRF_PLACEHOLDER})


def _side(request: HttpRequest, args: tuple[str, ...], user) -> str:
    paper = _paper(*args)
    context = {"paper": paper, "user": user, "request": request, "csrf_token": CSRF_PLACEHOLDER}
    if user.is_authenticated:
        stand_in = Paper(pk=paper.pk, arxiv_id=paper.arxiv_id)
        context |= {"collections": list(collection_service.of(user)),
                    "containing": collection_service.containing(user, stand_in)}
    return render_to_string("partials/paper_side.html", context)


def _member_account(request: HttpRequest, page: Page, user) -> str:
    """The member's name and Log out: rendered once per cached page, the name put in per request."""
    if not page.member_account:
        page.member_account = render_to_string("partials/account.html", {
            "user": _MEMBER, "request": request, "csrf_token": CSRF_PLACEHOLDER})
    name = user.get_username()
    profile = reverse("profile", args=[name])
    return page.member_account.replace(f"/u/{_NAME_PLACEHOLDER}/", profile).replace(_NAME_PLACEHOLDER, escape(name))


def _fill(request: HttpRequest, name: str, args: tuple[str, ...], user, page: Page, voted: set[int]) -> str:
    """The markup a marker stands for, for this reader (``user`` anonymous or a member)."""
    if name == "account":
        if user.is_authenticated:
            return _member_account(request, page, user)
        return render_to_string("partials/account.html",
                                {"user": user, "request": request, "csrf_token": CSRF_PLACEHOLDER})
    if name == "messages":
        stored = get_messages(request)
        return render_to_string("partials/messages.html", {"messages": stored}) if len(stored) else ""
    if name == "vote":
        if not user.is_authenticated:
            return _vote(args, user, False)
        return page.member_votes[args[0]][int(args[0]) in voted]
    if name == "side":
        return _side(request, args, user)
    if not user.is_authenticated:
        return ""
    template = _MEMBER_LINKS[name]
    return render_to_string(template, {"paper": _paper(*args), "user": user, "csrf_token": CSRF_PLACEHOLDER})


def _parse(response: HttpResponse) -> Page:
    text = response.content.decode(response.charset or "utf-8")
    parts: list[Part] = []
    position = 0
    for match in _MARKER.finditer(text):
        parts.append(text[position: match.start()])
        parts.append((match[1], tuple(match[2].split(":")[1:])))
        position = match.end()
    parts.append(text[position:])
    page = Page(parts, response["Content-Type"])
    page.paper_ids = sorted({int(p[1][0]) for p in parts if isinstance(p, tuple) and p[0] == "vote"})
    return page


def _member_parts(request: HttpRequest, page: Page) -> list[Part]:
    """The parts as every member sees them, leaving only what differs between members as markers."""
    merged: list[Part] = []
    for part in page.parts:
        if isinstance(part, tuple) and part[0] == "vote":
            page.member_votes[part[1][0]] = (_vote(part[1], _MEMBER, False), _vote(part[1], _MEMBER, True))
        elif isinstance(part, tuple) and part[0] in _MEMBER_LINKS:
            part = _fill(request, part[0], part[1], _MEMBER, page, set())
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return merged


def _join(request: HttpRequest, page: Page, user, *, per_request: bool) -> str:
    parts, voted = page.parts, set()
    if user.is_authenticated:
        if page.member_parts is None:
            page.member_parts = _member_parts(request, page)
        parts = page.member_parts
        voted = upvoted_ids(user, [SimpleNamespace(pk=pk) for pk in page.paper_ids])
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif per_request or part[0] != "messages":
            out.append(_fill(request, part[0], part[1], user, page, voted))
    return "".join(out)


def _once(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A response not to keep (a redirect, a 400 naming a bad filter): its markers filled for this reader."""
    if not response.streaming and b"<!--pf:" in response.content:
        response.content = _body(request, _parse(response))
    return response


def _body(request: HttpRequest, page: Page) -> str | bytes:
    user = getattr(request, "user", None) or AnonymousUser()
    if user.is_authenticated:
        return _join(request, page, user, per_request=True).replace(CSRF_PLACEHOLDER, get_token(request))
    if len(get_messages(request)) or not page.anonymous:
        return _join(request, page, user, per_request=True)
    return page.anonymous


def _respond(request: HttpRequest, page: Page) -> HttpResponse:
    response = HttpResponse(_body(request, page), content_type=page.content_type)
    patch_vary_headers(response, ["Cookie"])
    return response


def cached(tokens_for: Callable[..., tuple | None]) -> Callable:
    """Serve the view from the cache under ``(view, full path, tokens_for(request, *args, **kwargs))``.

    ``tokens_for`` returns None when this request must not be cached. Only 200 responses are
    kept; anything else is answered once, for this reader.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            tokens = tokens_for(request, *args, **kwargs) if settings.PAGE_CACHE else None
            if tokens is None:
                return view(request, *args, **kwargs)
            key = (view.__name__, request.get_full_path(), tokens)
            page = pages.get(key)
            if page is None:
                request.page_markers = True
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming:
                    return _once(request, response)
                page = _parse(response)
                page.anonymous = _join(request, page, AnonymousUser(), per_request=False).encode()
                pages.put(key, page, 3 * len(page.anonymous))
            return _respond(request, page)

        return wrapper

    return decorate


def serve_bytes(request: HttpRequest, name: str, tokens: tuple | None,
                render: Callable[[], HttpResponse]) -> HttpResponse:
    """A response that is the same for every reader (a feed, Markdown), from the cache when it can be."""
    if tokens is None or not settings.PAGE_CACHE:
        return render()
    key = (name, request.get_full_path(), tokens)
    hit = pages.get(key)
    if hit is None:
        response = render()
        if response.status_code != 200 or response.streaming:
            return response
        hit = (response.content, response["Content-Type"])
        pages.put(key, hit, len(hit[0]))
    return HttpResponse(hit[0], content_type=hit[1])


def cached_bytes(tokens_for: Callable[..., tuple | None]) -> Callable:
    """:func:`serve_bytes` as a view decorator."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            tokens = tokens_for(request, *args, **kwargs) if settings.PAGE_CACHE else None
            return serve_bytes(request, view.__name__, tokens, lambda: view(request, *args, **kwargs))

        return wrapper

    return decorate
