"""Where a new-query search page's CPU goes, in one process: the service, the cards, the template, the rest.

    python benchmarks/search_page_parts.py [--data-dir DIR] [--warm 300] [--queries 200] [--cold-cards] [--json]

The same requests as the new-query row of benchmarks/search_page.py (2-4 title words from the
bundled sample, never repeated), made through the WSGI application the way a web worker's warm-up
requests its own pages (server.warm_up), after ``--warm`` other new queries. A worker's warm-up
also renders the search cards of the newest papers and flattens their abstracts
(``server._warm_search_page``); ``--cold-cards`` leaves that out, as a worker without it starts.
The parts are timed with the process CPU clock (the query embedding runs on the embedder's own
thread) around the functions that do them, so nested parts are inside their parents (``snippets``
and ``titles`` inside ``search()``). No cProfile: its overhead is larger than the smaller parts.

Prepares a data dir as benchmarks/search_page.py does when none is given.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _timed(spent: dict[str, float], label: str, module, name: str) -> None:
    """Replace ``module.name`` by a wrapper adding the process CPU time it took to ``spent[label]``."""
    original = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.process_time() - started

    setattr(module, name, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir")
    parser.add_argument("--warm", type=int, default=300, help="new queries asked before the measured ones")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--cold-cards", action="store_true", help="skip the worker's warm-up of cards and abstracts")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from benchmarks.search_page import prepared_data_dir, queries

    data_dir = prepared_data_dir(args.data_dir)
    os.environ.update(PAPERFEED_DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1", DJANGO_SETTINGS_MODULE="paperfeed.settings")
    import django

    django.setup()
    from paperfeed import server
    from paperfeed.search import highlight, service
    from paperfeed.web import cardcache
    from paperfeed.web.views import search as view
    from paperfeed.wsgi import application

    server.limit_blas_threads()
    asked = queries(data_dir, args.warm + args.queries, seed=3)
    spent: dict[str, float] = {}
    warm_cards = 0 if args.cold_cards else server._warm_search_page()
    for q in asked[: args.warm]:
        server._request_itself(application, f"/search/?q={quote_plus(q)}", "localhost")
    for label, module, name in (("search()", service, "search"), ("  snippets", highlight, "snippet"),
                                ("  titles", highlight, "highlight_title"), ("cards", view, "_cards"),
                                ("  card renders (misses)", cardcache, "_render"), ("template", view, "render")):
        _timed(spent, label, module, name)
    started = time.process_time()
    for q in asked[args.warm:]:
        status = server._request_itself(application, f"/search/?q={quote_plus(q)}", "localhost")
        assert status.startswith("200"), status
    total = time.process_time() - started
    parts = {label: round(1000 * spent.get(label, 0.0) / args.queries, 3) for label in
             ("search()", "  snippets", "  titles", "cards", "  card renders (misses)", "template")}
    parts["the rest (middleware, handler, view)"] = round(
        1000 * total / args.queries - parts["search()"] - parts["cards"] - parts["template"], 3)
    report = {"queries": args.queries, "warm_queries": args.warm, "warm_cards": warm_cards,
              "load_average": [round(x, 2) for x in os.getloadavg()],
              "request_cpu_ms": round(1000 * total / args.queries, 3), "parts_cpu_ms": parts}
    if args.json:
        print(json.dumps(report))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"a new-query search page in one process: {args.queries} queries after {args.warm}, "
                        f"{warm_cards} cards warmed (load average {report['load_average'][0]})")
    table.add_column("part")
    table.add_column("CPU ms / request", justify="right")
    table.add_column("share", justify="right")
    for label, ms in parts.items():
        table.add_row(label, f"{ms:.2f}", f"{ms / report['request_cpu_ms']:.0%}")
    table.add_row("whole request", f"{report['request_cpu_ms']:.2f}", "100%")
    Console(width=140).print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
