"""Collections ("tags"): the one place that creates, renames, deletes and fills them, for both doors.

Unique constraints (user+name, user+slug, collection+paper) decide conflicts, so a double
click, two tabs or two API calls cannot create twins. Every refusal is a CollectionError
(accounts.errors) with a message fit to show the person. Every change to a collection's
papers bumps its ``updated_at`` (recommendations and feeds read it). Saving a paper the hub
lacks (:func:`save`) queues it for the worker, which adds it once arXiv has answered.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from paperfeed.papers.arxiv import CONTROL_RE
from paperfeed.papers.lookup import canonical_id
from paperfeed.papers.models import Paper

from . import fetch_queue
from .errors import (
    AlreadyInCollection,
    CollectionExists,
    CollectionNameInvalid,
    CollectionNotFound,
    NotInCollection,
)
from .models import Collection, CollectionItem, FetchIntent
from .papers import on_hub

MAX_NAME = 100


def slug_for(name: str) -> str:
    slug = slugify(name)[:100]
    # Names of only symbols or non-Latin letters slugify to "": fall back to a stable hash.
    return slug or "c-" + hashlib.sha1(name.encode()).hexdigest()[:10]


def clean_name(name: str) -> str:
    """The name with its whitespace runs made single spaces; CollectionNameInvalid if unusable."""
    name = " ".join((name or "").split())
    if not name:
        raise CollectionNameInvalid("must not be blank", "Give the collection a name.")
    if len(name) > MAX_NAME:
        raise CollectionNameInvalid(
            f"must be at most {MAX_NAME} characters", f"Collection names are at most {MAX_NAME} characters."
        )
    if CONTROL_RE.search(name):
        raise CollectionNameInvalid(
            "must not contain control characters", "Collection names cannot contain control characters."
        )
    return name


def of(user) -> QuerySet[Collection]:
    """The member's collections with their sizes, by name."""
    return Collection.objects.filter(user=user).annotate(size=Count("items")).order_by("name")


def named(user, ref: str) -> Collection:
    """The member's collection whose slug or exact name is ``ref`` (with its size)."""
    ref = ref.strip()
    # A name never holds control characters, and PostgreSQL refuses NUL in a query.
    found = None if CONTROL_RE.search(ref) else of(user).filter(Q(slug=ref) | Q(name=ref)).first()
    if found is None:
        raise CollectionNotFound(ref)
    return found


def owned(user, pk: int) -> Collection:
    """The member's collection with this id; another member's is CollectionNotFound too."""
    found = Collection.objects.filter(user=user, pk=pk).first()
    if found is None:
        raise CollectionNotFound(str(pk))
    return found


def create(user, name: str, public: bool = False) -> Collection:
    name = clean_name(name)
    slug = slug_for(name)
    try:
        with transaction.atomic():
            return Collection.objects.create(user=user, name=name, slug=slug, public=public)
    except IntegrityError:
        raise CollectionExists(name, slug) from None


def rename(collection: Collection, name: str) -> Collection:
    name = clean_name(name)
    if name == collection.name:
        return collection
    collection.name, collection.slug = name, slug_for(name)
    try:
        with transaction.atomic():
            collection.save(update_fields=["name", "slug", "updated_at"])
    except IntegrityError:
        slug = collection.slug
        collection.refresh_from_db()
        raise CollectionExists(name, slug) from None
    return collection


def set_public(collection: Collection, public: bool) -> Collection:
    collection.public = public
    collection.save(update_fields=["public", "updated_at"])
    return collection


def delete(collection: Collection) -> None:
    collection.delete()


def _touch(collection: Collection) -> None:
    Collection.objects.filter(pk=collection.pk).update(updated_at=timezone.now())


def add(collection: Collection, paper: Paper) -> None:
    """Put the paper in the collection; AlreadyInCollection when it is there."""
    try:
        with transaction.atomic():
            CollectionItem.objects.create(collection=collection, paper=paper)
    except IntegrityError:
        raise AlreadyInCollection(paper.arxiv_id, collection.name) from None
    _touch(collection)


def save(collection: Collection, raw_id: str) -> Paper | FetchIntent:
    """Put the paper ``raw_id`` names in the collection: the Paper, or the FetchIntent that adds it
    once the worker has fetched it. Refuses with NotAnArxivId, PaperHidden or AlreadyInCollection."""
    arxiv_id = canonical_id(raw_id)
    paper = on_hub(arxiv_id)
    if paper is None:
        return fetch_queue.queue(collection.user, arxiv_id, FetchIntent.Action.SAVE, collection)
    add(collection, paper)
    return paper


def remove(collection: Collection, paper: Paper) -> None:
    """Take the paper out of the collection; NotInCollection when it was not there."""
    deleted, _ = CollectionItem.objects.filter(collection=collection, paper=paper).delete()
    if not deleted:
        raise NotInCollection(paper.arxiv_id, collection.name)
    _touch(collection)


def containing(user, paper: Paper) -> set[int]:
    """Ids of the member's collections that hold the paper (one query)."""
    return set(CollectionItem.objects.filter(collection__user=user, paper=paper).values_list("collection_id", flat=True))


def papers_in(collection: Collection) -> QuerySet[Paper]:
    """Visible papers of a collection, most recently added first."""
    return (
        Paper.objects.visible()
        .filter(collection_items__collection=collection)
        .order_by("-collection_items__added_at")
    )
