"""A paper's discussion: the reader's own view of it, and the members' actions on comments.

Thin: the rules are ``paperfeed.discussions.service``'s, and each of its refusals becomes the
discussion page again with the domain's sentence and the status in :data:`STATUS` (what the member
typed is kept in the form). Every action works as a plain form post, and answers with a redirect to
the comment it touched. The paper page embeds the public view of the same section (a cached page)
and swaps this page's section in with htmx.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from paperfeed.discussions import errors as rules
from paperfeed.discussions import service
from paperfeed.discussions.notify import set_reply_emails, wants_reply_emails
from paperfeed.papers.models import Paper

from ..lookups import paper_or_404
from ..templatetags.discussions import section_context

STATUS: dict[type[rules.DiscussionError], int] = {
    rules.CommentNotFound: 404,
    rules.CommentInvalid: 400,
    rules.TooDeep: 400,
    rules.CommentGone: 409,
    rules.NotYours: 403,
    rules.NotModerator: 403,
    rules.AlreadyReported: 409,
    rules.CommentRateLimited: 429,
}


def _page(request: HttpRequest, paper: Paper, status: int = 200, **extra) -> HttpResponse:
    context = section_context(paper, request.user, **extra)
    context["paper"] = paper
    return render(request, "discussions/page.html", context, status=status)


def _refused(request: HttpRequest, paper: Paper, error: rules.DiscussionError, **extra) -> HttpResponse:
    response = _page(request, paper, STATUS[type(error)], error=str(error), **extra)
    if isinstance(error, rules.CommentRateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


def _to(paper: Paper, comment_id: int | None = None) -> HttpResponseRedirect:
    anchor = f"#comment-{comment_id}" if comment_id else "#discussion"
    return HttpResponseRedirect(reverse("discussion", args=[paper.arxiv_id]) + anchor)


def _login(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('login')}?next={request.path}")


@require_http_methods(["GET", "HEAD", "POST"])
def discussion(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """GET: the discussion as this reader sees it. POST: a new comment, or a reply (``parent``)."""
    paper = paper_or_404(arxiv_id)
    if request.method != "POST":
        return _page(request, paper)
    if not request.user.is_authenticated:
        return _login(request)
    body, parent = request.POST.get("body", ""), request.POST.get("parent", "")
    try:
        comment = service.post(request.user, paper, body, parent or None)
    except rules.DiscussionError as error:
        return _refused(request, paper, error, draft=body, parent=parent)
    return _to(paper, comment.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_edit(request: HttpRequest, arxiv_id: str, pk: int) -> HttpResponse:
    """The edit form of one's own comment, and its saving."""
    paper = paper_or_404(arxiv_id)
    body = request.POST.get("body", "")
    try:
        comment = service.get(pk, paper)
        if comment.author_id != request.user.pk or comment.deleted_at is not None:
            raise rules.NotYours(comment.pk)
        if request.method == "POST":
            service.edit(request.user, pk, body, paper)
            return _to(paper, pk)
    except rules.CommentInvalid as error:
        return render(request, "discussions/edit.html",
                      {"paper": paper, "comment": comment, "body": body, "error": str(error)}, status=400)
    except rules.DiscussionError as error:
        return _refused(request, paper, error)
    return render(request, "discussions/edit.html", {"paper": paper, "comment": comment, "body": comment.body})


@require_POST
def comment_delete(request: HttpRequest, arxiv_id: str, pk: int) -> HttpResponse:
    paper = paper_or_404(arxiv_id)
    if not request.user.is_authenticated:
        return _login(request)
    try:
        service.delete(request.user, pk, paper)
    except rules.DiscussionError as error:
        return _refused(request, paper, error)
    return _to(paper)


@require_POST
def comment_report(request: HttpRequest, arxiv_id: str, pk: int) -> HttpResponse:
    paper = paper_or_404(arxiv_id)
    if not request.user.is_authenticated:
        return _login(request)
    try:
        service.report(request.user, pk, request.POST.get("reason", ""), paper)
    except rules.DiscussionError as error:
        return _refused(request, paper, error)
    return _to(paper, pk)


@require_POST
def comment_hide(request: HttpRequest, arxiv_id: str, pk: int) -> HttpResponse:
    """A moderator hides a comment (``action=hide``) or shows it again (``action=show``)."""
    paper = paper_or_404(arxiv_id)
    if not request.user.is_authenticated:
        return _login(request)
    try:
        service.set_hidden(request.user, pk, request.POST.get("action", "hide") != "show", paper)
    except rules.DiscussionError as error:
        return _refused(request, paper, error)
    return _to(paper, pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def discussion_settings(request: HttpRequest) -> HttpResponse:
    """The reply-email opt-in (default off)."""
    if request.method == "POST":
        set_reply_emails(request.user, request.POST.get("email_replies") == "1")
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
            target = reverse("discussion_settings")
        return HttpResponseRedirect(target)
    context = {"email_replies": wants_reply_emails(request.user), "has_email": bool(request.user.email)}
    return render(request, "discussions/settings.html", context)
