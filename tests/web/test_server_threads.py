"""A serving process caps numpy's BLAS threads (``WEB_BLAS_THREADS``): requests already run side by side;
its warm-up freezes what it built, so the garbage collector's full passes stay short."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.accounts.live import database_url

PROBE = """
import json, django
django.setup()
import numpy  # noqa: F401  (loads the BLAS library threadpoolctl reports on)
from threadpoolctl import threadpool_info
before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
from paperfeed.server import limit_blas_threads
limit_blas_threads()
after = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
print(json.dumps({"before": before, "after": after}))
"""


def test_a_serving_process_uses_the_configured_blas_threads(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "paperfeed.settings", "PAPERFEED_DATA_DIR": str(tmp_path),
           "PAPERFEED_WEB_BLAS_THREADS": "1", "OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    started = min(2, len(os.sched_getaffinity(0)))  # OpenBLAS never starts more threads than cores
    assert seen["before"] and all(n == started for n in seen["before"])
    assert seen["after"] == [1] * len(seen["before"])


FREEZE_PROBE = """
import gc, json, os, django
django.setup()
from django.core.management import call_command
if not os.environ.get("PAPERFEED_DATABASE_URL"):
    call_command("migrate", verbosity=0)
from paperfeed.server import warm_up
from paperfeed.wsgi import application
before = gc.get_freeze_count()
warm_up(application)
print(json.dumps({"before": before, "after": gc.get_freeze_count(), "tracked": len(gc.get_objects())}))
"""


def test_a_workers_warm_up_takes_what_it_built_out_of_the_collectors_passes(transactional_db, tmp_path):
    """A full collection then walks only what requests create, not every module, template and index table.

    The worker warms up on the test's database (PostgreSQL: the test database; SQLite: a file it migrates).
    """
    from django.db import connection

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "paperfeed.settings", "PAPERFEED_DATA_DIR": str(tmp_path)}
    env.pop("PAPERFEED_DATABASE_URL", None)
    if connection.vendor == "postgresql":
        env["PAPERFEED_DATABASE_URL"] = database_url(connection.settings_dict)
    out = subprocess.run([sys.executable, "-c", FREEZE_PROBE], env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["before"] == 0 and seen["after"] > 10_000 and seen["tracked"] < seen["after"] / 10
