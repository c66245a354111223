"""validate(), parse_date() and clean_text(): what every record goes through before upsert."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from paperfeed.papers.records import PaperRecord, RecordError, clean_text, parse_date, validate


def rec(**fields) -> PaperRecord:
    values = {"arxiv_id": "2603.01234", "title": "A title", "source": "oai", "position": "page 2 record 7"}
    values.update(fields)
    return PaperRecord(**values)


def test_ids_in_any_form_are_normalised_and_carry_their_version():
    r = validate(rec(arxiv_id="arXiv:2603.01234v3"))
    assert (r.arxiv_id, r.version) == ("2603.01234", 3)
    assert validate(rec(arxiv_id="https://arxiv.org/abs/hep-th/9901001v1")).arxiv_id == "hep-th/9901001"


@pytest.mark.parametrize(("fields", "message"), [
    ({"arxiv_id": ""}, "oai page 2 record 7: id: missing"),
    ({"arxiv_id": "1234.5"}, "id: not an arXiv identifier: '1234.5'"),
    ({"title": "  "}, "title: empty"),
    ({"title": None}, "title: missing"),
    ({"title": "Nice <img src=x onerror=alert(1)>"}, "title: contains HTML markup or script"),
    ({"abstract": "y" * 60_000}, "abstract: 60,000 characters, limit 50,000"),
    ({"authors": ["<script>x</script>"]}, "authors: contains HTML markup or script"),
    ({"categories": ["not a category"]}, "categories: not an arXiv category"),
    ({"version": 0}, "version: out of range: 0"),
    ({"published": datetime(3000, 1, 1)}, "published: implausible year 3000"),
    ({"code_url": "javascript:alert(1)"}, "code_url: not an http(s) URL"),
])
def test_bad_fields_are_named(fields, message):
    with pytest.raises(RecordError) as caught:
        validate(rec(**fields))
    assert message in str(caught.value)
    assert str(caught.value).startswith("oai page 2 record 7")


def test_second_hand_records_may_lack_a_title():
    assert validate(rec(title=None, authoritative=False)).title is None


def test_text_is_cleaned_and_withdrawn_detected():
    r = validate(rec(title="A  wrapped\n  title", abstract="  Para one\nwraps.\n\n Para two.\x07 ",
                     comment="This paper has been withdrawn", categories=["cs.LG", "cs.LG", "cs.AI"]))
    assert r.title == "A wrapped title" and r.abstract == "Para one wraps.\n\nPara two."
    assert r.withdrawn is True and r.categories == ["cs.LG", "cs.AI"]


def test_dates_become_utc_and_announced_is_not_guessed():
    from datetime import timedelta, timezone

    r = validate(rec(published=datetime(2026, 3, 2, 1, tzinfo=timezone(timedelta(hours=3)))))
    assert r.published == datetime(2026, 3, 1, 22, tzinfo=UTC) and r.announced is None
    assert validate(rec(announced=datetime(2026, 3, 3, 5))).announced == date(2026, 3, 3)


def test_parse_date_formats_and_errors():
    assert parse_date("2026-04-02T08:01:02.123Z") == datetime(2026, 4, 2, 8, 1, 2, 123000, tzinfo=UTC)
    assert parse_date("Mon, 2 Apr 2007 19:18:42 GMT") == datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert parse_date("2026-04-02") == datetime(2026, 4, 2, tzinfo=UTC)
    assert parse_date("") is None
    with pytest.raises(RecordError, match=r"hf line 3: publishedAt: not a date: 'yesterday'"):
        parse_date("yesterday", source="hf", position="line 3", field="publishedAt")


def test_clean_text():
    assert clean_text(None) == ""
    assert clean_text("a\r\nb\tc") == "a b c"
    assert clean_text("p1\n\n\np2", keep_paragraphs=True) == "p1\n\np2"


def test_non_arxiv_category_tokens_are_dropped_and_kept_aside():
    # As the arXiv API hands them: ACM classes in one term, MSC classes with their commas.
    r = validate(rec(categories=["cs.CV", "I.2.10; I.4.8", "cs.LG", "68T45,", "cs.CV", "68U10"]))
    assert r.categories == ["cs.CV", "cs.LG"]
    assert r.dropped_categories == ["I.2.10;", "I.4.8", "68T45,", "68U10"]
    # A second pass (hf-daily validates before upsert does) keeps what the first set aside.
    assert validate(r).dropped_categories == ["I.2.10;", "I.4.8", "68T45,", "68U10"]
    assert validate(rec(categories=["hep-th", "physics.optics"])).dropped_categories == []


def test_a_record_left_without_an_arxiv_category_is_refused_naming_them():
    with pytest.raises(RecordError, match=r"oai page 2 record 7 \(2603.01234\): categories: not an arXiv "
                                          r"category: 'I.4 68T45,'"):
        validate(rec(categories=["I.4", "68T45,"]))
    assert validate(rec(categories=[])).categories == []  # a source that names none is not refused
