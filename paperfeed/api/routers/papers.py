"""``/api/papers``: one paper, search, the cursor-paginated list, and upvotes.

Route order matters: ``/papers/search`` and ``…/upvote`` are registered before the
catch-all ``/papers/{arxiv_id}`` (which takes a ``path`` so old-style ids with a slash work).

Search answers GET (the Hugging Face shape) and POST with the same fields as a JSON body, for
queries too long for a URL (a pasted abstract, up to ``MAX_QUERY_CHARS``). When the index is
damaged the service falls back to database word matches: the envelope says ``"degraded": true``
and every answer carries ``X-Search-Degraded: 1``, so a client never takes it for "nothing
matched".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field as NField
from ninja import Query, Router, Schema

from paperfeed.accounts import votes
from paperfeed.discussions import counts as comment_counts
from paperfeed.lists import ranking
from paperfeed.papers.lookup import NotAnArxivId, find_paper, visible_paper
from paperfeed.papers.models import Paper
from paperfeed.search import service
from paperfeed.search.query import MAX_QUERY_CHARS

from .. import cursors, serializers
from ..auth import token_auth
from ..errors import ApiError
from ..paging import DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE
from ..schemas import ErrorOut, HFDailyItem, HFPaper, PaperPage, SearchEnvelope, Text, VoteOut

router = Router(tags=["papers"])

WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 429: ErrorOut}


class SearchQuery(Schema):
    q: Text = NField("", max_length=MAX_QUERY_CHARS, description="Words, a phrase in quotes, an arXiv id/URL, "
                    "or a pasted abstract", examples=["self-supervised speech", "2503.11731"])
    limit: int = NField(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = NField(0, ge=0, le=MAX_PAGE * MAX_LIMIT, description="paperfeed extra: skip this many")
    cat: Text | None = NField(None, max_length=40, description="paperfeed extra: arXiv category", examples=["cs.CL"])
    author: Text | None = NField(None, max_length=200, description="paperfeed extra: author name contains")
    after: date | None = NField(None, description="paperfeed extra: announced on or after this day")
    before: date | None = NField(None, description="paperfeed extra: announced on or before this day")
    sort: Text | None = NField(None, max_length=20, description="paperfeed extra: relevance (default), date or upvotes")
    group: Text | None = NField(None, max_length=100, description="paperfeed extra: only hits of this topic group key")
    groups: bool = NField(False, description="Return the envelope with topic groups instead of the plain "
                          "Hugging Face list")


class ListQuery(Schema):
    cursor: Text | None = NField(None, max_length=2000, description="next_cursor of the previous page")
    limit: int = NField(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cat: Text | None = NField(None, max_length=40, description="arXiv category", examples=["cs.LG"])
    after: date | None = NField(None, description="Announced on or after this day")
    before: date | None = NField(None, description="Announced on or before this day")


def _items(papers: list[Paper]) -> list[dict]:
    entries = ranking.entries_for(papers)
    comment_counts.attach(papers)  # numComments for the whole page in one query
    return [serializers.daily_item(p, entries.get(p.pk)) for p in papers]


@router.get(
    "/papers/search",
    response={200: list[HFDailyItem] | SearchEnvelope, 400: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    exclude_unset=True,
    by_alias=True,
    summary="Search papers (Hugging Face compatible)",
    operation_id="search_papers",
)
def search(request: HttpRequest, response: HttpResponse, query: Query[SearchQuery]) -> Any:
    """Hybrid (keyword + semantic) search over every paper on the hub.

    By default the answer is a plain list of items, like ``huggingface.co/api/papers/search``;
    the total number of hits is in the ``X-Total-Count`` header (the same on every page: page
    with ``offset`` until it is reached). With ``?groups=1`` the answer is an envelope with topic
    groups, scores and highlighted titles/snippets instead. An arXiv id or URL as ``q`` answers
    with that one paper. ``X-Search-Degraded: 1`` says the index is being repaired and these are
    plain word matches.
    """
    return _search(response, query)


@router.post(
    "/papers/search",
    response={200: list[HFDailyItem] | SearchEnvelope, 400: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    exclude_unset=True,
    by_alias=True,
    summary="Search papers with the query in a JSON body (long queries)",
    operation_id="search_papers_post",
)
def search_post(request: HttpRequest, response: HttpResponse, body: SearchQuery) -> Any:
    """The same search as GET, the fields in a JSON body: for a query too long for a URL (an abstract)."""
    return _search(response, body)


def _search(response: HttpResponse, query: SearchQuery) -> Any:
    try:
        results = service.search(
            query.q,
            limit=query.limit,
            offset=query.offset,
            category=query.cat or None,
            author=query.author or None,
            after=query.after,
            before=query.before,
            sort=query.sort or None,
            group=query.group or None,
        )
    except ValueError as error:
        raise ApiError(400, "Invalid search", str(error)[:300]) from None
    redirect = results.redirect if results.redirect is not None and not results.redirect.hidden else None
    papers = [redirect] if redirect is not None else [hit.paper for hit in results.hits]
    items = _items(papers)
    total = 1 if redirect is not None else int(results.total)
    response["X-Total-Count"] = str(total)
    if results.degraded:
        response["X-Search-Degraded"] = "1"
    if not query.groups:
        return items
    hits = {hit.paper.pk: hit for hit in results.hits}
    out = []
    for paper, item in zip(papers, items, strict=True):
        hit = hits.get(paper.pk)
        out.append({
            **item,
            "score": float(hit.score) if hit else 1.0,
            "title_html": hit.title_html if hit else "",
            "snippet_html": hit.snippet_html if hit else "",
        })
    return {
        "query": results.query,
        "total": total,
        "results": out,
        "groups": [{"key": g.key, "label": g.label, "size": int(g.size)} for g in results.groups],
        "redirect": redirect.arxiv_id if redirect is not None else None,
        "message": results.message or "",
        "filters": _jsonable(results.filters),
        "degraded": results.degraded,
    }


def _jsonable(filters: Any) -> dict:
    if not isinstance(filters, dict):
        return {}
    return {str(k): (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items()
            if v is None or isinstance(v, str | int | float | bool | date)}


def _filtered(query: ListQuery) -> QuerySet[Paper]:
    qs = Paper.objects.visible()
    if query.cat:
        qs = qs.in_category(query.cat)
    if query.after:
        qs = qs.filter(announced__gte=query.after)
    if query.before:
        qs = qs.filter(announced__lte=query.before)
    if query.after and query.before and query.after > query.before:
        raise ApiError(400, "after is later than before", {"after": str(query.after), "before": str(query.before)})
    return qs


@router.get(
    "/papers",
    response={200: PaperPage, 400: ErrorOut, 422: ErrorOut},
    exclude_unset=True,
    by_alias=True,
    summary="All papers, newest first, with a stable cursor",
    operation_id="list_papers",
)
def list_papers(request: HttpRequest, query: Query[ListQuery]) -> Any:
    """Every visible paper, newest announced first, ``limit`` at a time.

    Follow ``next_cursor`` until it is null. Papers added while you page never make an item
    appear twice or go missing (keyset pagination over (announced, id)); keep the same
    filters for every page of one walk.
    """
    papers, next_cursor = cursors.page(_filtered(query), query.cursor, query.limit)
    entries = ranking.entries_for(papers)
    out: dict[str, Any] = {"items": [serializers.paper_dict(p, entries.get(p.pk)) for p in papers]}
    out["next_cursor"] = next_cursor
    return out


def _vote(request: HttpRequest, arxiv_id: str, up: bool) -> dict:
    paper = find_paper(arxiv_id)
    user = request.auth.user
    changed = votes.upvote(user, paper) if up else votes.unvote(user, paper)
    paper.refresh_from_db(fields=["imported_upvotes", "local_upvotes"])
    return {"id": paper.arxiv_id, "upvotes": paper.upvotes, "upvoted": up, "changed": changed}


@router.post(
    "/papers/{path:arxiv_id}/upvote",
    auth=token_auth,
    response={200: VoteOut, **WRITE_ERRORS},
    summary="Upvote a paper",
    operation_id="upvote_paper",
)
def upvote(request: HttpRequest, arxiv_id: str) -> Any:
    """Add your vote (idempotent: ``changed`` is false when it was already there)."""
    return _vote(request, arxiv_id, True)


@router.delete(
    "/papers/{path:arxiv_id}/upvote",
    auth=token_auth,
    response={200: VoteOut, **WRITE_ERRORS},
    summary="Remove your upvote",
    operation_id="unvote_paper",
)
def unvote(request: HttpRequest, arxiv_id: str) -> Any:
    return _vote(request, arxiv_id, False)


@router.get(
    "/papers/{path:arxiv_id}",
    response={200: HFPaper, 404: ErrorOut},
    exclude_unset=True,
    by_alias=True,
    summary="One paper (Hugging Face compatible)",
    operation_id="get_paper",
)
def paper(request: HttpRequest, arxiv_id: str) -> Any:
    """A paper by arXiv id in any form (``2503.11731``, ``arXiv:2503.11731v2``, an abs URL)."""
    try:
        found = visible_paper(arxiv_id)
    except NotAnArxivId:  # reads answer 404 for any id that names no paper here (docs/api.md)
        raise ApiError(404, "Not an arXiv identifier", {"id": arxiv_id[:100]}) from None
    entry = ranking.entries_for([found]).get(found.pk)
    return serializers.paper_dict(found, entry)
