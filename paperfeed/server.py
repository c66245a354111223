"""Serving, configured in code so ``paperfeed serve`` needs no config file.

``PAPERFEED_WEB_SERVER`` picks the server; benchmarks/throughput.py measured the three on the sample
and docs/deploy.md ("Throughput") has the table behind the default:

- ``gthread`` (the default): gunicorn, ``PAPERFEED_WEB_THREADS`` threads per process;
- ``granian``: granian's WSGI interface, a Rust HTTP server, with the same threads per process. It
  served every path faster than gunicorn (the static file 4-10 times faster), but it refuses a
  request target over 64 KB itself (the URI limit of the Rust ``http`` crate), with a 414 that is
  not paperfeed's JSON: a 10,000-character search (90 KB encoded) cannot reach Django. Choose it
  where that does not matter (a reverse proxy with the usual 8 KB limit already refuses such URLs);
- ``sync``: gunicorn, one request at a time per process and one connection per request.

Every worker warms up before it takes its first request (:func:`warm_up`): imports, templates, the
database connection, the search index and the embedder, the page cache of the pages people open
first, and the search page's cards and snippet texts of the newest papers, so no reader waits for
what a fresh process does once.

Call :func:`run_server` from a process that has not loaded ONNX Runtime: gunicorn forks its workers
from it, and a forked ONNX session hangs its worker at exit (``paperfeed demo`` therefore serves
from a fresh process). Ctrl-C stops the server within about a second: see :class:`_Worker` and
:func:`_worker_exit`.
"""

from __future__ import annotations

import gc
import io
import logging
import os
import sys
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

logger = logging.getLogger("paperfeed.server")


class _Worker(ThreadWorker):
    """gunicorn's threaded worker, quitting once, and taking new connections only with a thread free.

    Ctrl-C reaches every process of the group, so a worker gets SIGINT from the terminal and SIGQUIT
    from the master at nearly the same moment. gunicorn's handler shuts the thread pool down under a
    non-reentrant lock; the second signal, handled inside the first, deadlocked on that lock until the
    master killed the worker 30 s later. A second request to quit adds nothing, so it is ignored.

    Fair share: gunicorn lets whichever worker wakes first accept every connection waiting, so a burst
    of keep-alive connections could all land in one process, whose interpreter lock holds them to one
    core while the other process idles (the search page's popular row measured 100 % / 0 % of the
    server CPU by process, at 82 req/s against a 150 req/s CPU ceiling). A worker whose threads are
    all busy stops accepting until one is free, so the next connection goes to a worker that can
    serve it now. All of this runs on the worker's main thread (gunicorn calls it from its loop).
    """

    _quitting = False
    _busy = 0  # requests handed to the thread pool and not finished

    def handle_quit(self, sig, frame) -> None:
        if self._quitting:
            return
        self._quitting = True
        super().handle_quit(sig, frame)

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled and self._busy < self.cfg.threads)

    def enqueue_req(self, conn) -> None:
        self._busy += 1
        if self._busy >= self.cfg.threads:
            super().set_accept_enabled(False)  # gunicorn's loop asks set_accept_enabled again later
        super().enqueue_req(conn)

    def finish_request(self, conn, fs) -> None:
        self._busy -= 1
        super().finish_request(conn, fs)


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


def _warm_paths() -> list[str]:
    """What a fresh worker requests from itself: the pages people open first, and one of each kind."""
    from paperfeed.papers.models import Paper

    paths = ["/", "/trending/", "/api/daily_papers", "/feeds/daily.rss", "/static/css/paperfeed.css",
             "/search/?q=language+models"]
    newest = Paper.objects.visible().order_by("-announced", "-arxiv_id").values_list("arxiv_id", flat=True).first()
    if newest:
        paths.append(f"/papers/{newest}/")
    return paths


def _warm_search_index() -> None:
    """Warm the current search generation (search/reader.py ``Snapshot.warm``: the common acronyms'
    kept scores), so the first reader of an acronym does not pay it."""
    from paperfeed.search import reader

    snapshot = reader.current()
    if snapshot is not None:
        snapshot.warm()


def _warm_search_page() -> int:
    """The search page's parts of the newest papers: their cards (web/cardcache.py ``warm``), then
    their flattened abstracts (search/highlight.py ``warm``) in what is left of WARM_SEARCH_SECONDS.
    How many cards."""
    from django.urls import reverse

    from paperfeed.papers.models import Paper
    from paperfeed.search import highlight
    from paperfeed.web import cardcache

    started = time.thread_time()
    cards = cardcache.warm(reverse("search"))
    newest = Paper.objects.visible().order_by("-announced", "-pk").values_list("abstract", flat=True)
    chunks = (newest[at: at + 500] for at in range(0, 8192, 500))
    left = settings.WARM_SEARCH_SECONDS - (time.thread_time() - started)
    if left > 0:
        highlight.warm((abstract for chunk in chunks for abstract in chunk), left)
    return cards


def _host() -> str:
    """A Host header this deployment accepts (ALLOWED_HOSTS), preferably the site's own."""
    site = urlsplit(settings.SITE_URL).hostname or ""
    allowed = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h and h != "*"]
    if site and (site in allowed or "*" in settings.ALLOWED_HOSTS):
        return site
    return allowed[0] if allowed else "localhost"


