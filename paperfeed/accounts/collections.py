"""Collections ("tags"): the one place the web UI creates, renames, deletes and fills them.

Unique constraints (user+name, user+slug, collection+paper) decide conflicts, so a double
click or two tabs cannot create twins; every refusal is a CollectionError with a message
fit to show the person.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from paperfeed.papers.models import Paper

from .models import Collection, CollectionItem

MAX_NAME = 100


class CollectionError(ValueError):
    """A refused change, with a message for the person who asked for it."""


def slug_for(name: str) -> str:
    slug = slugify(name)[:100]
    # Names of only symbols or non-Latin letters slugify to "": fall back to a stable hash.
    return slug or "c-" + hashlib.sha1(name.encode()).hexdigest()[:10]


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise CollectionError("Give the collection a name.")
    if len(name) > MAX_NAME:
        raise CollectionError(f"Collection names are at most {MAX_NAME} characters.")
    if any(ord(ch) < 32 for ch in name):
        raise CollectionError("Collection names cannot contain control characters.")
    return name


def of(user) -> QuerySet[Collection]:
    """The member's collections with their sizes, by name."""
    return Collection.objects.filter(user=user).annotate(size=Count("items")).order_by("name")


def create(user, name: str, public: bool = False) -> Collection:
    name = clean_name(name)
    try:
        with transaction.atomic():
            return Collection.objects.create(user=user, name=name, slug=slug_for(name), public=public)
    except IntegrityError:
        raise CollectionError(f"You already have a collection named “{name}”.") from None


def rename(collection: Collection, name: str) -> Collection:
    name = clean_name(name)
    if name == collection.name:
        return collection
    collection.name, collection.slug = name, slug_for(name)
    try:
        with transaction.atomic():
            collection.save(update_fields=["name", "slug", "updated_at"])
    except IntegrityError:
        collection.refresh_from_db()
        raise CollectionError(f"You already have a collection named “{name}”.") from None
    return collection


def set_public(collection: Collection, public: bool) -> Collection:
    collection.public = public
    collection.save(update_fields=["public", "updated_at"])
    return collection


def delete(collection: Collection) -> None:
    collection.delete()


def add(collection: Collection, paper: Paper) -> bool:
    """Put the paper in the collection; False when it was already there."""
    try:
        with transaction.atomic():
            CollectionItem.objects.create(collection=collection, paper=paper)
    except IntegrityError:
        return False
    Collection.objects.filter(pk=collection.pk).update(updated_at=timezone.now())
    return True


def remove(collection: Collection, paper: Paper) -> bool:
    deleted, _ = CollectionItem.objects.filter(collection=collection, paper=paper).delete()
    if deleted:
        Collection.objects.filter(pk=collection.pk).update(updated_at=timezone.now())
    return bool(deleted)


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
