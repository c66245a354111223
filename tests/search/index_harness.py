"""Run as ``python -m tests.search.index_harness load N`` against the database in the environment:
stores the first N papers of the search subset (``tests/search/data``), for tests that drive real
``paperfeed index`` processes sharing one database with them."""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

SUBSET = Path(__file__).parent / "data" / "arxiv_subset.jsonl.gz"


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    from tests.factories import corpus_record, store

    command, count = argv[0], int(argv[1])
    if command != "load":
        raise SystemExit(f"unknown command {command!r}")
    with gzip.open(SUBSET, "rt", encoding="utf-8") as f:
        papers = [json.loads(line) for line in f][:count]
    store(corpus_record(p) for p in papers)
    print(len(papers))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
