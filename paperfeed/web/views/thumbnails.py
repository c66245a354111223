"""First-page thumbnails, served from the thumbnail storage with HTTP caching.

A thumbnail never changes once rendered, but a re-render (a new version) must reach browsers:
so it is public for ``THUMBNAIL_MAX_AGE`` seconds, then revalidated with its ETag and
Last-Modified, which answer 304 without the bytes. A paper with no thumbnail is a 404; cards
show the placeholder instead of asking (partials/paper_card.html).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe

from paperfeed.papers.arxiv import parse_arxiv_id
from paperfeed.papers.models import Paper
from paperfeed.papers.thumbnails import storage


@require_safe
def thumbnail(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    parsed = parse_arxiv_id(arxiv_id)
    key = (Paper.objects.visible().filter(arxiv_id=parsed.id).values_list("thumbnail", flat=True).first()
           if parsed else None)
    stored = storage().load(key) if key else None
    if stored is None:
        raise Http404(f"No thumbnail for {arxiv_id} yet.")
    etag = quote_etag(stored.etag)
    modified = int(stored.modified.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None:
        response = HttpResponse(stored.data, content_type=stored.content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    patch_cache_control(response, public=True, max_age=settings.THUMBNAIL_MAX_AGE)
    return response
