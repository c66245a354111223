"""Member pages and actions: sign-up/login, profile, API token, votes, collections, submit.

Views stay thin: the rules live in the domain (accounts: votes, collections, submissions,
ratelimits; papers.lookup), and a refusal's own sentence is what the page shows. Every action
is a plain POST form that works without JavaScript (it redirects back); when htmx sends it
(HX-Request header) the view answers with the small fragment to swap in instead.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from paperfeed.accounts import addresses, collections, fetch_queue, ratelimits, submissions, votes
from paperfeed.accounts.errors import (
    AlreadyListed,
    CollectionNotFound,
    DailyLimitReached,
    MemberRuleError,
)
from paperfeed.accounts.models import ApiToken, Collection, FetchIntent
from paperfeed.papers.lookup import NotAnArxivId, PaperHidden, PaperLookupError
from paperfeed.papers.models import DailyEntry, Paper

from .. import cards
from ..forms.accounts import CollectionForm, EmailForm, RenameForm, SignupForm, SubmitForm
from ..lookups import paper_or_404


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back(request: HttpRequest, fallback: str) -> str:
    """Where a no-JS form goes afterwards: its ``next`` field or the page it came from, if ours."""
    for candidate in (request.POST.get("next"), request.GET.get("next"), request.META.get("HTTP_REFERER")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return fallback


def _too_many(request: HttpRequest, limited: ratelimits.Limited) -> HttpResponse:
    response = render(request, "accounts/too_many.html", {"limited": limited}, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


# --- sign up, log in, password reset -------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """The account is made at once; its address waits for the mailed link (accounts.addresses).

    The answer is the same whether or not the address already has an account.
    """
    if request.user.is_authenticated:
        return redirect("profile", request.user.get_username())
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if limited := ratelimits.hit(request, "signup", per="ip"):
            form.add_error(None, limited.message)
            status = 429
        elif form.is_valid():
            user = form.save()
            addresses.claim(user, form.cleaned_data["email"])
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome, {user.get_username()}! We mailed a link to {addresses.normalize(form.cleaned_data['email'])}"
                ": open it to attach the address to your account.",
            )
            return HttpResponseRedirect(_back(request, reverse("home")) if request.POST.get("next") else reverse("home"))
        else:
            status = 400
    return render(request, "registration/signup.html", {"form": form, "next": request.GET.get("next", "")}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def email_address(request: HttpRequest) -> HttpResponse:
    """Set (or re-send the link for) the member's address: the same claim as at sign-up."""
    form = EmailForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if limited := ratelimits.hit(request, "signup", per="ip"):
            return _too_many(request, limited)
        if form.is_valid():
            addresses.claim(request.user, form.cleaned_data["email"])
            messages.success(
                request, f"We mailed a link to {addresses.normalize(form.cleaned_data['email'])}: open it to attach it."
            )
            return redirect("profile", request.user.get_username())
        status = 400
    return render(request, "registration/email.html", {"form": form}, status=status)


