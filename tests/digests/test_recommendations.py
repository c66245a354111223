"""Picks rank a member's topic above others, on real papers; cold start; the For you page."""

from __future__ import annotations

import pytest

from paperfeed.accounts.models import Collection, CollectionItem
from paperfeed.accounts.votes import upvote
from paperfeed.digests.recommendations import picks_for
from paperfeed.papers.models import Paper

from .helpers import real_papers, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_topics(fixtures):
    """Real cs.CV and cs.CL papers from one week (May 2026), split into history and new ones."""
    rows = real_papers(str(fixtures), "2026-05-04", "2026-05-10", ("cs.CV", "cs.CL"))
    cv = [r for r in rows if r["categories"][0] == "cs.CV" and "cs.CL" not in r["categories"]][:60]
    cl = [r for r in rows if r["categories"][0] == "cs.CL" and "cs.CV" not in r["categories"]][:60]
    store(cv + cl)
    return cv, cl


def _save(user, rows, name="Reading list"):
    collection = Collection.objects.create(user=user, name=name, slug=name.lower().replace(" ", "-"))
    for row in rows:
        CollectionItem.objects.create(collection=collection, paper=Paper.objects.get(arxiv_id=row["id"]))
    return collection


@pytest.mark.parametrize("features", ["tfidf", "hybrid"])
def test_member_topic_ranks_above_other_topics(two_topics, django_user_model, settings, features):
    settings.RECOMMEND_FEATURES = features  # hybrid falls back to tf-idf when no vectors exist
    cv, cl = two_topics
    user = django_user_model.objects.create_user("nlp-fan", "n@example.com", "pw-long-enough-123")
    _save(user, cl[:15], "NLP")
    for row in cl[15:20]:
        upvote(user, Paper.objects.get(arxiv_id=row["id"]))
    picks = picks_for(user, limit=10)
    new_cl = {r["id"] for r in cl[20:]}
    ids = [p.paper.arxiv_id for p in picks]
    assert len(ids) == 10
    assert not set(ids) & {r["id"] for r in cl[:20]}  # what they already have is not a pick
    assert sum(i in new_cl for i in ids) >= 9, ids  # and a random ranker gets ~5 of 10
    assert all(p.reason.startswith("Similar to “") for p in picks)
    assert any("NLP" in p.reason or "upvotes" in p.reason for p in picks)


def test_cold_start_falls_back_to_trending_in_categories(two_topics, django_user_model):
    cv, _ = two_topics
    store(cv[:3], {cv[0]["id"]: 50, cv[1]["id"]: 20, cv[2]["id"]: 5})
    user = django_user_model.objects.create_user("new", "new@example.com", "pw-long-enough-123")
    picks = picks_for(user, categories=["cs.CV"], limit=5)
    assert picks and all("cs.CV" in p.paper.category_list for p in picks)
    assert all(p.reason.startswith(("Trending", "New")) for p in picks)


def test_for_you_page_requires_login_and_explains_picks(client, two_topics, django_user_model):
    _, cl = two_topics
    response = client.get("/for-you/")
    assert response.status_code in (302, 403)
    user = django_user_model.objects.create_user("reader", "r@example.com", "pw-long-enough-123")
    _save(user, cl[:10], "Parsing")
    client.force_login(user)
    page = client.get("/for-you/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Similar to" in body and "Parsing" in body
    shown_cl = [r["id"] for r in cl[10:] if f"/papers/{r['id']}/" in body]
    assert len(shown_cl) >= 15, shown_cl  # 20 picks, mostly from the member's topic


def test_member_digest_has_explained_picks(smtp, two_topics, django_user_model):
    from paperfeed.digests import sending
    from paperfeed.digests.models import Subscription

    from .helpers import html_part, text_part

    _, cl = two_topics
    user = django_user_model.objects.create_user("m", "m@example.com", "pw-long-enough-123")
    _save(user, cl[:10], "Dialogue")
    Subscription.objects.create(email="m@example.com", user=user, include_picks=True, categories=["cs.CL"],
                                frequency="weekly", status=Subscription.Status.ACTIVE)
    from paperfeed.lists.ranking import parse_period

    assert sending.send_digests("weekly", parse_period("2026-W19")).sent == 1
    text = text_part(smtp.messages[-1])
    assert "\r\nFor you\r\n" in text and "Similar to" in text and "Dialogue" in text
    assert ">For you</h2>" in html_part(smtp.messages[-1])


def test_negatives_push_their_neighbours_down(two_topics):
    """"Not interested" papers train against the member: candidates close to them rank lower."""
    import numpy as np
    from sklearn.preprocessing import normalize

    from paperfeed.digests import recommender

    cv, cl = two_topics
    rows = cl[:15] + cl[15:20] + cl[20:] + cv
    features = recommender.tfidf([recommender.paper_text(r["title"], r["abstract"]) for r in rows])
    positive, negative = list(range(15)), list(range(15, 20))
    candidates = list(range(20, len(rows)))
    sims = (normalize(features[candidates]) @ normalize(features[negative]).T).toarray().max(axis=1)
    near = np.argsort(-sims)[:5]  # the candidates most like the turned-down papers

    def ranks(scores):
        return np.argsort(np.argsort(-scores))[near].mean()

    for method in ("svm", "fusion"):
        plain = recommender.score(features, positive, candidates, method=method)
        told = recommender.score(features, positive, candidates, method=method, negative=negative)
        assert ranks(told) > ranks(plain), method
    with pytest.raises(ValueError, match="unknown method"):
        recommender.score(features, positive, candidates, method="magic")
