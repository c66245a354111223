"""``ingest hf-daily``: real Hugging Face daily items (archive lines, API arrays, a local API server)."""

from __future__ import annotations

import gzip
import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from paperfeed.ingest.hf_daily import ingest_date, ingest_file
from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.papers.records import PaperRecord
from paperfeed.papers.upsert import upsert_papers
from tests.support.servers import LocalServer

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def hf_rows(fixtures) -> list[dict]:
    """The first 40 archived items that carry every field this import maps."""
    rows = []
    with gzip.open(fixtures / "hf_daily_papers.jsonl.gz", "rt") as handle:
        for line in handle:
            row = json.loads(line)
            paper = row["item"]["paper"]
            if len(rows) < 40 and "submittedBy" in row["item"] and "githubRepo" in paper and "ai_summary" in paper:
                rows.append(row)
    return rows


def _write(path, rows) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_items_become_papers_entries_and_votes(hf_rows, tmp_path):
    report = ingest_file(_write(tmp_path / "hf.jsonl", hf_rows), progress=False)
    ids = {r["item"]["paper"]["id"] for r in hf_rows}
    assert report.result.rejected == 0 and Paper.objects.count() == len(ids)
    assert DailyEntry.objects.count() == len({(r["item"]["paper"]["id"], r["day"]) for r in hf_rows})
    row = hf_rows[0]
    item, hf = row["item"], row["item"]["paper"]
    paper = Paper.objects.get(arxiv_id=hf["id"])
    assert paper.imported_upvotes == max(r["item"]["paper"]["upvotes"] for r in hf_rows
                                         if r["item"]["paper"]["id"] == hf["id"])
    assert paper.code_url == hf["githubRepo"] and paper.ai_summary and paper.ai_keywords == hf.get("ai_keywords", [])
    assert paper.source == "hf-daily"
    entry = DailyEntry.objects.get(paper=paper, day=date.fromisoformat(row["day"]))
    assert entry.source == "hf" and entry.submitter_name == item["submittedBy"]["fullname"]
    assert entry.num_comments == item["numComments"] and entry.extra["thumbnail"] == item["thumbnail"]


def test_re_import_is_idempotent(hf_rows, tmp_path):
    path = _write(tmp_path / "hf.jsonl", hf_rows)
    ingest_file(path, progress=False)
    stamps = dict(Paper.objects.values_list("arxiv_id", "updated_at"))
    entries = DailyEntry.objects.count()
    again = ingest_file(path, progress=False)
    assert again.result.added == again.result.updated == 0
    assert again.notes["entries added"] == again.notes["entries updated"] == 0
    assert DailyEntry.objects.count() == entries
    assert dict(Paper.objects.values_list("arxiv_id", "updated_at")) == stamps


def test_hf_never_overwrites_arxiv_metadata(hf_rows, tmp_path):
    hf = hf_rows[0]["item"]["paper"]
    upsert_papers([PaperRecord(arxiv_id=hf["id"], title="arXiv's own title", abstract="arXiv's abstract",
                               authors=["A. Author"], categories=["cs.CL"], source="oai")])
    ingest_file(_write(tmp_path / "hf.jsonl", hf_rows[:1]), progress=False)
    paper = Paper.objects.get(arxiv_id=hf["id"])
    assert (paper.title, paper.abstract, paper.authors, paper.source) == (
        "arXiv's own title", "arXiv's abstract", ["A. Author"], "oai")
    assert paper.imported_upvotes == hf["upvotes"]


def test_plain_array_takes_the_given_day(hf_rows, tmp_path):
    path = tmp_path / "day.json"
    path.write_text(json.dumps([r["item"] for r in hf_rows[:5]]))
    ingest_file(str(path), day=date(2026, 4, 2), progress=False)
    assert set(DailyEntry.objects.values_list("day", flat=True)) == {date(2026, 4, 2)}


def test_date_is_fetched_from_the_configured_url(hf_rows, settings):
    body = json.dumps([r["item"] for r in hf_rows[:3]]).encode()
    with LocalServer(lambda path, params: (200, {"Content-Type": "application/json"}, body)) as server:
        settings.HF_DAILY_URL = server.url + "/api/daily_papers"
        report = ingest_date(date(2026, 4, 2), progress=False)
        assert server.requests == [{"path": "/api/daily_papers", "date": "2026-04-02"}]
    assert report.notes["entries added"] == 3


def test_bad_items_are_rejected_alone(hf_rows, tmp_path):
    rows = json.loads(json.dumps(hf_rows[:8]))
    lines = [json.dumps(r) for r in rows]
    lines[1] = "{not json"
    del rows[2]["item"]["paper"]["id"]
    lines[2] = json.dumps(rows[2])
    rows[3]["item"]["paper"]["publishedAt"] = "sometime in spring"
    lines[3] = json.dumps(rows[3])
    rows[4]["item"]["paper"]["upvotes"] = "many"
    lines[4] = json.dumps(rows[4])
    rows[5]["item"]["paper"]["id"] = "2612.99991"  # a new paper, so its own text is stored …
    rows[5]["item"]["paper"]["summary"] = "long " * 400_000  # … and this 2 MB abstract refused
    lines[5] = json.dumps(rows[5])
    rows[6]["item"]["paper"]["id"] = "2612.99992"
    rows[6]["item"]["paper"]["title"] = "<iframe src=//evil>"
    lines[6] = json.dumps(rows[6])
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines))
    report = ingest_file(str(path), progress=False)
    text = "\n".join(report.result.rejections)
    assert report.result.rejected == 6, text
    for expected in ("hf-daily line 2: broken JSON", "hf-daily line 3: paper.id: missing",
                     "hf-daily line 4", "publishedAt: not a date", "hf-daily line 5", "upvotes",
                     "hf-daily line 6 (2612.99991): abstract: 1,999,999 characters",
                     "hf-daily line 7 (2612.99992): title: contains HTML markup or script"):
        assert expected in text, text
    assert not Paper.objects.filter(arxiv_id__startswith="2612.9999").exists()
    good = {rows[0]["item"]["paper"]["id"], rows[7]["item"]["paper"]["id"]}
    assert good <= set(Paper.objects.values_list("arxiv_id", flat=True))


def test_command(hf_rows, tmp_path):
    out, err = StringIO(), StringIO()
    call_command("ingest", "hf-daily", _write(tmp_path / "hf.jsonl", hf_rows[:4]), stdout=out, stderr=err)
    assert out.getvalue().startswith("hf-daily: added")
    with pytest.raises(CommandError, match="give a FILE or --date"):
        call_command("ingest", "hf-daily")
