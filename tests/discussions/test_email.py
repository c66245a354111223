"""The opt-in reply email, delivered to a real local SMTP server (aiosmtpd); a dead server fails nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from paperfeed.discussions import service
from paperfeed.discussions.models import Comment
from paperfeed.discussions.notify import set_reply_emails
from tests.support.servers import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail(smtp, settings):
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "http://hub.example.org"
    return smtp


def test_reply_mails_the_parent_author_who_opted_in(mail, paper, ada, bob, django_capture_on_commit_callbacks):
    set_reply_emails(ada, True)
    parent = service.post(ada, paper, "question")
    with django_capture_on_commit_callbacks(execute=True):
        reply = service.post(bob, paper, "Answer with $x^2$", parent.pk)
    [message] = mail.wait_for(1)
    assert message["To"] == "ada@example.org" and "bob" in message["Subject"]
    text = message.get_content()
    assert "Answer with $x^2$" in text
    assert f"http://hub.example.org{paper.get_absolute_url()}#comment-{reply.pk}" in text


def test_no_mail_by_default_or_for_own_replies(mail, paper, ada, bob, django_capture_on_commit_callbacks):
    parent = service.post(ada, paper, "question")
    with django_capture_on_commit_callbacks(execute=True):
        service.post(bob, paper, "answer", parent.pk)  # ada did not opt in
    set_reply_emails(bob, True)
    own = service.post(bob, paper, "my own thread")
    with django_capture_on_commit_callbacks(execute=True):
        service.post(bob, paper, "replying to myself", own.pk)
    with django_capture_on_commit_callbacks(execute=True):
        service.post(ada, paper, "a top-level comment mails nobody")
    # A last mail that must arrive proves the earlier ones would have arrived by now.
    set_reply_emails(ada, True)
    with django_capture_on_commit_callbacks(execute=True):
        service.post(bob, paper, "now she wants it", parent.pk)
    assert [m["To"] for m in mail.wait_for(1)] == ["ada@example.org"]


def test_smtp_down_never_fails_the_reply(client, settings, paper, ada, bob, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2  # nobody listens
    set_reply_emails(ada, True)
    parent = service.post(ada, paper, "question")
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("discussion", args=[paper.arxiv_id]), {"body": "answer", "parent": parent.pk})
    assert response.status_code == 302
    assert Comment.objects.filter(parent=parent, body="answer").exists()
