"""Subscribe → confirm → digest → unsubscribe, through a real SMTP server."""

from __future__ import annotations

import pytest
from django.test import Client

from paperfeed.digests import sending
from paperfeed.digests.models import DigestSend, Subscription

from .helpers import html_part, links, path_of, text_part

pytestmark = pytest.mark.django_db


def _subscribe(client, email="reader@example.com", **extra):
    data = {"email": email, "frequency": "daily", "categories": ["cs.CL"], "keywords": "", **extra}
    return client.post("/subscribe/", data)


def _confirm_link(message, site_url):
    return next(path_of(u, site_url) for u in links(text_part(message)) if "/subscribe/confirm/" in u)


def test_double_opt_in_then_digest_with_unsubscribe_headers(client, smtp, day_papers, settings):
    response = _subscribe(client)
    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    assert len(smtp.messages) == 1
    confirmation = smtp.messages[0]
    assert confirmation["To"] == "reader@example.com"
    assert "Confirm" in confirmation["Subject"]

    # Nothing but the confirmation goes out before the link is clicked.
    report = sending.send_digests("daily")
    assert report.planned == 0 and report.sent == 0
    assert len(smtp.messages) == 1
    assert Subscription.objects.get().status == Subscription.Status.PENDING

    page = client.get(_confirm_link(confirmation, settings.SITE_URL))
    assert page.status_code == 200 and b"subscribed" in page.content
    sub = Subscription.objects.get()
    assert sub.status == Subscription.Status.ACTIVE and sub.categories == ["cs.CL"]

    report = sending.send_digests("daily")
    assert report.sent == 1, report
    digest = smtp.messages[-1]
    assert len(smtp.messages) == 2
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(digest["List-Unsubscribe"]).strip().startswith(f"<{settings.SITE_URL}/unsubscribe/")
    assert digest["Message-ID"].startswith("<digest.")
    text, html = text_part(digest), html_part(digest)
    cl_titles = [row["title"] for row in day_papers if row["categories"][0] == "cs.CL" or "cs.CL" in row["categories"]]
    top = " ".join(cl_titles[0].split())
    assert top[:40] in " ".join(text.split())
    assert "<img" not in html and "<link" not in html and "style=" in html
    paper_links = [u for u in links(text) if "/papers/" in u]
    assert paper_links and all(u.startswith(f"{settings.SITE_URL}/papers/") for u in paper_links)
    assert client.get(path_of(paper_links[0], settings.SITE_URL)).status_code == 200
    # Only cs.CL papers were listed.
    send = DigestSend.objects.get()
    cl_ids = {row["id"] for row in day_papers if "cs.CL" in row["categories"]}
    assert send.status == DigestSend.Status.SENT and set(send.paper_ids) <= cl_ids

    # Running again for the same period sends nothing more.
    assert sending.send_digests("daily").sent == 0
    assert len(smtp.messages) == 2


def _active_subscriber(client, smtp, settings):
    _subscribe(client)
    client.get(_confirm_link(smtp.messages[-1], settings.SITE_URL))
    assert sending.send_digests("daily").sent == 1
    return smtp.messages[-1]


def test_unsubscribe_link_shows_confirm_page_then_post_unsubscribes(client, smtp, day_papers, settings):
    digest = _active_subscriber(client, smtp, settings)
    url = next(u for u in links(text_part(digest)) if "/unsubscribe/" in u)
    page = client.get(path_of(url, settings.SITE_URL))
    assert page.status_code == 200 and b"<form" in page.content
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE  # GET changes nothing
    done = client.post(path_of(url, settings.SITE_URL))
    assert done.status_code == 200 and b"unsubscribed" in done.content
    assert Subscription.objects.get().status == Subscription.Status.UNSUBSCRIBED
    DigestSend.objects.all().delete()  # even a fresh period sends nothing now
    assert sending.send_digests("daily").planned == 0
    assert len(smtp.messages) == 2


