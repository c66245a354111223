"""What a member can be refused: one domain error per rule, carrying the facts.

The rules (collections.py, submissions.py) raise these, and the paper lookup's
NotAnArxivId / PaperNotFound / PaperHidden from ``paperfeed.papers.lookup``. ``str(error)`` is
a sentence fit to show the person; the attributes (ids, names, day, limit) are what a door
needs to build its own answer. The doors only translate: ``api/errors.py`` maps each class to
a status and JSON body in one table, ``web/views/accounts.py`` to a message and status.
"""

from __future__ import annotations

from datetime import date


class MemberRuleError(Exception):
    """A member's action refused by a rule."""


# --- collections ------------------------------------------------------------------------------


class CollectionError(MemberRuleError):
    """A refused change to a collection."""


class CollectionNameInvalid(CollectionError):
    """``reason`` is the rule broken, as a short phrase ("must not be blank")."""

    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


class CollectionExists(CollectionError):
    def __init__(self, name: str, slug: str):
        self.name, self.slug = name, slug
        super().__init__(f"You already have a collection named “{name}”.")


class CollectionNotFound(CollectionError):
    """``ref`` is how the member named it (name, slug or id); another member's counts as none."""

    def __init__(self, ref: str):
        self.ref = ref
        super().__init__(f"You have no collection “{ref[:100]}”.")


class AlreadyInCollection(CollectionError):
    def __init__(self, arxiv_id: str, collection: str):
        self.arxiv_id, self.collection = arxiv_id, collection
        super().__init__(f"{arxiv_id} is already in “{collection}”.")


class NotInCollection(CollectionError):
    def __init__(self, arxiv_id: str, collection: str):
        self.arxiv_id, self.collection = arxiv_id, collection
        super().__init__(f"{arxiv_id} is not in “{collection}”.")


# --- submissions ------------------------------------------------------------------------------


class SubmissionError(MemberRuleError):
    """A refused submission to today's list."""


class AlreadyListed(SubmissionError):
    def __init__(self, arxiv_id: str, day: date):
        self.arxiv_id, self.day = arxiv_id, day
        super().__init__(f"{arxiv_id} is already listed (on {day.isoformat()}); upvote it instead.")


class DailyLimitReached(SubmissionError):
    def __init__(self, limit: int, day: date):
        self.limit, self.day = limit, day
        super().__init__(f"You already submitted {limit} papers today; come back tomorrow.")

