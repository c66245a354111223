"""Django set up for a benchmark: its own data dir, rate limits off; migrated when it needs the database."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def configure(data_dir: str | None, prefix: str) -> None:
    """Settings only: search code reads its knobs (SEARCH_EXACT_MAX, EMBED_THREADS) from them."""
    os.environ.setdefault("PAPERFEED_DATA_DIR", data_dir or tempfile.mkdtemp(prefix=prefix))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    os.environ.setdefault("PAPERFEED_RATELIMIT", "0")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()


def setup_django(data_dir: str | None, prefix: str) -> None:
    configure(data_dir, prefix)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
