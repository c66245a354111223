"""The work the worker does on a schedule. Each job calls domain services and returns a one-line
summary for JobRun.result, built from the services' report objects.

A job that cannot finish raises. Retrying is then JobRun's business alone (runner.py): it reruns
the failed slot with backoff; django-q2 never retries and the digest ledger only counts attempts
per email, so attempts never multiply (docs/worker.md, "Failures and retries").
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from paperfeed.accounts import fetching, ratelimits
from paperfeed.digests import sending
from paperfeed.ingest import runs
from paperfeed.search.sync import sync_indexes

from .fieldmap import field_map
from .picks import picks_refresh
from .thumbnails import backfill, thumbnails


def harvest_sets() -> list[str]:
    """OAI-PMH sets to harvest: PAPERFEED_HARVEST_SETS, else settings.CATEGORIES."""
    return list(settings.HARVEST_SETS or settings.CATEGORIES)


def index_sync() -> str:
    report = sync_indexes(progress=False)
    return f"index sync: {report}"


def harvest() -> str:
    """Harvest every configured set over OAI-PMH, then bring the search indexes up to date.

    A set that cannot be harvested raises IngestError and fails the job, so JobRun retries it; the
    rerun continues each set from its saved harvest state, and an unchanged paper is a no-op.
    """
    lines = [f"{oai_set}: {runs.harvest_oai(oai_set).summary_line()}" for oai_set in harvest_sets()]
    lines.append(index_sync())
    return "; ".join(lines)


def _delivered(label: str, report: sending.SendReport) -> str:
    """The summary line, or DigestsUndelivered when emails are left for the slot's retry to send."""
    report.raise_if_undelivered()
    return f"{label}: {report}"


def digest_daily() -> str:
    return _delivered("daily digests", sending.send_digests("daily"))


def digest_weekly() -> str:
    return _delivered("weekly digests", sending.send_digests("weekly"))


def digest_retries() -> str:
    """Send every digest due now: rows the admin's "Retry" action put back, or a given-up run left.

    Not on a standing schedule (a failed digest run's own JobRun retry resends its emails); queue
    it by hand with ``paperfeed worker --run digest_retries``.
    """
    return _delivered("digest retries", sending.process())


def fetch_papers() -> str:
    """Fetch the papers members submitted or saved that the hub lacked, and do what they asked.

    Woken by each newly queued paper (jobs/wake.py) and hourly. While arXiv cannot be reached the
    papers stay pending and the job fails with FetchesWaiting, so JobRun retries it with its backoff.
    """
    report = fetching.run_due()
    report.raise_if_waiting()
    return f"arXiv fetches: {report}"


def prune_rate_limits() -> str:
    return f"rate limits: pruned {ratelimits.prune()} ended windows"


JOBS: dict[str, Callable[[], str]] = {
    "harvest": harvest,
    "index_sync": index_sync,
    "digest_daily": digest_daily,
    "digest_weekly": digest_weekly,
    "digest_retries": digest_retries,
    "picks_refresh": picks_refresh,
    "fetch_papers": fetch_papers,
    "prune_rate_limits": prune_rate_limits,
    "field_map": field_map,
    "thumbnails": thumbnails,
    "backfill": backfill,
}
