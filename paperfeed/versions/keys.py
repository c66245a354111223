"""The names of what cached pages show; writers and readers build keys only here.

- ``day:<YYYY-MM-DD>``: that day's list (its entries, their papers, their votes);
- ``paper:<arXiv id>``: a paper page (its metadata, votes and listings);
- ``days``: which days have a list at all (previous/next links, weeks and months around them);
- ``listings``: any listing added or hidden (which day the home page shows, its "so far today" strip);
- ``trending``: any vote or listing (trending also decays with time: readers add a time bucket);
- ``catalog``: any paper added or changed (category and search feeds);
- ``comments``: any comment added, changed, hidden, shown or deleted (the counts cards show).
"""

from __future__ import annotations

from datetime import date

DAYS = "days"
LISTINGS = "listings"
TRENDING = "trending"
CATALOG = "catalog"
COMMENTS = "comments"


def day(value: date) -> str:
    return f"day:{value.isoformat()}"


def paper(arxiv_id: str) -> str:
    return f"paper:{arxiv_id}"
