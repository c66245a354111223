"""The ``paperfeed`` command: demo, serve, ingest, add, index, worker, follow-index, digest, manage.

``demo`` and ``serve`` live here; the rest are Django management commands of the app that
owns the work, so ``paperfeed ingest …`` is the same as ``paperfeed manage ingest …``.

The command line is the manual, so this module promises:

- ``paperfeed --version`` prints the installed distribution's version (pyproject is the one source).
- Every paperfeed command's help shows each option's default and ends with examples; Django's
  own options (``--settings``, ``--pythonpath``, ``-v`` …) are still accepted but not listed.
- A database that is not migrated never ends in a traceback: ``demo``, ``serve``, ``ingest``,
  ``add`` and ``index`` migrate it first; ``worker`` and ``digest`` stop with one sentence saying
  what to run (a worker started beside ``serve`` must not race serve's migrate, and a digest of
  an empty hub has nothing to send); so do the ``manage`` commands Django checks migrations for
  (createsuperuser …), and any other that trips over a missing table.
- ``demo`` serves from a fresh process (see :func:`_serve_fresh`), so Ctrl-C stops it at once.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management import ManagementUtility, get_commands, load_command_class
from django.core.management.base import DjangoHelpFormatter

from paperfeed import __version__

PROG = "paperfeed"

# paperfeed's management commands as listed in `paperfeed --help`.
DELEGATED = {
    "ingest": "Ingest papers: oai | api | snapshot | hf-daily",
    "add": "Fetch one paper from the arXiv API by id or URL",
    "index": "Sync the search indexes, repairing damage (--rebuild, --check)",
    "worker": "Run the background worker (harvests, index sync, digests)",
    "follow-index": "Keep this node's search index current from the database (one per app node)",
    "digest": "Preview or send email digests",
}

# The last lines of each command's help ("ingest oai" is the oai source of ingest).
EXAMPLES = {
    PROG: [
        ("paperfeed demo", "set up the bundled sample and serve it on http://127.0.0.1:8000"),
        ("paperfeed ingest --help", "every command explains itself the same way"),
    ],
    "demo": [
        ("paperfeed demo", "prepare ~/.local/share/paperfeed and serve it"),
        ("paperfeed demo --no-serve --data-dir /tmp/pf", "prepare another data dir, then exit"),
    ],
    "serve": [
        ("paperfeed serve --host 0.0.0.0 --port 8080 --workers 4", "listen on every interface"),
        ("PAPERFEED_DATABASE_URL=postgres://paperfeed@db/paperfeed paperfeed serve", "production"),
    ],
    "ingest": [
        ("paperfeed ingest oai --set cs --from 2026-04-01", "OAI-PMH harvest; resumable after a kill"),
        ("paperfeed ingest snapshot arxiv-metadata-oai-snapshot.json.gz", "arXiv's bulk snapshot"),
    ],
    "ingest oai": [
        ("paperfeed ingest oai --set cs --from 2026-04-01", "computer science since April 1"),
        ("paperfeed ingest oai --set cs:cs:LG --restart", "start over, ignoring a saved resumption token"),
    ],
    "ingest api": [
        ("paperfeed ingest api --query 'cat:cs.LG AND ti:diffusion' --max 200", "a search"),
        ("paperfeed ingest api --ids 2503.11731,2504.00001", "papers by id"),
    ],
    "ingest snapshot": [
        ("paperfeed ingest snapshot arxiv-metadata-oai-snapshot.json.gz", "the whole snapshot"),
        ("paperfeed ingest snapshot slice.jsonl --no-progress", "a slice, from cron"),
    ],
    "ingest hf-daily": [
        ("paperfeed ingest hf-daily --date 2026-04-02", "fetch one day from Hugging Face"),
        ("paperfeed ingest hf-daily hf_daily_papers.jsonl.gz", "daily lists with their vote counts"),
    ],
    "add": [
        ("paperfeed add 2503.11731", "the latest version"),
        ("paperfeed add https://arxiv.org/abs/hep-th/9901001", "any id or URL form"),
    ],
    "index": [
        ("paperfeed index", "add what changed since the last sync"),
        ("paperfeed index --check --json", "check the index files and compare them with the database"),
    ],
    "worker": [
        ("paperfeed worker", "exactly one per deployment"),
        ("paperfeed worker --run harvest", "queue a harvest now for the running worker"),
    ],
    "follow-index": [
        ("paperfeed follow-index", "beside `paperfeed serve` on every app node"),
        ("paperfeed follow-index --data-dir /srv/node2 --interval 2", "a node with an empty index dir catches up"),
    ],
    "digest": [
        ("paperfeed digest --period weekly --date 2026-W14", "preview a week's digests"),
        ("paperfeed digest --send", "send the latest daily digests"),
    ],
    "create_api_token": [
        ("paperfeed manage create_api_token alice --name laptop", "a token for alice, printed once"),
    ],
}

# Accepted by every Django command, meaningless to paperfeed's: not listed in their help.
DJANGO_OPTIONS = frozenset(
    {"--version", "--verbosity", "--settings", "--pythonpath", "--traceback", "--no-color", "--force-color",
     "--skip-checks"}
)
MIGRATES_FIRST = frozenset({"ingest", "add", "index"})
NEEDS_MIGRATED = frozenset({"worker", "digest", "follow-index"})
DATA_DIR_HELP = "Where the database, indexes and secret key live (PAPERFEED_DATA_DIR; default: %(default)s)"


class NotReady(Exception):
    """The database cannot serve the command; the message is the one sentence the user reads."""


def examples(name: str) -> str | None:
    """The "Examples:" block that ends the help of command ``name``."""
    if name not in EXAMPLES:
        return None
    width = max(len(command) for command, _ in EXAMPLES[name])
    lines = [f"  {command:<{width}}  # {why}" for command, why in EXAMPLES[name]]
    return "Examples:\n" + "\n".join(lines)


class ManualFormatter(argparse.HelpFormatter):
    """Shows each option's default and keeps the examples' line breaks.

    The default is appended unless the help already names one; text with line breaks is kept as
    written, a one-paragraph description is wrapped to the terminal.
    """

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "\n".join(indent + line for line in text.splitlines())
        return super()._fill_text(text, width, indent)

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if not action.option_strings or action.default in (None, False, argparse.SUPPRESS) or "default" in text:
            return text
        return f"{text} (default: %(default)s)"


class CommandFormatter(DjangoHelpFormatter, ManualFormatter):
    """The manual's formatter for Django commands (which also keeps Django's option order)."""


def _dress(parser: argparse.ArgumentParser, name: str) -> None:
    """Make a management command's parser a page of the manual: defaults, examples, no Django options.

    argparse offers no public way to walk a built parser, so this reads ``_actions``.
    """
    parser.formatter_class = CommandFormatter
    parser.epilog = examples(name)
    for action in parser._actions:
        if DJANGO_OPTIONS.intersection(action.option_strings):
            action.help = argparse.SUPPRESS
        if isinstance(action, argparse._SubParsersAction):
            for choice, subparser in action.choices.items():
                _dress(subparser, f"{name} {choice}")


class _Utility(ManagementUtility):
    """Django's command runner, with paperfeed's own commands dressed as pages of the manual."""

    def fetch_command(self, subcommand: str):
        command = super().fetch_command(subcommand)
        app = get_commands().get(subcommand)
        if isinstance(app, str) and app.startswith("paperfeed."):
            build = command.create_parser

            def create_parser(prog_name: str, name: str, **kwargs) -> argparse.ArgumentParser:
                from django.conf import settings

                parser = build(prog_name, name, **kwargs)
                parser.add_argument("--data-dir", default=str(settings.DATA_DIR), help=DATA_DIR_HELP)
                _dress(parser, name)
                return parser

            command.create_parser = create_parser
        return command


def _set_data_dir(argv: list[str]) -> list[str]:
    """Honour --data-dir anywhere on the line before Django reads its settings; return the rest."""
    out: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--data-dir":
            value = next(args, None)
            if value is None:
                out.append(arg)  # let the parser say that a value is missing
            else:
                os.environ["PAPERFEED_DATA_DIR"] = value
        elif arg.startswith("--data-dir="):
            os.environ["PAPERFEED_DATA_DIR"] = arg.split("=", 1)[1]
        else:
            out.append(arg)
    return out


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()


# --------------------------------------------------------------------------- the database


def _where() -> str:
    from django.db import connection

    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(config["NAME"])
    return f"{config['NAME']} on {config['HOST'] or 'localhost'}"


def _pending_migrations() -> int:
    """How many migrations the database lacks: all of them on a fresh data dir."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise NotReady(f"Cannot open the database at {_where()}: {reason}.") from None


