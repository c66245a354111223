"""Screenshots of the main pages (daily, grid, paper, trending, search, profile, map) for docs/ui.md.

    python scripts/screenshots.py [--out docs/screenshots] [--data-dir DIR] [--shared-data PATH]

Prepares a demo data dir the way `paperfeed demo` does (migrate, bundled sample, indexes).
When the bundled sample is absent it imports the last --days days of real Hugging Face
daily papers from the shared test data (categories from arxiv_daily.jsonl.gz), so the
pages show real titles, authors, LaTeX and votes. A demo member "demo" upvotes and saves
a few papers. Then it serves the hub with `paperfeed serve` and drives Debian's Chromium
(Playwright, no browser download) through the pages, desktop and phone sizes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("PAPERFEED_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DEMO_PASSWORD = "demo-password-for-screenshots"


def import_hf_days(shared: Path, days: int, console) -> int:
    """Last `days` days of HF daily papers → papers (upsert_papers) + daily entries."""
    from rich.progress import Progress

    from paperfeed.papers.models import DailyEntry, Paper
    from paperfeed.papers.records import PaperRecord
    from paperfeed.papers.upsert import upsert_papers

    categories: dict[str, list[str]] = {}
    with gzip.open(shared / "arxiv_daily.jsonl.gz", "rt") as fh:
        for line in fh:
            row = json.loads(line)
            categories[row["id"]] = row["categories"]
    with gzip.open(shared / "hf_daily_papers.jsonl.gz", "rt") as fh:
        rows = [json.loads(line) for line in fh]
    # The last days whose papers arXiv's file also has, so cards carry their real categories.
    covered = sorted({r["day"] for r in rows if r["item"]["paper"]["id"] in categories})
    wanted = set(covered[-days:])
    rows = [r for r in rows if r["day"] in wanted]
    ids = {r["item"]["paper"]["id"] for r in rows}
    records, entries = [], []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Hugging Face days", total=len(rows))
        for r in rows:
            p = r["item"]["paper"]
            published = datetime.fromisoformat(p["publishedAt"].replace("Z", "+00:00")) if p.get("publishedAt") else None
            records.append(PaperRecord(
                arxiv_id=p["id"], title=p.get("title") or r["item"].get("title"), abstract=p.get("summary"),
                authors=[a["name"] for a in p.get("authors", []) if not a.get("hidden")],
                categories=categories.get(p["id"], ["cs.AI"]), published=published, updated=published,
                announced=date.fromisoformat(r["day"]), imported_upvotes=p.get("upvotes") or 0,
                code_url=p.get("githubRepo") or None, project_url=p.get("projectPage") or None,
                ai_summary=p.get("ai_summary") or None, source="hf-demo", version=1,
            ))
            by = (p.get("submittedOnDailyBy") or {}).get("user") or (r["item"].get("submittedBy") or {}).get("user") or ""
            entries.append((p["id"], date.fromisoformat(r["day"]), by))
            progress.advance(task)
    upsert_papers(records)
    pks = dict(Paper.objects.filter(arxiv_id__in=ids).values_list("arxiv_id", "pk"))
    DailyEntry.objects.bulk_create(
        [DailyEntry(paper_id=pks[i], day=d, source=DailyEntry.Source.HF, submitter_name=by)
         for i, d, by in entries if i in pks],
        ignore_conflicts=True,
    )
    return len(records)


def demo_member() -> str:
    """A member with upvotes and two collections, so the profile has something to show."""
    from django.contrib.auth import get_user_model

    from paperfeed.accounts import collections, votes
    from paperfeed.accounts.errors import CollectionExists
    from paperfeed.lists import ranking

    user, _ = get_user_model().objects.get_or_create(username="demo", defaults={"email": "demo@example.org"})
    user.set_password(DEMO_PASSWORD)
    user.save()
    papers = list(ranking.listed_papers(ranking.default_period())[:8])
    for p in papers[1:6:2]:
        votes.upvote(user, p)
    # Date the demo votes on the sample's last day, as if the hub were visited then; otherwise
    # they would be the only "recent" votes and trending would rank by them alone.
    last = ranking.latest_day()
    if last is not None:
        from paperfeed.accounts.models import Upvote

        Upvote.objects.filter(user=user).update(created_at=datetime(last.year, last.month, last.day, 18, tzinfo=UTC))
    for name, public, chosen in [("Reading group", True, papers[:3]), ("Diffusion", False, papers[3:5])]:
        try:
            shelf = collections.create(user, name, public=public)
        except CollectionExists:
            continue
        for p in chosen:
            collections.add(shelf, p)
    return papers[0].arxiv_id if papers else ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not come up in {timeout:.0f}s")


def shoot(base: str, out: Path, paper_id: str, query: str, console) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        desktop = browser.new_context(base_url=base, viewport={"width": 1280, "height": 1000}, color_scheme="light")
        page = desktop.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("demo")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(base + "/")
        shots = [
            ("daily", "/"),
            ("paper", f"/papers/{paper_id}/"),
            ("trending", "/trending/"),
            ("search", f"/search/?q={query}"),
            ("profile", "/u/demo/"),
            ("submit", "/submit/"),
            ("daily-grid", "/?layout=grid"),
            ("map", "/map/"),
        ]
        for name, url in shots:
            response = page.goto(url)
            page.wait_for_load_state("networkidle")
            if response is None or response.status >= 400:
                console.print(f"  [yellow]skip {name}[/]: {url} answered {response.status if response else '?'}")
                continue
            path = out / f"{name}.png"
            page.screenshot(path=str(path))
            saved.append(path)
        phone = browser.new_context(base_url=base, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                    is_mobile=True, has_touch=True)
        mobile = phone.new_page()
        mobile.goto("/")
        mobile.wait_for_load_state("networkidle")
        path = out / "daily-mobile.png"
        mobile.screenshot(path=str(path))
        saved.append(path)
        dark = browser.new_context(base_url=base, viewport={"width": 1280, "height": 1000}, color_scheme="dark")
        night = dark.new_page()
        night.goto(f"/papers/{paper_id}/")
        night.wait_for_load_state("networkidle")
        path = out / "paper-dark.png"
        night.screenshot(path=str(path))
        saved.append(path)
        browser.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--data-dir")
    parser.add_argument("--shared-data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--query", default="diffusion")
    args = parser.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="pf-screens-")
    os.environ["PAPERFEED_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    os.environ.setdefault("PAPERFEED_RATELIMIT", "0")
    sys.path.insert(0, str(ROOT))

    from rich.console import Console

    console = Console()
    from paperfeed.cli import _setup, prepare

    _setup()
    prepare(progress=True)
    from paperfeed.papers.models import DailyEntry

    source = "bundled sample"
    if not DailyEntry.objects.exists():
        shared = Path(args.shared_data)
        if not (shared / "hf_daily_papers.jsonl.gz").exists():
            raise SystemExit("No bundled sample and no shared data: nothing to show")
        n = import_hf_days(shared, args.days, console)
        source = f"{n} Hugging Face daily papers from {shared}"
        try:
            from paperfeed.search.sync import sync_indexes
        except ImportError:
            sync_indexes = None
        if sync_indexes is not None:
            sync_indexes(progress=True, console=console)
            from paperfeed.search.mapping import draw_month

            console.print(f"  {draw_month()}")
    paper_id = demo_member()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "paperfeed.cli", "serve", "--no-migrate", "--port", str(port), "--workers", "1"],
        env={**os.environ, "PAPERFEED_DATA_DIR": data_dir}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/")
        saved = shoot(base, Path(args.out), paper_id, args.query, console)
    finally:
        server.terminate()
        server.wait(timeout=20)
    console.print(f"[bold]screenshots[/] from {source}:")
    for path in saved:
        console.print(f"  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
