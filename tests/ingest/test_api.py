"""The arXiv API client against a local server serving real Atom responses (2016 and 2026 feeds)."""

from __future__ import annotations

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from paperfeed.ingest.api import ArxivApiError, fetch_feed, fetch_paper, fetch_papers, ingest
from paperfeed.papers.models import Paper
from paperfeed.papers.records import PaperRecord
from paperfeed.papers.upsert import upsert_papers
from tests.support.servers import LocalServer

pytestmark = pytest.mark.django_db


class ArxivApi:
    """Answers like export.arxiv.org/api/query from the recorded files (and pages cut from them)."""

    def __init__(self, formats):
        self.formats = formats
        self.by_id = {
            "1111.2011": "api_query_id_list_1111.2011v2_2016.xml",
            "astro-ph/0601001": "api_query_id_list_astro-ph_0601001_2026.xml",
            "1707.08567": "api_query_id_list_0808.05394_1707.08567_2026.xml",
        }
        testing = (formats / "api_query_search_testing_start0_max100_2026.xml").read_text()
        self.head, *entries = testing.split("<entry>")
        self.entries = [e.rsplit("</entry>", 1)[0] for e in entries][:25]

    def read(self, name: str) -> bytes:
        return (self.formats / name).read_bytes()

    def page(self, start: int, size: int) -> bytes:
        head = re.sub(r"<opensearch:totalResults>\d+<", f"<opensearch:totalResults>{len(self.entries)}<",
                      self.head)
        head = re.sub(r"<opensearch:startIndex>\d+<", f"<opensearch:startIndex>{start}<", head)
        body = "".join(f"<entry>{e}</entry>" for e in self.entries[start: start + size])
        return f"{head}{body}\n</feed>\n".encode()

    def __call__(self, path, params):
        atom = {"Content-Type": "application/atom+xml; charset=utf-8"}
        if "id_list" in params and params["id_list"]:
            ids = params["id_list"].split(",")
            if any(not re.match(r"^[\w./-]+$", i) or i == "abc" for i in ids):
                return 400, atom, self.read("api_query_error_id_list_abc_http400_2026.xml")
            files = [self.by_id[i] for i in ids if i in self.by_id]
            if not files:
                return 200, atom, self.read("api_query_id_list_0000.0000_empty_2026.xml")
            feed = self.read(files[0]).decode()
            for name in files[1:]:  # one feed holding every requested entry, as arXiv answers
                entries = "<entry>" + self.read(name).decode().split("<entry>", 1)[1].rsplit("</feed>", 1)[0]
                feed = feed.rsplit("</feed>", 1)[0] + entries + "</feed>\n"
            return 200, atom, feed.encode()
        query = params.get("search_query", "")
        if query == "ti:(":
            return 400, atom, self.read("api_query_error_invalid_query_http400_2026.xml")
        if query == "broken":
            return 200, atom, self.page(0, 3)[:1500]
        if query == "testing":
            return 200, atom, self.page(int(params.get("start", 0)), int(params.get("max_results", 10)))
        if query == "au:del_maestro":
            return 200, atom, self.read("api_query_search_au_del_maestro_2016.xml")
        return 200, atom, self.read("api_query_id_list_0000.0000_empty_2026.xml")


@pytest.fixture
def api(formats, settings):
    responder = ArxivApi(formats)
    with LocalServer(responder) as server:
        settings.ARXIV_API_URL = server.url + "/api/query"
        settings.ARXIV_API_DELAY = 0
        responder.server = server
        yield responder


def test_fetch_paper_from_a_2016_feed(api):
    paper = fetch_paper("arXiv:1111.2011v2")
    assert paper.title == "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    assert paper.version == 2 and [v["version"] for v in paper.versions] == [1, 2]
    assert paper.primary_category == "cond-mat.str-el" and paper.doi == "10.1103/PhysRevB.85.115117"
    assert paper.journal_ref == "Phys. Rev. B 85, 115117 (2012)"
    assert paper.authors == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert paper.published.date() == date(2011, 11, 8) and paper.updated.date() == date(2012, 4, 2)
    assert paper.abstract.startswith("Theoretical description of anisotropic systems, such as layered superconductors")
    assert api.server.requests[-1]["id_list"] == "1111.2011"


