"""The map of the field: GET /map/ (the month's papers) and /map/?q= (a search's results).

Thin: positions come from :mod:`paperfeed.search.mapping` (drawn by the worker); this view adds
who is looking ("your papers": upvoted or saved) and hands the points to the page twice -- as a
list of links that works without JavaScript, and as JSON that static/js/map.js draws as SVG.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from paperfeed.accounts.models import CollectionItem
from paperfeed.accounts.votes import upvoted_ids
from paperfeed.search import mapping, service
from paperfeed.search.query import MAX_QUERY_CHARS

SEARCH_POINTS = 300  # a search's best results drawn; more would be a cloud, not a map


def _mine(user, placed: list[mapping.Placed]) -> set[int]:
    """The papers this member upvoted or saved in any collection, among those on the map."""
    if not user.is_authenticated:
        return set()
    papers = [p.paper for p in placed]
    saved = CollectionItem.objects.filter(collection__user=user, paper__in=papers).values_list("paper_id", flat=True)
    return upvoted_ids(user, papers) | set(saved)


def _placed(q: str, layout) -> tuple[list[mapping.Placed], str]:
    if not q:
        return (mapping.month_map(layout) if layout else []), ""
    results = service.search(q, limit=SEARCH_POINTS)
    return mapping.place([hit.paper for hit in results.hits], layout), results.message


def _point(placed: mapping.Placed, named: list[str], mine: set[int]) -> dict:
    paper, category = placed.paper, mapping.group_of(placed.paper, named)
    return {"id": paper.arxiv_id, "title": paper.title, "url": paper.get_absolute_url(), "x": round(placed.x, 4),
            "y": round(placed.y, 4), "group": named.index(category), "category": category, "mine": paper.pk in mine}


@require_safe
def field_map(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "")[:MAX_QUERY_CHARS].strip()
    layout = mapping.current_layout()
    placed, message = _placed(q, layout)
    named = mapping.groups(placed)
    mine = _mine(request.user, placed)
    points = [_point(p, named, mine) for p in placed]
    listing = sorted(points, key=lambda point: (point["group"], point["title"].lower()))
    context = {
        "nav": "map", "q": q, "layout": layout, "message": message, "points": points, "groups": named,
        "listing": listing, "mine_count": sum(point["mine"] for point in points),
    }
    return render(request, "map/map.html", context)
