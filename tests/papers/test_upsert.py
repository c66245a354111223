"""The rules of the one service that writes papers (see paperfeed/papers/upsert.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from paperfeed.papers.models import Paper
from paperfeed.papers.records import PaperRecord, RecordError
from paperfeed.papers.upsert import upsert_papers

pytestmark = pytest.mark.django_db

V1 = {"version": 1, "date": "2026-03-02T17:00:00+00:00"}
V2 = {"version": 2, "date": "2026-03-20T09:00:00+00:00"}


def arxiv(version: int = 1, **fields) -> PaperRecord:
    values = {
        "arxiv_id": "2603.01234",
        "title": f"Diffusion models, take {version}",
        "abstract": "We study diffusion.\n\nCode: https://github.com/example/diffusion",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "categories": ["cs.LG", "cs.AI"],
        "version": version,
        "versions": [V1, V2][:version],
        "published": datetime(2026, 3, 2, 17, tzinfo=UTC),
        "updated": datetime(2026, 3, 2, 17, tzinfo=UTC) if version == 1 else datetime(2026, 3, 20, 9, tzinfo=UTC),
        "announced": date(2026, 3, 3),
        "source": "snapshot",
        "position": f"line {version}",
    }
    values.update(fields)
    return PaperRecord(**values)


def hf(**fields) -> PaperRecord:
    values = {"arxiv_id": "2603.01234", "title": "HF's copy of the title", "abstract": "HF's abstract",
              "authors": ["A. Lovelace"], "imported_upvotes": 42, "code_url": "https://github.com/hf/repo",
              "github_stars": 7, "ai_summary": "A summary.", "ai_keywords": ["diffusion"],
              "published": datetime(2026, 3, 2, 17, tzinfo=UTC), "authoritative": False, "source": "hf-daily"}
    values.update(fields)
    return PaperRecord(**values)


def test_new_paper_is_stored_with_defaults_and_links():
    result = upsert_papers([arxiv()])
    assert (result.added, result.changed_ids) == (1, ["2603.01234"])
    paper = Paper.objects.get()
    assert paper.categories == " cs.LG cs.AI " and paper.primary_category == "cs.LG"
    assert paper.authors == ["Ada Lovelace", "Alan Turing"] and paper.versions == [V1]
    assert paper.abstract == "We study diffusion.\n\nCode: https://github.com/example/diffusion"
    assert paper.code_url == "https://github.com/example/diffusion"
    assert paper.announced == date(2026, 3, 3) and paper.hidden is False and paper.local_upvotes == 0
    assert len(paper.content_hash) == 64 and paper.created_at == paper.updated_at


def test_same_record_twice_is_unchanged_and_keeps_updated_at():
    upsert_papers([arxiv()])
    before = Paper.objects.get()
    result = upsert_papers([arxiv()])
    assert (result.added, result.updated, result.unchanged) == (0, 0, 1)
    after = Paper.objects.get()
    assert after.updated_at == before.updated_at and after.content_hash == before.content_hash


def test_unchanged_with_community_fields_present_is_still_unchanged():
    upsert_papers([arxiv()])
    upsert_papers([hf()])
    stamp = Paper.objects.get().updated_at
    result = upsert_papers([arxiv(), hf()])
    assert result.unchanged == 2 and result.updated == 0
    assert Paper.objects.get().updated_at == stamp


def test_newer_version_updates_and_appends_history():
    upsert_papers([arxiv(1)])
    stamp = Paper.objects.get().updated_at
    result = upsert_papers([arxiv(2, versions=[V2])])
    assert result.updated == 1
    paper = Paper.objects.get()
    assert paper.version == 2 and paper.title == "Diffusion models, take 2"
    assert paper.versions == [V1, V2] and paper.updated_at > stamp


def test_older_version_never_overwrites_but_its_history_is_merged():
    upsert_papers([arxiv(2, versions=[V2])])
    result = upsert_papers([arxiv(1, title="An older title")])
    paper = Paper.objects.get()
    assert paper.title == "Diffusion models, take 2" and paper.version == 2
    assert paper.versions == [V1, V2] and result.updated == 1
    assert upsert_papers([arxiv(1, title="An older title")]).unchanged == 1


def test_unversioned_views_compare_by_date():
    def oai(**fields):
        record = arxiv(1, source="oai", **fields)
        record.version = record.versions = None
        return record

    upsert_papers([oai()])
    assert upsert_papers([oai(title="Revised", updated=datetime(2026, 4, 1, tzinfo=UTC))]).updated == 1
    upsert_papers([oai(title="Stale")])
    assert Paper.objects.get().title == "Revised"


def test_withdrawn_is_flagged_never_deleted():
    upsert_papers([arxiv(1)])
    upsert_papers([arxiv(2, versions=[V2], comment="This paper has been withdrawn by the authors.")])
    paper = Paper.objects.get()
    assert paper.withdrawn is True and paper.title == "Diffusion models, take 2"
    upsert_papers([arxiv(2, versions=[V2], comment="")])
    assert Paper.objects.get().withdrawn is True


def test_hf_never_overwrites_arxiv_metadata_but_sets_community_fields():
    upsert_papers([arxiv()])
    result = upsert_papers([hf()])
    assert result.updated == 1
    paper = Paper.objects.get()
    assert paper.title == "Diffusion models, take 1" and paper.authors == ["Ada Lovelace", "Alan Turing"]
    assert paper.abstract.startswith("We study diffusion.") and paper.source == "snapshot"
    assert (paper.imported_upvotes, paper.github_stars, paper.ai_summary, paper.ai_keywords) == (
        42, 7, "A summary.", ["diffusion"])
    assert paper.code_url == "https://github.com/hf/repo"  # an explicit link beats one found in text
    assert upsert_papers([hf(imported_upvotes=40)]).unchanged == 1  # votes never go down on re-import
    assert Paper.objects.get().imported_upvotes == 42


def test_hf_creates_missing_paper_and_arxiv_replaces_it_later():
    upsert_papers([hf()])
    paper = Paper.objects.get()
    assert paper.title == "HF's copy of the title" and paper.announced == date(2026, 3, 2)
    upsert_papers([arxiv()])
    paper = Paper.objects.get()
    assert paper.title == "Diffusion models, take 1" and paper.source == "snapshot"
    assert paper.announced == date(2026, 3, 3)  # arXiv's listing day replaces the guess
    assert paper.imported_upvotes == 42


def test_hf_fills_only_what_arxiv_left_empty():
    upsert_papers([arxiv(abstract="", categories=[])])
    upsert_papers([hf(categories=["cs.CV"])])
    paper = Paper.objects.get()
    assert paper.abstract == "HF's abstract" and paper.categories == " cs.CV "
    assert paper.title == "Diffusion models, take 1"


def test_unknown_paper_from_a_record_without_title_is_rejected():
    result = upsert_papers([hf(title=None, position="line 3")])
    assert result.rejected == 1 and "line 3 (2603.01234): title: unknown paper" in result.rejections[0]
    assert not Paper.objects.exists()


def test_two_views_in_one_chunk_are_written_once():
    result = upsert_papers([arxiv(1), arxiv(2, versions=[V2])])
    assert (result.added, result.unchanged) == (1, 1)
    paper = Paper.objects.get()
    assert paper.version == 2 and paper.versions == [V1, V2]
    again = upsert_papers([arxiv(1), arxiv(2, versions=[V2])])
    assert again.updated == 0 and again.unchanged == 2


def test_bad_records_are_rejected_and_the_rest_of_the_chunk_goes_in():
    items = [
        arxiv(arxiv_id="2603.00001"),
        arxiv(arxiv_id="", position="line 2"),
        arxiv(arxiv_id="2603.00003", title="<script>alert(1)</script>", position="line 3"),
        arxiv(arxiv_id="2603.00004", abstract="x" * 2_000_000, position="line 4"),
        arxiv(arxiv_id="2603.00005", published=datetime(1066, 10, 14, tzinfo=UTC), position="line 5"),
        RecordError("snapshot", "line 6", "broken JSON: Expecting value at column 1"),
        arxiv(arxiv_id="2603.00007"),
    ]
    result = upsert_papers(items, chunk_size=3)
    assert (result.added, result.rejected) == (2, 5)
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == ["2603.00001", "2603.00007"]
    text = "\n".join(result.rejections)
    for expected in ("snapshot line 2: id: missing", "line 3 (2603.00003): title: contains HTML",
                     "line 4 (2603.00004): abstract: 2,000,000 characters", "line 5 (2603.00005): published: "
                     "implausible year 1066", "snapshot line 6: broken JSON"):
        assert expected in text


def test_times_in_other_zones_do_not_make_a_re_ingest_look_changed():
    from datetime import timedelta, timezone

    plus2 = timezone(timedelta(hours=2))
    record = lambda: arxiv(published=datetime(2026, 3, 2, 19, tzinfo=plus2))  # noqa: E731
    upsert_papers([record()])
    assert upsert_papers([record()]).unchanged == 1
    assert Paper.objects.get().published == datetime(2026, 3, 2, 17, tzinfo=UTC)


def test_many_papers_in_many_chunks():
    records = [arxiv(arxiv_id=f"2603.{i:05d}") for i in range(1, 2501)]
    result = upsert_papers(records, chunk_size=1000)
    assert result.added == 2500 and Paper.objects.count() == 2500
    assert upsert_papers(records, chunk_size=1000).unchanged == 2500


def test_dropped_category_tokens_are_counted_across_chunks():
    records = [arxiv(arxiv_id=f"2603.0{n}234", categories=["cs.LG", "I.2.6", "68T05,"], position=f"line {n}")
               for n in range(1, 6)]
    result = upsert_papers([*records, arxiv(arxiv_id="2603.09999")], chunk_size=2)
    assert (result.added, result.dropped_tokens, result.dropped_papers) == (6, 10, 5)
    assert result.dropped_examples[0] == "snapshot line 1 (2603.01234): categories: dropped 'I.2.6', '68T05,'"
    assert Paper.objects.get(arxiv_id="2603.01234").categories == " cs.LG "


def test_with_score_is_the_same_sum_as_upvotes():
    upsert_papers([arxiv(), arxiv(arxiv_id="2603.05678")])
    Paper.objects.filter(arxiv_id="2603.01234").update(imported_upvotes=7, local_upvotes=2)
    Paper.objects.filter(arxiv_id="2603.05678").update(imported_upvotes=3, local_upvotes=9)
    ranked = list(Paper.objects.with_score().order_by("-score"))
    assert [(p.arxiv_id, p.score) for p in ranked] == [("2603.05678", 12), ("2603.01234", 9)]
    assert all(p.score == p.upvotes for p in ranked)
