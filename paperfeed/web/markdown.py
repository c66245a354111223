"""A paper as Markdown (GET /papers/<id>.md), the way huggingface.co serves papers to tools and LLMs.

Plain text is served as text/markdown with nosniff, so nothing in it is ever run; the title
and abstract are copied as they are (LaTeX included), only line breaks are normalised.
"""

from __future__ import annotations

from paperfeed.papers.models import DailyEntry, Paper


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def render(paper: Paper, entries: list[DailyEntry], site_url: str) -> str:
    lines = [f"# {_one_line(paper.title)}", ""]
    lines.append(f"- arXiv: [{paper.arxiv_id}]({paper.abs_url})" + (f" (v{paper.version})" if paper.version else ""))
    lines.append(f"- PDF: {paper.pdf_url}")
    if paper.authors:
        lines.append(f"- Authors: {', '.join(_one_line(a) for a in paper.authors)}")
    if paper.category_list:
        lines.append(f"- Categories: {', '.join(paper.category_list)}")
    if paper.published:
        lines.append(f"- Published: {paper.published.date().isoformat()}")
    if paper.updated and paper.updated != paper.published:
        lines.append(f"- Updated: {paper.updated.date().isoformat()}")
    if paper.code_url:
        lines.append(f"- Code: {paper.code_url}")
    if paper.project_url:
        lines.append(f"- Project page: {paper.project_url}")
    if paper.doi:
        lines.append(f"- DOI: {paper.doi}")
    if paper.journal_ref:
        lines.append(f"- Journal reference: {_one_line(paper.journal_ref)}")
    lines.append(f"- Upvotes: {paper.upvotes}")
    for entry in entries:
        who = entry.submitted_by.get_username() if entry.submitted_by else entry.submitter_name
        lines.append(f"- Listed on {entry.day.isoformat()}" + (f", submitted by {who}" if who else ""))
    lines.append(f"- Page: {site_url}{paper.get_absolute_url()}")
    lines += ["", "## Abstract", "", (paper.abstract or "(no abstract)").strip()]
    if paper.comment:
        lines += ["", "## Comment", "", _one_line(paper.comment)]
    return "\n".join(lines) + "\n"
