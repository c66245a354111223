"""``paperfeed serve``'s gunicorn (paperfeed.server.run_server), started in a subprocess for one test.

For what only the real server shows: its request-line limit, and settings read at process start.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


class Served:
    def __init__(self, data_dir: Path, **env: str):
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERFEED_")}
        self.env.update({"DJANGO_SETTINGS_MODULE": "paperfeed.settings", "PAPERFEED_DATA_DIR": str(data_dir), **env})
        self.log = data_dir / "server.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Served:
        code = f"from paperfeed.server import run_server; run_server('127.0.0.1', {self.port}, workers=1)"
        with self.log.open("w") as log:
            self.proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                self.get("/api/")
                return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise AssertionError(f"the server did not answer within 120 s:\n{self.log.read_text()}")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def get(self, target: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) of one GET with exactly this request target."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", target, headers=headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()
