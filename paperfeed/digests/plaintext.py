"""Paper text for a plain-text email: LaTeX turned into Unicode, and an abstract's first sentences.

A text email cannot run KaTeX, so "$\\alpha \\le \\beta$" must arrive as "α ≤ β", never as raw
LaTeX. pylatexenc does the conversion; this module only guards its two traps in abstracts: a bare
"%" starts a LaTeX comment (so "50% of" would lose the rest of the line), and an unbalanced brace or
a macro it does not know must never cost the reader the text (the original, whitespace-folded,
is kept instead).
"""

from __future__ import annotations

import logging
import re

from pylatexenc.latex2text import LatexNodes2Text

logger = logging.getLogger("paperfeed.digests")

_BARE_PERCENT = re.compile(r"(?<!\\)%")
# A sentence ends at . ! or ? followed by a space and a capital, digit or opening mark; "Fig. 3",
# "et al. (2020)"-style abbreviations stay inside their sentence ("e.g. the" is never followed by one).
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\bet al\.)(?<!\bvs\.)(?<!\bFig\.)(?<!\bEq\.)(?<!\bSec\.)(?<!\bRef\.)\s+(?=[A-Z0-9\"“(])")
_converter = LatexNodes2Text(math_mode="text")


def latex_to_text(text: str) -> str:
    """``text`` with its LaTeX markup rendered as Unicode, on one line."""
    folded = " ".join((text or "").split())
    if "\\" not in folded and "$" not in folded and "{" not in folded:
        return folded
    try:
        converted = _converter.latex_to_text(_BARE_PERCENT.sub(r"\\%", folded))
    except Exception:  # pylatexenc is lenient, but a parser bug must not cost a digest
        logger.warning("could not convert LaTeX in %r", folded[:80], exc_info=True)
        return folded
    return " ".join(converted.split())


def first_sentences(text: str, count: int = 2, max_chars: int = 400) -> str:
    """The first ``count`` sentences of ``text`` (already plain), cut at a word near ``max_chars``."""
    sentences = _SENTENCE_END.split(" ".join((text or "").split()))
    lead = " ".join(sentences[:count])
    if len(lead) <= max_chars:
        return lead
    return lead[:max_chars].rsplit(" ", 1)[0].rstrip(",;:") + "…"
