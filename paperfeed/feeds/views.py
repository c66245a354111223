"""Pages: thin views over feeds.ranking."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from paperfeed.papers.arxiv_ids import parse_arxiv_id
from paperfeed.papers.models import Paper

from . import ranking


def daily(request: HttpRequest, period: str | None = None) -> HttpResponse:
    try:
        current = ranking.parse_period(period) if period else ranking.default_period()
    except ranking.PeriodError as error:
        raise Http404(str(error)) from None
    papers = list(ranking.listed_papers(current)[:200])
    entries = ranking.entries_for(papers, current)
    return render(
        request,
        "feeds/daily.html",
        {"period": current, "papers": papers, "entries": entries},
    )


def paper(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None:
        raise Http404("Not an arXiv identifier")
    obj = get_object_or_404(Paper.objects.visible(), arxiv_id=parsed.id)
    return render(request, "feeds/paper.html", {"paper": obj})
