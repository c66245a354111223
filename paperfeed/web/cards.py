"""Everything a list of paper cards needs, fetched in a fixed number of queries.

A card shows the paper, the daily entry it came from (submitter), whether the viewer
upvoted it and a vote count. Looking those up per card would be N+1 queries; here each is
one query for the whole list, whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass

from paperfeed.accounts.votes import upvoted_ids
from paperfeed.discussions import counts as comment_counts
from paperfeed.lists import ranking
from paperfeed.papers.models import DailyEntry, Paper


@dataclass
class Card:
    paper: Paper
    entry: DailyEntry | None
    upvoted: bool
    score: int | float


def build(papers: list[Paper], user, period: ranking.Period | None = None, *, with_entries: bool = True) -> list[Card]:
    """Cards for ``papers`` in their order: three queries at most (entries, viewer's votes, comment counts)."""
    entries = ranking.entries_for(papers, period) if with_entries and papers else {}
    voted = upvoted_ids(user, papers) if papers else set()
    comment_counts.attach(papers, {pk: entry.num_comments for pk, entry in entries.items()})  # numComments
    return [
        Card(
            paper=p,
            entry=entries.get(p.pk),
            upvoted=p.pk in voted,
            score=getattr(p, "score", None) if getattr(p, "score", None) is not None else p.upvotes,
        )
        for p in papers
    ]


def categories_in(period: ranking.Period) -> list[tuple[str, int]]:
    """(category, paper count) over the period's listed papers, most common first (one query)."""
    counts: dict[str, int] = {}
    for cats in ranking.listed_papers(period).values_list("categories", flat=True):
        for cat in cats.split():
            counts[cat] = counts.get(cat, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
