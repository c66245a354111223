"""Wakes the worker when a member queues a paper fetch, so it need not poll for them.

The members' rules (accounts.fetch_queue) send ``fetch_queued`` after the commit that made a
fetch pending; this queues one manual run of the ``fetch_papers`` job (one django-q2 task, one
JobRun). A run fetches every pending paper, so a burst of submissions costs one call to arXiv
per 100 papers however many runs it woke; the hourly ``paperfeed:fetch_papers`` schedule picks
up anything a lost wake-up left behind.
"""

from __future__ import annotations

import logging

from paperfeed.accounts.fetch_queue import fetch_queued

log = logging.getLogger(__name__)


def _wake(sender, arxiv_id: str, **kwargs) -> None:
    # Imported here: the runner imports every job's modules (search, digests, ONNX Runtime), about a
    # second that a web process should pay only if a member ever queues a paper, not at start.
    from .runner import enqueue

    enqueue("fetch_papers")
    log.info("queued fetch_papers for %s", arxiv_id)


def connect() -> None:
    fetch_queued.connect(_wake, dispatch_uid="paperfeed.jobs.wake")
