"""The bundled sample: what it holds, that it loads through the real ingest code, idempotently."""

from __future__ import annotations

import gzip
import importlib.util
import json

import pytest

from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.sample import loader

HF_ALLOWED_ITEM = {"paper", "numComments"}
HF_ALLOWED_PAPER = {"id", "upvotes", "publishedAt", "submittedOnDailyAt", "githubRepo", "githubStars",
                    "projectPage", "title", "summary", "authors"}


def _lines(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_hf_file_holds_only_the_allowed_fields():
    arxiv_ids = {row["id"] for row in _lines(loader.ARXIV_FILE)}
    for row in _lines(loader.HF_FILE):
        item, paper = row["item"], row["item"]["paper"]
        assert set(item) <= HF_ALLOWED_ITEM and set(paper) <= HF_ALLOWED_PAPER, row
        assert "ai_summary" not in paper and "submittedBy" not in item
        if paper["id"] in arxiv_ids:  # arXiv's own text is in the arXiv file
            assert not {"title", "summary", "authors"} & set(paper)
        for author in paper.get("authors", []):
            assert set(author) == {"name"}


def test_sample_is_a_few_months_of_a_few_thousand_papers():
    rows = _lines(loader.ARXIV_FILE)
    days = sorted(row["announced"] for row in rows)
    in_period = [d for d in days if "2026-04-01" <= d <= "2026-06-30"]
    assert 3000 <= len(rows) <= 5000 and len(in_period) > 0.9 * len(rows)  # (older papers HF listed late)
    assert len({d[:7] for d in in_period}) == 3
    assert loader.ARXIV_FILE.stat().st_size + loader.HF_FILE.stat().st_size < 8_000_000


@pytest.mark.django_db
def test_sample_loads_and_a_second_load_changes_nothing():
    first = loader.load_sample(progress=False)
    assert first["rejected"] == 0 and first["added"] > 3000 and first["entries_added"] > 1000
    papers, entries = Paper.objects.count(), DailyEntry.objects.count()
    assert Paper.objects.filter(imported_upvotes__gt=0).count() > 1000
    assert Paper.objects.exclude(code_url="").exists()
    stamps = dict(Paper.objects.values_list("arxiv_id", "updated_at"))
    second = loader.load_sample(progress=False)
    assert (second["added"], second["updated"], second["rejected"], second["entries_added"]) == (0, 0, 0, 0)
    assert (Paper.objects.count(), DailyEntry.objects.count()) == (papers, entries)
    assert dict(Paper.objects.values_list("arxiv_id", "updated_at")) == stamps


def test_build_sample_is_deterministic(fixtures, tmp_path):
    """The build script on the fixture slice (one day of arXiv and Hugging Face listings), twice.

    The full-data check (rebuilding paperfeed/sample/ from the shared data folder gives the shipped
    bytes) is ``python scripts/build_sample.py --check``; it needs the full data, so no test runs it.
    """
    spec = importlib.util.spec_from_file_location("build_sample", loader.HERE.parents[1] / "scripts" / "build_sample.py")
    build_sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_sample)
    day = "2026-06-25"  # scripts/build_test_fixtures.py BUILD_DAY
    first = build_sample.build(fixtures, tmp_path / "first", day, day)
    second = build_sample.build(fixtures, tmp_path / "second", day, day)
    assert first == second
    assert (first["arxiv papers"], first["hf entries"], first["hf-only papers"]) == (33, 24, 15)
    for name in ("arxiv_sample.jsonl.gz", "hf_daily_sample.jsonl.gz"):
        data = (tmp_path / "first" / name).read_bytes()
        assert data == (tmp_path / "second" / name).read_bytes(), name
        assert data[4:8] == bytes(4), f"{name}: gzip header carries a timestamp"
