"""/healthz (database, search index, worker heartbeat, queue: 200 or 503), /metrics behind
PAPERFEED_METRICS, and JSON log lines with PAPERFEED_LOG_FORMAT=json."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from paperfeed.jobs import heartbeat
from paperfeed.jobs.models import JobRun
from paperfeed.search import reader
from tests.factories import make_paper
from tests.support.servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def built_index(data_dir):
    """Three real papers in a real index (the shipped model embeds them)."""
    from paperfeed.search.sync import sync_indexes

    reader.forget()
    for n in range(3):
        make_paper(f"2601.0000{n}", f"Health check paper {n}", "An abstract about monitoring index freshness.")
    report = sync_indexes(progress=False)
    assert report.published
    yield data_dir / "index"
    reader.forget()


def _health(client) -> tuple[int, dict]:
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, json.loads(response.content)


def test_a_healthy_node_answers_200_with_every_fact(client, built_index):
    from django_q.models import OrmQ

    heartbeat.beat("worker-host:42", timezone.now() - timedelta(hours=1))
    OrmQ.objects.create(key="paperfeed", payload="queued task", lock=None)
    JobRun.objects.create(name="harvest", slot="manual:1", started_at=timezone.now())
    status, body = _health(client)
    assert status == 200 and body["ok"] is True
    checks = body["checks"]
    assert checks["database"]["ok"] is True
    index = checks["search_index"]
    assert index["ok"] is True and index["generation"] == 1 and index["papers"] == 3
    assert 0 <= index["age_s"] < 600 and index["built_at"]
    worker = checks["worker"]
    assert worker["ok"] is True and worker["worker"] == "worker-host:42" and 0 <= worker["age_s"] < 60
    assert checks["queue"] == {"ok": True, "queued": 1, "running": 1, "failed_awaiting_retry": 0}


def test_an_old_or_missing_heartbeat_is_503_unless_no_worker_is_expected(client, built_index, settings):
    settings.HEALTH_MAX_HEARTBEAT_AGE = 300
    status, body = _health(client)
    assert status == 503 and body["checks"]["worker"] == {
        "ok": False, "worker": None, "last_beat": None, "age_s": None, "max_age_s": 300}
    heartbeat.beat("worker-host:42", timezone.now(), now=timezone.now() - timedelta(minutes=10))
    status, body = _health(client)
    assert status == 503 and body["checks"]["worker"]["ok"] is False and body["checks"]["worker"]["age_s"] >= 600
    heartbeat.beat("worker-host:42", timezone.now())
    assert _health(client)[0] == 200
    settings.HEALTH_MAX_HEARTBEAT_AGE = 0
    heartbeat.beat("worker-host:42", timezone.now(), now=timezone.now() - timedelta(hours=5))
    assert _health(client)[0] == 200


def test_beats_update_one_row_per_worker_and_forget_long_dead_ones():
    now = timezone.now()
    heartbeat.beat("a:1", now - timedelta(days=2), now=now - timedelta(days=2))
    heartbeat.beat("b:2", now, now=now)
    heartbeat.beat("b:2", now, now=now + timedelta(seconds=30))
    assert [(b.worker, b.beat_at) for b in heartbeat.WorkerHeartbeat.objects.all()] == [
        ("b:2", now + timedelta(seconds=30))]


def test_a_missing_or_damaged_index_is_503_with_the_reason(client, data_dir, settings):
    settings.HEALTH_MAX_HEARTBEAT_AGE = 0
    reader.forget()
    status, body = _health(client)
    assert status == 503 and body["checks"]["search_index"]["ok"] is False
    assert "no index" in body["checks"]["search_index"]["reason"]
    assert body["checks"]["database"]["ok"] is True


def test_a_damaged_index_is_503(client, built_index, settings):
    settings.HEALTH_MAX_HEARTBEAT_AGE = 0
    assert _health(client)[0] == 200
    generation = built_index / json.loads((built_index / "CURRENT.json").read_text())["dir"]
    shutil.rmtree(generation / "lexical")
    reader.forget()  # as a process that starts now would see it
    status, body = _health(client)
    assert status == 503 and body["checks"]["search_index"]["ok"] is False
    assert body["checks"]["search_index"]["reason"]


def _fresh_process(tmp_path, code: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PAPERFEED_")}
    clean.update({"DJANGO_SETTINGS_MODULE": "paperfeed.settings", "PAPERFEED_DATA_DIR": str(tmp_path), **env})
    return subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=120)


def test_a_database_that_does_not_answer_is_503_not_a_500(tmp_path):
    """A fresh process whose PostgreSQL is a closed port: the report says so, with a 503."""
    code = (
        "import json, django; django.setup();"
        "from django.test import Client; r = Client().get('/healthz');"
        "print(json.dumps([r.status_code, json.loads(r.content)]))"
    )
    done = _fresh_process(tmp_path, code, PAPERFEED_DATABASE_URL=f"postgres://paperfeed@127.0.0.1:{free_port()}/x")
    assert done.returncode == 0, done.stderr
    status, body = json.loads(done.stdout.strip().splitlines()[-1])
    assert status == 503 and body["ok"] is False
    assert body["checks"]["database"]["ok"] is False and body["checks"]["database"]["vendor"] == "postgresql"
    assert "connection" in body["checks"]["database"]["error"].lower()
    assert body["checks"]["worker"]["ok"] is False and "database unreachable" in body["checks"]["worker"]["error"]


def test_metrics_are_off_by_default(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_and_json_logs_from_the_real_server(tmp_path):
    """PAPERFEED_METRICS=1 and PAPERFEED_LOG_FORMAT=json are read at start: a real gunicorn shows both."""
    from tests.support.served import Served

    with Served(tmp_path, PAPERFEED_METRICS="1", PAPERFEED_LOG_FORMAT="json") as server:
        for _ in range(3):
            assert server.get("/api/nope")[0] == 404
        status, headers, body = server.get("/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    counts = [line for line in body.decode().splitlines()
              if line.startswith('django_http_responses_total_by_status_total{status="404"}')]
    assert counts and float(counts[0].split()[-1]) >= 3
    records = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
    not_found = [r for r in records if r.get("logger") == "django.request" and "Not Found: /api/nope" in r["message"]]
    assert not_found and not_found[0]["level"] == "WARNING" and "time" in not_found[0] and "process" in not_found[0]


def test_text_logs_stay_the_default(tmp_path):
    code = "import django, logging; django.setup(); logging.getLogger('paperfeed.x').warning('plain %s', 'line')"
    assert _fresh_process(tmp_path, code).stderr.strip().splitlines()[-1] == "plain line"
    line = _fresh_process(tmp_path, code, PAPERFEED_LOG_FORMAT="json").stderr.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["message"] == "plain line" and record["logger"] == "paperfeed.x" and record["level"] == "WARNING"
