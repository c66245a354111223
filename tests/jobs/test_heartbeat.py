"""A running ``paperfeed worker`` keeps its heartbeat fresh; once it is killed, /healthz's worker check fails."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from .conftest import ROOT

REPORT = ("import json, os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'paperfeed.settings');"
          "django.setup(); from paperfeed.jobs import health; print(json.dumps(health.report()))")


def _worker_check(processes, **env) -> dict:
    saved = dict(processes.env)
    processes.env.update(env)
    try:
        return json.loads(processes.run("-c", REPORT).strip().splitlines()[-1])["checks"]["worker"]
    finally:
        processes.env.clear()
        processes.env.update(saved)


@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_while_it_runs(processes, tmp_path):
    processes.env["PAPERFEED_WORKER_HEARTBEAT"] = "0.5"
    assert _worker_check(processes)["ok"] is False  # no worker has run yet
    with open(tmp_path / "worker.log", "w") as log:  # its own process group, so kill -9 reaches the cluster too
        proc = subprocess.Popen([sys.executable, "-m", "paperfeed.cli", "worker", "--tick", "0.5"], cwd=ROOT,
                                env=processes.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    processes.started.append(proc)
    deadline = time.monotonic() + 90
    while not (check := _worker_check(processes))["ok"] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert check["ok"] is True and check["worker"].endswith(f":{proc.pid}"), (tmp_path / "worker.log").read_text()
    first = check["last_beat"]
    time.sleep(1.5)
    assert _worker_check(processes)["last_beat"] > first  # it keeps beating
    os.killpg(proc.pid, signal.SIGKILL)  # the worker and its django-q2 cluster, as a crash or OOM kill would
    proc.wait(timeout=30)
    time.sleep(2.5)
    dead = _worker_check(processes, PAPERFEED_HEALTH_MAX_HEARTBEAT_AGE="2")
    assert dead["ok"] is False and dead["age_s"] > 2
