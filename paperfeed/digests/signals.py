"""Votes, saves and feedback make a member's cached picks out of date (picks_cache.mark_changed).

Signals rather than calls from accounts/: accounts sits below digests and must not know that
picks exist. Every vote and collection change goes through accounts' services, which save and
delete single rows, so these receivers see each one (a bulk ``QuerySet.update()`` would not).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from paperfeed.accounts.models import Collection, CollectionItem, Upvote

from .models import Feedback
from .picks_cache import mark_changed


@receiver([post_save, post_delete], sender=Upvote, dispatch_uid="picks-after-vote")
def _vote_changed(sender, instance: Upvote, **kwargs) -> None:
    mark_changed(instance.user_id)


@receiver([post_save, post_delete], sender=CollectionItem, dispatch_uid="picks-after-save")
def _saved_changed(sender, instance: CollectionItem, **kwargs) -> None:
    # On a collection's cascade delete the items go first, while the collection row still exists.
    user_id = Collection.objects.filter(pk=instance.collection_id).values_list("user_id", flat=True).first()
    if user_id is not None:
        mark_changed(user_id)


@receiver([post_save, post_delete], sender=Feedback, dispatch_uid="picks-after-feedback")
def _feedback_changed(sender, instance: Feedback, **kwargs) -> None:
    mark_changed(instance.user_id)
