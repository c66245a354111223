"""Code and project links that authors put in arXiv comments and abstracts.

arXiv has no field for them, so authors write "Code: https://github.com/…", "Project
page: https://….github.io/…" or "\\url{…}" in the comment or at the end of the abstract.
A "project page" that only leads back to the paper (its arXiv abs/pdf/html page, its Hugging
Face paper page) is no project page: :func:`is_bogus_project` names those, and they are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_URL_RE = re.compile(r"https?://[^\s<>\"'{}|\\^`\]\[]+", re.IGNORECASE)
# A bare "github.com/owner/repo" without scheme is common in comments too.
_BARE_CODE_RE = re.compile(
    r"(?<![/\w.])((?:github\.com|gitlab\.com|codeberg\.org|bitbucket\.org)/[\w.-]+/[\w.-]+)", re.IGNORECASE
)
_PROJECT_CUE_RE = re.compile(
    r"(project\s*page|project\s*website|homepage|home\s*page|website|webpage|web\s*page|demo|project)\s*"
    r"(?:is\s*)?(?:available\s*)?(?:at|:)?\s*$",
    re.IGNORECASE,
)
_NOT_PROJECT_HOSTS = ("arxiv.org", "doi.org", "dx.doi.org", "creativecommons.org", "orcid.org")
# Pages about a paper rather than a project: a link to them adds nothing to the paper's own links.
_PAPER_PAGE_HOSTS = ("arxiv.org", "alphaxiv.org", "arxiv-sanity-lite.com")
_PAPER_PAGE_PATHS = {"huggingface.co": "/papers/", "paperswithcode.com": "/paper/"}


@dataclass(frozen=True)
class Links:
    code_url: str = ""
    project_url: str = ""


def _clean(url: str) -> str:
    url = url.rstrip(".,;:)]}>'\"")
    # An unbalanced "(" inside means the ")" we stripped belonged to the URL.
    if url.count("(") > url.count(")"):
        url += ")"
    return url


def _is_code(url: str) -> bool:
    host = urlsplit(url).netloc.lower()
    path = urlsplit(url).path.strip("/")
    if host.startswith("www."):
        host = host[4:]
    if host in ("github.com", "gitlab.com", "codeberg.org", "bitbucket.org") or host.startswith("git."):
        return path.count("/") >= 1  # owner/repo, not a user page
    return False


def _host(url: str) -> str:
    host = urlsplit(url).netloc.lower().rsplit("@", 1)[-1].split(":", 1)[0]
    return host[4:] if host.startswith("www.") else host


def is_bogus_project(url: str | None, arxiv_id: str = "") -> bool:
    """Does this "project page" only lead back to a paper (an arXiv page, a paper listing)?

    Any arXiv page counts (project pages are never hosted there); a Hugging Face or Papers with
    Code paper page counts too, and so does any URL that is just the paper's id on some host.
    """
    if not url:
        return False
    host = _host(url)
    if any(host == h or host.endswith("." + h) for h in _PAPER_PAGE_HOSTS):
        return True
    path = urlsplit(url).path
    if (prefix := _PAPER_PAGE_PATHS.get(host)) and path.startswith(prefix):
        return True
    last = path.strip("/").rsplit("/", 1)[-1]
    return bool(arxiv_id) and re.fullmatch(re.escape(arxiv_id) + r"(?:v\d+)?(?:\.pdf)?", last) is not None


def extract_links(*texts: str | None) -> Links:
    """First code repository and first project page mentioned in the given texts."""
    code = ""
    project = ""
    for text in texts:
        if not text:
            continue
        text = text.replace("\n", " ")
        for escaped in ("_", "%", "&", "#", "~"):
            text = text.replace("\\" + escaped, escaped)
        candidates: list[tuple[int, str]] = [(m.start(), _clean(m.group(0))) for m in _URL_RE.finditer(text)]
        covered = " ".join(u for _, u in candidates)
        for m in _BARE_CODE_RE.finditer(text):
            if m.group(1) not in covered:
                candidates.append((m.start(), "https://" + _clean(m.group(1))))
        candidates.sort()
        for start, url in candidates:
            if len(url) > 500 or not urlsplit(url).netloc:
                continue
            host = urlsplit(url).netloc.lower()
            if _is_code(url):
                if not code:
                    code = url
                continue
            if any(host == h or host.endswith("." + h) for h in _NOT_PROJECT_HOSTS):
                continue
            before = text[max(0, start - 40) : start]
            if not project and (_PROJECT_CUE_RE.search(before) or host.endswith("github.io")):
                project = url
        if code and project:
            break
    return Links(code_url=code, project_url=project)
