"""``ingest snapshot``: arXiv's bulk metadata JSON lines (the real first 200 lines, plain and gzipped)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from paperfeed.ingest.snapshot import ingest_snapshot
from paperfeed.papers.models import Paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample_lines(formats) -> list[str]:
    return (formats / "snapshot_sample.jsonl").read_text().splitlines()


def test_real_snapshot_lines_are_stored(formats):
    report = ingest_snapshot(formats / "snapshot_sample.jsonl", progress=False)
    assert (report.result.added, report.result.rejected) == (200, 0)
    paper = Paper.objects.get(arxiv_id="0704.0001")
    assert paper.title == ("Calculation of prompt diphoton production cross sections at Tevatron and LHC "
                           "energies")
    assert paper.authors[:2] == ["C. Balázs", "E. L. Berger"]
    assert paper.version == 2 and [v["version"] for v in paper.versions] == [1, 2]
    assert paper.published == datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert paper.announced == date(2007, 4, 2)  # no listing day in the real snapshot: v1's date
    assert paper.doi == "10.1103/PhysRevD.76.013009" and paper.primary_category == "hep-ph"


def test_gzipped_re_ingest_is_all_unchanged(formats, tmp_path):
    ingest_snapshot(formats / "snapshot_sample.jsonl", progress=False)
    stamps = dict(Paper.objects.values_list("arxiv_id", "updated_at"))
    gz = tmp_path / "snapshot.json.gz"
    gz.write_bytes(gzip.compress((formats / "snapshot_sample.jsonl").read_bytes()))
    report = ingest_snapshot(gz, progress=False)
    assert (report.result.added, report.result.updated, report.result.unchanged) == (0, 0, 200)
    assert dict(Paper.objects.values_list("arxiv_id", "updated_at")) == stamps


def test_listing_day_key_sets_announced(sample_lines, tmp_path):
    rows = [json.loads(line) for line in sample_lines[:2]]
    rows[0]["announced"] = "2007-04-04"
    rows[1]["listing_date"] = "2007-04-05"
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    ingest_snapshot(path, progress=False)
    assert dict(Paper.objects.values_list("arxiv_id", "announced")) == {
        "0704.0001": date(2007, 4, 4), "0704.0002": date(2007, 4, 5)}


def test_bad_lines_are_rejected_alone(sample_lines, tmp_path):
    rows = [json.loads(line) for line in sample_lines[:8]]
    lines = [json.dumps(r) for r in rows]
    lines[1] = lines[1][:-20]  # line 2: broken JSON
    del rows[2]["id"]
    lines[2] = json.dumps(rows[2])  # line 3: no id
    rows[3]["versions"][0]["created"] = "the day before yesterday"
    lines[3] = json.dumps(rows[3])  # line 4: bad date
    rows[4]["abstract"] = "long " * 400_000
    lines[4] = json.dumps(rows[4])  # line 5: 2 MB abstract
    rows[5]["title"] = "Nice <script>alert('x')</script> title"
    lines[5] = json.dumps(rows[5])  # line 6: script in the title
    rows[6]["announced"] = "2007-13-45"
    lines[6] = json.dumps(rows[6])  # line 7: bad listing day
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = ingest_snapshot(path, progress=False)
    assert (report.result.added, report.result.rejected) == (2, 6)
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == [rows[0]["id"], rows[7]["id"]]
    text = "\n".join(report.result.rejections)
    for expected in ("snapshot line 2: broken JSON", "snapshot line 3: id: missing",
                     f"snapshot line 4 ({rows[3]['id']}): versions: not a date",
                     f"snapshot line 5 ({rows[4]['id']}): abstract: 1,999,999 characters",
                     f"snapshot line 6 ({rows[5]['id']}): title: contains HTML markup or script",
                     f"snapshot line 7 ({rows[6]['id']}): announced: not a date"):
        assert expected in text, text


def test_command_reports_and_refuses_missing_files(formats):
    out, err = StringIO(), StringIO()
    call_command("ingest", "snapshot", str(formats / "snapshot_sample.jsonl"), stdout=out, stderr=err)
    assert out.getvalue().startswith("snapshot: added 200, updated 0, unchanged 0, rejected 0")
    assert "ingest snapshot" in err.getvalue()
    with pytest.raises(CommandError, match="no such file"):
        call_command("ingest", "snapshot", str(formats / "nope.jsonl"))