def test_one_click_post_from_mail_client(client, smtp, day_papers, settings):
    digest = _active_subscriber(client, smtp, settings)
    header_url = str(digest["List-Unsubscribe"]).strip().strip("<>")
    mail_client = Client(enforce_csrf_checks=True)  # no cookies, no CSRF token, no login
    response = mail_client.post(
        path_of(header_url, settings.SITE_URL), data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Subscription.objects.get().status == Subscription.Status.UNSUBSCRIBED


def test_bad_expired_and_foreign_tokens_are_refused(client, smtp, settings):
    _subscribe(client)
    link = _confirm_link(smtp.messages[-1], settings.SITE_URL)
    tampered = link.replace("/confirm/", "/confirm/x")
    assert client.get(tampered).status_code == 400
    assert client.post("/unsubscribe/not-a-token/").status_code == 400
    # An unsubscribe token is not a confirm token (different salt).
    from paperfeed.digests import tokens

    sub = Subscription.objects.get()
    unsub = tokens.make_unsubscribe_token(sub.pk, sub.email)
    assert client.get(f"/subscribe/confirm/{unsub}/").status_code == 400
    settings.DIGEST_CONFIRM_MAX_AGE = "-1"  # every link is now past its age
    response = client.get(link)
    assert response.status_code == 400 and b"expired" in response.content
    assert Subscription.objects.get().status == Subscription.Status.PENDING


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "reader@example.com\r\nBcc: victim@example.net", "control characters"),
        ("email", "reader@example.com\nSubject: hi", "control characters"),
        ("email", "a" * 300 + "@example.com", "too long"),
        ("email", "not-an-email", "not a valid email"),
        ("email", "Reader <reader@example.com>", "not a valid email"),
        ("keywords", "diffusion\r\nBcc: victim@example.net", "control characters"),
        ("keywords", "x" * 61, "too long"),
        ("keywords", ",".join(f"k{i}" for i in range(11)), "At most 10"),
        ("keywords", "<script>alert(1)</script>", "may only contain"),
    ],
)
def test_hostile_input_is_rejected_with_a_clear_error(client, smtp, field, value, message):
    data = {"email": "reader@example.com", "frequency": "daily", "keywords": "", field: value}
    response = client.post("/subscribe/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscription.objects.exists()
    assert smtp.messages == []


def test_member_form_is_prefilled_and_picks_need_a_member(client, smtp, django_user_model, settings):
    user = django_user_model.objects.create_user("ada", "ada@example.com", "pw-long-enough-123")
    # Anonymous visitors cannot ask for personal picks even by forging the field.
    _subscribe(client, email="anon@example.com", include_picks="on")
    client.get(_confirm_link(smtp.messages[-1], settings.SITE_URL))
    assert Subscription.objects.get(email="anon@example.com").include_picks is False

    client.force_login(user)
    page = client.get("/subscribe/")
    assert b'value="ada@example.com"' in page.content
    _subscribe(client, email="ada@example.com", include_picks="on", frequency="weekly")
    client.get(_confirm_link(smtp.messages[-1], settings.SITE_URL))
    sub = Subscription.objects.get(email="ada@example.com")
    assert sub.user == user and sub.include_picks and sub.frequency == "weekly"


def test_smtp_down_at_subscribe_shows_an_error_not_a_500(client, smtp, settings):
    from tests.support.servers import free_port

    settings.EMAIL_PORT = free_port()
    response = _subscribe(client)
    assert response.status_code == 400
    assert b"could not send the confirmation email" in response.content


def test_admin_lists_subscriptions_sends_and_job_runs(admin_client, smtp, day_papers):
    Subscription.objects.create(email="x@example.com", status=Subscription.Status.ACTIVE)
    sending.send_digests("daily")
    from paperfeed.jobs import runner

    runner.run_scheduled("digest_retries", intended="2026-05-12T06:00:00+00:00")
    for url in ("/admin/digests/subscription/", "/admin/digests/digestsend/", "/admin/jobs/jobrun/",
                "/admin/django_q/schedule/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    assert b"daily:2026-05-12" in admin_client.get("/admin/digests/digestsend/").content
    assert b"digest_retries" in admin_client.get("/admin/jobs/jobrun/").content


def test_signing_up_with_someone_elses_address_shows_nothing_of_their_preferences(client, smtp, settings):
    """Issue 11 point 4: the address is attached to an account only once its owner opens the link."""
    _subscribe(Client(), email="victim@example.com", keywords="secret topic", frequency="weekly")
    Client().get(_confirm_link(smtp.messages[-1], settings.SITE_URL))
    assert Subscription.objects.get(email="victim@example.com").status == Subscription.Status.ACTIVE
    password = "a-Long-enough-pass-42"
    client.post("/accounts/signup/", {"username": "mallory", "email": "victim@example.com",
                                      "password1": password, "password2": password})
    client.get("/")  # shows (and so clears) the welcome message, which names the address typed
    page = client.get("/subscribe/").content.decode()
    assert "secret topic" not in page and "victim@example.com" not in page
    assert 'value="weekly" checked' not in page and 'value="weekly" selected' not in page

    # Asking for digests to that address does not tie them to the account either, even once confirmed.
    Subscription.objects.update(confirmation_sent_at=None)  # past the resend pause
    _subscribe(client, email="victim@example.com", keywords="secret topic", include_picks="on")
    Client().get(_confirm_link(smtp.messages[-1], settings.SITE_URL))
    subscription = Subscription.objects.get(email="victim@example.com")
    assert subscription.user is None and subscription.include_picks is False
    assert "secret topic" not in client.get("/subscribe/").content.decode()


def test_a_verified_address_brings_its_subscription_to_the_member(client, smtp, settings):
    import re

    _subscribe(Client(), email="owner@example.com", keywords="my topic")
    Client().get(_confirm_link(smtp.messages[-1], settings.SITE_URL))
    password = "a-Long-enough-pass-42"
    client.post("/accounts/signup/", {"username": "owner", "email": "owner@example.com",
                                      "password1": password, "password2": password})
    assert "my topic" not in client.get("/subscribe/").content.decode()  # not before the link is opened
    verify = re.search(re.escape(settings.SITE_URL) + r"(/accounts/email/verify/\S+/)",
                       smtp.messages[-1].get_content()).group(1)
    assert client.get(verify).status_code == 200
    assert "my topic" in client.get("/subscribe/").content.decode()
