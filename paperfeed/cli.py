"""The ``paperfeed`` command: demo, serve, ingest, add, index, worker, digest, manage.

``demo`` and ``serve`` live here; the rest are Django management commands of the app that
owns the work, so ``paperfeed ingest …`` is the same as ``paperfeed manage ingest …``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

DELEGATED = {
    "ingest": "Ingest papers: oai | api | snapshot | hf-daily",
    "add": "Fetch one paper from the arXiv API by id or URL",
    "index": "Sync the search indexes (--rebuild, --verify)",
    "worker": "Run the background worker (harvests, index sync, digests)",
    "digest": "Preview or send email digests",
}


def _set_data_dir(argv: list[str]) -> list[str]:
    """Honour --data-dir anywhere on the line before Django reads its settings."""
    out: list[str] = []
    it = iter(range(len(argv)))
    skip = False
    for i in it:
        if skip:
            skip = False
            continue
        arg = argv[i]
        if arg == "--data-dir" and i + 1 < len(argv):
            os.environ["PAPERFEED_DATA_DIR"] = argv[i + 1]
            skip = True
        elif arg.startswith("--data-dir="):
            os.environ["PAPERFEED_DATA_DIR"] = arg.split("=", 1)[1]
        else:
            out.append(arg)
    return out


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()


def _serve_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=os.environ.get("PAPERFEED_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PAPERFEED_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("PAPERFEED_WEB_WORKERS", "2")))
    parser.add_argument("--data-dir", help="Where the database, indexes and secret key live (PAPERFEED_DATA_DIR)")


def prepare(*, progress: bool = True) -> dict:
    """Create the data dir, migrate, load the bundled sample, build indexes. Idempotent."""
    from django.conf import settings
    from django.core.management import call_command
    from rich.console import Console

    console = Console(stderr=True)
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    console.print(f"[bold]paperfeed[/] data dir: {settings.DATA_DIR}")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    console.print(f"  database ready ({time.perf_counter() - started:.1f}s)")
    from paperfeed.sample.loader import load_sample

    report = load_sample(progress=progress, console=console)
    from paperfeed.search.sync import sync_indexes

    sync_indexes(progress=progress, console=console)
    console.print(f"  ready in {time.perf_counter() - started:.1f}s")
    return report


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DELEGATED:
        argv = _set_data_dir(argv)
        _setup()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["paperfeed", *argv])
        return 0
    if argv and argv[0] == "manage":
        argv = _set_data_dir(argv[1:])
        _setup()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["paperfeed", *argv])
        return 0

    parser = argparse.ArgumentParser(prog="paperfeed", description="A self-hosted Daily Papers hub.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser("demo", help="Set up on SQLite with the bundled sample and serve it")
    _serve_args(demo)
    demo.add_argument("--no-serve", action="store_true", help="Prepare everything, then exit")
    serve = sub.add_parser("serve", help="Serve the hub (migrates first)")
    _serve_args(serve)
    serve.add_argument("--no-migrate", action="store_true")
    for name, help_text in DELEGATED.items():
        sub.add_parser(name, help=help_text, add_help=False)
    sub.add_parser("manage", help="Any Django management command", add_help=False)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.data_dir:
        os.environ["PAPERFEED_DATA_DIR"] = args.data_dir
    _setup()
    if args.command == "demo":
        prepare()
        if args.no_serve:
            return 0
    elif args.command == "serve" and not args.no_migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
    from paperfeed.server import run_server

    run_server(args.host, args.port, workers=args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
