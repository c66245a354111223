"""Feedback on picks: the cards' "more like this" / "not interested", a digest's thumbs links, onboarding.

Thin: the rules (what a word means, what a link may do, whose papers a name claims) are in
``paperfeed.digests.feedback``; this module only reads forms and answers with pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from paperfeed.digests import feedback
from paperfeed.digests.picks_cache import refresh_now
from paperfeed.digests.tokens import TokenError
from paperfeed.papers.models import Paper

from ..lookups import paper_or_404

_SAID = {"more": "We'll pick more papers like “{title}”.", "less": "Noted: fewer papers like “{title}”.",
         "clear": "Your feedback on “{title}” is withdrawn."}


def _back(request: HttpRequest, fallback: str) -> str:
    """The form's ``next`` or the page it came from, when that is on this site."""
    for candidate in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return fallback


@require_POST
def paper_feedback(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """A card's form: ``kind`` is more, less or clear (withdraw). Works without JavaScript."""
    paper = paper_or_404(arxiv_id)
    if not request.user.is_authenticated:
        return redirect_to_login(paper.get_absolute_url())
    kind = request.POST.get("kind", "")
    try:
        if kind == "clear":
            feedback.withdraw(request.user, paper)
        else:
            feedback.give(request.user, paper, kind)
    except feedback.FeedbackError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    if request.headers.get("HX-Request") == "true":
        return render(request, "partials/feedback_buttons.html", {"paper": paper, "said": kind})
    messages.success(request, _SAID[kind].format(title=paper.title))
    return HttpResponseRedirect(_back(request, paper.get_absolute_url()))


@csrf_exempt  # the signed token authorises the POST; mail clients have no CSRF cookie
@require_http_methods(["GET", "POST"])
def feedback_link(request: HttpRequest, token: str) -> HttpResponse:
    """A digest's thumbs up or down: signed, no login, idempotent (a second click changes nothing).

    GET only shows what the link would record, with a button that POSTs it: mail scanners open
    every link in an email, and a scanner must not tell the recommender "not interested".
    """
    try:
        if request.method == "POST":
            row = feedback.take_link(token)
            return render(request, "digests/feedback_taken.html", {"feedback": row, "paper": row.paper})
        _user, paper, kind = feedback.read_link(token)
    except TokenError as error:
        return render(request, "digests/bad_link.html", {"error": str(error)}, status=400)
    return render(request, "digests/feedback_confirm.html", {"paper": paper, "kind": kind, "token": token})


def _choices(request: HttpRequest) -> list[Paper]:
    chosen = {int(pk) for pk in request.POST.getlist("paper") if pk.isdigit()}
    return list(Paper.objects.visible().filter(pk__in=chosen))


@require_http_methods(["GET", "POST"])
def onboarding(request: HttpRequest) -> HttpResponse:
    """Pick a few papers or claim an author name; the picks are computed in this request."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    context = {"choices": feedback.onboarding_choices(), "author": ""}
    if request.method == "GET":
        return render(request, "digests/onboarding.html", context)
    author = request.POST.get("author", "").strip()
    papers = _choices(request)
    try:
        taken = feedback.claim_author(request.user, author) if author else 0
    except feedback.FeedbackError as error:
        return render(request, "digests/onboarding.html", {**context, "author": author, "error": str(error)},
                      status=400)
    taken += feedback.pick_papers(request.user, papers)
    if not taken:
        return render(request, "digests/onboarding.html",
                      {**context, "error": "Pick at least one paper, or type an author name."}, status=400)
    refresh_now(request.user)
    messages.success(request, f"Your picks now follow {taken} paper{'s' if taken != 1 else ''}.")
    return HttpResponseRedirect(reverse("digests:for_you"))
