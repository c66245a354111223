"""ACM/MSC classes among the categories: dropped and counted, the paper still goes in.

The records are real lines of ``arxiv_daily.jsonl.gz`` (abstracts cut to their first
sentence, authors to three), whose category lists carry ACM classes ("I.4", "I.2.10;") and
MSC classes ("68T45", "68U10,") as arXiv's feeds hand them out, plus one stray "na". Each
test feeds them through one source's own parser: a snapshot file, an OAI-PMH page in the
``arXiv`` format, an arXiv API Atom feed.
"""

from __future__ import annotations

import json
from html import escape
from io import StringIO

import feedparser
import pytest
from rich.console import Console

from paperfeed.ingest import api, oai
from paperfeed.ingest.report import IngestReport, print_report
from paperfeed.ingest.snapshot import ingest_snapshot
from paperfeed.papers.models import Paper
from paperfeed.papers.upsert import upsert_papers

pytestmark = pytest.mark.django_db

REAL = [
    {"id": "2503.11731", "title": "Industrial-Grade Sensor Simulation via Gaussian Splatting: A Modular Framework for "
     "Scalable Editing and Full-Stack Validation", "authors": ["Xianming Zeng", "Sicong Du", "Qifeng Chen"],
     "categories": ["cs.CV", "cs.RO"], "abstract": "Sensor simulation is pivotal for scalable validation of "
     "autonomous driving systems."},
    {"id": "2503.12260", "title": "Enhancing Facial Expression Recognition through Dual-Direction Attention Mixed "
     "Feature Networks and CLIP: Application to 8th ABAW Challenge",
     "authors": ["Josep Cabacas-Maso", "Elena Ortega-Beltrán", "Ismael Benito-Altamirano"],
     "categories": ["cs.CV", "I.4"], "abstract": "We present our contribution to the 8th ABAW challenge at CVPR 2025."},
    {"id": "2503.12780", "title": "LangDA: Building Context-Awareness via Language for Domain Adaptive Semantic "
     "Segmentation", "authors": ["Chang Liu", "Bavesh Balaji", "Saad Hossain"],
     "categories": ["cs.CV", "cs.AI", "cs.LG", "eess.IV", "stat.ML", "68Txx", "I.2.1"],
     "abstract": "Unsupervised domain adaptation for semantic segmentation (DASS) aims to transfer knowledge."},
    {"id": "2503.13354", "title": "Parameter-free structure-texture image decomposition by unrolling",
     "authors": ["Laura Girometti", "Jean-François Aujol", "Antoine Guennec"],
     "categories": ["cs.CV", "cs.NA", "eess.IV", "math.NA", "68U10, 90C26"],
     "abstract": "In this work, we propose a parameter-free and efficient method."},
    {"id": "2503.11954", "title": "Goal-Oriented Source Coding using LDPC Codes for Compressed-Domain Image "
     "Classification", "authors": ["Ahcen Aliouat", "Elsa Dupraz"],
     "categories": ["eess.IV", "cs.AI", "cs.CV", "cs.IT", "cs.LG", "math.IT", "94A29, 94A08, 94B05, 68T01, 68P30",
                    "I.4.2; E.4; I.2.10; I.5.4; I.5.1; I.4.1"],
     "abstract": "In the emerging field of goal-oriented communications, the focus has shifted."},
    {"id": "2503.12180", "title": "Bench2FreeAD: A Benchmark for Vision-based End-to-end Navigation in Unstructured "
     "Robotic Environments", "authors": ["Yuhang Peng", "Sidong Wang", "Jihaoyu Yang"],
     "categories": ["cs.RO", "cs.CV", "68T45"], "abstract": "Most current end-to-end autonomous driving algorithms "
     "are built on standard vehicles."},
    {"id": "2505.21558", "title": "A Novel Convolutional Neural Network-Based Framework for Complex Multiclass "
     "Brassica Seed Classification", "authors": ["Elhoucine Elfatimia", "Recep Eryigitb", "Lahcen Elfatimi"],
     "categories": ["cs.CV", "cs.AI", "cs.LG", "na"],
     "abstract": "Agricultural research has accelerated in recent years."},
]
# Whitespace-separated tokens that are not arXiv categories: 1 + 2 + 2 + 11 + 1 + 1, in six papers.
DROPPED_TOKENS, DROPPED_PAPERS = 18, 6
KEPT = {"2503.12260": " cs.CV ", "2503.13354": " cs.CV cs.NA eess.IV math.NA ",
        "2503.11954": " eess.IV cs.AI cs.CV cs.IT cs.LG math.IT ", "2505.21558": " cs.CV cs.AI cs.LG "}


def _assert_stored_with_arxiv_categories_only(result) -> None:
    assert (result.added, result.rejected) == (len(REAL), 0), result.rejections
    assert (result.dropped_tokens, result.dropped_papers) == (DROPPED_TOKENS, DROPPED_PAPERS)
    stored = dict(Paper.objects.values_list("arxiv_id", "categories"))
    for arxiv_id, categories in KEPT.items():
        assert stored[arxiv_id] == categories


