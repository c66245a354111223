"""Sign up, log in/out, password reset by email (real SMTP), password change, rate limits."""

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


def test_signup_logs_in(client):
    assert client.get("/accounts/signup/").status_code == 200
    response = signup(client)
    assert response.status_code == 302 and response["Location"] == "/"
    assert get_user_model().objects.get(username="carol").email == "carol@example.org"
    html = client.get("/").content.decode()
    assert 'href="/u/carol/"' in html and "Log out" in html


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
        ({"email": "ALICE@example.org"}, "An account with this email already exists."),
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
    settings.LOGIN_RATE = "3/m"
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
    settings.LOGIN_RATE = "1/m"
    for _ in range(3):
        assert client.post("/accounts/login/", {"username": "alice", "password": "wrong"}).status_code == 200


def test_password_reset_by_email(client, member, smtp, settings):
    settings.DEFAULT_FROM_EMAIL = "hub@example.org"
    assert client.get("/accounts/password/reset/").status_code == 200
    response = client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert "Check your inbox" in client.get(response["Location"]).content.decode()
    [message] = smtp.wait_for(1)
    assert message["To"] == "alice@example.org"
    assert message["Subject"] == "Reset your testserver password"
    body = message.get_content()
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", body).group(1)
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