def _request_itself(application, path: str, host: str) -> str:
    path, _, query = path.partition("?")
    secure = bool(settings.HTTPS)
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": host, "SERVER_PORT": "443" if secure else "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host, "REMOTE_ADDR": "127.0.0.1", "wsgi.version": (1, 0), "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr, "wsgi.url_scheme": "https" if secure else "http",
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    if secure:
        environ["HTTP_X_FORWARDED_PROTO"] = "https"
    status: list[str] = []
    body = application(environ, lambda line, headers, exc_info=None: status.append(line))
    try:
        for _ in body:
            pass
    finally:
        getattr(body, "close", lambda: None)()
    return status[0] if status else "no response"


def limit_blas_threads() -> None:
    """Cap numpy's BLAS threads in this serving process at ``WEB_BLAS_THREADS``.

    Why: a search multiplies its query vector by the corpus matrix, and OpenBLAS splits that over
    every core with threads that spin while idle. Requests already run side by side (processes and
    threads), so the extra BLAS threads only burnt CPU the other requests needed: on the sample a
    new query cost 48 ms of CPU with them and 18 ms without (issue 10's closing note). Worker and
    command-line processes keep the default: they run one batch job at a time.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=max(1, int(settings.WEB_BLAS_THREADS)), user_api="blas")


def warm_up(application) -> float:
    """Request the warm-up pages from the application in this process; seconds taken.

    A page that fails is logged and skipped: a cold page is better than a worker that never starts.
    """
    started = time.perf_counter()
    limit_blas_threads()
    cards = 0
    try:
        host = _host()
        for path in _warm_paths():
            status = _request_itself(application, path, host)
            if not status.startswith(("2", "3")):
                logger.warning("warm-up: %s answered %s", path, status)
        _warm_search_index()
        cards = _warm_search_page()
    except Exception:  # a broken page must not keep the worker from serving the rest
        logger.warning("warm-up failed", exc_info=True)
    finally:
        from django.db import connections

        connections.close_all()  # each serving thread opens its own
    # What the warm-up built (modules, templates, the index's kept tables, cached cards) lives as long
    # as the worker: frozen, the collector's full passes stop walking it (at 75k papers a full pass over
    # the 424k objects of a warmed search process took 245 ms, a pause in whichever request met it).
    gc.freeze()
    elapsed = time.perf_counter() - started
    print(f"paperfeed: worker {os.getpid()} warm in {elapsed * 1000:.0f} ms ({cards} search cards)", file=sys.stderr,
          flush=True)
    return elapsed


def warm_application():
    """The WSGI application, warmed up in this process (granian calls it in each worker)."""
    from paperfeed.wsgi import application

    warm_up(application)
    return application


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


def _post_worker_init(worker) -> None:
    """Warm up in a helper thread, so that the worker's main thread acts on Ctrl-C at once.

    Python runs signal handlers between bytecodes of the main thread; loading the embedder or an
    index is one long call into C, which would hold a stop back by seconds.
    """
    helper = threading.Thread(target=warm_up, args=(worker.wsgi,), name="warm-up", daemon=True)
    helper.start()
    while helper.is_alive():
        helper.join(0.05)


def _gunicorn(bind: str, workers: int, threads: int, *, threaded: bool) -> None:
    _App(
        {
            "bind": bind,
            "workers": workers,
            "threads": threads if threaded else 1,
            "worker_class": _Worker if threaded else "sync",
            "timeout": 60,
            # No 8 KB cap (gunicorn still stops at 1 MB): PAPERFEED_MAX_URL_BYTES answers 414, JSON under /api/.
            "limit_request_line": 0,
            "accesslog": "-",
            "errorlog": "-",
            "loglevel": "warning",
            "post_worker_init": _post_worker_init,
            "worker_exit": _worker_exit,
        }
    ).run()


def _granian(host: str, port: int, workers: int, threads: int) -> None:
    from granian import Granian
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    # Request lines up to 64 KB (the Rust http crate's URI limit) reach Django, which answers
    # PAPERFEED_MAX_URL_BYTES with 414; the buffer holds such a line with its headers.
    Granian("paperfeed.server:warm_application", address=host, port=port, interface=Interfaces.WSGI,
            factory=True, workers=workers, blocking_threads=threads, log_level=LogLevels.warning,
            http1_settings=HTTP1Settings(max_buffer_size=1024 * 1024), workers_kill_timeout=5).serve()


def run_server(host: str, port: int, *, workers: int = 2) -> None:
    kind, threads, workers = settings.WEB_SERVER, max(1, settings.WEB_THREADS), max(1, workers)
    print(f"paperfeed: serving on http://{host}:{port}/ with {kind}, {workers} processes"
          f"{'' if kind == 'sync' else f' × {threads} threads'}  (Ctrl-C to stop)", flush=True)
    if kind == "granian":
        _granian(host, port, workers, threads)
    else:
        _gunicorn(f"[{host}]:{port}" if ":" in host else f"{host}:{port}", workers, threads,
                  threaded=kind == "gthread")
