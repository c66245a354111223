"""A search's query vector is computed on the embedder's query thread while the lexical side runs.

What must hold: the vector is the one ``encode_query`` gives; the caller is not kept waiting for
the model (it gets a pending result while the thread is busy); a forked process gets a thread of
its own; a model failing on that thread still leaves keyword results and says so.
"""

from __future__ import annotations

import os
import pickle
import threading

import numpy as np
import pytest

from paperfeed.search import embedder as embedder_module
from paperfeed.search import service
from paperfeed.search.embedder import Embedder
from paperfeed.search.sync import sync_indexes
from tests.factories import make_paper


@pytest.fixture(scope="module")
def model() -> Embedder:
    return Embedder(threads=1)  # its own cache; one intra-op thread, so a forked copy can run it


def test_the_vector_is_the_one_encode_query_gives(model):
    pending = model.encode_query_soon("graph neural networks for molecules")
    vector = pending.result(timeout=60)
    assert np.allclose(vector, model.encode_query("graph neural networks for molecules", cache=False), atol=1e-6)
    again = model.encode_query_soon("graph  neural networks for molecules")  # remembered: answered at once
    assert again.done() and again.result() is vector


def test_the_caller_is_not_kept_waiting_for_the_model(model):
    busy, release = threading.Event(), threading.Event()

    def occupy() -> None:
        busy.set()
        release.wait(60)

    embedder_module._query_thread().submit(occupy)
    assert busy.wait(60)
    try:
        pending = model.encode_query_soon("a query the model has not read yet about lichens")
        assert not pending.done()  # computed inline, it would be done here
    finally:
        release.set()
    assert np.allclose(pending.result(timeout=60),
                       model.encode_query("a query the model has not read yet about lichens", cache=False), atol=1e-6)


def test_a_forked_process_gets_a_query_thread_of_its_own(model):
    model.encode_query_soon("a query before the fork about volcanoes").result(timeout=60)  # the thread exists
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the child: the copied executor has no thread; a pending result would never come
        try:
            vector = model.encode_query_soon("a query after the fork about glaciers").result(timeout=30)
            os.write(write_end, pickle.dumps(vector.tolist()))
        finally:
            os._exit(0)  # no interpreter teardown in a forked copy of the test process
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        received = pipe.read()
    os.waitpid(child, 0)
    assert received, "the forked process got no vector"
    assert np.allclose(pickle.loads(received), model.encode_query("a query after the fork about glaciers", cache=False),
                       atol=1e-6)


@pytest.mark.django_db(transaction=True)
def test_a_model_failing_on_the_query_thread_leaves_keyword_results(index_env, monkeypatch):
    make_paper("2603.12001", "Quokka behaviour in island ecosystems", "Field notes on quokka foraging.")
    make_paper("2603.12002", "Wallaby locomotion", "How wallabies hop over rough ground.")
    sync_indexes(progress=False)

    def broken(self, text, *, cache=True):
        raise RuntimeError("the model is broken")

    monkeypatch.setattr(Embedder, "encode_query", broken)
    results = service.search("quokka foraging")
    assert [hit.paper.arxiv_id for hit in results.hits] == ["2603.12001"]
    assert service.SEMANTIC_DOWN in results.notes
    monkeypatch.undo()
    healed = service.search("quokka foraging")  # the failure was not kept with the query's list
    assert service.SEMANTIC_DOWN not in healed.notes and healed.hits[0].paper.arxiv_id == "2603.12001"


def test_queries_run_on_their_own_thread_count_with_the_same_vectors(settings):
    two = Embedder(threads=2, query_threads=2)
    one = Embedder(threads=2)  # queries on settings.QUERY_EMBED_THREADS, 1 by default
    assert one.query_threads == 1 and embedder_module.query_threads_setting() == 1
    texts = ["graph neural networks for molecules", "SSL", "a pasted abstract about quokkas " * 30]
    for text in texts:
        assert np.array_equal(one.encode_query(text, cache=False), two.encode_query(text, cache=False))
    assert one._session(one.query_threads)[0].get_session_options().intra_op_num_threads == 1
    assert list(one._sessions) == [1]  # encode() was never called: its session was never loaded
    one.encode(["a document"])
    assert sorted(one._sessions) == [1, 2]
    settings.QUERY_EMBED_THREADS = 3
    assert embedder_module.query_threads_setting() == 3 and Embedder().query_threads == 3
