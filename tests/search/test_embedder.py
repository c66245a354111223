"""Tests for the shipped ONNX embedder (no database, no network)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import numpy as np
import pytest

from paperfeed.search import embedder as embedder_mod
from paperfeed.search.embedder import MODEL_DIR, Embedder, normalize_text, paper_text

ABSTRACT_GNN = (
    "We propose a message-passing graph neural network for predicting molecular properties. "
    "Atoms are nodes and bonds are edges; the model is trained on quantum chemistry data "
    "and improves the accuracy of energy prediction over prior graph networks."
)
ABSTRACT_ASTRO = (
    "We report spectroscopic observations of a distant galaxy cluster with the James Webb "
    "Space Telescope and measure the star formation rate of its brightest member galaxies."
)


@pytest.fixture(scope="module")
def emb() -> Iterator[Embedder]:
    mp = pytest.MonkeyPatch()
    # Must load with the hub switched off: the weights ship in the package.
    mp.setenv("HF_HUB_OFFLINE", "1")
    mp.setenv("TRANSFORMERS_OFFLINE", "1")
    try:
        yield Embedder(threads=1)
    finally:
        mp.undo()


def test_loads_offline_from_package_files(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    settings.EMBED_THREADS = 1
    e = Embedder.default()
    assert e is Embedder.default()  # process-wide cache
    assert e.dim == 384
    assert e.model_path.parent == MODEL_DIR
    for name in ("model.onnx", "tokenizer.json", "fingerprint.json", "LICENSE", "NOTICE"):
        assert (MODEL_DIR / name).is_file(), name
    assert "Apache License" in (MODEL_DIR / "LICENSE").read_text(encoding="utf-8")


def test_threads_from_settings(settings) -> None:
    settings.EMBED_THREADS = 3
    assert embedder_mod.default_threads() == 3
    settings.EMBED_THREADS = None
    assert 1 <= embedder_mod.default_threads() <= 4


def test_shapes_dtype_normalised(emb: Embedder) -> None:
    vecs = emb.encode(["a short one", ABSTRACT_GNN, ABSTRACT_ASTRO])
    assert vecs.shape == (3, 384)
    assert vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    q = emb.encode_query("graph neural networks for molecules")
    assert q.shape == (384,)
    assert q.dtype == np.float32
    assert abs(float(np.linalg.norm(q)) - 1.0) < 1e-5
    assert emb.encode([]).shape == (0, 384)


TEXTS = [
    ABSTRACT_GNN,
    "a protein language model",
    ABSTRACT_ASTRO * 3,
    "graph networks",
    "",
    ABSTRACT_ASTRO,
    "self-supervised learning of speech representations from raw audio",
]


def test_order_preserved_with_length_sorting(emb: Embedder) -> None:
    # All lengths differ, so any input permutation forms the same length-sorted batches:
    # the output must be exactly the permuted output.
    base = emb.encode(TEXTS, batch_size=2)
    perm = [3, 0, 6, 2, 5, 1, 4]
    permuted = emb.encode([TEXTS[i] for i in perm], batch_size=2)
    np.testing.assert_allclose(permuted, base[perm], atol=1e-6)


def test_batched_matches_one_by_one(emb: Embedder) -> None:
    together = emb.encode(TEXTS, batch_size=3)
    one_by_one = np.stack([emb.encode([t])[0] for t in TEXTS])
    # Dynamic int8 quantisation takes activation ranges over the whole batch, so a text's
    # vector moves slightly with its batch mates: "equal" means cosine close to 1, and each
    # row's nearest one-by-one vector is its own.
    sims = together @ one_by_one.T
    assert (sims.argmax(axis=1) == np.arange(len(TEXTS))).all()
    assert np.diag(sims).min() > 0.97, np.diag(sims)


def test_query_and_document_paths_agree(emb: Embedder) -> None:
    text = "Graph neural networks for molecular property prediction"
    assert float(emb.encode_query(text) @ emb.encode([text])[0]) > 0.999


def test_semantic_sanity(emb: Embedder) -> None:
    docs = emb.encode([paper_text("Neural message passing for quantum chemistry", ABSTRACT_GNN),
                       paper_text("JWST spectroscopy of a galaxy cluster", ABSTRACT_ASTRO)])
    q = emb.encode_query("predicting properties of molecules with graph neural networks")
    assert q @ docs[0] > q @ docs[1] + 0.2
    q2 = emb.encode_query("telescope observations of galaxies")
    assert q2 @ docs[1] > q2 @ docs[0] + 0.2


def test_fingerprint_matches_file(emb: Embedder) -> None:
    meta = json.loads((MODEL_DIR / "fingerprint.json").read_text(encoding="utf-8"))
    sha = hashlib.sha256((MODEL_DIR / "model.onnx").read_bytes()).hexdigest()
    assert meta["onnx_sha256"] == sha
    assert meta["tokenizer_sha256"] == hashlib.sha256((MODEL_DIR / "tokenizer.json").read_bytes()).hexdigest()
    assert meta["pooling"] == "mean"
    assert emb.max_seq_len == meta["max_seq_len"]
    assert sha[:16] in emb.fingerprint
    assert f"len{meta['max_seq_len']}" in emb.fingerprint
    # Another truncation length is another vector space.
    assert Embedder(max_seq_len=64, threads=1).fingerprint != emb.fingerprint


def test_corrupted_model_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedder_mod, "_sha256", lambda path: "0" * 64)
    with pytest.raises(RuntimeError, match="fingerprint"):
        Embedder(threads=1)


def test_empty_and_very_long_inputs(emb: Embedder) -> None:
    long_text = ("transformers " * 2000)[:10_000]
    vecs = emb.encode(["", "   ", long_text])
    assert vecs.shape == (3, 384)
    assert np.isfinite(vecs).all()
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.isfinite(emb.encode_query("")).all()
    assert np.isfinite(emb.encode_query(long_text)).all()


def test_progress_bar_does_not_change_result(emb: Embedder) -> None:
    texts = [ABSTRACT_GNN, ABSTRACT_ASTRO]
    np.testing.assert_allclose(emb.encode(texts, progress=True), emb.encode(texts), atol=1e-6)


def test_paper_text_normalises_latex_and_whitespace() -> None:
    t = paper_text("A \\emph{Fast}\n  Method.", "We use $\\alpha$-divergence\nand $O(n^2)$ time.")
    assert t == "A Fast Method. We use alpha -divergence and O(n 2) time."
    assert paper_text("Only title", None) == "Only title"
    assert paper_text(None, "only abstract") == "only abstract"
    assert normalize_text("  a\tb\n\nc ") == "a b c"
    assert normalize_text("\\textbf{\\emph{x}} y") == "x y"


@pytest.mark.parametrize(("raw", "flat"), [
    ("a\\,b\\;c\\:d\\!e\\%f\\ g\\\\h", "a b c d e f g h"),  # spacing commands and \\ are spaces
    ("\\{x\\} \\$5 \\'e \\_", "\\ x\\ \\ 5 \\'e \\"),  # an escaped symbol keeps its backslash
    ("{a}$b$~c^d_e", "a b c d e"),  # without a command the symbols are spaces all the same
    ("x\u00a0y\u2003z\x1cw\u3000v\u2028u", "x y z w v u"),  # every kind of whitespace is one space
    ("&amp;lt; &lt;i&gt;", "&lt; <i>"),  # entities are unescaped once
])
def test_normalize_text_flattens_latex_and_whitespace_the_same_with_or_without_commands(raw: str, flat: str) -> None:
    """The fast path for text without a backslash must give what the full path gives: stored vectors
    are keyed by this text's hash, so a change would re-embed every paper."""
    assert normalize_text(raw) == flat
