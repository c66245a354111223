"""Real processes under concurrent load: the rate limits hold, and no request waits on arXiv.

Issue 11, points 2 and 3, as the issue measured them: many requests at once against gunicorn
(several processes, threads each) on one database, SQLite (a file, as deployed) or PostgreSQL.

The windows are a day long, so a burst never straddles two windows (which would rightly allow twice
the limit); the limiter's rule does not depend on the window's length.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.accounts.live import LiveHub
from tests.support.fake_arxiv import NEW_ID, RECORDED_ID, FakeArxiv
from tests.support.servers import LocalServer, free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hub_at(tmp_path):
    """``hub_at(**knobs)``: a LiveHub on the test's database, stopped after the test."""
    from django.db import connection

    hubs: list[LiveHub] = []

    def make(**knobs: str) -> LiveHub:
        hubs.append(LiveHub(tmp_path, connection, **knobs))
        return hubs[-1]

    yield make
    for hub in hubs:
        hub.stop()


def _all_at_once(calls: list, threads: int = 48) -> list:
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda call: call(), calls))


def _csrf(hub: LiveHub, sessionid: str) -> str:
    """A CSRF token for the member's session (the submit page sets the cookie)."""
    page = hub.session(sessionid).get(hub.url + "/submit/", timeout=60)
    assert page.status_code == 200, page.text[:500]
    return page.cookies["csrftoken"]


def test_300_simultaneous_attempts_never_pass_the_limit(hub_at):
    """300 threads, each with its own database connection, count against one key at the same moment."""
    result = hub_at().harness("hammer", "test.simultaneous", "300", "120")
    assert result == {"accepted": 120, "refused": 180, "errors": []}


def test_concurrent_votes_and_api_writes_never_pass_the_limit(hub_at):
    hub = hub_at(VOTE_RATE="120/d", API_WRITE_RATE="60/d").start()
    member = hub.harness("member", "ada")
    ids = hub.harness("papers", "3")["ids"]
    csrf = _csrf(hub, member["sessionid"])
    cookies = {"sessionid": member["sessionid"], "csrftoken": csrf}

    def vote(arxiv_id: str):
        return lambda: requests.post(f"{hub.url}/papers/{arxiv_id}/vote/", data={"action": "up"}, cookies=cookies,
                                     headers={"X-CSRFToken": csrf}, allow_redirects=False, timeout=120).status_code

    def api_write(arxiv_id: str):
        return lambda: requests.post(f"{hub.url}/api/papers/{arxiv_id}/upvote", timeout=120,
                                     headers={"Authorization": f"Bearer {member['token']}"}).status_code

    votes = _all_at_once([vote(ids[n % 3]) for n in range(300)])
    assert sorted(set(votes)) == [302, 429] and votes.count(302) == 120
    writes = _all_at_once([api_write(ids[n % 3]) for n in range(200)])
    assert sorted(set(writes)) == [200, 429] and writes.count(200) == 60


def _timed(call) -> tuple[int, float]:
    started = time.monotonic()
    status = call()
    return status, time.monotonic() - started


def _home_while(hub: LiveHub, busy: threading.Event) -> tuple[list[tuple[int, float]], threading.Thread]:
    """The home page, asked again and again while ``busy`` is set: (status, seconds) of each, and the
    thread asking, to be joined once ``busy`` is cleared so the request in flight counts too (a burst
    can end before the first home page does)."""
    seen: list[tuple[int, float]] = []

    def poll() -> None:
        while busy.is_set():
            seen.append(_timed(lambda: requests.get(hub.url + "/", timeout=60).status_code))
            time.sleep(0.05)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    return seen, poller


