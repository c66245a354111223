"""The work the worker does on a schedule. Each job returns a one-line summary for JobRun.result.

Other apps are imported lazily inside each job, so the worker starts (and reports a clear
failure on that job alone) even in a build where one of them is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

from django.conf import settings
from django.core.management import call_command

from paperfeed.settings import env


def harvest_sets() -> list[str]:
    """OAI-PMH sets to harvest: PAPERFEED_HARVEST_SETS, else settings.CATEGORIES."""
    raw = getattr(settings, "HARVEST_SETS", None) or env("HARVEST_SETS")
    if raw:
        return [s.strip() for s in (raw.split(",") if isinstance(raw, str) else raw) if s.strip()]
    return list(settings.CATEGORIES)


def index_sync() -> str:
    from paperfeed.search.sync import sync_indexes

    report = sync_indexes(progress=False)
    return f"index sync: {report}"


def harvest() -> str:
    """Harvest every configured set over OAI-PMH, then bring the search indexes up to date."""
    lines = []
    for oai_set in harvest_sets():
        out = StringIO()
        call_command("ingest", "oai", "--set", oai_set, stdout=out, stderr=out)
        lines.append(f"{oai_set}: {out.getvalue().strip().splitlines()[-1:] or ['done']}")
    lines.append(index_sync())
    return "; ".join(str(line) for line in lines)


def digest_daily() -> str:
    from paperfeed.digests.sending import send_digests

    return f"daily digests: {send_digests('daily')}"


def digest_weekly() -> str:
    from paperfeed.digests.sending import send_digests

    return f"weekly digests: {send_digests('weekly')}"


def digest_retries() -> str:
    """Send digests whose earlier attempt failed and whose backoff is over."""
    from paperfeed.digests.sending import process

    return f"digest retries: {process()}"


JOBS: dict[str, Callable[[], str]] = {
    "harvest": harvest,
    "index_sync": index_sync,
    "digest_daily": digest_daily,
    "digest_weekly": digest_weekly,
    "digest_retries": digest_retries,
}
