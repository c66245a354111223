"""arXiv identifiers in every form people paste them.

New style: ``YYMM.NNNN`` (2007-2014) or ``YYMM.NNNNN`` (2015-), old style:
``archive[.SUBJ]/YYMMNNN``; either may carry ``vN``, an ``arXiv:`` prefix or sit inside an
abs/pdf/html URL. The canonical key everywhere in paperfeed is the id without version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NEW = r"(?P<new>\d{4}\.\d{4,5})"
_OLD = r"(?P<old>[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7})"
_VERSION = r"(?:v(?P<version>\d{1,3}))?"

_ID_RE = re.compile(rf"^(?:arxiv:)?\s*(?:{_NEW}|{_OLD}){_VERSION}$", re.IGNORECASE)
_URL_RE = re.compile(
    rf"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/(?:{_NEW}|{_OLD}){_VERSION}"
    r"(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ArxivId:
    id: str
    version: int | None = None

    def __str__(self) -> str:
        return f"{self.id}v{self.version}" if self.version else self.id


def _build(match: re.Match[str]) -> ArxivId | None:
    new, old, version = match.group("new"), match.group("old"), match.group("version")
    if new:
        month = int(new[2:4])
        if not 1 <= month <= 12:
            return None
        # 4-digit serials only existed until 2014, 5-digit ones from 2015 on.
        year = int(new[:2])
        serial = new.split(".")[1]
        if (len(serial) == 5) != (year >= 15 and year < 90):
            return None
        ident = new
    else:
        archive, number = old.split("/")
        if "." in archive:
            head, subj = archive.split(".")
            archive = f"{head.lower()}.{subj.upper()}"
        else:
            archive = archive.lower()
        ident = f"{archive}/{number}"
    return ArxivId(ident, int(version) if version else None)


def parse_arxiv_id(text: str) -> ArxivId | None:
    """Parse a whole string that is an arXiv id or URL; None when it is anything else."""
    value = (text or "").strip()
    if not value or len(value) > 300:
        return None
    match = _ID_RE.match(value) or _URL_RE.match(value)
    return _build(match) if match else None




def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id: str, version: int | None = None) -> str:
    return f"https://arxiv.org/pdf/{arxiv_id}{f'v{version}' if version else ''}"
