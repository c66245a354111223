"""``/api/fetches``: the state of papers you submitted or saved that the hub did not have yet.

A submission (``POST /api/daily_papers/submit``) or a save (``POST /api/collections/{name}/papers``)
of such a paper answers ``202`` with :class:`FetchQueuedOut` at once; the worker fetches it from
arXiv, then lists or saves it. ``GET /api/fetches/{id}`` follows it: ``pending``, ``added``,
``not_found`` or ``failed``, with what became of each of your requests for it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from paperfeed.accounts import fetch_queue
from paperfeed.accounts.models import FetchIntent
from paperfeed.papers.lookup import canonical_id

from .. import serializers
from ..auth import token_auth
from ..errors import ApiError
from ..schemas import ErrorOut

router = Router(tags=["fetches"], auth=token_auth)


class FetchQueuedOut(Schema):
    """A paper new to the hub, queued for the worker: your request is done when it arrives."""

    id: str = Field(..., description="arXiv id without version", examples=["2611.04321"])
    state: str = Field(..., description="pending | added | not_found | failed", examples=["pending"])
    action: str = Field(..., description="submit | save", examples=["submit"])
    collection: str | None = Field(None, description="the collection's slug, for a save")
    status_url: str = Field(..., examples=["/api/fetches/2611.04321"])


class FetchRequestOut(Schema):
    action: str = Field(..., examples=["submit"])
    collection: str | None = None
    requested_at: str
    done: bool
    outcome: str | None = Field(
        None, description="listed | already_listed | saved | already_saved | not_found | failed; null while pending"
    )


class FetchStatusOut(Schema):
    id: str
    state: str = Field(..., description="pending | added | not_found | failed")
    requested_at: str
    finished_at: str | None = None
    error: str | None = Field(None, description="why it failed, or why the last try did not get through")
    requests: list[FetchRequestOut] = Field(..., description="your requests for this paper, newest first")


def queued(intent: FetchIntent) -> dict:
    """The 202 body of a submission or save that waits for its paper."""
    return {
        "id": intent.fetch.arxiv_id,
        "state": intent.fetch.state,
        "action": intent.action,
        "collection": intent.collection.slug if intent.collection else None,
        "status_url": f"/api/fetches/{intent.fetch.arxiv_id}",
    }


def _request(intent: FetchIntent) -> dict:
    return {
        "action": intent.action,
        "collection": intent.collection.slug if intent.collection else None,
        "requested_at": serializers.js_time(intent.requested_at),
        "done": intent.done_at is not None,
        "outcome": intent.outcome or None,
    }


@router.get("/fetches/{path:arxiv_id}", response={200: FetchStatusOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
            summary="The state of a paper you asked for that the hub did not have", operation_id="get_fetch")
def fetch_status(request: HttpRequest, arxiv_id: str) -> Any:
    """404 unless you submitted or saved this paper while the hub lacked it."""
    intents = list(fetch_queue.requests_of(request.auth.user, canonical_id(arxiv_id)))
    if not intents:
        raise ApiError(404, "You have not asked for this paper to be fetched", {"id": arxiv_id[:100]})
    fetch = intents[0].fetch
    return {
        "id": fetch.arxiv_id,
        "state": fetch.state,
        "requested_at": serializers.js_time(fetch.requested_at),
        "finished_at": serializers.js_time(fetch.finished_at),
        "error": fetch.last_error or None,
        "requests": [_request(intent) for intent in intents],
    }
