"""Wakes the worker when a member queues a paper fetch, so it need not poll for them.

The members' rules (accounts.fetch_queue) send ``fetch_queued`` after the commit that made a
fetch pending; this queues one manual run of the ``fetch_papers`` job (one django-q2 task, one
JobRun), as ``runner.enqueue`` would. A run fetches every pending paper, so a burst of submissions
costs one call to arXiv per 100 papers however many runs it woke; the hourly
``paperfeed:fetch_papers`` schedule picks up anything a lost wake-up left behind.

It runs inside web requests, so it does not import the runner: that module imports every job's
modules (search, digests, ONNX Runtime), seconds of import under the import lock that would
stall the process's other requests. ``FUNC`` names the runner's entry point instead
(tests/jobs/test_runner.py checks the two agree).
"""

from __future__ import annotations

import logging
import uuid

from django_q.tasks import async_task

from paperfeed.accounts.fetch_queue import fetch_queued

log = logging.getLogger(__name__)

FUNC = "paperfeed.jobs.runner.run_scheduled"
JOB = "fetch_papers"


def _wake(sender, arxiv_id: str, **kwargs) -> None:
    async_task(FUNC, JOB, slot=f"manual:{uuid.uuid4().hex}", task_name=f"{JOB} (woken)")
    log.info("queued %s for %s", JOB, arxiv_id)


def connect() -> None:
    fetch_queued.connect(_wake, dispatch_uid="paperfeed.jobs.wake")
