"""Pydantic schemas of the JSON API: what /api/docs shows and what every response is validated against.

The ``HF*`` schemas mirror huggingface.co's ``/api/daily_papers`` items as archived in 2026
(see docs/api.md, "Compatibility"). Like Hugging Face, optional keys are *omitted* when
there is no value rather than sent as ``null``: the operations dump with
``exclude_unset=True``, so a client written against huggingface.co sees the same key sets.
Field names keep Hugging Face's spelling (camelCase, ``_id``), which is why several fields
carry an alias.
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

from paperfeed.papers.arxiv import CONTROL_RE

ARXIV_ID_EXAMPLE = "2503.11731"


def no_control_characters(value: str) -> str:
    """NUL and friends never mean anything in a parameter, and PostgreSQL refuses NUL outright."""
    if CONTROL_RE.search(value):
        raise ValueError("must not contain control characters")
    return value


# Every free-text input (query strings and bodies) is this type, so bad bytes are a 422.
Text = Annotated[str, AfterValidator(no_control_characters)]


class ErrorOut(Schema):
    """Every error: a sentence saying what went wrong, and specifics (which field, which value)."""

    error: str = Field(..., examples=["No paper 2503.99999 on this hub"])
    detail: Any = Field(None, examples=[None, [{"loc": ["query", "limit"], "msg": "Input should be a valid integer"}]])


class HFUser(Schema):
    """Who submitted a daily entry (``submittedBy``); Hugging Face's user object."""

    model_config = ConfigDict(populate_by_name=True)

    id_: str = Field(..., alias="_id", examples=["000000000000000000000007"])
    avatarUrl: str = Field("", examples=[""])
    fullname: str = Field(..., examples=["Ada Lovelace"])
    name: str = Field(..., examples=["ada"])
    type: str = Field("user", examples=["user"])
    isPro: bool = False
    isHf: bool = False
    isHfAdmin: bool = False
    isMod: bool = False
    followerCount: int | None = None
    isUserFollowing: bool = False


class HFDailySubmitter(Schema):
    """``paper.submittedOnDailyBy``: the short user object Hugging Face nests in the paper."""

    model_config = ConfigDict(populate_by_name=True)

    id_: str = Field(..., alias="_id")
    avatarUrl: str = ""
    isPro: bool = False
    fullname: str
    user: str = Field(..., examples=["ada"])
    type: str = "user"
    name: str | None = None


class HFAuthorUser(Schema):
    """The hub account an author claimed (imported from Hugging Face as it was)."""

    model_config = ConfigDict(populate_by_name=True)

    id_: str | None = Field(None, alias="_id")
    id: str | None = None
    avatarUrl: str = ""
    fullname: str = ""
    user: str = ""
    name: str | None = None
    type: str = "user"
    isPro: bool = False


class HFAuthor(Schema):
    model_config = ConfigDict(populate_by_name=True)

    id_: str = Field(..., alias="_id", examples=["0000000000000a2b00000000"])
    name: str = Field(..., examples=["Ada Lovelace"])
    hidden: bool = False
    user: HFAuthorUser | None = None
    status: str | None = None
    statusLastChangedAt: str | None = None


class HFOrganization(Schema):
    model_config = ConfigDict(populate_by_name=True)

    id_: str = Field(..., alias="_id")
    name: str
    fullname: str
    avatar: str | None = None


class HFPaper(Schema):
    """A paper in Hugging Face's shape (``item.paper`` of /api/daily_papers, and /api/papers/{id})."""

    id: str = Field(..., description="arXiv id without version", examples=[ARXIV_ID_EXAMPLE])
    authors: list[HFAuthor]
    mediaUrls: list[str] | None = None
    publishedAt: str = Field(..., description="First version's date, ISO 8601 with milliseconds and Z",
                             examples=["2025-03-14T17:59:59.000Z"])
    submittedOnDailyAt: str | None = Field(None, description="When it was put on a daily list (absent if never)")
    title: str = Field(..., examples=["A paper title"])
    submittedOnDailyBy: HFDailySubmitter | None = None
    summary: str = Field(..., description="The abstract")
    upvotes: int = Field(..., description="Imported Hugging Face votes plus this hub's votes", examples=[42])
    discussionId: str
    projectPage: str | None = None
    githubRepo: str | None = Field(None, description="Code repository found in the paper's comment or abstract")
    githubRepoAddedBy: str | None = None
    ai_summary: str | None = None
    ai_keywords: list[str] | None = None
    ai_summary_model: str | None = None
    githubStars: int | None = None
    organization: HFOrganization | None = None


class HFDailyItem(Schema):
    """One element of ``GET /api/daily_papers`` (and of ``/api/papers/search``)."""

    paper: HFPaper
    publishedAt: str = Field(..., examples=["2025-03-14T17:59:59.000Z"])
    title: str
    summary: str
    mediaUrls: list[str] | None = None
    thumbnail: str = Field(..., description="Imported Hugging Face thumbnail URL, or empty")
    numComments: int = 0
    submittedBy: HFUser | None = Field(None, description="Absent only for search hits never listed on a day")
    organization: HFOrganization | None = None
    isAuthorParticipating: bool = False


class TopicGroupOut(Schema):
    key: str = Field(..., examples=["self-supervised"])
    label: str = Field(..., examples=["self-supervised learning"])
    size: int = Field(..., examples=[12])


class SearchHitOut(HFDailyItem):
    """A search result in the ``?groups=1`` envelope: the item plus score and highlighted HTML."""

    score: float
    title_html: str = Field(..., description="Title with <mark> around matched terms (escaped HTML)")
    snippet_html: str = Field(..., description="Abstract excerpt with <mark> around matched terms")


class SearchEnvelope(Schema):
    """``/api/papers/search?groups=1``: results plus topic groups, totals and filters."""

    query: str
    total: int
    results: list[SearchHitOut]
    groups: list[TopicGroupOut]
    redirect: str | None = Field(None, description="arXiv id when the query named one paper")
    message: str = ""
    filters: dict[str, Any] = Field(default_factory=dict)
    degraded: bool = Field(False, description="True while the index is damaged: plain word matches, newest "
                           "first (the X-Search-Degraded header says the same)")


class PaperPage(Schema):
    """``GET /api/papers``: one page of papers, newest first, and the cursor of the next page."""

    items: list[HFPaper]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= to get the next page; null at the end")


class PaperIdIn(Schema):
    id: Text = Field(..., min_length=1, max_length=300, description="arXiv id or URL in any form",
                    examples=[ARXIV_ID_EXAMPLE, "arXiv:2503.11731v2", "https://arxiv.org/abs/2503.11731"])


class VoteOut(Schema):
    id: str = Field(..., examples=[ARXIV_ID_EXAMPLE])
    upvotes: int = Field(..., examples=[43])
    upvoted: bool = Field(..., description="Whether the token's owner now has a vote on it")
    changed: bool = Field(..., description="False when the vote was already there (or already absent)")


class CollectionIn(Schema):
    name: Text = Field(..., min_length=1, max_length=100, examples=["to read"])
    public: bool = False


class CollectionOut(Schema):
    name: str = Field(..., examples=["to read"])
    slug: str = Field(..., examples=["to-read"])
    public: bool
    size: int = Field(..., description="Number of papers in it")
    created_at: str
    updated_at: str


class CollectionDetail(CollectionOut):
    papers: list[HFPaper]


class CollectionItemOut(Schema):
    collection: str = Field(..., examples=["to-read"])
    id: str = Field(..., examples=[ARXIV_ID_EXAMPLE])
    added: bool
