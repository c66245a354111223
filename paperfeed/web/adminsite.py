"""The admin site: Django's, with its login rate limited like the members' login.

Both doors to a password share one counter per client IP ("login"), so guessing a staff
password at /admin/login/ is no faster than at /accounts/login/, and alternating between
the two gains nothing. Counted before the password is checked, so the right password waits too.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from paperfeed.accounts import ratelimits


class AdminSite(admin.AdminSite):
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.method == "POST" and (limited := ratelimits.hit(request, "login", per="ip")):
            response = render(request, "accounts/too_many.html", {"limited": limited}, status=429)
            response["Retry-After"] = str(limited.retry_after)
            return response
        return super().login(request, extra_context)