def _not_ready_sentence() -> str:
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    if MigrationRecorder(connection).applied_migrations():
        return f"The database at {_where()} is behind this paperfeed: run `paperfeed manage migrate`."
    return (
        f"The database at {_where()} is not set up yet: run `paperfeed manage migrate` "
        "(or `paperfeed demo` to load the bundled sample too)."
    )


def migrate() -> None:
    """Bring the database up to date, plus the cache table the rate limits and the worker use."""
    from django.conf import settings
    from django.core.management import call_command

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)


def _ensure_database(name: str) -> None:
    """Migrate first or stop with a sentence, as the module docstring promises for ``name``."""
    if name in MIGRATES_FIRST:
        pending = _pending_migrations()
        if pending:
            print(f"paperfeed: setting up the database at {_where()} first ({pending} migrations)",
                  file=sys.stderr, flush=True)
            migrate()
    elif (name in NEEDS_MIGRATED or _checks_migrations(name)) and _pending_migrations():
        raise NotReady(_not_ready_sentence())


def _checks_migrations(name: str) -> bool:
    """Whether Django would warn about unapplied migrations before running ``name`` (createsuperuser …)."""
    app = get_commands().get(name)
    return isinstance(app, str) and load_command_class(app, name).requires_migrations_checks


def _run_django(argv: list[str], prog: str) -> int:
    """Run a management command line the way ``manage.py`` would, minus the tracebacks on a bare database."""
    from django.db import DatabaseError

    _setup()
    name = argv[0] if argv else "help"
    if not {"-h", "--help"}.intersection(argv):
        _ensure_database(name)
    try:
        _Utility([prog, *argv]).execute()
    except DatabaseError:
        if _pending_migrations():
            raise NotReady(_not_ready_sentence()) from None
        raise
    return 0


