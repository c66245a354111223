"""``paperfeed ingest oai|api|snapshot|hf-daily …``: every source behind one command.

Each sub-command prints a Rich progress bar and ends with the shared report (added /
updated / unchanged / rejected, first rejections). Failures that stop a whole run (an OAI
error, arXiv refusing a query, an unreadable file) become a CommandError naming the cause,
never a traceback. The runs themselves are ``paperfeed.ingest.runs``; this command only parses
the arguments, asks for progress bars and prints the report.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from paperfeed.ingest import runs
from paperfeed.ingest.report import IngestReport


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Ingest papers from one source: oai | api | snapshot | hf-daily. Each run ends with a report."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="source", required=True)
        oai = sub.add_parser("oai", help="Harvest arXiv over OAI-PMH (resumes a killed harvest)")
        oai.add_argument("--set", dest="set_spec", default="", help="OAI set, e.g. cs or cs:cs:LG (default: all of arXiv)")
        oai.add_argument("--from", dest="from_date", help="YYYY-MM-DD (default: since the last harvest)")
        oai.add_argument("--until", help="YYYY-MM-DD, last day to harvest (default: up to now)")
        oai.add_argument("--prefix", default="arXiv", choices=["arXiv", "arXivRaw"], help="OAI metadataPrefix")
        oai.add_argument("--restart", action="store_true", help="Ignore a saved resumption token")

        api = sub.add_parser("api", help="Query the arXiv API (Atom)")
        what = api.add_mutually_exclusive_group(required=True)
        what.add_argument("--query", help='arXiv search query, e.g. "cat:cs.LG AND ti:diffusion" (this or --ids)')
        what.add_argument("--ids", help="Comma-separated arXiv ids or URLs (this or --query)")
        api.add_argument("--max", type=int, default=None, help="At most this many results of --query (default: all)")

        snap = sub.add_parser("snapshot", help="arXiv's bulk metadata snapshot (JSON lines, plain or .gz)")
        snap.add_argument("file", help="The snapshot file: JSON lines, plain or .gz")
        snap.add_argument("--chunk-size", type=int, default=5000, help="Papers written per database transaction")

        hf = sub.add_parser("hf-daily", help="Hugging Face daily papers (file, or --date to fetch)")
        hf.add_argument("file", nargs="?", help="JSON lines (plain or .gz) or a JSON array (default: fetch --date)")
        hf.add_argument("--date", help="YYYY-MM-DD: the day to fetch, or the day of a plain-array file (default: each item's own day)")

        for p in (oai, api, snap, hf):
            p.add_argument("--no-progress", action="store_true", help="No progress bar (cron, logs)")

    def handle(self, *args, **options) -> None:
        console = Console(file=self.stderr._out)  # a terminal, or call_command(stderr=…)'s stream
        run = getattr(self, f"_{options['source'].replace('-', '_')}")
        try:
            report = run(options, progress=not options["no_progress"], console=console)
        except runs.IngestError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(report.summary_line())

    def _oai(self, options, **shown) -> IngestReport:
        return runs.harvest_oai(options["set_spec"], _day(options["from_date"]), _day(options["until"]),
                                options["prefix"], restart=options["restart"], **shown)

    def _api(self, options, **shown) -> IngestReport:
        ids = [i for i in (options["ids"] or "").split(",") if i.strip()]
        return runs.query_api(options["query"], ids, options["max"], **shown)

    def _snapshot(self, options, **shown) -> IngestReport:
        return runs.import_snapshot(options["file"], chunk_size=options["chunk_size"], **shown)

    def _hf_daily(self, options, **shown) -> IngestReport:
        day = _day(options["date"])
        if options["file"]:
            return runs.import_hf_file(options["file"], day=day, **shown)
        if day is None:
            raise CommandError("hf-daily: give a FILE or --date YYYY-MM-DD")
        return runs.fetch_hf_day(day, **shown)
