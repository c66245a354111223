"""``paperfeed ingest oai|api|snapshot|hf-daily …``: every source behind one command.

Each sub-command prints a Rich progress bar and ends with the shared report (added /
updated / unchanged / rejected, first rejections). Failures that stop a whole run (an OAI
error, arXiv refusing a query, an unreadable file) become a CommandError naming the cause,
never a traceback.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Ingest papers: oai | api | snapshot | hf-daily"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="source", required=True)
        oai = sub.add_parser("oai", help="Harvest arXiv over OAI-PMH (resumes a killed harvest)")
        oai.add_argument("--set", dest="set_spec", default="", help="OAI set, e.g. cs or cs:cs:LG")
        oai.add_argument("--from", dest="from_date", help="YYYY-MM-DD (default: since the last harvest)")
        oai.add_argument("--until", help="YYYY-MM-DD")
        oai.add_argument("--prefix", default="arXiv", choices=["arXiv", "arXivRaw"], help="metadataPrefix")
        oai.add_argument("--restart", action="store_true", help="Ignore a saved resumption token")

        api = sub.add_parser("api", help="Query the arXiv API (Atom)")
        what = api.add_mutually_exclusive_group(required=True)
        what.add_argument("--query", help='arXiv search query, e.g. "cat:cs.LG AND ti:diffusion"')
        what.add_argument("--ids", help="Comma-separated arXiv ids or URLs")
        api.add_argument("--max", type=int, default=None, help="At most this many results of --query")

        snap = sub.add_parser("snapshot", help="arXiv's bulk metadata snapshot (JSON lines, plain or .gz)")
        snap.add_argument("file")
        snap.add_argument("--chunk-size", type=int, default=5000)

        hf = sub.add_parser("hf-daily", help="Hugging Face daily papers (file, or --date to fetch)")
        hf.add_argument("file", nargs="?")
        hf.add_argument("--date", help="YYYY-MM-DD: the day of a plain-array file, or the day to fetch")

        for p in (oai, api, snap, hf):
            p.add_argument("--no-progress", action="store_true", help="No progress bar (cron, logs)")

    def handle(self, *args, **options) -> None:
        from paperfeed.ingest import http

        console = Console(file=self.stderr._out)  # a terminal, or call_command(stderr=…)'s stream
        progress = not options["no_progress"]
        source = options["source"]
        try:
            report = getattr(self, f"_{source.replace('-', '_')}")(options, progress, console)
        except http.FetchError as error:
            raise CommandError(f"{source}: {error}") from None
        self.stdout.write(report.summary_line())

    def _oai(self, options, progress, console):
        from paperfeed.ingest.oai import HarvestError, harvest

        try:
            return harvest(
                options["set_spec"],
                _day(options["from_date"]) if options["from_date"] else None,
                _day(options["until"]) if options["until"] else None,
                options["prefix"],
                restart=options["restart"],
                progress=progress,
                console=console,
            )
        except HarvestError as error:
            raise CommandError(str(error)) from None

    def _api(self, options, progress, console):
        from paperfeed.ingest.api import ArxivApiError, ingest

        ids = [i for i in (options["ids"] or "").split(",") if i.strip()]
        try:
            return ingest(options["query"], ids or None, options["max"], progress=progress, console=console)
        except ArxivApiError as error:
            raise CommandError(str(error)) from None

    def _snapshot(self, options, progress, console):
        from paperfeed.ingest.snapshot import ingest_snapshot

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"snapshot: no such file: {path}")
        return ingest_snapshot(path, progress=progress, console=console, chunk_size=options["chunk_size"])

    def _hf_daily(self, options, progress, console):
        from paperfeed.ingest.hf_daily import ingest_date, ingest_file

        day = _day(options["date"]) if options["date"] else None
        if options["file"]:
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"hf-daily: no such file: {path}")
            return ingest_file(path, day=day, progress=progress, console=console)
        if day is None:
            raise CommandError("hf-daily: give a FILE or --date YYYY-MM-DD")
        return ingest_date(day, progress=progress, console=console)