def _snapshot_line(row: dict) -> str:
    # Joined by spaces, as arXiv's snapshot (and the bundled sample's builder) writes them.
    return json.dumps({"id": row["id"], "title": row["title"], "authors": ", ".join(row["authors"]),
                       "categories": " ".join(row["categories"]), "abstract": row["abstract"],
                       "versions": [{"version": "v1", "created": "Tue, 18 Mar 2025 17:59:59 GMT"}]},
                      ensure_ascii=False)


def test_snapshot_keeps_the_papers_and_reports_the_dropped_tokens(tmp_path):
    path = tmp_path / "snapshot.jsonl"
    path.write_text("\n".join(_snapshot_line(row) for row in REAL) + "\n", encoding="utf-8")
    report = ingest_snapshot(path, progress=False)
    _assert_stored_with_arxiv_categories_only(report.result)
    assert report.summary_line().startswith(
        "snapshot: added 7, updated 0, unchanged 0, rejected 0, dropped 18 non-arXiv category tokens in 6 papers")
    assert report.as_dict()["dropped_category_tokens"] == DROPPED_TOKENS
    assert report.result.dropped_examples[0] == "snapshot line 2 (2503.12260): categories: dropped 'I.4'"

    out = StringIO()
    print_report(report, Console(file=out, width=200))
    text = out.getvalue()
    assert "Dropped 18 non-arXiv category tokens in 6 papers" in text
    assert "snapshot line 3 (2503.12780): categories: dropped '68Txx', 'I.2.1'" in text
    assert "snapshot line 5 (2503.11954): categories: dropped '94A29,', '94A08,', '94B05,', '68T01,', '68P30' " \
           "and 6 more" in text


def _oai_page(rows: list[dict]) -> bytes:
    records = "".join(
        f"<record><header><identifier>oai:arXiv.org:{r['id']}</identifier><datestamp>2025-03-19</datestamp>"
        f"</header><metadata><arXiv xmlns=\"http://arxiv.org/OAI/arXiv/\"><id>{r['id']}</id>"
        f"<created>2025-03-15</created><authors><author><keyname>{escape(r['authors'][0])}</keyname></author>"
        f"</authors><title>{escape(r['title'])}</title><categories>{escape(' '.join(r['categories']))}"
        f"</categories><abstract>{escape(r['abstract'])}</abstract></arXiv></metadata></record>"
        for r in rows
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
            f"<responseDate>2025-03-19T00:00:00Z</responseDate><ListRecords>{records}</ListRecords></OAI-PMH>"
            ).encode()


def test_oai_page_keeps_the_papers_and_counts_the_dropped_tokens():
    page = oai.parse_page(_oai_page(REAL), 1, "arXiv")
    result = upsert_papers(page.items)
    _assert_stored_with_arxiv_categories_only(result)
    assert result.dropped_examples[-1] == "oai page 1 record 7 (2505.21558): categories: dropped 'na'"


def _atom_feed(rows: list[dict]) -> bytes:
    entries = "".join(
        f"<entry><id>http://arxiv.org/abs/{r['id']}v1</id><updated>2025-03-15T10:00:00Z</updated>"
        f"<published>2025-03-15T10:00:00Z</published><title>{escape(r['title'])}</title>"
        f"<summary>{escape(r['abstract'])}</summary><author><name>{escape(r['authors'][0])}</name></author>"
        f'<arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="{r["categories"][0]}" '
        f'scheme="http://arxiv.org/schemas/atom"/>'
        + "".join(f'<category term="{escape(c)}" scheme="http://arxiv.org/schemas/atom"/>' for c in r["categories"])
        + "</entry>"
        for r in rows
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'.encode()


def test_api_feed_keeps_the_papers_and_counts_the_dropped_tokens():
    records = [api.entry_to_record(entry, f"page 1 entry {n}")
               for n, entry in enumerate(feedparser.parse(_atom_feed(REAL)).entries, start=1)]
    # The API hands a class list as one term ("68U10, 90C26"); tokens are still counted one by one.
    assert records[3].categories[-1] == "68U10, 90C26"
    result = upsert_papers(records)
    _assert_stored_with_arxiv_categories_only(result)
    assert result.dropped_examples[2] == "api page 1 entry 4 (2503.13354): categories: dropped '68U10,', '90C26'"


def test_a_paper_left_without_any_arxiv_category_is_rejected_by_name():
    only_classes = {**REAL[1], "categories": ["I.4", "68T45"]}
    result = upsert_papers(oai.parse_page(_oai_page([only_classes]), 1, "arXiv").items)
    assert (result.added, result.rejected, result.dropped_tokens) == (0, 1, 0)
    assert result.rejections == ["oai page 1 record 1 (2503.12260): categories: not an arXiv category: 'I.4 68T45'"]


def test_a_report_without_dropped_tokens_says_nothing_about_them():
    report = IngestReport("snapshot")
    report.result = upsert_papers(
        oai.parse_page(_oai_page([REAL[0]]), 1, "arXiv").items)
    assert "dropped" not in report.summary_line()
    assert report.as_dict()["dropped_category_tokens"] == 0
