"""OAI-PMH harvesting against a local server serving real arXiv OAI pages and pages derived from them."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from paperfeed.ingest.models import HarvestState
from paperfeed.ingest.oai import HarvestError, harvest, parse_page
from paperfeed.papers.models import Paper
from tests.support.servers import LocalServer

from .server import OaiPages

pytestmark = pytest.mark.django_db


@pytest.fixture
def oai(formats, settings, no_sleep):
    pages = OaiPages(formats, pages=3, per_page=4)
    with LocalServer(pages) as server:
        settings.ARXIV_OAI_URL = server.url + "/oai"
        pages.server = server
        yield pages


def test_arxiv_format_page_parses_real_records(formats):
    page = parse_page((formats / "oai_listrecords_arXiv_hep-th_2017-12-14.xml").read_bytes(), 1, "arXiv")
    assert [r.arxiv_id for r in page.items] == ["1412.8323", "1507.07790", "1607.01710"]
    first = page.items[0]
    assert first.authors == ["Philipp A Hoehn"]
    assert first.categories[0] == "quant-ph" and "hep-th" in first.categories
    assert first.published.date() == date(2014, 12, 29) and first.updated.date() == date(2017, 12, 13)
    assert first.license == "http://creativecommons.org/licenses/by/4.0/"
    assert page.token == "" and page.newest_datestamp == date(2017, 12, 14)


def test_arxivraw_page_keeps_version_history(formats):
    page = parse_page((formats / "oai_listrecords_arXivRaw_page1.xml").read_bytes(), 1, "arXivRaw")
    assert len(page.items) == 6
    assert page.token == "726959|1001" and page.cursor == 0 and page.complete_list_size == 58011
    multi = [r for r in page.items if len(r.versions) > 1][0]
    assert [v["version"] for v in multi.versions] == list(range(1, len(multi.versions) + 1))
    assert multi.version == len(multi.versions)
    assert page.items[0].authors == ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"]


def test_getrecord_raw_versions_are_stored(formats):
    from lxml import etree

    from paperfeed.ingest.oai import FORMAT_NS, _raw_record

    root = etree.fromstring((formats / "oai_getrecord_arXivRaw_1302.2146.xml").read_bytes())
    meta = root.find(f".//{{{FORMAT_NS['arXivRaw']}}}arXivRaw")
    record = _raw_record(meta, "page 1 record 1")
    assert record.arxiv_id == "1302.2146" and record.version == 2
    assert record.published < record.updated


def test_paged_harvest_follows_tokens_and_saves_position(oai):
    report = harvest("cs", date(2026, 1, 1), progress=False)
    assert report.result.added == 12 and report.result.rejected == 0
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == oai.ids()
    assert [r.get("resumptionToken") for r in oai.server.requests] == [None, "tok-2", "tok-3"]
    first = oai.server.requests[0]
    assert first["metadataPrefix"] == "arXiv" and first["set"] == "cs" and first["from"] == "2026-01-01"
    state = HarvestState.objects.get(set_spec="cs", from_date="2026-01-01")
    assert state.status == "done" and state.resumption_token == ""
    assert (state.pages, state.records, state.added, state.complete_list_size) == (3, 12, 12, 12)
    again = harvest("cs", date(2026, 1, 1), progress=False)
    assert (again.result.added, again.result.updated, again.result.unchanged) == (0, 0, 12)


def test_incremental_harvest_starts_at_last_datestamp(oai):
    harvest("cs", progress=False)
    assert "from" in oai.server.requests[0]
    state = HarvestState.objects.get(set_spec="cs", from_date="")
    assert state.last_datestamp == date(2017, 12, 14)  # the records' header datestamps
    harvest("cs", progress=False)
    assert oai.server.requests[3]["from"] == "2017-12-14"


def test_503_retry_after_is_honoured(oai, no_sleep):
    oai.throttle = {2}
    report = harvest("cs", date(2026, 1, 1), progress=False)
    assert report.result.added == 12
    assert 7.0 in no_sleep
    assert [r.get("resumptionToken") for r in oai.server.requests] == [None, "tok-2", "tok-2", "tok-3"]


def test_no_records_match_is_an_empty_harvest(oai):
    report = harvest("moo", date(2026, 1, 1), progress=False)
    assert report.result.total == 0 and report.notes["empty"] == "noRecordsMatch"
    assert HarvestState.objects.get(set_spec="moo").status == "done"


def test_bad_resumption_token_says_how_to_recover(oai):
    state = HarvestState.objects.create(set_spec="cs", from_date="2026-01-01", status="running",
                                        resumption_token="expired-token", pages=1)
    with pytest.raises(HarvestError, match=r"badResumptionToken.*--restart"):
        harvest("cs", date(2026, 1, 1), progress=False)
    state.refresh_from_db()
    assert state.resumption_token == "expired-token" and "badResumptionToken" in state.error
    report = harvest("cs", date(2026, 1, 1), restart=True, progress=False)
    assert report.result.added == 12


def test_bad_argument_is_explained(oai, formats):
    oai.replace[1] = (formats / "oai_error_badArgument.xml").read_text()
    with pytest.raises(CommandError, match=r"page 1: OAI-PMH error badArgument: Verb 'ListRecords', illegal"):
        call_command("ingest", "oai", "--set", "cs", "--from", "2026-01-01", "--no-progress")
    assert HarvestState.objects.get().status == "failed"


def test_malformed_page_stops_keeps_earlier_pages_and_resumes(oai):
    oai.broken = {2}
    with pytest.raises(HarvestError, match=r"oai page 2: malformed XML"):
        harvest("cs", date(2026, 1, 1), progress=False)
    assert Paper.objects.count() == 4  # page 1 only; nothing of page 2
    state = HarvestState.objects.get()
    assert state.status == "running" and state.resumption_token == "tok-2"
    oai.broken = set()
    report = harvest("cs", date(2026, 1, 1), progress=False)
    assert report.notes["resumed"] == "yes" and report.result.added == 8
    assert Paper.objects.count() == 12


def test_bad_records_are_rejected_alone(oai):
    page = oai.page(1).decode()
    records = page.split("<record>")
    # record 1: no id; record 2: bad date; record 3: 2 MB abstract; record 4: script in the title
    records[1] = records[1].replace("<id>2601.00001</id>", "<id></id>")
    records[2] = records[2].replace("<created>", "<created>2015-13-45").replace("</created>", "x</created>", 1)
    records[3] = records[3].replace("<abstract>", "<abstract>" + "word " * 400_000, 1)
    records[4] = records[4].replace("<title>", "<title>&lt;script&gt;alert(1)&lt;/script&gt;", 1)
    oai.replace[1] = "<record>".join(records)
    report = harvest("cs", date(2026, 1, 1), progress=False)
    assert report.result.added == 8 and report.result.rejected == 4
    reasons = "\n".join(report.result.rejections)
    assert "oai page 1 record 1: id: missing" in reasons
    assert "oai page 1 record 2 (2601.00002): created: not a date" in reasons
    assert "oai page 1 record 3 (2601.00003): abstract: 2,000," in reasons and "limit 50,000" in reasons
    assert "oai page 1 record 4 (2601.00004): title: contains HTML markup or script" in reasons
    assert not Paper.objects.filter(arxiv_id__in=["2601.00002", "2601.00003", "2601.00004"]).exists()


def test_deleted_records_are_counted_not_stored(oai):
    page = oai.page(1).decode().replace("<header>", '<header status="deleted">', 1)
    oai.replace[1] = page
    report = harvest("cs", date(2026, 1, 1), progress=False)
    assert report.notes["deleted"] == 1 and report.result.added == 11


def test_command_prints_report(oai, capsys):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("ingest", "oai", "--set", "cs", "--from", "2026-01-01", stdout=out, stderr=err)
    assert out.getvalue().strip().startswith("oai: added 12, updated 0, unchanged 0, rejected 0")
    assert "added" in err.getvalue() and "12" in err.getvalue()
