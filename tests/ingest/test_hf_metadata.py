"""What the Hugging Face data says beyond votes: organisation, GitHub repo and stars, project page,
who submitted it; and project links that only lead back to the paper, which are dropped."""

from __future__ import annotations

import copy
import gzip
import json

import pytest

from paperfeed.ingest.hf_daily import ingest_file
from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.papers.records import PaperRecord
from paperfeed.papers.upsert import upsert_papers

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def rows(fixtures) -> list[dict]:
    """Archived items with an organisation, a submitter, a repo with stars and a project page."""
    found = []
    with gzip.open(fixtures / "hf_daily_papers.jsonl.gz", "rt") as handle:
        for line in handle:
            row = json.loads(line)
            item, paper = row["item"], row["item"]["paper"]
            if (isinstance(paper.get("organization"), dict) and isinstance(item.get("submittedBy"), dict)
                    and paper.get("githubRepo") and paper.get("githubStars") is not None
                    and paper.get("projectPage") and "arxiv.org" not in paper["projectPage"]):
                found.append(row)
            if len(found) == 5:
                break
    assert len(found) == 5, "the fixture lost its complete items"
    return found


def _ingest(tmp_path, rows, name="items.jsonl") -> None:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ingest_file(str(path), progress=False)


def test_organisation_stars_repo_project_and_submitter_are_kept(rows, tmp_path):
    _ingest(tmp_path, rows)
    for row in rows:
        item, source = row["item"], row["item"]["paper"]
        paper = Paper.objects.get(arxiv_id=source["id"])
        assert paper.organization == source["organization"]["name"]
        assert paper.organization_name == source["organization"]["fullname"]
        assert paper.code_url == source["githubRepo"]
        assert paper.github_stars == source["githubStars"]
        assert paper.project_url == source["projectPage"]
        entry = DailyEntry.objects.get(paper=paper)
        assert entry.submitter_name == item["submittedBy"]["fullname"]


def test_re_import_with_organisations_changes_nothing(rows, tmp_path):
    _ingest(tmp_path, rows)
    stamps = dict(Paper.objects.values_list("arxiv_id", "updated_at"))
    _ingest(tmp_path, rows, "again.jsonl")
    assert dict(Paper.objects.values_list("arxiv_id", "updated_at")) == stamps


def test_the_item_level_organisation_is_used_when_the_paper_has_none(rows, tmp_path):
    row = copy.deepcopy(rows[0])
    org = row["item"]["paper"].pop("organization")
    row["item"]["organization"] = org
    _ingest(tmp_path, [row])
    assert Paper.objects.get(arxiv_id=row["item"]["paper"]["id"]).organization == org["name"]


def test_an_organisation_arriving_later_is_a_change():
    """The organisation columns are hashed once set (and only then: upsert.LATER_FIELDS)."""
    upsert_papers([PaperRecord(arxiv_id="2604.00001", title="T", categories=["cs.LG"], source="oai")])
    before = Paper.objects.get(arxiv_id="2604.00001").content_hash
    upsert_papers([PaperRecord(arxiv_id="2604.00001", title="T", categories=["cs.LG"], organization="org-x",
                               organization_name="Org X", source="oai")])
    after = Paper.objects.get(arxiv_id="2604.00001")
    assert after.organization_name == "Org X" and after.content_hash != before


@pytest.mark.parametrize("url", [
    "https://arxiv.org/abs/2604.09212", "https://arxiv.org/pdf/2604.09212", "https://arxiv.org/html/2604.09212v1",
    "https://huggingface.co/papers/2604.09212", "https://www.alphaxiv.org/abs/2604.09212",
])
def test_a_project_page_leading_back_to_the_paper_is_dropped(rows, tmp_path, url):
    row = copy.deepcopy(rows[0])
    row["item"]["paper"]["projectPage"] = url
    _ingest(tmp_path, [row])
    paper = Paper.objects.get(arxiv_id=row["item"]["paper"]["id"])
    assert paper.project_url == "" and paper.code_url == row["item"]["paper"]["githubRepo"]


def test_a_bogus_project_link_stored_earlier_is_cleared_by_the_next_import(rows, tmp_path):
    row = copy.deepcopy(rows[0])
    arxiv_id = row["item"]["paper"]["id"]
    _ingest(tmp_path, [row])
    Paper.objects.filter(arxiv_id=arxiv_id).update(project_url=f"https://arxiv.org/abs/{arxiv_id}", content_hash="")
    row["item"]["paper"].pop("projectPage")
    _ingest(tmp_path, [row], "again.jsonl")
    assert Paper.objects.get(arxiv_id=arxiv_id).project_url == ""
