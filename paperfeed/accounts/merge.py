"""Merging duplicate papers (e.g. one created from a mistyped id): nothing members made is lost."""

from __future__ import annotations

from django.db.models import Count

from paperfeed.papers.models import DailyEntry, Paper

from .models import CollectionItem, Upvote


def merge_papers(target: Paper, duplicates: list[Paper]) -> Paper:
    """Move daily entries, votes and collection items onto ``target``, then delete the duplicates.

    Call inside a transaction. Rows that would collide with the target's (same day, same voter,
    same collection) are dropped, since the target already has them.
    """
    for dup in duplicates:
        if dup.pk == target.pk:
            continue
        target_days = set(target.daily_entries.values_list("day", flat=True))
        DailyEntry.objects.filter(paper=dup).exclude(day__in=target_days).update(paper=target)
        voters = set(Upvote.objects.filter(paper=target).values_list("user_id", flat=True))
        Upvote.objects.filter(paper=dup).exclude(user_id__in=voters).update(paper=target)
        in_collections = set(CollectionItem.objects.filter(paper=target).values_list("collection_id", flat=True))
        CollectionItem.objects.filter(paper=dup).exclude(collection_id__in=in_collections).update(paper=target)
        target.imported_upvotes = max(target.imported_upvotes, dup.imported_upvotes)
        dup.delete()
    target.local_upvotes = Paper.objects.filter(pk=target.pk).aggregate(n=Count("upvote_set"))["n"]
    target.save(update_fields=["imported_upvotes", "local_upvotes", "updated_at"])
    return target
