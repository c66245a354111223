"""Where each harvest stands, so a killed harvest resumes where it stopped.

One row per (source, set, metadata prefix, from, until): the OAI-PMH resumption token of the
next page to fetch, the cursor, and running counts. The row is saved in the same transaction
as the page's papers, so after ``kill -9`` the database holds either a page and the token
after it, or neither: a rerun fetches exactly the pages that are missing.
"""

from __future__ import annotations

from django.db import models


class HarvestState(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running (or killed: a rerun resumes)"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed (see error)"

    source = models.CharField(max_length=32, default="oai")
    set_spec = models.CharField(max_length=128, blank=True, help_text="OAI set; empty for all of arXiv.")
    prefix = models.CharField(max_length=32, default="arXiv", help_text="OAI metadataPrefix.")
    # ISO dates as text ("" = not given) rather than nullable dates: NULLs are distinct in a
    # unique constraint on SQLite and older PostgreSQL, and the key must be unique everywhere.
    from_date = models.CharField(max_length=10, blank=True, help_text="As asked (YYYY-MM-DD); empty = incremental.")
    until_date = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    effective_from = models.DateField(
        null=True, blank=True, help_text="The from date actually sent (incremental runs pick it)."
    )
    resumption_token = models.TextField(blank=True, help_text="Token of the next page to fetch.")
    cursor = models.PositiveIntegerField(default=0)
    complete_list_size = models.PositiveIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0, help_text="Records the repository marked deleted.")
    last_datestamp = models.DateField(
        null=True, blank=True, help_text="Newest record datestamp seen; the next incremental run starts here."
    )
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "set_spec", "prefix", "from_date", "until_date"],
                name="one_harvest_state_per_key",
            )
        ]
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        span = f"{self.from_date or 'incremental'}..{self.until_date or ''}"
        return f"{self.source} {self.set_spec or '*'} {self.prefix} {span} ({self.status})"