def test_fetch_paper_old_style_id_from_a_2026_feed(api):
    paper = fetch_paper("https://arxiv.org/abs/astro-ph/0601001")
    assert paper.arxiv_id == "astro-ph/0601001" and paper.category_list == ["astro-ph"]
    assert len(paper.authors) == 4 and paper.journal_ref == "ActaAstron.56:1-50,2006"


def test_unknown_paper_is_none_and_bad_id_is_refused(api):
    assert fetch_paper("2611.99999") is None
    assert not Paper.objects.exists()
    with pytest.raises(ArxivApiError, match="not an arXiv identifier"):
        fetch_paper("not an id")


def test_http_400_error_entries_are_reported(api):
    with pytest.raises(ArxivApiError, match=r"HTTP 400: incorrect id format for abc"):
        fetch_feed({"id_list": "abc"})
    with pytest.raises(ArxivApiError, match=r"HTTP 400: Invalid query string: '\('"):
        ingest("ti:(", progress=False)


def test_search_pages_through_results_keeping_the_delay(api, settings):
    settings.ARXIV_API_DELAY = 0.5
    waits: list[float] = []
    report = ingest("testing", max_results=23, page_size=10, progress=False, sleep=waits.append)
    calls = [(int(r["start"]), int(r["max_results"])) for r in api.server.requests]
    assert calls == [(0, 10), (10, 10), (20, 3)]
    assert report.result.total == 23 and report.notes["pages"] == 3
    assert report.result.added + report.result.rejected == 23
    assert len([w for w in waits if w > 0.3]) >= 2  # every call after the first waited its turn


def test_search_stops_at_the_end_of_the_results(api):
    report = ingest("testing", page_size=10, progress=False)
    assert [int(r["start"]) for r in api.server.requests] == [0, 10, 20]
    assert report.result.total == 25


def test_empty_and_malformed_feeds(api):
    assert ingest("nothing at all", progress=False).result.total == 0
    with pytest.raises(ArxivApiError, match="malformed feed"):
        ingest("broken", progress=False)


def test_newer_version_updates_and_extends_history(api):
    upsert_papers([PaperRecord(arxiv_id="1111.2011", title="Old title", version=1,
                               versions=[{"version": 1, "date": "2011-11-08T18:48:36+00:00"}], source="test")])
    result = fetch_papers(["1111.2011"])
    assert result.updated == 1
    paper = Paper.objects.get(arxiv_id="1111.2011")
    assert paper.version == 2 and paper.title.startswith("Quantum Criticality")
    assert fetch_papers(["1111.2011"]).unchanged == 1


@pytest.mark.parametrize("form", ["arXiv:1111.2011v2", "https://arxiv.org/pdf/1111.2011v2", "1111.2011"])
def test_add_command_accepts_every_form(api, form):
    out = StringIO()
    call_command("add", form, stdout=out)
    assert "Quantum Criticality for Extended Nodes" in out.getvalue()
    assert Paper.objects.filter(arxiv_id="1111.2011").exists()


def test_add_command_old_style_and_refusals(api):
    out = StringIO()
    call_command("add", "astro-ph/0601001", stdout=out)
    assert "Frequency of Hot Jupiters" in out.getvalue()
    with pytest.raises(CommandError, match="arXiv has no paper 2611.99999"):
        call_command("add", "2611.99999")
    with pytest.raises(CommandError, match="not an arXiv id or URL"):
        call_command("add", "hello")


def test_ingest_api_command_with_ids(api):
    out, err = StringIO(), StringIO()
    call_command("ingest", "api", "--ids", "1707.08567, astro-ph/0601001,not-an-id", stdout=out, stderr=err)
    assert out.getvalue().startswith("api: added 2, updated 0, unchanged 0, rejected 1")
    assert "not an arXiv identifier: 'not-an-id'" in err.getvalue()


def test_ingest_api_command_query_error_is_a_clean_message(api):
    with pytest.raises(CommandError, match="Invalid query string"):
        call_command("ingest", "api", "--query", "ti:(", "--no-progress")


def test_arxiv_unreachable_is_a_fetch_error(settings):
    import socket

    from paperfeed.ingest.http import FetchError

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.ARXIV_API_URL = f"http://127.0.0.1:{port}/api/query"
    settings.ARXIV_API_DELAY = 0
    import paperfeed.ingest.http as http

    waits = []
    original = http.time.sleep
    http.time.sleep = waits.append
    try:
        with pytest.raises(FetchError, match="gave up after"):
            fetch_paper("2611.88888")
    finally:
        http.time.sleep = original
    assert waits  # it retried politely before giving up
