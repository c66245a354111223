"""Screenshots of the main pages for docs/ui.md, taken in Debian's Chromium with real papers.

    python docs/screenshots/capture.py [--shared-data /work/shared/data] [--out docs/screenshots]

Why a script and not a test: screenshots are for people judging the design, they need
realistic content (real titles with LaTeX, real vote counts) and they change whenever the
CSS does, so they are regenerated on purpose, not on every test run.

It builds a throw-away hub in a temp data dir (SQLite): four recent days of Hugging Face
Daily Papers entries from the shared data (votes, code and project links) with their
arXiv categories, one member with upvotes, a public collection and a submission; serves
it with the real WSGI app (WhiteNoise serves the static files) and saves daily, paper,
trending, search (when the search page exists), profile, collection, a narrow phone-width
daily page and the daily page with JavaScript off.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PAPERFEED_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DAYS = ["2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02"]


def setup_django() -> None:
    os.environ.setdefault("PAPERFEED_DATA_DIR", tempfile.mkdtemp(prefix="pf-screens-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    os.environ.setdefault("PAPERFEED_RATELIMIT", "0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def load(shared: Path) -> dict:
    """Papers of DAYS from hf_daily_papers (votes, links), categories/comments from arxiv_daily."""
    from paperfeed.papers.models import DailyEntry, Paper
    from paperfeed.papers.records import PaperRecord
    from paperfeed.papers.upsert import upsert_papers

    items = []
    with gzip.open(shared / "hf_daily_papers.jsonl.gz", "rt") as lines:
        for line in lines:
            row = json.loads(line)
            if row["day"] in DAYS:
                items.append((date.fromisoformat(row["day"]), row["item"]))
    wanted = {item["paper"]["id"] for _, item in items}
    arxiv: dict[str, dict] = {}
    with gzip.open(shared / "arxiv_daily.jsonl.gz", "rt") as lines:
        for line in lines:
            row = json.loads(line)
            if row["id"] in wanted:
                arxiv[row["id"]] = row
    records = []
    for day, item in items:
        paper = item["paper"]
        ax = arxiv.get(paper["id"], {})
        records.append(
            PaperRecord(
                arxiv_id=paper["id"],
                title=ax.get("title") or paper["title"],
                abstract=ax.get("abstract") or paper.get("summary"),
                authors=ax.get("authors") or [a["name"] for a in paper.get("authors", [])],
                categories=ax.get("categories") or ["cs.CV"],
                comment=ax.get("comment"),
                version=1,
                published=_parse_time(paper.get("publishedAt")),
                announced=day,
                imported_upvotes=paper.get("upvotes") or 0,
                code_url=paper.get("githubRepo"),
                project_url=paper.get("projectPage"),
                source="hf_daily",
            )
        )
    result = upsert_papers(records)
    ids = dict(Paper.objects.values_list("arxiv_id", "pk"))
    submitters = {item["paper"]["id"]: (item.get("submittedBy") or {}).get("fullname", "") for _, item in items}
    DailyEntry.objects.bulk_create(
        [
            DailyEntry(
                paper_id=ids[r.arxiv_id],
                day=r.announced,
                source=DailyEntry.Source.HF,
                submitter_name=(submitters.get(r.arxiv_id) or "")[:150],
            )
            for r in records
            if r.arxiv_id in ids
        ],
        ignore_conflicts=True,
    )
    return {"papers": Paper.objects.count(), "rejected": result.rejected}


def member_activity() -> tuple[str, str]:
    """A member 'ada' with votes, a public collection and a submission; returns (username, password)."""
    from django.contrib.auth import get_user_model

    from paperfeed.accounts import collections, votes
    from paperfeed.feeds import ranking
    from paperfeed.papers.models import DailyEntry

    username, password = "ada", "screenshots-only-password-1"
    user = get_user_model().objects.create_user(username, "ada@example.org", password)
    period = ranking.parse_period(DAYS[-1])
    papers = list(ranking.listed_papers(period))
    for paper in papers[3:9]:
        votes.upvote(user, paper)
    reading = collections.create(user, "Reading group", public=True)
    for paper in papers[:4]:
        collections.add(reading, paper)
    collections.create(user, "Diffusion", public=False)
    if papers:
        entry = DailyEntry.objects.filter(paper=papers[-1], day=period.start).first()
        if entry:
            entry.source, entry.submitted_by = DailyEntry.Source.MEMBER, user
            entry.save(update_fields=["source", "submitted_by"])
    return username, password


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:  # keep the console for the report
        pass


def serve() -> tuple[WSGIServer, str]:
    from paperfeed.wsgi import application

    server = make_server("127.0.0.1", 0, application, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def shoot(base: str, out: Path, username: str, password: str) -> list[tuple[str, str]]:
    from playwright.sync_api import sync_playwright

    from paperfeed.feeds import ranking

    top = ranking.listed_papers(ranking.parse_period(DAYS[-1])).first()
    with_math = next(
        (p for p in ranking.listed_papers(ranking.parse_period(DAYS[-1])) if "$" in p.title + p.abstract), top
    )
    taken: list[tuple[str, str]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 1000})
        page = context.new_page()

        def snap(name: str, url: str, full: bool = False) -> None:
            response = page.goto(url)
            if response is None or response.status != 200:
                print(f"  skipped {name}: {url} answered {response.status if response else 'nothing'}")
                return
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / f"{name}.png"), full_page=full)
            taken.append((name, url))

        snap("daily", f"/date/{DAYS[-1]}/")
        snap("trending", "/trending/")
        snap("paper", with_math.get_absolute_url())
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state("networkidle")
        snap("daily-signed-in", f"/date/{DAYS[-1]}/")
        snap("search", "/search/?q=diffusion+video")
        snap("profile", f"/u/{username}/", full=True)
        snap("collection", f"/u/{username}/c/reading-group/")
        snap("submit", "/submit/")
        context.close()

        phone = browser.new_context(base_url=base, viewport={"width": 390, "height": 844}, device_scale_factor=2)
        page = phone.new_page()
        snap("daily-phone", f"/date/{DAYS[-1]}/")
        phone.close()

        nojs = browser.new_context(base_url=base, viewport={"width": 1280, "height": 1000}, java_script_enabled=False)
        page = nojs.new_page()
        snap("daily-no-js", f"/date/{DAYS[-1]}/")
        nojs.close()
        browser.close()
    return taken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared-data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    if not (args.shared_data / "hf_daily_papers.jsonl.gz").exists():
        print(f"capture: no hf_daily_papers.jsonl.gz under {args.shared_data} (pass --shared-data)", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"capture: Chromium not found at {CHROMIUM} (set PAPERFEED_CHROMIUM)", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    setup_django()
    loaded = load(args.shared_data)
    username, password = member_activity()
    server, base = serve()
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        taken = shoot(base, args.out, username, password)
    finally:
        server.shutdown()
    print(f"{loaded['papers']} papers loaded; saved {len(taken)} screenshots to {args.out}:")
    for name, url in taken:
        print(f"  {name}.png  {url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
