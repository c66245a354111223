"""Django set up for a benchmark: its own data dir, migrated, rate limits off."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def setup_django(data_dir: str | None, prefix: str) -> None:
    os.environ.setdefault("PAPERFEED_DATA_DIR", data_dir or tempfile.mkdtemp(prefix=prefix))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    os.environ.setdefault("PAPERFEED_RATELIMIT", "0")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
