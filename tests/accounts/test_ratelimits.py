"""The one rate limiter both doors use: counted in the database, per window, old windows pruned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from paperfeed.accounts import ratelimits
from paperfeed.accounts.models import RateCounter

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock, set by the test (the database is real)."""
    now = [1_800_000_000.0]  # a multiple of 60 and of 3600
    monkeypatch.setattr(ratelimits.time, "time", lambda: now[0])
    return now


@pytest.mark.parametrize(("rate", "parsed"), [("10/m", (10, 60)), ("100/5m", (100, 300)), ("5/h", (5, 3600)),
                                              ("1000/d", (1000, 86400)), ("3/30s", (3, 30))])
def test_rates_read_like_the_knobs(rate, parsed):
    assert ratelimits.parse_rate(rate) == parsed


def test_limit_then_refusal_with_the_wait_until_the_window_ends(clock):
    assert [ratelimits.attempt("web.vote", "user:1", 3, 60) for _ in range(3)] == [None] * 3
    clock[0] += 20
    refused = ratelimits.attempt("web.vote", "user:1", 3, 60)
    assert refused == ratelimits.Limited("web.vote", 40, 3)
    assert refused.message == "Too many vote attempts. Please wait 40 s and try again."
    assert ratelimits.attempt("web.vote", "user:2", 3, 60) is None  # another key, its own count
    assert ratelimits.attempt("web.login", "user:1", 3, 60) is None  # another scope too
    assert RateCounter.objects.get(scope="web.vote", key="user:1").hits == 4  # refusals count as well


def test_a_new_window_starts_from_zero_and_drops_the_old_one(clock):
    for _ in range(5):
        ratelimits.attempt("api.write", "token:7", 2, 60)
    clock[0] += 60
    assert ratelimits.attempt("api.write", "token:7", 2, 60) is None
    assert list(RateCounter.objects.values_list("window_start", "hits")) == [(1_800_000_060, 1)]


def test_ended_windows_of_quiet_keys_are_pruned(clock):
    ratelimits.attempt("web.signup", "ip:10.0.0.1", 5, 3600)
    ratelimits.attempt("web.vote", "user:3", 5, 60)
    later = timezone.now().fromtimestamp(clock[0] + 120, tz=timezone.get_current_timezone())
    assert ratelimits.prune(later) == 1
    assert list(RateCounter.objects.values_list("scope", flat=True)) == ["web.signup"]
    assert ratelimits.prune(later + timedelta(hours=1)) == 1 and not RateCounter.objects.exists()


def test_the_knob_switches_limits_off_but_attempt_always_counts(settings):
    settings.RATELIMIT_ENABLE = False
    assert all(ratelimits.over_rate("web.vote", "user:1", "1/m") is None for _ in range(3))
    assert not RateCounter.objects.exists()
    assert ratelimits.attempt("web.vote", "user:1", 1, 60) is None
    assert ratelimits.attempt("web.vote", "user:1", 1, 60) is not None


def test_web_attempts_count_per_member_or_per_ip(member_client, member, make_paper, client):
    make_paper("2611.00501")
    assert member_client.post("/papers/2611.00501/vote/", {"action": "up"}).status_code == 302
    assert list(RateCounter.objects.values_list("scope", "key", "hits")) == [("web.vote", f"user:{member.pk}", 1)]
    client.logout()
    client.post("/accounts/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="10.1.2.3")
    assert RateCounter.objects.get(scope="web.login").key == "ip:10.1.2.3"
