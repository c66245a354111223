"""``/api/collections``: the token owner's collections ("tags"), which drive recommendations."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from paperfeed.accounts import collections
from paperfeed.accounts.models import Collection, FetchIntent
from paperfeed.papers.lookup import find_paper

from .. import serializers
from ..auth import token_auth
from ..schemas import (
    CollectionDetail,
    CollectionIn,
    CollectionItemOut,
    CollectionOut,
    ErrorOut,
    PaperIdIn,
)
from . import fetches
from .fetches import FetchQueuedOut

router = Router(tags=["collections"], auth=token_auth)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
          422: ErrorOut, 429: ErrorOut}
MAX_LISTED = 1000


def _out(collection: Collection) -> dict:
    return {
        "name": collection.name,
        "slug": collection.slug,
        "public": collection.public,
        "size": getattr(collection, "size", None) or collection.items.count(),
        "created_at": serializers.js_time(collection.created_at),
        "updated_at": serializers.js_time(collection.updated_at),
    }


@router.get("/collections", response={200: list[CollectionOut], 401: ErrorOut, 403: ErrorOut},
            summary="Your collections", operation_id="list_collections")
def list_collections(request: HttpRequest) -> Any:
    return [_out(c) for c in collections.of(request.auth.user)]


@router.post("/collections", response={201: CollectionOut, **ERRORS}, summary="Create a collection",
             operation_id="create_collection")
def create_collection(request: HttpRequest, payload: CollectionIn) -> Any:
    """Create a collection; 409 if you already have one with that name (or slug)."""
    return Status(201, _out(collections.create(request.auth.user, payload.name, payload.public)))


@router.get("/collections/{name}", response={200: CollectionDetail, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            exclude_unset=True, by_alias=True, summary="One collection with its papers",
            operation_id="get_collection")
def get_collection(request: HttpRequest, name: str) -> Any:
    """A collection by slug or name, with its papers (newest added first, at most 1000)."""
    found = collections.named(request.auth.user, name)
    papers = collections.papers_in(found)[:MAX_LISTED]
    return {**_out(found), "papers": [serializers.paper_dict(paper) for paper in papers]}


@router.post("/collections/{name}/papers", response={201: CollectionItemOut, 202: FetchQueuedOut, **ERRORS},
             summary="Add a paper to a collection", operation_id="add_to_collection")
def add_paper(request: HttpRequest, name: str, payload: PaperIdIn) -> Any:
    """Add a paper by arXiv id in any form; 409 if already in it.

    A paper new to this hub answers 202 with ``state: pending``: the worker fetches it from arXiv and
    then adds it (follow it at ``status_url``).
    """
    found = collections.named(request.auth.user, name)
    saved = collections.save(found, payload.id)
    if isinstance(saved, FetchIntent):
        return Status(202, fetches.queued(saved))
    return Status(201, {"collection": found.slug, "id": saved.arxiv_id, "added": True})


@router.delete("/collections/{name}/papers/{path:arxiv_id}", response={200: CollectionItemOut, **ERRORS},
               summary="Remove a paper from a collection", operation_id="remove_from_collection")
def remove_paper(request: HttpRequest, name: str, arxiv_id: str) -> Any:
    found = collections.named(request.auth.user, name)
    paper = find_paper(arxiv_id)
    collections.remove(found, paper)
    return {"collection": found.slug, "id": paper.arxiv_id, "added": False}
