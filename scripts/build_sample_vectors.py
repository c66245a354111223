"""Embed the bundled sample once, so `paperfeed demo` builds its search index in seconds.

    python scripts/build_sample_vectors.py          # ~4,500 papers: a few minutes on 2 cores

Writes ``paperfeed/sample/vectors.f16.npy`` (n x 384 float16, L2-normalised rows) and
``paperfeed/sample/vectors.json`` (arXiv ids, the hash of each paper's embedded text, the
embedder fingerprint). Reproducible: the sample is loaded into a throwaway database by
the real loader (so the text is exactly what the database will hold), and each paper is
embedded with the shipped model. Sync uses a shipped vector only when both the text hash
and the fingerprint match, so a changed model or paper is simply embedded again.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PAPERFEED_DATA_DIR"] = tmp
        os.environ.pop("PAPERFEED_DATABASE_URL", None)  # always a private SQLite database
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
        sys.path.insert(0, str(REPO))
        import django

        django.setup()
        from django.core.management import call_command
        from rich.console import Console

        from paperfeed.papers.models import Paper
        from paperfeed.sample.loader import load_sample
        from paperfeed.search.embedder import Embedder, paper_text
        from paperfeed.search.sync import SAMPLE_DIR, text_hash, write_shipped_vectors

        console = Console(stderr=True)
        call_command("migrate", interactive=False, verbosity=0)
        load_sample(progress=True, console=console)
        rows = list(Paper.objects.visible().order_by("arxiv_id").values_list("arxiv_id", "title", "abstract"))
        embedder = Embedder.default()
        started = time.perf_counter()
        vectors = embedder.encode([paper_text(t, a) for _, t, a in rows], batch_size=32, progress=True)
        write_shipped_vectors(SAMPLE_DIR, [i for i, _, _ in rows], [text_hash(t, a) for _, t, a in rows], vectors,
                              embedder.fingerprint)
        console.print(f"{len(rows)} sample papers embedded in {time.perf_counter() - started:.0f}s "
                      f"({embedder.fingerprint}) -> {SAMPLE_DIR}/vectors.f16.npy, vectors.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
