"""The worker's share of personal picks, as a named job an operator can queue.

Votes and saves queue digests.picks_cache.refresh_due themselves (the worker runs it from the
database queue). ``paperfeed worker --run picks_refresh`` sweeps every due cache by hand, e.g.
after a worker was killed in the middle of one.
"""

from __future__ import annotations

from paperfeed.digests import picks_cache


def picks_refresh() -> str:
    return f"personal picks: {picks_cache.refresh_due()}"
