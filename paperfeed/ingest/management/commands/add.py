"""``paperfeed add 2503.11731`` (or arXiv:…v2, an abs/pdf URL, hep-th/9901001): fetch one paper, print it."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from paperfeed.ingest import runs


class Command(BaseCommand):
    help = "Fetch one paper from the arXiv API, store it and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("arxiv_id", help="2503.11731, arXiv:2503.11731v2, https://arxiv.org/abs/…, hep-th/9901001")

    def handle(self, *args, **options) -> None:
        try:
            paper = runs.add_paper(options["arxiv_id"])
        except runs.IngestError as error:
            raise CommandError(str(error)) from None
        table = Table(show_header=False, title=f"{paper.arxiv_id}v{paper.version}" if paper.version else paper.arxiv_id)
        table.add_column(style="bold")
        table.add_column()
        for label, value in (
            ("title", paper.title),
            ("authors", ", ".join(paper.authors[:20]) + (" …" if len(paper.authors) > 20 else "")),
            ("categories", paper.categories.strip()),
            ("published", paper.published.date().isoformat() if paper.published else ""),
            ("updated", paper.updated.date().isoformat() if paper.updated else ""),
            ("comment", paper.comment),
            ("code", paper.code_url),
            ("abstract", paper.abstract[:600] + ("…" if len(paper.abstract) > 600 else "")),
        ):
            if value:
                table.add_row(label, value)
        Console(file=self.stdout._out, soft_wrap=False).print(table)
