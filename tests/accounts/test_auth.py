"""Sign up (the address attached only once proven, never revealed as taken), log in/out (members and
admin share one rate limit), password reset by email (real SMTP, the configured site's links), password
change, HSTS."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery 1"


def signup(client, username="carol", email="carol@example.org", password="a-Long-enough-pass-42", **extra):
    return client.post(
        "/accounts/signup/",
        {"username": username, "email": email, "password1": password, "password2": password, **extra},
    )


def _link(message, site_url: str) -> str:
    return re.search(re.escape(site_url) + r"(/\S+/)", message.get_content()).group(1)


def test_signup_logs_in_and_attaches_the_address_once_its_link_is_opened(client, smtp, settings):
    # Behaviour changed deliberately (issue 11 point 4): the address is no longer saved at sign-up.
    settings.SITE_URL, settings.SITE_NAME = "https://papers.example.org", "Papers Hub"
    assert client.get("/accounts/signup/").status_code == 200
    response = signup(client)
    assert response.status_code == 302 and response["Location"] == "/"
    assert get_user_model().objects.get(username="carol").email == ""
    html = client.get("/").content.decode()
    assert 'href="/u/carol/"' in html and "Log out" in html and "We mailed a link to carol@example.org" in html
    [message] = smtp.wait_for(1)
    assert message["To"] == "carol@example.org"
    assert message["Subject"] == "Confirm your email address for Papers Hub"
    link = _link(message, "https://papers.example.org")
    assert link.startswith("/accounts/email/verify/")
    page = client.get(link)
    assert page.status_code == 200 and "Address confirmed" in page.content.decode()
    assert get_user_model().objects.get(username="carol").email == "carol@example.org"


def test_signup_with_a_taken_address_answers_the_same_and_tells_its_owner(client, member, smtp):
    fresh = signup(client, username="carol", email="carol@example.org")
    fresh_page = client.get(fresh["Location"]).content.decode()
    client.post("/accounts/logout/")
    taken = signup(client, username="mallory", email="ALICE@example.org")
    taken_page = client.get(taken["Location"]).content.decode()
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"]) == (302, "/")
    assert "We mailed a link to alice@example.org" in taken_page
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert csrf.sub("", taken_page.replace("mallory", "carol").replace("alice@", "carol@")) == csrf.sub("", fresh_page)
    messages = smtp.wait_for(2)
    [notice] = [m for m in messages if m["To"] == "alice@example.org"]
    assert notice["Subject"] == "Someone tried to sign up to paperfeed with your address"
    body = notice.get_content()
    assert 'your account "alice"' in body and "http://127.0.0.1:8000/accounts/password/reset/" in body
    assert "/accounts/email/verify/" not in body  # no link that could attach alice's address to mallory
    assert get_user_model().objects.get(username="mallory").email == ""
    assert get_user_model().objects.get(username="alice").email == "alice@example.org"


def test_address_links_are_refused_when_forged_expired_or_taken_since(client, member, smtp, settings):
    from paperfeed.accounts import addresses

    signup(client, username="carol", email="carol@example.org")
    carol = get_user_model().objects.get(username="carol")
    assert client.get("/accounts/email/verify/not-a-token/").status_code == 400
    link = _link(smtp.wait_for(1)[0], settings.SITE_URL)
    assert client.get(link[:-5] + "AAAA/").status_code == 400
    settings.EMAIL_VERIFY_MAX_AGE = -1
    expired = client.get(link)
    assert expired.status_code == 400 and "expired" in expired.content.decode()
    settings.EMAIL_VERIFY_MAX_AGE = 3600
    token = addresses.make_token(carol, "alice@example.org")  # a link for an address alice has since taken
    taken = client.get(f"/accounts/email/verify/{token}/")
    assert taken.status_code == 400 and "already belongs to another account" in taken.content.decode()
    assert get_user_model().objects.get(username="carol").email == ""


def test_a_member_sets_an_address_later(member_client, smtp, settings):
    assert member_client.get("/accounts/email/").status_code == 200
    response = member_client.post("/accounts/email/", {"email": "alice@new.example.org"})
    assert response.status_code == 302
    [message] = smtp.wait_for(1)
    assert message["To"] == "alice@new.example.org"
    assert get_user_model().objects.get(username="alice").email == "alice@example.org"  # not before the click
    member_client.get(_link(message, settings.SITE_URL))
    assert get_user_model().objects.get(username="alice").email == "alice@new.example.org"


def test_signup_next_is_followed_only_on_this_site(client):
    response = signup(client, next="/trending/")
    assert response["Location"] == "/trending/"
    client.post("/accounts/logout/")
    response = signup(client, username="dave", email="dave@example.org", next="https://evil.example/")
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"username": "alice"}, "A user with that username already exists."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"password": "password"}, "This password is too common."),
        ({"username": "bad name!"}, "Enter a valid username."),
    ],
)
def test_signup_errors(client, member, fields, message):
    response = signup(client, **fields)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")


def test_login_and_logout(client, member):
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "/trending/"})
    assert response.status_code == 302 and response["Location"] == "/trending/"
    assert "Log out" in client.get("/").content.decode()
    assert client.get("/accounts/logout/").status_code == 405  # logout is a POST (CSRF-protected)
    assert client.post("/accounts/logout/").status_code == 302
    assert "Log in" in client.get("/").content.decode()


def test_login_rejects_wrong_password_and_offsite_next(client, member):
    bad = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert bad.status_code == 200 and "Please enter a correct username and password" in bad.content.decode()
    ok = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "//evil.example/"})
    assert ok["Location"] == "/"


def test_login_is_rate_limited_per_ip(client, member, settings):
    settings.RATELIMIT_ENABLE = True
    settings.LOGIN_RATE = "3/h"  # an hour: a fixed window must not end mid-test
    for _ in range(3):
        assert client.post("/accounts/login/", {"username": "alice", "password": "wrong"}).status_code == 200
    limited = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert limited.status_code == 429 and "Too many login attempts" in limited.content.decode()
    assert int(limited["Retry-After"]) >= 1
    assert "_auth_user_id" not in client.session  # even the right password waits
    other_ip = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 302


def test_signup_is_rate_limited(client, settings):
    settings.SIGNUP_RATE = "2/h"
    assert signup(client, username="u1", email="u1@example.org").status_code == 302
    client.post("/accounts/logout/")
    assert signup(client, username="u2", email="u2@example.org").status_code == 302
    client.post("/accounts/logout/")
    response = signup(client, username="u3", email="u3@example.org")
    assert response.status_code == 429 and "Too many signup attempts" in response.content.decode()
    assert not get_user_model().objects.filter(username="u3").exists()


def test_rate_limits_can_be_switched_off(client, member, settings):
    settings.RATELIMIT_ENABLE = False
    settings.LOGIN_RATE = "1/h"
    for _ in range(3):
        assert client.post("/accounts/login/", {"username": "alice", "password": "wrong"}).status_code == 200


def test_password_reset_by_email(client, member, smtp, settings):
    # Links and subject name the configured site, not the Host header the client sent (issue 11 point 4;
    # this test pinned http://testserver before).
    settings.DEFAULT_FROM_EMAIL = "hub@example.org"
    settings.SITE_URL, settings.SITE_NAME = "https://papers.example.org", "Papers Hub"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    assert client.get("/accounts/password/reset/").status_code == 200
    response = client.post("/accounts/password/reset/", {"email": "alice@example.org"}, HTTP_HOST="evil.example")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert "Check your inbox" in client.get(response["Location"]).content.decode()
    [message] = smtp.wait_for(1)
    assert message["To"] == "alice@example.org"
    assert message["Subject"] == "Reset your Papers Hub password"
    body = message.get_content()
    assert "evil.example" not in body and "Papers Hub" in body
    link = re.search(r"https://papers\.example\.org(/accounts/password/reset/\S+/)", body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "brand-New-pass-77", "new_password2": "brand-New-pass-77"}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"
    assert client.login(username="alice", password="brand-New-pass-77")
    # the link works once
    again = client.get(link, follow=True).content.decode()
    assert "That link did not work" in again


def test_password_reset_for_unknown_email_sends_nothing(client, smtp):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert smtp.wait_for(1, timeout=0.5) == []


def test_password_reset_is_rate_limited(client, member, settings, smtp):
    settings.PASSWORD_RESET_RATE = "1/h"
    assert client.post("/accounts/password/reset/", {"email": "alice@example.org"}).status_code == 302
    response = client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert response.status_code == 429 and "Too many password reset attempts" in response.content.decode()
    assert len(smtp.wait_for(2, timeout=1)) == 1


def test_password_change(member_client):
    assert member_client.get("/accounts/password/change/").status_code == 200
    response = member_client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "another-Good-pass-9", "new_password2": "another-Good-pass-9"},
    )
    assert response.status_code == 302
    assert "Password changed" in member_client.get(response["Location"]).content.decode()


def test_pages_that_need_login_redirect(client):
    for url in ("/submit/", "/accounts/password/change/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_admin_login_shares_the_members_login_limit(client, admin_user, settings):
    settings.RATELIMIT_ENABLE = True
    settings.LOGIN_RATE = "3/h"  # an hour: a fixed window must not end mid-test
    for _ in range(2):
        wrong = client.post("/admin/login/", {"username": "admin", "password": "wrong"})
        assert wrong.status_code == 200 and "Please enter the correct username and password" in wrong.content.decode()
    assert client.post("/accounts/login/", {"username": "admin", "password": "wrong"}).status_code == 200
    limited = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "password"})
    assert limited.status_code == 429 and "Too many login attempts" in limited.content.decode()
    assert int(limited["Retry-After"]) >= 1
    assert "_auth_user_id" not in client.session  # even the right password waits
    assert client.get("/admin/login/").status_code == 200  # only attempts count
    other_ip = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "password"},
                           REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 302 and other_ip["Location"] == "/admin/"


def test_hsts_is_sent_over_https_when_https_is_on(tmp_path):
    """A fresh process with PAPERFEED_HTTPS=1 (settings are read at start) answers an HTTPS request
    (X-Forwarded-Proto from the proxy) with Strict-Transport-Security; without the knob, none."""
    import json
    import os
    import subprocess
    import sys

    probe = (
        "import json, django; django.setup();"
        "from django.test import Client; from django.test.utils import setup_test_environment;"
        "setup_test_environment(); r = Client().get('/accounts/login/', HTTP_X_FORWARDED_PROTO='https');"
        "print(json.dumps([r.status_code, r.headers.get('Strict-Transport-Security')]))"
    )

    def run(**env):
        clean = {k: v for k, v in os.environ.items() if not k.startswith("PAPERFEED_")}
        clean.update({"DJANGO_SETTINGS_MODULE": "paperfeed.settings", "PAPERFEED_DATA_DIR": str(tmp_path), **env})
        out = subprocess.run([sys.executable, "-c", probe], env=clean, capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    assert run(PAPERFEED_HTTPS="1") == [200, "max-age=31536000"]
    assert run(PAPERFEED_HTTPS="1", PAPERFEED_HSTS_SECONDS="600") == [200, "max-age=600"]
    assert run() == [200, None]
