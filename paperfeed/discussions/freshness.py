"""Cached pages a comment change makes stale: the paper's page, the lists its card is on, trending.

Cards and the API show ``numComments``, so a comment added, edited, deleted or hidden moves the same
keys a vote moves (paperfeed.versions.keys), inside the transaction that writes it.
"""

from __future__ import annotations

from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.versions import keys
from paperfeed.versions.tokens import bump


def discussion_changed(paper: Paper) -> None:
    days = DailyEntry.objects.filter(paper=paper).values_list("day", flat=True).distinct()
    bump([keys.paper(paper.arxiv_id), keys.TRENDING, *map(keys.day, days)])
