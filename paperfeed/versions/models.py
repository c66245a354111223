"""One row per thing a cached page shows (a day's list, a paper page, trending): its current token."""

from __future__ import annotations

from django.db import models


class ContentVersion(models.Model):
    """The token of one key; a write that changes what the key names gives it a new one."""

    key = models.CharField(max_length=80, unique=True)
    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.key}={self.token}"
