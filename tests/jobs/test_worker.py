"""Two real worker processes on one database: each scheduled run and each digest happens once."""

from __future__ import annotations

import time

import pytest

SUBSCRIBERS = 12


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


@pytest.mark.django_db(transaction=True)
def test_two_workers_run_a_due_schedule_once(processes, fixtures, tmp_path):
    processes.harness("seed", str(fixtures), str(SUBSCRIBERS))
    slot = processes.harness("schedule-now")["slot"]
    workers = [
        processes.start("-m", "paperfeed.cli", "worker", "--tick", "0.5", "--no-schedules", log=tmp_path / f"w{i}.log")
        for i in range(2)
    ]

    def finished() -> bool:
        runs = processes.harness("report")["runs"]
        return bool(runs) and runs[0]["status"] == "done" and runs[0]["duplicates_skipped"] >= 1

    ok = _wait(finished, 90)
    time.sleep(2)  # let any wrongly duplicated work surface before stopping
    processes.stop_all()
    logs = "\n".join((tmp_path / f"w{i}.log").read_text() for i in range(2))
    assert ok, f"the scheduled digest did not finish:\n{logs}"
    assert all(w.returncode is not None for w in workers)
    report = processes.harness("report")
    assert report["runs"] == [
        {"name": "digest_daily", "slot": slot, "status": "done", "attempts": 1, "duplicates_skipped": 1}
    ]
    recipients = sorted(str(m["To"]) for m in processes.smtp.messages)
    assert recipients == sorted(f"reader{i}@example.com" for i in range(SUBSCRIBERS))
    assert all(s["status"] == "sent" and s["attempts"] == 1 for s in report["sends"])


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_digest_senders_send_each_digest_once(processes, fixtures, tmp_path):
    processes.harness("seed", str(fixtures), str(SUBSCRIBERS))
    senders = [
        processes.start("-m", "paperfeed.cli", "digest", "--period", "daily", "--send", log=tmp_path / f"s{i}.log")
        for i in range(2)
    ]
    for proc in senders:
        proc.wait(timeout=120)
    logs = "\n".join((tmp_path / f"s{i}.log").read_text() for i in range(2))
    assert all(p.returncode == 0 for p in senders), logs
    recipients = sorted(str(m["To"]) for m in processes.smtp.messages)
    assert recipients == sorted(f"reader{i}@example.com" for i in range(SUBSCRIBERS)), logs
    report = processes.harness("report")
    assert len(report["sends"]) == SUBSCRIBERS
    assert all(s["status"] == "sent" and s["attempts"] == 1 for s in report["sends"])


@pytest.mark.django_db(transaction=True)
def test_worker_stops_when_its_whole_process_group_is_signalled(processes, tmp_path):
    """Ctrl-C and systemd signal every process of the worker at once; it must still exit."""
    import os
    import signal
    import subprocess
    import sys

    from .conftest import ROOT

    log = tmp_path / "group.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "paperfeed.cli", "worker", "--tick", "0.5"], cwd=ROOT,
                                env=processes.env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    processes.started.append(proc)
    assert _wait(lambda: "worker running" in log.read_text(), 60), log.read_text()
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)
    assert "worker stopped" in log.read_text()
