"""A serving process caps numpy's BLAS threads (``WEB_BLAS_THREADS``): requests already run side by side."""

from __future__ import annotations

import json
import os
import subprocess
import sys

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
