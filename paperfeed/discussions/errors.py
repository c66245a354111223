"""What a discussion refuses: one domain error per rule, with the facts and a sentence for a person.

The service raises these; ``api/routers/comments.py`` maps each class to a status and the documented
JSON error body, ``web/views/discussions.py`` to a message and status.
"""

from __future__ import annotations


class DiscussionError(Exception):
    """A refused discussion action."""


class CommentNotFound(DiscussionError):
    def __init__(self, comment_id: int | str):
        self.comment_id = comment_id
        super().__init__(f"There is no comment {str(comment_id)[:40]} here.")


class CommentInvalid(DiscussionError):
    """``reason`` is the rule broken, as a short phrase ("must not be blank")."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"Your comment {reason}.")


class TooDeep(DiscussionError):
    def __init__(self, max_depth: int):
        self.max_depth = max_depth
        super().__init__(f"Replies nest at most {max_depth} levels deep; reply higher up the thread.")


class NotYours(DiscussionError):
    def __init__(self, comment_id: int):
        self.comment_id = comment_id
        super().__init__("You can only edit or delete your own comments.")


class NotModerator(DiscussionError):
    def __init__(self) -> None:
        super().__init__("Only moderators can hide or show comments.")


class CommentGone(DiscussionError):
    """The comment was deleted or hidden: it takes no replies, edits or reports."""

    def __init__(self, comment_id: int):
        self.comment_id = comment_id
        super().__init__("That comment was deleted or hidden.")


class AlreadyReported(DiscussionError):
    def __init__(self, comment_id: int):
        self.comment_id = comment_id
        super().__init__("You already reported this comment; the moderators will look at it.")


class CommentRateLimited(DiscussionError):
    def __init__(self, limit: int, retry_after: int):
        self.limit, self.retry_after = limit, retry_after
        minutes, seconds = divmod(retry_after, 60)
        wait = f"{minutes} min" if minutes else f"{seconds} s"
        super().__init__(f"You are commenting too fast. Please wait {wait} and try again.")
