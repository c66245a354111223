"""arXiv's vocabulary, written once: identifiers, versions, categories, control characters.

Identifiers: new style ``YYMM.NNNN`` (2007-2014) or ``YYMM.NNNNN`` (2015-), old style
``archive[.SUBJ]/YYMMNNN``; either may carry ``vN``, an ``arXiv:`` prefix or sit inside an
abs/pdf/html URL. The canonical key everywhere in paperfeed is the id without version.

Categories: ``archive`` or ``archive.subject`` from arXiv's taxonomy (current and legacy
archives). Subjects are two capitals (``cs.CV``, ``astro-ph.GA``, ``q-bio.NC``) except in
``physics`` and ``cond-mat``, whose subjects are lower-case words (``physics.optics``,
``cond-mat.stat-mech``). The archives are a closed list on purpose: feeds carry ACM and MSC
classes ("I.4", "68T45,") and stray words among the categories, and a shape alone would let
"of" or "na" through. Ingest keeps only :func:`is_category` tokens; user input (``?cat=``,
``cat:`` in search) goes through :func:`clean_category` / :func:`canonical_category`.

Control characters: :data:`CONTROL_RE` is what no stored or queried text may hold (C0 controls
and DEL, but not tab or line breaks); :data:`CONTROL_OR_LINE_BREAK_RE` is the stricter check for
one-line input such as an email address, which is headed for an SMTP header.
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


# Archives whose subjects are two capital letters (cs.CV); listed bare too (old papers, filters).
_LETTER_SUBJECT_ARCHIVES = ("astro-ph", "cs", "econ", "eess", "math", "nlin", "q-bio", "q-fin", "stat")
# Archives whose subjects are lower-case words (physics.optics, cond-mat.stat-mech).
_WORD_SUBJECT_ARCHIVES = ("cond-mat", "physics")
_BARE_ARCHIVES = (
    "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph", "nucl-ex", "nucl-th", "quant-ph",
    # Legacy archives, folded into today's in the 1990s; old papers still name them.
    "acc-phys", "adap-org", "alg-geom", "ao-sci", "atom-ph", "bayes-an", "chao-dyn", "chem-ph", "cmp-lg",
    "comp-gas", "dg-ga", "funct-an", "mtrl-th", "patt-sol", "plasm-ph", "q-alg", "solv-int", "supr-con",
)
MAX_CATEGORY = 32  # the longest real one is 18 characters; the column holds 32

CATEGORY_RE = re.compile(
    rf"^(?:(?:{'|'.join(_LETTER_SUBJECT_ARCHIVES)})(?:\.[A-Z]{{2}})?"
    rf"|(?:{'|'.join(_WORD_SUBJECT_ARCHIVES)})(?:\.[a-z]+(?:-[a-z]+)?)?"
    rf"|(?:{'|'.join(_BARE_ARCHIVES)}))$"
)

_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
CONTROL_RE = re.compile(f"[{_CONTROL}]")
CONTROL_OR_LINE_BREAK_RE = re.compile(rf"[{_CONTROL}\t\n\r\u0085\u2028\u2029]")


class CategoryError(ValueError):
    """User input (a ?cat= value) that is not an arXiv category name."""


def is_category(token: str) -> bool:
    """Is this exactly an arXiv category, spelled as arXiv spells it (what ingest keeps)?"""
    return len(token) <= MAX_CATEGORY and CATEGORY_RE.match(token) is not None


def canonical_category(text: str) -> str | None:
    """arXiv's spelling of a category typed in any case ("CS.cv" → "cs.CV"); None if it is none."""
    value = (text or "").strip()
    if is_category(value):
        return value
    archive, dot, subject = value.lower().partition(".")
    if dot and archive in _LETTER_SUBJECT_ARCHIVES:
        subject = subject.upper()
    candidate = f"{archive}{dot}{subject}"
    return candidate if is_category(candidate) else None


def clean_category(raw: str | None) -> str | None:
    """The category a ?cat= parameter names, None when empty; CategoryError when it names none."""
    value = (raw or "").strip()
    if not value:
        return None
    category = canonical_category(value)
    if category is None:
        raise CategoryError(f"{value[:40]!r} is not an arXiv category (e.g. cs.CV, math.AG, hep-th)")
    return category


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id: str, version: int | None = None) -> str:
    return f"https://arxiv.org/pdf/{arxiv_id}{f'v{version}' if version else ''}"
