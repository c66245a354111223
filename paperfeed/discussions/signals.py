"""Every change to a comment row moves the ``comments`` version token, in the transaction that makes it.

The per-process comment counts (:mod:`paperfeed.discussions.counts`) are kept under that token, so a
write that skipped it would leave a stale count on cards. Receivers on the model catch every path
that saves or deletes a comment: the service, the admin (a change form or its delete action) and the
cascades of a paper merge or an account deletion. A bulk ``QuerySet.update`` on comments sends no
signal; nothing in paperfeed makes one, and one added later must bump the token itself.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from paperfeed.versions import keys
from paperfeed.versions.tokens import bump

from .models import Comment


@receiver(post_save, sender=Comment, dispatch_uid="discussions.comment_saved")
@receiver(post_delete, sender=Comment, dispatch_uid="discussions.comment_deleted")
def comments_changed(sender, **kwargs) -> None:
    bump([keys.COMMENTS])
