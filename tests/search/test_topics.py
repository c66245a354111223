"""Topic groups on real arXiv papers: an ambiguous query splits, a focused one does not."""

from __future__ import annotations

import pytest

from paperfeed.search import service
from paperfeed.search.topics import find_groups, kmeans, silhouette

pytestmark = pytest.mark.django_db(transaction=True)


def test_ssl_is_split_into_readable_groups(load_subset):
    load_subset()
    results = service.search("SSL", limit=50)
    assert 2 <= len(results.groups) <= 6
    labels = [g.label for g in results.groups]
    assert any("self-supervised" in label or "speech" in label for label in labels), labels
    assert all(g.size >= 1 and g.key for g in results.groups)
    assert sum(g.size for g in results.groups) == results.total

    # Narrowing to one group keeps only that group's papers, and the chips stay.
    chosen = results.groups[0]
    narrowed = service.search("SSL", group=chosen.key, limit=50)
    assert narrowed.group == chosen.key and narrowed.total == chosen.size
    assert {h.paper.pk for h in narrowed.hits} <= {h.paper.pk for h in service.search("SSL", limit=100).hits}
    assert [g.key for g in narrowed.groups] == [g.key for g in results.groups]


def test_focused_query_has_no_groups(load_subset):
    load_subset()
    results = service.search("gaussian splatting slam", limit=50)
    assert results.hits and results.groups == []


def test_group_chips_on_the_page(client, load_subset):
    load_subset()
    html = client.get("/search/", {"q": "SSL"}).content.decode()
    assert 'aria-label="Narrow to one topic"' in html and "group=" in html


def test_kmeans_and_silhouette_separate_clear_clusters():
    import numpy as np

    rng = np.random.default_rng(1)
    a = rng.normal(size=(1, 16)) + 0.05 * rng.normal(size=(20, 16))
    b = rng.normal(size=(1, 16)) + 0.05 * rng.normal(size=(20, 16))
    x = np.vstack([a, b]).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    labels, _ = kmeans(x, 2)
    assert len(set(labels[:20])) == 1 and len(set(labels[20:])) == 1 and labels[0] != labels[20]
    assert silhouette(x, labels) > 0.5
    one = np.repeat(x[:1], 30, axis=0) + 0.001
    assert find_groups(one / np.linalg.norm(one, axis=1, keepdims=True), ["t"] * 30, []) is None


def test_labels_are_phrases_never_topic_numbers():
    import numpy as np

    from paperfeed.search.topics import label_groups

    # Group 1's titles hold nothing but the query's words, and group 2 repeats group 0's titles:
    # both still get a label of their own, read from their titles (this was "topic 2" before).
    titles = ["Secure inference with homomorphic encryption", "Secure inference with homomorphic encryption",
              "Secure Inference", "Secure inference.",
              "Secure inference with homomorphic encryption", "Secure inference with homomorphic encryption"]
    labels = label_groups(titles, np.array([0, 0, 1, 1, 2, 2]), ["secure", "inference"])
    assert len(set(labels)) == 3
    assert not any(label.startswith("topic") for label in labels), labels
    for group, label in enumerate(labels):
        members = " ".join(t.lower() for t, g in zip(titles, [0, 0, 1, 1, 2, 2], strict=True) if g == group)
        assert all(word in members for word in label.replace(" (more)", "").split()), (label, members)


def test_label_phrases_follow_the_edge_digit_and_query_word_rules():
    from paperfeed.search.topics import _ngrams

    grams = _ngrams("Towards Scalable Graph Transformers for 3D Point Clouds with 2 Views", {"graph"})
    assert "scalable graph transformers" in grams and "scalable graph" in grams  # query words inside are fine
    assert "graph" not in grams  # a query word alone says nothing about a group
    assert not any(g.split()[0] in {"towards", "for", "with"} or g.split()[-1] in {"for", "with"} for g in grams)
    assert not any(w.isdigit() for g in grams for w in g.split())  # "2 views" and "with 2 views" are out
    assert "3d point clouds" in grams and "views" in grams  # "3d" is a word, not a number
    assert "transformers for 3d" in grams  # a little word may sit inside a phrase
    assert _ngrams("Efficient Learning of Models for GNN", set()) == {"efficient learning", "learning of models",
                                                                   "models for gnn"}  # generic or short alone


def test_split_test_is_the_mean_pairwise_cosine():
    """could_split reads the mean of x @ x.T without building it; the threshold decides as that mean does."""
    import numpy as np

    from paperfeed.search.topics import MAX_MEAN_COSINE, MIN_RESULTS, could_split

    rng = np.random.default_rng(3)
    centre = rng.normal(size=32)
    for noise in (0.3, 0.6, 0.9, 1.2, 2.0, 4.0):
        x = (centre + noise * rng.normal(size=(40, 32))).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        mean = float((x @ x.T).mean())
        if abs(mean - MAX_MEAN_COSINE) > 1e-3:
            assert could_split(x) == (mean <= MAX_MEAN_COSINE), (noise, mean)
    spread = rng.normal(size=(MIN_RESULTS - 1, 32)).astype(np.float32)
    assert not could_split(spread / np.linalg.norm(spread, axis=1, keepdims=True))  # too few to group
