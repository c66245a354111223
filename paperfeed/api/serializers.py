"""Papers and daily entries turned into Hugging Face's JSON shapes.

Why by hand and not ``Schema.from_orm``: most HF keys have no column of their own. Imported
entries keep what Hugging Face said in ``DailyEntry.extra`` (thumbnail, organization,
discussionId, author ids, the submitter object, …) and we pass it on, so an imported item
reads as it did on huggingface.co; for everything made here the values are derived
(stable 24-hex ids from primary keys, our users as HF user objects).

Keys read from ``DailyEntry.extra`` (top level, or under ``extra["paper"]``):
``thumbnail``, ``organization``, ``submittedBy``, ``submittedOnDailyBy``, ``discussionId``,
``isAuthorParticipating``, ``mediaUrls``, ``githubRepoAddedBy``, ``ai_summary_model``,
``authors`` (HF author objects, used when they match the paper's author list).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time
from typing import Any

from django.conf import settings
from django.urls import reverse

from paperfeed.discussions import counts as comment_counts
from paperfeed.papers.models import DailyEntry, Paper


def js_time(value: datetime | date | None) -> str | None:
    """ISO 8601 the way JavaScript's toISOString writes it (what huggingface_hub parses)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0), tzinfo=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def hex_id(*parts: int | str) -> str:
    """A stable 24-hex id (the length of HF's Mongo ids) for things that have none of their own."""
    if all(isinstance(p, int) for p in parts) and len(parts) <= 2:
        return "".join(f"{p:0{24 // len(parts)}x}"[-(24 // len(parts)):] for p in parts)
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:24]


AUTHOR_USER_KEYS = {"_id", "id", "avatarUrl", "fullname", "user", "name", "type", "isPro"}


def _hf(extra: dict | None, key: str) -> Any:
    if not isinstance(extra, dict):
        return None
    if key in extra:
        return extra[key]
    nested = extra.get("paper")
    return nested.get(key) if isinstance(nested, dict) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _organization(extra: dict | None, paper: Paper | None = None) -> dict | None:
    """As imported with the entry; else the paper's own organisation (Paper.organization)."""
    org = _hf(extra, "organization")
    if not isinstance(org, dict) or not all(isinstance(org.get(k), str) for k in ("_id", "name", "fullname")):
        if paper is not None and paper.organization:
            name = paper.organization
            return {"_id": hex_id("hf-org", name), "name": name, "fullname": paper.organization_name or name}
        return None
    out = {"_id": org["_id"], "name": org["name"], "fullname": org["fullname"]}
    if isinstance(org.get("avatar"), str):
        out["avatar"] = org["avatar"]
    return out


def _media(extra: dict | None) -> list[str] | None:
    urls = _hf(extra, "mediaUrls")
    if isinstance(urls, list) and urls and all(isinstance(u, str) for u in urls):
        return urls
    return None


def _site_user() -> dict:
    name = getattr(settings, "SITE_NAME", "paperfeed") or "paperfeed"
    return {"_id": hex_id("site", name), "avatarUrl": "", "fullname": name, "name": name, "type": "org"}


def _imported_user(extra: dict | None, entry: DailyEntry) -> dict | None:
    """The submitter as Hugging Face described it, normalised to the keys and types HF uses."""
    raw = _hf(extra, "submittedBy")
    if isinstance(raw, dict) and isinstance(raw.get("name") or raw.get("user"), str):
        name = raw.get("name") or raw.get("user")
        user = {
            "_id": _str(raw.get("_id")) or hex_id("hf-user", name),
            "avatarUrl": _str(raw.get("avatarUrl")) or "",
            "fullname": _str(raw.get("fullname")) or name,
            "name": name,
            "type": _str(raw.get("type")) or "user",
        }
        for flag in ("isPro", "isHf", "isHfAdmin", "isMod", "isUserFollowing"):
            user[flag] = raw.get(flag) if isinstance(raw.get(flag), bool) else False
        if isinstance(raw.get("followerCount"), int) and not isinstance(raw.get("followerCount"), bool):
            user["followerCount"] = raw["followerCount"]
        return user
    if entry.submitter_name:
        name = entry.submitter_name
        return {"_id": hex_id("hf-user", name), "avatarUrl": "", "fullname": name, "name": name, "type": "user"}
    return None


def submitter(entry: DailyEntry) -> dict:
    """``submittedBy``: our member, else the imported HF user, else the hub itself (admin/import)."""
    member = entry.submitted_by
    if member is not None:
        user = {
            "_id": hex_id(member.pk),
            "avatarUrl": "",
            "fullname": member.get_full_name() or member.get_username(),
            "name": member.get_username(),
            "type": "user",
            "isMod": bool(member.is_staff),
        }
    else:
        user = _imported_user(entry.extra, entry) or _site_user()
    for flag in ("isPro", "isHf", "isHfAdmin", "isMod", "isUserFollowing"):
        user.setdefault(flag, False)
    return user


def daily_submitter(entry: DailyEntry) -> dict:
    """``paper.submittedOnDailyBy``: the short form Hugging Face nests inside the paper."""
    raw = _hf(entry.extra, "submittedOnDailyBy")
    if entry.submitted_by is None and isinstance(raw, dict) and isinstance(raw.get("user"), str):
        return {
            "_id": _str(raw.get("_id")) or hex_id("hf-user", raw["user"]),
            "avatarUrl": _str(raw.get("avatarUrl")) or "",
            "isPro": raw.get("isPro") if isinstance(raw.get("isPro"), bool) else False,
            "fullname": _str(raw.get("fullname")) or raw["user"],
            "user": raw["user"],
            "type": _str(raw.get("type")) or "user",
            "name": _str(raw.get("name")) or raw["user"],
        }
    full = submitter(entry)
    return {
        "_id": full["_id"],
        "avatarUrl": full["avatarUrl"],
        "isPro": full["isPro"],
        "fullname": full["fullname"],
        "user": full["name"],
        "type": full["type"],
        "name": full["name"],
    }


def _authors(paper: Paper, extra: dict | None) -> list[dict]:
    names = [n for n in (paper.authors or []) if isinstance(n, str)]
    imported = _hf(extra, "authors")
    by_position: list[dict | None] = [None] * len(names)
    if isinstance(imported, list) and len(imported) == len(names):
        by_position = [a if isinstance(a, dict) else None for a in imported]
    out = []
    for index, name in enumerate(names):
        raw = by_position[index] or {}
        author: dict[str, Any] = {
            "_id": _str(raw.get("_id")) or hex_id(paper.pk or 0, index),
            "name": name,
            "hidden": raw.get("hidden") if isinstance(raw.get("hidden"), bool) else False,
        }
        if isinstance(raw.get("user"), dict):
            author["user"] = {k: v for k, v in raw["user"].items() if k in AUTHOR_USER_KEYS}
        for key in ("status", "statusLastChangedAt"):
            if isinstance(raw.get(key), str):
                author[key] = raw[key]
        out.append(author)
    return out


def _thumbnail_url(paper: Paper) -> str:
    """Our rendered first-page thumbnail, absolute like Hugging Face's; "" when there is none yet."""
    if not paper.thumbnail:
        return ""
    return f"{settings.SITE_URL}{reverse('thumbnail', args=[paper.arxiv_id])}"


def published_at(paper: Paper) -> str:
    return js_time(paper.published or paper.announced or paper.created_at) or js_time(datetime.now(UTC))


def paper_dict(paper: Paper, entry: DailyEntry | None = None) -> dict:
    """``item.paper`` / ``/api/papers/{id}``; submission keys only when the paper was listed."""
    extra = entry.extra if entry is not None else None
    out: dict[str, Any] = {"id": paper.arxiv_id, "authors": _authors(paper, extra)}
    if media := _media(extra):
        out["mediaUrls"] = media
    out["publishedAt"] = published_at(paper)
    if entry is not None:
        out["submittedOnDailyAt"] = js_time(entry.submitted_at or entry.day)
    out["title"] = paper.title
    if entry is not None:
        out["submittedOnDailyBy"] = daily_submitter(entry)
    out["summary"] = paper.abstract
    out["upvotes"] = paper.upvotes
    out["discussionId"] = _str(_hf(extra, "discussionId")) or hex_id(paper.pk or 0)
    if paper.project_url:
        out["projectPage"] = paper.project_url
    if paper.code_url:
        out["githubRepo"] = paper.code_url
        if added_by := _str(_hf(extra, "githubRepoAddedBy")):
            out["githubRepoAddedBy"] = added_by
    if paper.ai_summary:
        out["ai_summary"] = paper.ai_summary
    if isinstance(paper.ai_keywords, list) and paper.ai_keywords:
        out["ai_keywords"] = [k for k in paper.ai_keywords if isinstance(k, str)]
    if model := _str(_hf(extra, "ai_summary_model")):
        out["ai_summary_model"] = model
    if paper.github_stars is not None and paper.code_url:
        out["githubStars"] = paper.github_stars
    if org := _organization(extra, paper):
        out["organization"] = org
    return out


def daily_item(paper: Paper, entry: DailyEntry | None) -> dict:
    """One element of /api/daily_papers (and /api/papers/search) in Hugging Face's shape."""
    extra = entry.extra if entry is not None else None
    item: dict[str, Any] = {
        "paper": paper_dict(paper, entry),
        "publishedAt": published_at(paper),
        "title": paper.title,
        "summary": paper.abstract,
    }
    if media := _media(extra):
        item["mediaUrls"] = media
    item["thumbnail"] = _str(_hf(extra, "thumbnail")) or _thumbnail_url(paper)
    # Local visible comments (one COUNT unless the caller attached them) plus the imported count.
    item["numComments"] = comment_counts.total(paper, entry.num_comments if entry is not None else 0)
    if entry is not None:
        item["submittedBy"] = submitter(entry)
    if org := _organization(extra, paper):
        item["organization"] = org
    participating = _hf(extra, "isAuthorParticipating")
    item["isAuthorParticipating"] = participating if isinstance(participating, bool) else False
    return item
