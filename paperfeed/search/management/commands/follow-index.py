"""``paperfeed follow-index``: this node's index follower (see :mod:`paperfeed.search.follower`).

Run one per app node, beside its ``paperfeed serve``; it is the only writer of the node's
``INDEX_DIR`` besides ``paperfeed index``. SIGTERM or Ctrl-C stops it between passes.
"""

from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Keep this node's search index current from the database: sync whenever it changed, "
            "build it first when the index dir is empty.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=None,
                            help="Seconds between checks (PAPERFEED_FOLLOW_INTERVAL, default 5)")
        parser.add_argument("--passes", type=int, default=None,
                            help="Stop after this many checks (default: run until stopped)")

    def handle(self, *args, **options) -> None:
        from paperfeed.search.follower import Follower

        interval = options["interval"] if options["interval"] is not None else settings.FOLLOW_INTERVAL
        if interval <= 0:
            raise CommandError("--interval must be a positive number of seconds")
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
        self.stdout.write(f"following the database into {settings.INDEX_DIR} every {interval:g}s")
        self.stdout.flush()

        def report(sync_report) -> None:
            self.stdout.write(f"generation {sync_report.generation}: {sync_report}")
            self.stdout.flush()

        Follower().run(interval, stop, report, passes=options["passes"])
        self.stdout.write("index follower stopped")
