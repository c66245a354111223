"""The web's answer when an URL names no paper it can show: a 404 (hidden papers included).

The lookup itself is the domain's (``papers.lookup.visible_paper``); this only translates.
"""

from __future__ import annotations

from django.http import Http404

from paperfeed.papers.lookup import PaperLookupError, visible_paper
from paperfeed.papers.models import Paper


def paper_or_404(raw_id: str) -> Paper:
    try:
        return visible_paper(raw_id)
    except PaperLookupError as missing:
        raise Http404(str(missing)[:200]) from None
