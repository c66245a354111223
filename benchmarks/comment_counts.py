"""A card list's comment counts: the per-page GROUP BY it used to run beside the kept counts, in one process.

    PAPERFEED_DATA_DIR=<a data dir, e.g. search_page.py's> python benchmarks/comment_counts.py

Takes pages of 20 of the data dir's papers and times, by the process CPU clock, the old query (one
ORM ``GROUP BY`` of the page's papers' visible comments) beside ``discussions.counts.local_counts``
(the ``comments`` token read, the counts kept per process), alternated three times.
"""

from __future__ import annotations

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
django.setup()

from django.db.models import Count  # noqa: E402

from paperfeed.discussions import counts  # noqa: E402
from paperfeed.discussions.models import Comment  # noqa: E402
from paperfeed.papers.models import Paper  # noqa: E402


def group_by(papers: list[Paper]) -> dict[int, int]:
    """The reference: what every page ran before (one query per page)."""
    pks = [p.pk for p in papers]
    return dict(Comment.objects.filter(paper_id__in=pks, deleted_at__isnull=True, hidden_at__isnull=True)
                .values_list("paper_id").annotate(n=Count("id")))


def main() -> int:
    papers = list(Paper.objects.order_by("pk")[:4000])
    pages = [papers[i:i + 20] for i in range(0, len(papers), 20)]
    print(f"{len(pages)} pages of 20, {Comment.objects.count()} comments, "
          f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for name, count in [("GROUP BY per page", group_by), ("token + kept counts", counts.local_counts)] * 3:
        assert count(pages[0]) == group_by(pages[0])
        started = time.process_time()
        for page in pages:
            count(page)
        print(f"{name:22s} {(time.process_time() - started) * 1000 / len(pages):.3f} ms CPU per page")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
