"""A discussion under every paper: threaded comments, reports of them, and who wants reply emails.

A comment is never removed from the table while it has replies: deleting it blanks its body and
sets ``deleted_at`` (shown as "[deleted]"), so the thread under it holds. Hiding is moderation
(``hidden_at``): a hidden comment vanishes for everyone but moderators, and its author keeps it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from paperfeed.papers.models import Paper


class Comment(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    depth = models.PositiveSmallIntegerField(default=0, help_text="0 for a top-level comment.")
    body = models.TextField(help_text="Markdown with $…$ math, as the member wrote it; rendered escaped.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["paper", "created_at"]),
            models.Index(fields=["paper"], name="comment_visible_idx",
                         condition=Q(deleted_at__isnull=True, hidden_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.paper_id} by {self.author_id}"

    @property
    def visible(self) -> bool:
        """Counted and shown to everyone: neither deleted by its author nor hidden by a moderator."""
        return self.deleted_at is None and self.hidden_at is None


class CommentReport(models.Model):
    """A member flags a comment for the moderators; one report per member per comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_member")]

    def __str__(self) -> str:
        return f"report of comment {self.comment_id} by {self.reporter_id}"


class DiscussionPrefs(models.Model):
    """A member's discussion settings; no row means the defaults (no reply emails)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="discussion_prefs")
    email_replies = models.BooleanField(default=False, help_text="Email me when someone replies to my comment.")

    def __str__(self) -> str:
        return f"discussion prefs of {self.user_id}"