@require_http_methods(["GET"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = addresses.verify(token)
    except addresses.AddressLinkError as problem:
        return render(request, "registration/email_verified.html", {"error": str(problem)}, status=400)
    return render(request, "registration/email_verified.html", {"member": user})


class LoginView(auth_views.LoginView):
    """Django's login with a per-IP rate limit on attempts (counted before the password check)."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if limited := ratelimits.hit(request, "login", per="ip"):
            form = self.get_form()
            form.is_valid()  # bind; the errors shown are replaced by the limit message
            form._errors = {}
            form.add_error(None, limited.message)
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            response["Retry-After"] = str(limited.retry_after)
            return response
        return super().post(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset-by-email, limited per IP so it cannot be used to flood an inbox.

    Links and subjects name the configured site (PAPERFEED_SITE_URL, PAPERFEED_SITE_NAME), never
    the request's Host header, which a client chooses.
    """

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if limited := ratelimits.hit(request, "password_reset", per="ip"):
            return _too_many(request, limited)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form) -> HttpResponse:
        self.extra_email_context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
        return super().form_valid(form)


# --- profile and API token --------------------------------------------------------------


def profile(request: HttpRequest, username: str) -> HttpResponse:
    member = get_object_or_404(get_user_model(), username=username, is_active=True)
    own = request.user.is_authenticated and request.user.pk == member.pk
    upvoted = list(
        Paper.objects.visible().filter(upvote_set__user=member).order_by("-upvote_set__created_at")[:100]
    )
    colls = Collection.objects.filter(user=member).annotate(size=Count("items", filter=Q(items__paper__hidden=False)))
    if not own:
        colls = colls.filter(public=True)
    saved = []
    if own:
        saved = list(
            Paper.objects.visible().filter(collection_items__collection__user=member).distinct().order_by("-pk")[:100]
        )
    submissions = list(
        DailyEntry.objects.filter(submitted_by=member, hidden=False, paper__hidden=False)
        .select_related("paper")
        .order_by("-day")[:50]
    )
    tokens = list(ApiToken.objects.filter(user=member, revoked=False).order_by("-created_at")) if own else []
    return render(
        request,
        "accounts/profile.html",
        {
            "member": member,
            "own": own,
            "upvoted_cards": cards.build(upvoted, request.user, with_entries=False),
            "saved_cards": cards.build(saved, request.user, with_entries=False),
            "collections": list(colls.order_by("name")),
            "submissions": submissions,
            "tokens": tokens,
            "collection_form": CollectionForm(),
            "nav": "profile" if own else "",
        },
    )


@login_required
@require_POST
def issue_token(request: HttpRequest) -> HttpResponse:
    if limited := ratelimits.hit(request, "token"):
        return _too_many(request, limited)
    token, secret = ApiToken.issue(request.user, name=(request.POST.get("name") or "default")[:100])
    # Rendered, not redirected: the secret exists only in this response and is never stored.
    response = render(request, "accounts/token.html", {"token": token, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token.revoked = True
    token.save(update_fields=["revoked"])
    messages.success(request, f"Token {token.prefix}… revoked.")
    return redirect("profile", request.user.get_username())


# --- votes ----------------------------------------------------------------------------------


@require_POST
def vote(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = paper_or_404(arxiv_id)
    if not request.user.is_authenticated:
        login_url = f"{reverse('login')}?next={paper.get_absolute_url()}"
        if _is_htmx(request):
            return HttpResponse(status=204, headers={"HX-Redirect": login_url})
        return HttpResponseRedirect(login_url)
    if limited := ratelimits.hit(request, "vote"):
        return _too_many(request, limited)
    action = request.POST.get("action", "up")
    if action not in {"up", "remove"}:
        return HttpResponse("action must be 'up' or 'remove'", status=400, content_type="text/plain")
    if action == "up":
        votes.upvote(request.user, paper)
    else:
        votes.unvote(request.user, paper)
    if _is_htmx(request):
        paper.refresh_from_db(fields=["imported_upvotes", "local_upvotes"])
        return render(
            request,
            "partials/vote_button.html",
            {"paper": paper, "upvoted": action == "up", "score": paper.upvotes},
        )
    return HttpResponseRedirect(_back(request, paper.get_absolute_url()))


# --- collections ----------------------------------------------------------------------------


class _FormProblem(ValueError):
    """A malformed form (no collection picked, an unknown action): the form's fault, not a rule's."""


def _own_collection(request: HttpRequest, pk: int) -> Collection:
    """The member's collection, or a 404: another member's private one is not theirs to see."""
    try:
        return collections.owned(request.user, pk)
    except CollectionNotFound:
        raise Http404("No such collection") from None


def _save_action(request: HttpRequest, paper: Paper) -> str:
    """Apply the save panel's POST and say what happened; a refusal raises."""
    action = request.POST.get("action", "add")
    if action == "create":
        collection = collections.create(request.user, request.POST.get("name", ""))
        collections.add(collection, paper)
        return f"Saved to new collection “{collection.name}”."
    if action not in {"add", "remove"}:
        raise _FormProblem("Unknown action.")
    try:
        pk = int(request.POST.get("collection", ""))
    except ValueError:
        raise _FormProblem("Pick a collection.") from None
    collection = _own_collection(request, pk)
    if action == "add":
        collections.add(collection, paper)
        return f"Saved to “{collection.name}”."
    collections.remove(collection, paper)
    return f"Removed from “{collection.name}”."


@login_required
@require_http_methods(["GET", "POST"])
def save_paper(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """The "save to collection" panel: GET shows it, POST adds/removes/creates-and-adds."""
    paper = paper_or_404(arxiv_id)
    error = ""
    if request.method == "POST":
        if limited := ratelimits.hit(request, "collection"):
            return _too_many(request, limited)
        try:
            note = _save_action(request, paper)
        except (MemberRuleError, _FormProblem) as problem:
            error, note = str(problem), ""
        if not _is_htmx(request):
            if error:
                messages.error(request, error)
            else:
                messages.success(request, note)
            return HttpResponseRedirect(_back(request, paper.get_absolute_url()))
    context = {
        "paper": paper,
        "collections": list(collections.of(request.user)),
        "containing": collections.containing(request.user, paper),
        "error": error,
        "next": _back(request, paper.get_absolute_url()),
    }
    template = "accounts/partials/save_panel.html" if _is_htmx(request) else "accounts/save.html"
    return render(request, template, context, status=400 if error else 200)


@login_required
@require_POST
def collection_create(request: HttpRequest) -> HttpResponse:
    form = CollectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the collection a name (at most 100 characters).")
        return redirect("profile", request.user.get_username())
    try:
        collection = collections.create(request.user, form.cleaned_data["name"], form.cleaned_data["public"])
    except MemberRuleError as problem:
        messages.error(request, str(problem))
        return redirect("profile", request.user.get_username())
    messages.success(request, f"Created “{collection.name}”. Save papers to it from any card.")
    return redirect("collection", request.user.get_username(), collection.slug)


def collection_detail(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    collection = get_object_or_404(Collection.objects.select_related("user"), user__username=username, slug=slug)
    own = request.user.is_authenticated and request.user.pk == collection.user_id
    if not (collection.public or own):
        raise Http404("No such collection")
    papers = list(collections.papers_in(collection)[:500])
    return render(
        request,
        "accounts/collection.html",
        {
            "collection": collection,
            "own": own,
            "cards": cards.build(papers, request.user, with_entries=False),
            "rename_form": RenameForm(initial={"name": collection.name}),
        },
    )


@login_required
@require_POST
def collection_update(request: HttpRequest, pk: int) -> HttpResponse:
    collection = _own_collection(request, pk)
    action = request.POST.get("action")
    try:
        if action == "rename":
            collections.rename(collection, request.POST.get("name", ""))
            messages.success(request, f"Renamed to “{collection.name}”.")
        elif action in {"public", "private"}:
            collections.set_public(collection, action == "public")
            messages.success(request, f"“{collection.name}” is now {action}.")
        elif action == "remove_paper":
            paper = paper_or_404(request.POST.get("paper", ""))
            collections.remove(collection, paper)
            messages.success(request, f"Removed {paper.arxiv_id} from “{collection.name}”.")
        else:
            raise _FormProblem("Unknown action.")
    except (MemberRuleError, _FormProblem) as problem:
        messages.error(request, str(problem))
    return redirect("collection", request.user.get_username(), collection.slug)


@login_required
@require_http_methods(["GET", "POST"])
def collection_delete(request: HttpRequest, pk: int) -> HttpResponse:
    collection = _own_collection(request, pk)
    if request.method == "POST":
        name = collection.name
        collections.delete(collection)
        messages.success(request, f"Deleted the collection “{name}”. The papers themselves stay on the hub.")
        return redirect("profile", request.user.get_username())
    return render(request, "accounts/collection_delete.html", {"collection": collection})


# --- submit ---------------------------------------------------------------------------------

# The status of the submit page that shows a refusal's own sentence under the field.
SUBMIT_STATUS: dict[type[Exception], int] = {
    NotAnArxivId: 400,
    PaperHidden: 400,
    AlreadyListed: 409,
    DailyLimitReached: 429,
}


def _submitted(request: HttpRequest, done: DailyEntry | FetchIntent) -> HttpResponse:
    """Where a submission goes next: the listed paper, or the submit page showing the queued fetch."""
    if isinstance(done, FetchIntent):
        messages.info(request, f"{done.fetch.arxiv_id} is new here: it is being fetched from arXiv and will be "
                               "listed on today's papers when it arrives. Its state is shown below.")
        return redirect("submit")
    messages.success(request, f"Submitted “{done.paper.title}” to today's papers. Thank you!")
    return redirect("paper", done.paper.arxiv_id)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """Submit a paper; one the hub lacks is queued for the worker, and this page shows its state."""
    form = SubmitForm(request.POST or None, initial={"arxiv_id": request.GET.get("id", "")[:300]})
    status = 200
    if request.method == "POST":
        if limited := ratelimits.hit(request, "submit"):
            form.is_valid()
            form.add_error(None, limited.message)
            status = 429
        elif form.is_valid():
            try:
                return _submitted(request, submissions.submit(request.user, form.cleaned_data["arxiv_id"]))
            except (MemberRuleError, PaperLookupError) as problem:
                form.add_error("arxiv_id", str(problem))
                status = SUBMIT_STATUS[type(problem)]
        else:
            status = 400
    listed = DailyEntry.objects.filter(submitted_by=request.user, day=timezone.localdate()).count()
    context = {
        "form": form,
        "today_count": listed + fetch_queue.open_submissions(request.user),
        "limit": settings.SUBMISSIONS_PER_DAY,
        "fetch_requests": list(fetch_queue.requests_of(request.user)[:20]),
        "nav": "submit",
    }
    return render(request, "accounts/submit.html", context, status=status)
