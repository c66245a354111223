"""The worker's share of the map of the field (/map/): redraw it from the current vectors.

Hourly, so papers harvested or submitted since appear within the hour; a month of vectors is a
few thousand rows, and the fit plus the rewrite of the points take well under a second.
"""

from __future__ import annotations

from paperfeed.search import mapping


def field_map() -> str:
    return str(mapping.draw_month())