def _submit_burst(hub: LiveHub, api_ids: list[str], web_ids: list[str]) -> tuple[list, list, list]:
    ada, bob = hub.harness("member", "ada"), hub.harness("member", "bob")
    csrf = _csrf(hub, bob["sessionid"])

    def api(arxiv_id: str):
        return lambda: _timed(lambda: requests.post(
            hub.url + "/api/daily_papers/submit", json={"id": arxiv_id}, timeout=120,
            headers={"Authorization": f"Bearer {ada['token']}"}).status_code)

    def web(arxiv_id: str):
        return lambda: _timed(lambda: requests.post(
            hub.url + "/submit/", data={"arxiv_id": arxiv_id}, cookies={"sessionid": bob["sessionid"],
            "csrftoken": csrf}, headers={"X-CSRFToken": csrf}, allow_redirects=False, timeout=120).status_code)

    busy = threading.Event()
    busy.set()
    home, poller = _home_while(hub, busy)
    answers = _all_at_once([api(i) for i in api_ids] + [web(i) for i in web_ids], threads=len(api_ids + web_ids))
    busy.clear()
    poller.join(70)  # longer than a home request's own timeout
    return answers[:len(api_ids)], answers[len(api_ids):], home


def _settled(hub: LiveHub, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = hub.harness("report")
        if "pending" not in report["fetches"].values():
            return report
        time.sleep(1)
    raise AssertionError(f"fetches still pending: {report['fetches']}\n{hub.log('worker')}")


def test_no_request_waits_on_arxiv(hub_at, fixtures):
    """arXiv at a closed port, 30 submissions at once: each answers at once, and so does the home page;
    then arXiv answers again and a real worker completes every submission exactly once."""
    hub = hub_at(ARXIV_API_URL=f"http://127.0.0.1:{free_port()}/api/query", SUBMIT_RATE="1000/h",
                 SUBMISSIONS_PER_DAY="100", API_WRITE_RATE="1000/m").start()
    api_ids = [NEW_ID, *(f"2611.9{n:04d}" for n in range(19))]
    web_ids = [RECORDED_ID, *(f"2611.8{n:04d}" for n in range(9))]
    api, web, home = _submit_burst(hub, api_ids, web_ids)
    seen = f"api {api}\nweb {web}\nhome {home}\n{hub.log('gunicorn')[-3000:]}"
    assert [status for status, _ in api] == [202] * 20 and [status for status, _ in web] == [302] * 10, seen
    assert max(seconds for _, seconds in api + web) < 10, seen  # the bound
    assert home and {status for status, _ in home} == {200}
    # The bound for the home page is 1 s. On a loaded shared machine a lone request now and
    # then misses it with no burst at all (benchmarks/arxiv_outage.py measures that reference), so:
    # nine in ten within 1 s, and none anywhere near the old minute-long stalls.
    home_seconds = sorted(seconds for _, seconds in home)
    assert home_seconds[int(len(home_seconds) * 0.9) - 1] < 1 and home_seconds[-1] < 10, seen

    with LocalServer(FakeArxiv(fixtures / "arxiv-formats")) as arxiv:
        hub.worker(ARXIV_API_URL=f"{arxiv.url}/api/query", ARXIV_API_DELAY="0")
        report = _settled(hub)
    asked = [i for request in arxiv.requests for i in request["id_list"].split(",")]
    assert sorted(asked) == sorted(api_ids + web_ids)  # every paper asked for once, in batches
    assert report["fetches"] == {i: "added" if i in (NEW_ID, RECORDED_ID) else "not_found" for i in api_ids + web_ids}
    assert sorted(map(tuple, report["entries"])) == sorted([(NEW_ID, "ada"), (RECORDED_ID, "bob")])
    outcomes = {(i["fetch__arxiv_id"], i["user__username"]): i["outcome"] for i in report["intents"]}
    assert len(report["intents"]) == 30 and all(i["done_at"] for i in report["intents"])
    assert outcomes == {(i, "ada" if i in api_ids else "bob"): "listed" if i in (NEW_ID, RECORDED_ID) else "not_found"
                        for i in api_ids + web_ids}
