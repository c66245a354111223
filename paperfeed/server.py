"""Serving with gunicorn, configured in code so ``paperfeed serve`` needs no config file.

Call :func:`run_server` from a process that has not loaded ONNX Runtime: gunicorn forks its workers
from it, and a forked ONNX session hangs its worker at exit (``paperfeed demo`` therefore serves
from a fresh process). Ctrl-C stops the server within about a second: see :class:`_Worker` and
:func:`_worker_exit`.
"""

from __future__ import annotations

import os
import sys

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker


class _Worker(ThreadWorker):
    """gunicorn's threaded worker, quitting once.

    Ctrl-C reaches every process of the group, so a worker gets SIGINT from the terminal and SIGQUIT
    from the master at nearly the same moment. gunicorn's handler shuts the thread pool down under a
    non-reentrant lock; the second signal, handled inside the first, deadlocked on that lock until the
    master killed the worker 30 s later. A second request to quit adds nothing, so it is ignored.
    """

    _quitting = False

    def handle_quit(self, sig, frame) -> None:
        if self._quitting:
            return
        self._quitting = True
        super().handle_quit(sig, frame)


def _worker_exit(arbiter, worker) -> None:
    """Skip the interpreter teardown of a worker that is stopping cleanly.

    By then every request has been answered and nothing is left to write, yet tearing down what a
    worker holds (ONNX Runtime, the search indexes, scikit-learn) takes half a second on an idle
    machine and seconds on a busy one. A worker that fails keeps the normal exit and its status.
    """
    error = sys.exc_info()[1]
    if isinstance(error, SystemExit) and error.code in (0, None):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


class _App(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from paperfeed.wsgi import application

        return application


def run_server(host: str, port: int, *, workers: int = 2) -> None:
    print(f"paperfeed: serving on http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    _App(
        {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": max(1, workers),
            "threads": 4,
            "worker_class": _Worker,
            "timeout": 60,
            # No 8 KB cap (gunicorn still stops at 1 MB): PAPERFEED_MAX_URL_BYTES answers 414, JSON under /api/.
            "limit_request_line": 0,
            "accesslog": "-",
            "errorlog": "-",
            "loglevel": "warning",
            "worker_exit": _worker_exit,
        }
    ).run()