# --------------------------------------------------------------------------- demo and serve


def prepare(*, progress: bool = True) -> dict:
    """Create the data dir, migrate, load the bundled sample, build indexes. Idempotent."""
    from django.conf import settings
    from rich.console import Console

    console = Console(stderr=True)
    started = time.perf_counter()
    console.print(f"[bold]paperfeed[/] data dir: {settings.DATA_DIR}")
    migrate()
    console.print(f"  database ready ({time.perf_counter() - started:.1f}s)")
    from paperfeed.sample.loader import load_sample

    report = load_sample(progress=progress, console=console)
    from paperfeed.search.sync import sync_indexes

    sync_indexes(progress=progress, console=console)
    from paperfeed.search.mapping import draw_month

    console.print(f"  {draw_month()}")  # /map/ works at once, before the worker's first hourly run
    console.print(f"  ready in {time.perf_counter() - started:.1f}s")
    return report


def _serve_fresh(args: argparse.Namespace) -> None:
    """Replace this process by ``paperfeed serve --no-migrate`` with the same address.

    prepare() loaded ONNX Runtime (the embedder) and opened the database here. gunicorn forks its
    workers from the process that calls it; a forked worker inherits the ONNX session without the
    threads of its pool, so at exit its destructor waits for them forever, until gunicorn kills the
    worker 30 s after Ctrl-C ("Worker … was sent SIGKILL!"). A fresh interpreter forks clean workers,
    exactly as ``paperfeed serve`` does. The pid stays the same, so Ctrl-C still reaches it.
    """
    from django.db import connections

    connections.close_all()
    sys.stdout.flush()
    sys.stderr.flush()
    command = [sys.executable, "-m", "paperfeed.cli", "serve", "--no-migrate",
               "--host", args.host, "--port", str(args.port), "--workers", str(args.workers)]
    os.execv(sys.executable, command)


def _serve_options(parser: argparse.ArgumentParser) -> None:
    from django.conf import settings

    parser.add_argument("--host", default=settings.HOST, help="Address to listen on (PAPERFEED_HOST)")
    parser.add_argument("--port", type=int, default=settings.PORT, help="Port to listen on (PAPERFEED_PORT)")
    parser.add_argument("--workers", type=int, default=settings.WEB_WORKERS,
                        help="gunicorn worker processes, 4 threads each (PAPERFEED_WEB_WORKERS)")
    parser.add_argument("--data-dir", default=str(settings.DATA_DIR), help=DATA_DIR_HELP)


def _parser(command: str | None) -> argparse.ArgumentParser:
    """The top-level parser.

    Only the command about to run gets the serving options: their defaults come from settings, and
    reading settings creates the data dir, which ``paperfeed --help`` or a typo must not do.
    """
    parser = argparse.ArgumentParser(
        prog=PROG, description="A self-hosted Daily Papers hub.", epilog=examples(PROG),
        formatter_class=ManualFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    demo = sub.add_parser("demo", help="Set up on SQLite with the bundled sample and serve it",
                          description="Migrate, load the bundled sample, build the search indexes, serve. "
                                      "Running it again changes nothing and starts faster.",
                          epilog=examples("demo"), formatter_class=ManualFormatter)
    serve = sub.add_parser("serve", help="Serve the hub (migrates first)",
                           description="Serve the hub with gunicorn; migrate the database first.",
                           epilog=examples("serve"), formatter_class=ManualFormatter)
    if command in ("demo", "serve"):
        _serve_options(demo if command == "demo" else serve)
    demo.add_argument("--no-serve", action="store_true", help="Prepare everything, then exit")
    serve.add_argument("--no-migrate", action="store_true",
                       help="Do not migrate (stop with a message if the database needs it)")
    for name, help_text in DELEGATED.items():
        sub.add_parser(name, help=help_text, add_help=False)
    sub.add_parser("manage", help="Any Django management command (paperfeed manage help)", add_help=False)
    return parser


def _demo_or_serve(args: argparse.Namespace) -> int:
    _setup()
    if args.command == "demo":
        prepare()
        if args.no_serve:
            return 0
        _serve_fresh(args)
    if args.no_migrate:
        if _pending_migrations():
            raise NotReady(_not_ready_sentence())
    else:
        migrate()
    from paperfeed.server import run_server

    run_server(args.host, args.port, workers=args.workers)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = _set_data_dir(list(sys.argv[1:] if argv is None else argv))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    try:
        if argv and argv[0] in DELEGATED:
            return _run_django(argv, PROG)
        if argv and argv[0] == "manage":
            return _run_django(argv[1:], f"{PROG} manage")
        parser = _parser(argv[0] if argv else None)
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        return _demo_or_serve(args)
    except (NotReady, ImproperlyConfigured) as error:
        print(f"paperfeed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
