"""``paperfeed index``: sync the search indexes from the database, repairing any damage on the way
(``--rebuild`` recreates them regardless; ``--check`` reports damage and drift)."""

from __future__ import annotations

import dataclasses
import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Sync the search indexes incrementally, repairing any damage; --rebuild recreates them; "
            "--check verifies every file and reports drift from the database.")

    def add_arguments(self, parser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rebuild", action="store_true", help="Recreate the indexes from the database")
        group.add_argument("--check", "--verify", dest="check", action="store_true",
                           help="Check every file against its manifest and compare with the database; "
                                "exit 1 on damage or drift")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON")
        parser.add_argument("--no-progress", action="store_true", help="No progress bars")

    def handle(self, *args, **options) -> None:
        from rich.console import Console

        from paperfeed.search.sync import sync_indexes, verify_indexes

        if options["check"]:
            check = verify_indexes()
            if options["json"]:
                self.stdout.write(json.dumps({**dataclasses.asdict(check), "damaged": check.damaged,
                                              "drift": check.drift}, default=str))
            else:
                self._print_check(check)
            if check.drift:
                raise CommandError("the search index is damaged or has drifted from the database "
                                   "(run `paperfeed index`)", returncode=1)
            return
        report = sync_indexes(progress=not options["no_progress"], console=Console(stderr=True),
                              rebuild=options["rebuild"])
        if options["json"]:
            self.stdout.write(json.dumps(dataclasses.asdict(report)))

    def _print_check(self, check) -> None:
        files = check.files
        state = "whole (every checksum matches)" if files.ok else f"DAMAGED: {files.reason}"
        self.stdout.write(f"generation {files.generation} built {files.built_at}: {state}")
        self.stdout.write(
            f"database {check.db_visible} visible papers, lexical {check.lexical_docs}, "
            f"vectors {check.vector_docs}; missing {len(check.missing)}, extra {len(check.extra)}, "
            f"stale {len(check.stale)}"
        )
        for label in ("missing", "extra", "stale"):
            pks = getattr(check, label)
            if pks:
                more = f" (+{len(pks) - 20} more)" if len(pks) > 20 else ""
                self.stdout.write(f"  {label} paper ids: {', '.join(str(pk) for pk in pks[:20])}{more}")
        for problem in check.problems:
            self.stdout.write(f"  problem: {problem}")
        if not check.drift:
            self.stdout.write("  no drift")
