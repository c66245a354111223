"""Store a real Hugging Face daily item the way paperfeed keeps imported entries.

The paper goes through upsert_papers as a second-hand (non-authoritative) record; what has
no column of its own stays in ``DailyEntry.extra`` under Hugging Face's key names, which
is what paperfeed.api.serializers reads back.
"""

from __future__ import annotations

from datetime import date, datetime

from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.papers.records import PaperRecord
from paperfeed.papers.upsert import upsert_papers

TOP_EXTRAS = ("thumbnail", "organization", "submittedBy", "isAuthorParticipating", "mediaUrls")
PAPER_EXTRAS = ("authors", "submittedOnDailyBy", "discussionId", "githubRepoAddedBy", "ai_summary_model",
                "mediaUrls", "organization")


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def import_hf_row(row: dict) -> DailyEntry:
    item, day = row["item"], date.fromisoformat(row["day"])
    hf = item["paper"]
    record = PaperRecord(
        arxiv_id=hf["id"],
        title=hf["title"],
        abstract=hf["summary"],
        authors=[a["name"] for a in hf["authors"]],
        published=_when(hf.get("publishedAt")),
        announced=day,
        imported_upvotes=hf.get("upvotes", 0),
        code_url=hf.get("githubRepo"),
        project_url=hf.get("projectPage"),
        github_stars=hf.get("githubStars"),
        ai_summary=hf.get("ai_summary"),
        ai_keywords=hf.get("ai_keywords"),
        authoritative=False,
        source="hf-daily",
    )
    result = upsert_papers([record])
    assert not result.rejected, result.rejections
    paper = Paper.objects.get(arxiv_id=hf["id"])
    extra = {key: item[key] for key in TOP_EXTRAS if key in item}
    extra["paper"] = {key: hf[key] for key in PAPER_EXTRAS if key in hf}
    submitted_by = item.get("submittedBy") or {}
    return DailyEntry.objects.create(
        paper=paper,
        day=day,
        source=DailyEntry.Source.HF,
        submitter_name=submitted_by.get("name", ""),
        submitted_at=_when(hf.get("submittedOnDailyAt")),
        num_comments=item.get("numComments", 0),
        extra=extra,
    )
