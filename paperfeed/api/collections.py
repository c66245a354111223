"""A member's collections through the API: create, list, add and remove papers.

Collections are addressed by slug or by exact name, and only ever the token owner's own.
Unique constraints decide conflicts, so two simultaneous requests cannot create twins.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify

from paperfeed.accounts.models import Collection, CollectionItem
from paperfeed.papers.models import Paper

from .errors import ApiError
from .schemas import CONTROL_CHARS


def slug_for(name: str) -> str:
    slug = slugify(name)[:100]
    # Names of only symbols or non-Latin letters slugify to "": use a stable hash instead.
    return slug or "c-" + hashlib.sha1(name.encode()).hexdigest()[:10]


def mine(user):
    return Collection.objects.filter(user=user).annotate(size=Count("items")).order_by("name")


def get(user, ref: str) -> Collection:
    ref = ref.strip()
    found = None if CONTROL_CHARS.search(ref) else mine(user).filter(Q(slug=ref) | Q(name=ref)).first()
    if found is None:
        raise ApiError(
            404,
            f"You have no collection {ref[:100]!r}",
            "Create it first: POST /api/collections {\"name\": …}",
        )
    return found


def create(user, name: str, public: bool = False) -> Collection:
    name = " ".join(name.split())
    if not name:
        raise ApiError(422, "Invalid name: must not be blank", [{"loc": ["body", "name"], "msg": "blank"}])
    slug = slug_for(name)
    try:
        with transaction.atomic():
            collection = Collection.objects.create(user=user, name=name, slug=slug, public=public)
    except IntegrityError:
        raise ApiError(409, f"You already have a collection named {name!r}", {"slug": slug}) from None
    collection.size = 0
    return collection


def add(collection: Collection, paper: Paper) -> None:
    try:
        with transaction.atomic():
            CollectionItem.objects.create(collection=collection, paper=paper)
    except IntegrityError:
        raise ApiError(409, f"{paper.arxiv_id} is already in {collection.name!r}") from None
    Collection.objects.filter(pk=collection.pk).update(updated_at=timezone.now())


def remove(collection: Collection, paper: Paper) -> None:
    deleted, _ = CollectionItem.objects.filter(collection=collection, paper=paper).delete()
    if not deleted:
        raise ApiError(404, f"{paper.arxiv_id} is not in {collection.name!r}")
