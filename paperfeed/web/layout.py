"""The card layout a reader chose, list or grid, remembered without JavaScript.

``?layout=grid`` (the toggle's links) picks a layout and a cookie remembers it. A request
without the parameter gets the remembered one written into its query string, so the page
cache, which keys pages by their full path, keeps the two layouts apart and a cached list
page is never served to a reader who asked for the grid. Templates read ``request.card_layout``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

LAYOUTS = ("list", "grid")
PARAM = "layout"
COOKIE = "pf_layout"
COOKIE_AGE = 365 * 24 * 3600
_SKIP = ("/api/", "/static/", "/admin/", "/feeds/")


class CardLayoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.card_layout = settings.CARD_LAYOUT
        if request.method not in ("GET", "HEAD") or request.path.startswith(_SKIP):
            return self.get_response(request)
        asked = request.GET.get(PARAM)
        if asked in LAYOUTS:
            request.card_layout = asked
            response = self.get_response(request)
            if request.COOKIES.get(COOKIE) != asked:
                response.set_cookie(COOKIE, asked, max_age=COOKIE_AGE, samesite="Lax",
                                    secure=request.is_secure(), httponly=True)
            return response
        remembered = request.COOKIES.get(COOKIE)
        if remembered in LAYOUTS and remembered != settings.CARD_LAYOUT:
            query = request.GET.copy()
            query[PARAM] = remembered
            request.META["QUERY_STRING"] = query.urlencode()
            request.GET = query
            request.card_layout = remembered
        return self.get_response(request)
