"""Subscribe, confirm, unsubscribe and "For you": thin views over the digest services.

"For you" reads the member's cached picks (digests/picks_cache.py); it never trains a model per view.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from paperfeed.digests import subscriptions, tokens
from paperfeed.digests.picks_cache import cached_picks

from ..forms.digests import SubscribeForm


def _card_template() -> str:
    """The shared paper card when the web UI provides one, else this app's own."""
    try:
        get_template("partials/paper_card.html")
        return "partials/paper_card.html"
    except TemplateDoesNotExist:
        return "digests/_paper_item.html"


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    if request.method == "POST":
        form = SubscribeForm(request.POST, user=user)
        if form.is_valid():
            try:
                subscription = subscriptions.request_subscription(form.cleaned_data["email"], form.preferences(), user)
            except subscriptions.SubscriptionError as error:
                form.add_error(None, str(error))
            else:
                return render(request, "digests/check_inbox.html", {"email": subscription.email})
        return render(request, "digests/subscribe.html", {"form": form}, status=400)
    form = SubscribeForm(initial=subscriptions.initial_for(user), user=user)
    return render(request, "digests/subscribe.html", {"form": form})


@require_http_methods(["GET"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = subscriptions.confirm(token)
    except tokens.TokenError as error:
        return render(request, "digests/bad_link.html", {"error": str(error)}, status=400)
    return render(request, "digests/confirmed.html", {"subscription": subscription})


@csrf_exempt  # mail clients POST here (RFC 8058) without a CSRF token; the signed link authorises it
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            subscription = subscriptions.unsubscribe(token)
            return render(request, "digests/unsubscribed.html", {"subscription": subscription})
        subscription = subscriptions.subscription_for_unsubscribe(token)
    except tokens.TokenError as error:
        return render(request, "digests/bad_link.html", {"error": str(error)}, status=400)
    return render(request, "digests/unsubscribe.html", {"subscription": subscription, "token": token})


def for_you(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        try:
            return redirect_to_login(request.get_full_path())
        except NoReverseMatch:  # no login page installed in this build
            return render(request, "digests/for_you.html", {"anonymous": True}, status=403)
    cached = cached_picks(request.user)
    return render(request, "digests/for_you.html", {
        "picks": cached.picks, "window": cached.window, "updating": cached.updating,
        "computed_at": cached.computed_at, "card_template": _card_template(),
    })
