"""Every error under /api/ is JSON in the documented shape, including the ones Django or the
application server decide before a view runs: 404 for any method, 405, 403, 413 and 414."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LONG = "a" * 140_000  # over PAPERFEED_MAX_URL_BYTES (131072)
# The longest search query (S1: 10,000 characters) at its longest once URL-encoded: 3 UTF-8 bytes, %XX each.
SEARCH_MAX = "%E4%B8%AD" * 10_000


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body) == {"error", "detail"} and isinstance(body["error"], str) and body["error"]
    return body


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "head", "options"])
def test_unknown_path_is_a_json_404_for_any_method_even_without_a_csrf_token(method):
    client = Client(enforce_csrf_checks=True)  # a browser's cookies and no token: was an HTML 403 "Form expired"
    body = {} if method in {"get", "head", "options"} else {"data": b"{}", "content_type": "application/json"}
    response = getattr(client, method)("/api/no/such/thing", **body)
    if method == "head":
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        return
    body = _error(response, 404)
    assert body == {"error": "No such API endpoint", "detail": "/api/no/such/thing"}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_wrong_method_is_a_json_405_naming_the_allowed_ones(client, method):
    response = getattr(client, method)("/api/daily_papers")
    body = _error(response, 405)
    assert body == {"error": "Method not allowed", "detail": {"method": method.upper(), "allowed": ["GET"]}}
    assert response["Allow"] == "GET"


def test_csrf_refusal_is_a_json_403():
    response = Client(enforce_csrf_checks=True).post("/api/docs/assets/swagger-ui.css")
    assert _error(response, 403)["error"] == "Forbidden"


def test_body_over_django_limit_is_a_json_413_on_any_path(client, settings, auth):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.API_MAX_BODY_BYTES = 100_000  # so Django's own limit is the one that refuses
    big = json.dumps({"name": "x" * 5000})
    for path in ("/api/collections", "/api/nowhere"):
        body = _error(client.post(path, big, content_type="application/json", **auth), 413)
        assert body == {"error": "Request body too large", "detail": "The body may have at most 1000 bytes"}
    small = client.post("/api/collections", json.dumps({"name": "ok"}), content_type="application/json", **auth)
    assert small.status_code == 201


def test_over_long_url_is_a_json_414_under_api_and_plain_elsewhere(client):
    body = _error(client.get(f"/api/papers/search?q={LONG}"), 414)
    assert body == {"error": "Request URL too long", "detail": "The path and query may have at most 131072 bytes"}
    page = client.get(f"/search/?q={LONG}")
    assert page.status_code == 414 and page["Content-Type"].startswith("text/plain")
    assert b"Request URL too long" in page.content
    assert client.get(f"/api/nope?q={SEARCH_MAX}").status_code == 404  # under the limit: routed as usual


def test_errors_the_api_already_made_are_left_as_they_are(client):
    body = _error(client.get("/api/papers/2501.99999"), 404)
    assert body["error"] == "No paper 2501.99999 on this hub"
    assert client.get("/no/such/page/").status_code == 404
    assert client.get("/no/such/page/")["Content-Type"].startswith("text/html")  # the web door keeps its pages


def test_the_real_server_lets_a_long_request_line_reach_django(tmp_path):
    """gunicorn refuses request lines over 4 KB with its own HTML 414 by default; paperfeed serve's
    gunicorn passes them on, so a 10,000-character search (90 KB encoded) is routed and a longer
    target gets paperfeed's JSON 414."""
    from tests.support.served import Served

    with Served(tmp_path) as server:
        status, headers, body = server.get(f"/api/nope?q={SEARCH_MAX}")
        assert status == 404 and headers["content-type"] == "application/json"
        assert json.loads(body)["error"] == "No such API endpoint"
        status, headers, body = server.get(f"/api/papers/search?q={LONG}")
        assert status == 414 and headers["content-type"] == "application/json"
        assert json.loads(body)["error"] == "Request URL too long"
        status, headers, body = server.get(f"/search/?q={LONG}")
        assert status == 414 and headers["content-type"].startswith("text/plain")
