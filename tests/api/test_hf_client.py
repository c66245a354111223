"""The real Hugging Face client, pointed at paperfeed: only the host changes.

huggingface_hub's HfApi parses /api/daily_papers and /api/papers/{id} into PaperInfo
(dates with its own strict parser, users, authors); if our shapes drifted it would raise
or come back empty.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

hub = pytest.importorskip("huggingface_hub")


@pytest.fixture
def hf_api(live_server, monkeypatch):
    # scripts/test sets HF_HUB_OFFLINE=1 so nothing reaches huggingface.co; this client
    # only talks to the local live server.
    from huggingface_hub import constants
    from huggingface_hub.utils._http import close_session

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    yield hub.HfApi(endpoint=live_server.url, token=False)
    close_session()  # drop keep-alive connections before the live server stops


@pytest.mark.django_db(transaction=True)
def test_list_daily_papers_and_paper_info(hf_api, make_paper, list_paper, member):
    paper = make_paper("2603.20001", title="Speech without labels", imported_upvotes=12,
                       code_url="https://github.com/example/speech", github_stars=5,
                       published=datetime(2026, 3, 1, 17, 59, 59, tzinfo=UTC))
    other = make_paper("2603.20002", title="Vision without labels", imported_upvotes=3)
    list_paper(paper, date(2026, 3, 2), submitted_by=member, num_comments=2)
    list_paper(other, date(2026, 3, 2), submitter_name="akhaliq")

    papers = list(hf_api.list_daily_papers(date="2026-03-02"))
    assert [p.id for p in papers] == ["2603.20001", "2603.20002"]
    first = papers[0]
    assert first.title == "Speech without labels"
    assert first.upvotes == 12
    assert first.comments == 2
    assert first.published_at == datetime(2026, 3, 1, 17, 59, 59, tzinfo=UTC)
    assert first.submitted_by.fullname == "Ada Lovelace"
    assert [a.name for a in first.authors] == ["Ada Lovelace", "Alan Turing"]
    assert papers[1].submitted_by.fullname == "akhaliq"

    info = hf_api.paper_info("2603.20001")
    assert info.id == "2603.20001" and info.title == "Speech without labels"
    assert info.github_repo == "https://github.com/example/speech" and info.github_stars == 5

    assert [p.id for p in hf_api.list_daily_papers(date="2026-03-02", limit=1, p=1)] == ["2603.20002"]
    assert [p.id for p in hf_api.list_daily_papers(submitter="ada", month="2026-03")] == ["2603.20001"]


@pytest.mark.django_db(transaction=True)
def test_unknown_paper_is_a_404_the_client_understands(hf_api):
    from huggingface_hub.errors import HfHubHTTPError

    with pytest.raises(HfHubHTTPError) as raised:
        hf_api.paper_info("2603.99999")
    assert raised.value.response.status_code == 404
    assert "No paper 2603.99999" in str(raised.value)
