"""The scorer reads the papers' arXiv categories beside their words.

On the benchmark an author's papers of a month share their categories as well as their terms
(docs/digests.md); these tests pin that the categories reach the SVM, in the scorer and in the
site's picks, and that a pick's reason still names the paper closest in words.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from paperfeed.accounts.models import Collection, CollectionItem
from paperfeed.digests import recommender
from paperfeed.digests.recommendations import picks_for
from paperfeed.papers.models import Paper

from .helpers import real_papers, store


def test_categories_alone_rank_the_members_field_first():
    """With text that tells nothing, the categories still put the member's field on top."""
    lists = [["cs.CL"]] * 10 + [["cs.CV"]] * 20 + [["cs.CL", "cs.LG"]] * 5
    blank = sparse.csr_matrix((len(lists), 1), dtype=np.float32)
    features = recommender.with_categories(blank, lists)
    assert features.shape == (len(lists), 1 + 3)  # one column per category
    positive, candidates = list(range(5)), list(range(10, len(lists))) + list(range(5, 10))
    assert np.ptp(recommender.score(blank, positive, candidates)) == 0
    scores = recommender.score(features, positive, candidates)
    top = {candidates[i] for i in np.argsort(-scores, kind="stable")[:10]}
    assert top == set(range(5, 10)) | set(range(30, 35))  # the cs.CL papers, cross-listed ones too


def test_no_categories_leaves_the_text():
    text = sparse.random(4, 6, density=0.5, format="csr", dtype=np.float32, random_state=1)
    assert (recommender.with_categories(text, [[]] * 4) != text).nnz == 0


@pytest.mark.django_db
def test_picks_prefer_the_members_categories_between_equal_texts(fixtures, django_user_model):
    """Two candidates with the same words: the one in the member's category ranks first."""
    rows = real_papers(str(fixtures), "2026-05-04", "2026-05-10", ("cs.CV", "cs.CL"))
    cl = [r for r in rows if r["categories"] == ["cs.CL"]][:30]
    cv = [r for r in rows if r["categories"] == ["cs.CV"]][:30]
    # The copy in cs.CL sorts after the original in the candidate order ("-arxiv_id"), so a tie
    # (a scorer that ignores categories) would put the original first.
    twin = dict(cv[0], id="2605.00001", categories=["cs.CL"])
    store(cl + cv + [twin])
    user = django_user_model.objects.create_user("nlp", "nlp@example.com", "pw-long-enough-123")
    collection = Collection.objects.create(user=user, name="NLP", slug="nlp")
    for row in cl[:15]:
        CollectionItem.objects.create(collection=collection, paper=Paper.objects.get(arxiv_id=row["id"]))

    picks = [p.paper.arxiv_id for p in picks_for(user, limit=len(cl) + len(cv))]
    assert picks.index(twin["id"]) < picks.index(cv[0]["id"]), picks
    why = next(p for p in picks_for(user, limit=5) if p.because_of)
    assert why.reason.startswith("Similar to “")
