"""``paperfeed index``: sync the search indexes from the database (``--rebuild``, ``--verify``)."""

from __future__ import annotations

import dataclasses
import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Sync the search indexes incrementally; --rebuild recreates them; --verify reports drift."

    def add_arguments(self, parser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rebuild", action="store_true", help="Recreate the indexes from the database")
        group.add_argument("--verify", action="store_true",
                           help="Compare the database and the indexes; exit 1 on any drift")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON")
        parser.add_argument("--no-progress", action="store_true", help="No progress bars")

    def handle(self, *args, **options) -> None:
        from rich.console import Console

        from paperfeed.search.sync import sync_indexes, verify_indexes

        console = Console(stderr=True)
        if options["verify"]:
            report = verify_indexes()
            if options["json"]:
                self.stdout.write(json.dumps(report, default=str))
            else:
                self.stdout.write(
                    f"generation {report['generation']}: database {report['db_visible']} visible papers, "
                    f"lexical {report['lexical_docs']}, vectors {report['vector_docs']}; "
                    f"missing {len(report['missing'])}, extra {len(report['extra'])}, stale {len(report['stale'])}"
                )
                for label in ("missing", "extra", "stale"):
                    if report[label]:
                        shown = ", ".join(str(pk) for pk in report[label][:20])
                        more = f" (+{len(report[label]) - 20} more)" if len(report[label]) > 20 else ""
                        self.stdout.write(f"  {label} paper ids: {shown}{more}")
                for problem in report["problems"]:
                    self.stdout.write(f"  drift: {problem}")
                if not report["drift"]:
                    self.stdout.write("  no drift")
            if report["drift"]:
                raise CommandError("the search index has drifted from the database "
                                   "(run `paperfeed index` or `paperfeed index --rebuild`)", returncode=1)
            return
        report = sync_indexes(progress=not options["no_progress"], console=console, rebuild=options["rebuild"])
        if options["json"]:
            self.stdout.write(json.dumps(dataclasses.asdict(report)))
