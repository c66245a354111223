"""``paperfeed digest --period daily|weekly [--date D] (--dry-run | --send)``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from paperfeed.digests import content, sending
from paperfeed.lists import ranking


class Command(BaseCommand):
    help = "Preview (--dry-run) or send (--send) the daily or weekly email digests."

    def add_arguments(self, parser):
        parser.add_argument("--period", choices=["daily", "weekly"], default="daily", help="Which digests")
        parser.add_argument("--date", help="Which day/week to cover (2026-04-02 or 2026-W14); default: the latest")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", help="Print who would get what; send nothing (default)")
        mode.add_argument("--send", action="store_true", help="Send now (each subscriber at most once per period)")

    def handle(self, *args, **options):
        frequency = options["period"]
        period = self._period(frequency, options.get("date"))
        key = content.period_key(frequency, period)
        if not options["send"]:
            rows = sending.preview(frequency, period)
            self.stdout.write(f"Dry run for {key} ({period.label}): {len(rows)} active {frequency} subscriber(s)")
            for subscription, digest, status in rows:
                self.stdout.write(
                    f"\n{subscription.email} [{status}] — {len(digest.papers)} paper(s), {len(digest.picks)} pick(s)"
                )
                for paper in digest.papers:
                    self.stdout.write(f"  {paper.arxiv_id}  ▲{paper.upvotes:<4} {paper.title[:90]}")
                for pick in digest.picks:
                    self.stdout.write(f"  {pick.paper.arxiv_id}  pick  {pick.paper.title[:70]} — {pick.reason[:60]}")
            return
        report = sending.send_digests(frequency, period)
        self.stdout.write(f"{key}: {report}")
        for error in report.errors:
            self.stderr.write(error)

    def _period(self, frequency: str, value: str | None) -> ranking.Period:
        if not value:
            return content.digest_period(frequency)
        try:
            period = ranking.parse_period(value)
        except ranking.PeriodError as error:
            raise CommandError(f"--date: {error}") from None
        expected = "day" if frequency == "daily" else "week"
        if period.kind != expected:
            raise CommandError(f"--date {value!r} is a {period.kind}; --period {frequency} needs a {expected}")
        return period
