"""/api/docs works offline (assets served by us) and the schema documents every endpoint."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_docs_page_uses_local_assets_only(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/api/docs/assets/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        response = client.get(f"/api/docs/assets/{asset}")
        assert response.status_code == 200 and b"".join(response.streaming_content)
    assert client.get("/api/docs/assets/..%2Fsettings.py").status_code == 404


def test_schema_lists_every_endpoint_with_examples_and_bearer_auth(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path, method in [("/api/daily_papers", "get"), ("/api/daily_papers/submit", "post"),
                         ("/api/papers", "get"), ("/api/papers/search", "get"), ("/api/papers/{arxiv_id}", "get"),
                         ("/api/papers/{arxiv_id}/upvote", "post"), ("/api/papers/{arxiv_id}/upvote", "delete"),
                         ("/api/collections", "get"), ("/api/collections", "post"),
                         ("/api/collections/{name}/papers", "post")]:
        assert method in paths[path], (path, method)
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    text = client.get("/api/openapi.json").content.decode()
    assert '"examples"' in text and "2503.11731" in text
    item = schema["components"]["schemas"]["HFDailyItem"]
    assert {"paper", "publishedAt", "title", "summary", "thumbnail", "numComments"} <= set(item["properties"])
