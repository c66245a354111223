"""Sentence embeddings for papers and queries, from the int8 ONNX model shipped in ``model/``.

Why this design:

* **Weights ship inside the package** (``model/model.onnx``, built by
  ``scripts/export_embedder.py`` from all-MiniLM-L6-v2, Apache-2.0, see ``model/NOTICE``).
  Nothing is downloaded at run time, so it works offline (``HF_HUB_OFFLINE=1``) and in CI.
* **ONNX Runtime + tokenizers + numpy only**: no torch at run time (torch is GBs; the int8
  ONNX file is ~23 MB and 2-3x faster than torch fp32 on CPU).
* **Quality/speed** (``benchmarks/embedder.py``; SciFact nDCG@10 train/test, dense only):
  fp32 ONNX at 256 tokens 0.660/0.651; this int8 file at 256: 0.662/0.649, at 224:
  0.653/0.649, at 192: 0.647/0.642, at 160: 0.640/0.634, at 128: 0.631/0.621. Cost grows
  with the truncation length and nearly every arXiv abstract (median 281 tokens) is
  truncated, so docs/s is set by ``max_seq_len``: ~115/s at 128, ~70/s at 192, ~55-60/s at
  224 on 2 cores. 224 is the shortest length within 0.01 of fp32 on SciFact *train*, so
  it is the shipped default (``fingerprint.json``); 100 docs/s would need ~128-140 tokens
  and cost 0.02-0.03 nDCG.
* Mean pooling and L2 normalisation are done here in numpy, exactly as
  sentence-transformers does for this model.
* **Throughput tricks**: every text is tokenised once; texts are processed in batches
  sorted by token length so a batch pads to (nearly) its own length, not to the longest
  text overall; the original order is restored at the end.

Thread count comes from ``settings.EMBED_THREADS`` (``PAPERFEED_EMBED_THREADS``) (default: CPUs available to the process,
capped at 4 - beyond that a 6-layer MiniLM stops scaling and a web worker should leave cores
for others). A search query runs on ``settings.QUERY_EMBED_THREADS`` (default 1, see
:func:`query_threads_setting`); each thread count is its own ONNX Runtime session, loaded on
first use, and the vectors are the same bit for bit.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from tokenizers import Tokenizer

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
FINGERPRINT_FILE = "fingerprint.json"
QUERY_CACHE_SIZE = 2048  # distinct query vectors kept per process (~3 MB)

__all__ = ["Embedder", "paper_text", "normalize_text", "default_threads", "query_threads_setting"]


# --------------------------------------------------------------------------- text helpers

# \emph{x}, \textbf{x}, \mathrm{x}, ... -> x  (keep the argument, drop the command)
_LATEX_WRAP = re.compile(
    r"\\(?:emph|textbf|textit|texttt|textrm|textsc|textsf|text|mathrm|mathbf|mathit|mathcal|"
    r"mathbb|mathsf|mathtt|operatorname|boldsymbol|bm|underline|url|href)\s*\{([^{}]*)\}"
)
# \alpha -> alpha, \cite{...} etc. keep the word; accents like \'e lose the backslash.
_LATEX_CMD = re.compile(r"\\([A-Za-z]+)")
_LATEX_SPACING = re.compile(r"\\[,;:!% ]|\\\\")  # \, \; \: \! \% "\ " and \\ -> a space
_SYMBOLS_TO_SPACE = str.maketrans(dict.fromkeys("{}$~^_", " "))


def normalize_text(text: str | None) -> str:
    """Strip LaTeX markup and collapse whitespace.

    Why: arXiv serves titles/abstracts with hard line breaks and raw LaTeX (``$\\alpha$``,
    ``\\emph{...}``). Each ``$``, ``\\``, ``{`` becomes a WordPiece token that carries no
    meaning but costs compute and eats into the token budget; the command names themselves
    (``alpha``, ``mathbb``) are kept since they are often content words.
    """
    if not text:
        return ""
    text = html.unescape(text)
    if "\\" in text:  # most abstracts hold no command: every step below skips them in one scan
        for _ in range(3):  # nested wrappers: \textbf{\emph{x}}
            new = _LATEX_WRAP.sub(r"\1", text)
            if new == text:
                break
            text = new
        text = _LATEX_CMD.sub(r" \1", text)
        text = _LATEX_SPACING.sub(" ", text)
    # str methods, not regular expressions: a search page flattens the abstract of every result it shows
    # that is not cached, and the regex passes were most of a snippet's cost (0.056 of 0.066 ms at 75k).
    return " ".join(text.translate(_SYMBOLS_TO_SPACE).split())


def paper_text(title: str | None, abstract: str | None) -> str:
    """The text we embed for a paper: ``"<title>. <abstract>"``, normalised.

    Why this shape: the model reads plain sentences, and ". " keeps the title a sentence of
    its own; it is the form every SciFact number in ``benchmarks/embedder.py`` was measured
    with (``--text-mode`` there compares alternatives). Always use this helper for
    documents so stored vectors and fresh ones agree.
    """
    t = normalize_text(title).rstrip(" .")
    a = normalize_text(abstract)
    if t and a:
        return f"{t}. {a}"
    return t or a


def default_threads() -> int:
    """Intra-op threads: ``settings.EMBED_THREADS``, else the usable CPUs capped at 4.

    Outside a configured Django process (the embedder benchmark) only the CPU count applies.
    """
    try:
        configured = settings.EMBED_THREADS
    except ImproperlyConfigured:
        configured = None
    if configured:
        return max(1, int(configured))
    try:
        n = len(os.sched_getaffinity(0))  # respects cgroup/taskset pinning, unlike cpu_count
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    return max(1, min(4, n))


_QUERY_THREAD: tuple[int, ThreadPoolExecutor] | None = None  # (the process it belongs to, the thread)
_QUERY_THREAD_LOCK = threading.Lock()


def _query_thread() -> ThreadPoolExecutor:
    """The process's one query-embedding thread, started on first use; a forked child starts its own
    (a fork copies the executor but not its thread, so the copy would never run anything)."""
    global _QUERY_THREAD
    with _QUERY_THREAD_LOCK:
        if _QUERY_THREAD is None or _QUERY_THREAD[0] != os.getpid():
            _QUERY_THREAD = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="query-embedding"))
        return _QUERY_THREAD[1]


def query_threads_setting() -> int:
    """Intra-op threads for one search query: ``settings.QUERY_EMBED_THREADS`` (1 unless configured).

    Why one: a query is a few tokens, and waking a second thread costs more than it saves. On the
    sample's 300 queries (2 shared cores, load ~6) one thread took 1.15 ms of wall clock and 1.17
    of CPU per query, two 1.34-1.68 and 1.74-2.25, with bit-identical vectors; a pasted abstract
    (224 tokens) took 17 ms of CPU on one thread and 21 on two, for up to 5 ms more wall clock.
    """
    try:
        configured = settings.QUERY_EMBED_THREADS
    except ImproperlyConfigured:
        configured = None
    return max(1, int(configured or 1))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- embedder


class Embedder:
    """all-MiniLM-L6-v2 (int8 ONNX) sentence embedder: 384-d, L2-normalised float32.

    Use :meth:`default` in application code (one instance per process; a session costs ~0.3 s
    and ~60 MB to load, one per thread count in use). The constructor exists for benchmarks/tests that compare variants.
    ``InferenceSession.run`` is thread-safe, so one instance can serve many threads.
    """

    _default: Embedder | None = None
    _default_lock = threading.Lock()

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        max_seq_len: int | None = None,
        threads: int | None = None,
        query_threads: int | None = None,
        verify: bool = True,
    ) -> None:
        """Load the model.

        :param model_path: ONNX file; default: the shipped ``model/model.onnx``.
        :param max_seq_len: truncation length; default: the one in ``fingerprint.json``
            (the value the shipped model was tuned and benchmarked with).
        :param threads: intra-op threads for :meth:`encode`; default :func:`default_threads`.
        :param query_threads: intra-op threads for :meth:`encode_query`; default
            ``settings.QUERY_EMBED_THREADS`` (see :func:`query_threads_setting`).
        :param verify: check the shipped file's sha256 against ``fingerprint.json`` so a
            corrupted/partially-updated model is caught here and not as silently bad search.
        """
        self.model_path = Path(model_path) if model_path else MODEL_DIR / MODEL_FILE
        meta: dict[str, Any] = json.loads((MODEL_DIR / FINGERPRINT_FILE).read_text(encoding="utf-8"))
        shipped = self.model_path.resolve() == (MODEL_DIR / MODEL_FILE).resolve()
        sha = _sha256(self.model_path)
        if shipped and verify and sha != meta["onnx_sha256"]:
            raise RuntimeError(
                f"{self.model_path} does not match {FINGERPRINT_FILE} "
                f"(sha256 {sha[:12]} != {meta['onnx_sha256'][:12]}); rebuild with scripts/export_embedder.py"
            )
        self.onnx_sha256 = sha
        self.model_name: str = meta["model"]
        self.pooling: str = meta.get("pooling", "mean")
        self.max_seq_len: int = int(max_seq_len or meta["max_seq_len"])
        self.dim: int = int(meta.get("dim", 384))
        self.threads = threads or default_threads()

        self._tokenizer = Tokenizer.from_file(str(MODEL_DIR / TOKENIZER_FILE))
        self._tokenizer.enable_truncation(self.max_seq_len)
        self._tokenizer.no_padding()  # we pad per (length-sorted) batch ourselves

        self.query_threads = query_threads or query_threads_setting()
        self._sessions: dict[int, tuple[ort.InferenceSession, set[str]]] = {}  # by intra-op threads
        self._session_lock = threading.Lock()
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    # -- identity ------------------------------------------------------------------------

    @property
    def fingerprint(self) -> str:
        """Identifies the vector space: store it next to vectors, re-embed when it changes.

        Any change of weights (sha256), truncation length or pooling changes the vectors.
        """
        return f"{self.model_name.rsplit('/', 1)[-1]}:{self.onnx_sha256[:16]}:len{self.max_seq_len}:{self.pooling}"

    @classmethod
    def default(cls) -> Embedder:
        """The process-wide shared instance (created on first use, thread-safe)."""
        if cls._default is None:
            with cls._default_lock:
                if cls._default is None:
                    cls._default = cls()
        return cls._default

    # -- encoding ------------------------------------------------------------------------

    def encode(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Embed ``texts`` -> ``(len(texts), dim)`` float32, rows L2-normalised, input order.

        Texts are tokenised once, then run in batches of similar token length (longest
        first) so padding is small; for documents pass :func:`paper_text` output.

        Note: dynamic int8 quantisation takes activation ranges per batch, so a text's
        vector can differ very slightly (cosine > 0.97, typically > 0.99) with its batch
        mates; ranking quality is unaffected (measured batched, queries one by one).
        """
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if n == 0:
            return out
        encodings = self._tokenizer.encode_batch([t if isinstance(t, str) else "" for t in texts])
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=n)
        order = np.argsort(-lengths, kind="stable")
        batch_size = max(1, int(batch_size))

        bar = None
        if progress:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
            )
            task = bar.add_task("embedding", total=n)
            bar.start()
        try:
            for start in range(0, n, batch_size):
                idx = order[start : start + batch_size]
                out[idx] = self._run([encodings[i].ids for i in idx])
                if bar is not None:
                    bar.advance(task, len(idx))
        finally:
            if bar is not None:
                bar.stop()
        return out

    def encode_query(self, text: str, *, cache: bool = True) -> np.ndarray:
        """Embed one search query -> 1-D ``(dim,)`` float32, L2-normalised, read-only.

        Queries get the same whitespace/LaTeX normalisation as documents. The last
        ``QUERY_CACHE_SIZE`` distinct queries are remembered: the model is the largest part of
        a search's cost (2-4 ms of a warm query), while people page through, re-sort, filter
        and narrow to a topic group with the same words, and popular queries repeat.
        ``cache=False`` runs the model regardless (benchmarks timing the model).
        """
        key = normalize_text(text)
        if not cache:
            return self._run([self._tokenizer.encode(key).ids], self.query_threads)[0]
        with self._cache_lock:
            cached = self._query_cache.get(key)
            if cached is not None:
                self._query_cache.move_to_end(key)
                return cached
        vector = self._run([self._tokenizer.encode(key).ids], self.query_threads)[0]
        vector.setflags(write=False)  # shared by every caller of the same query
        with self._cache_lock:
            self._query_cache[key] = vector
            while len(self._query_cache) > QUERY_CACHE_SIZE:
                self._query_cache.popitem(last=False)
        return vector

    def encode_query_soon(self, text: str) -> Future[np.ndarray]:
        """:meth:`encode_query` on this process's query thread; the caller works on meanwhile.

        Why: ONNX Runtime runs the model without the GIL, so a search builds and runs its lexical
        query while the model reads its words, and a first-time query waits for the longer of the
        two instead of both. One thread per process (no extra CPU, only less waiting); a
        remembered query is answered at once without it. A model error is raised by ``result()``.
        """
        with self._cache_lock:
            cached = self._query_cache.get(normalize_text(text))
        if cached is not None:
            done: Future[np.ndarray] = Future()
            done.set_result(self.encode_query(text))  # counts as a use, as encode_query does
            return done
        return _query_thread().submit(self.encode_query, text)

    def _session(self, threads: int) -> tuple[ort.InferenceSession, set[str]]:
        """The model with ``threads`` intra-op threads (and its input names), loaded on first use.

        Why per thread count and lazily: a web process only embeds queries and a sync only batches,
        so each loads the one session it uses (~0.3 s); a process doing both holds two.
        """
        with self._session_lock:
            found = self._sessions.get(threads)
            if found is None:
                so = ort.SessionOptions()
                so.intra_op_num_threads = threads
                so.inter_op_num_threads = 1
                so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
                so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                so.log_severity_level = 3
                # Idle intra-op threads spin by default: a web worker's query (one short text) then burnt
                # 6.5 ms of CPU for 2 ms of work on 2 threads, CPU its neighbours needed. Without spinning a
                # batch of 64 abstracts takes the same time (2.9 s both ways, /tmp/embspin.py in issue 10's note).
                so.add_session_config_entry("session.intra_op.allow_spinning", "0")
                session = ort.InferenceSession(str(self.model_path), sess_options=so,
                                               providers=["CPUExecutionProvider"])
                found = self._sessions[threads] = (session, {i.name for i in session.get_inputs()})
            return found

    def _run(self, batch_ids: list[list[int]], threads: int | None = None) -> np.ndarray:
        session, input_names = self._session(threads or self.threads)
        width = max(len(ids) for ids in batch_ids)
        input_ids = np.zeros((len(batch_ids), width), dtype=np.int64)
        mask = np.zeros((len(batch_ids), width), dtype=np.int64)
        for row, ids in enumerate(batch_ids):
            input_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in input_names:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        (hidden,) = session.run(None, feeds)
        # Mean pooling over real tokens (sentence-transformers' Pooling, mean mode).
        m = mask.astype(np.float32)
        summed = np.einsum("bsd,bs->bd", hidden, m)
        emb = summed / np.maximum(m.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(emb, axis=1, keepdims=True)
        return (emb / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
