"""The concept index: every ESCO skill and occupation label (all loaded languages, local additions
included) embedded once with the reading model, persisted beside the taxonomy, reused by every process.

Built by ``jobmatch ontology load`` / ``taxonomy upgrade`` / ``reading build`` (with progress), never on
a request. Its key is a hash of the model id and of every (kind, uri, language, label) it holds, so a new
ESCO version, a new additions file or another model means another index; :func:`open_index` finds the
one that fits or says that none does. On disk (``<dir>/index-<key>/``): one float16 matrix per kind, the
texts with their concepts, and ``meta.json`` (model, key, counts, when built). A reader sees an index
whole or not at all: it is written to a temporary folder and renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from graph.records import LabelEntry
from loaders.extract.embedding import Embedder, Matrix, unit_rows

log = logging.getLogger(__name__)

INDEX_KINDS = ("Skill", "Occupation")
# Long alternative labels are task descriptions nobody writes in a CV; they cost build time for no recall.
MAX_ALT_WORDS = {"Skill": 4, "Occupation": 3}
BUILD_BATCH = 512
SEARCH_BLOCK = 256  # query rows per similarity block (256 x 80k float32 = 80 MB)
FORMAT = 1

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class LabelOf:
    """One concept a text is a label of."""

    uri: str
    lang: str
    role: str


@dataclass(frozen=True, slots=True)
class Hit:
    """A concept near a query: its uri, the label that was near, and the cosine."""

    uri: str
    label: str
    lang: str
    role: str
    cosine: float


def index_labels(entries: Iterable[LabelEntry]) -> dict[str, dict[str, list[LabelOf]]]:
    """Per kind, the texts to embed and the concepts each labels: preferred and short alternative labels
    of skills and occupations, in every language given (hidden labels are misspellings: left out)."""
    out: dict[str, dict[str, list[LabelOf]]] = {k: {} for k in INDEX_KINDS}
    for e in entries:
        if e.kind not in out or e.role == "hidden":
            continue
        text = " ".join(e.label.split())
        if not text or (e.role != "preferred" and len(text.split()) > MAX_ALT_WORDS[e.kind]):
            continue
        owners = out[e.kind].setdefault(text, [])
        of = LabelOf(e.uri, e.lang, e.role)
        if of not in owners:
            owners.append(of)
    return {k: {t: sorted(v, key=lambda o: (o.uri, o.lang, o.role)) for t, v in sorted(d.items())}
            for k, d in out.items()}


def index_key(model_id: str, labels: dict[str, dict[str, list[LabelOf]]]) -> str:
    """The name of the index for ``model_id`` over ``labels``: a hash of both."""
    h = hashlib.sha256(f"jobmatch-concept-index/{FORMAT}/{model_id}".encode())
    for kind in INDEX_KINDS:
        for text, owners in labels.get(kind, {}).items():
            h.update(f"\0{kind}\t{text}".encode())
            for o in owners:
                h.update(f"\t{o.uri}|{o.lang}|{o.role}".encode())
    return h.hexdigest()[:20]


class ConceptIndex:
    """Unit vectors of label texts, per kind, searched by cosine."""

    def __init__(self, key: str, model_id: str, texts: dict[str, list[str]],
                 owners: dict[str, list[list[LabelOf]]], vectors: dict[str, Matrix]) -> None:
        self.key = key
        self.model_id = model_id
        self._texts = texts
        self._owners = owners
        self._vectors = vectors

    def __len__(self) -> int:
        return sum(len(t) for t in self._texts.values())

    def count(self, kind: str) -> int:
        return len(self._texts.get(kind, ()))

    def search(self, queries: Matrix, kind: str, k: int) -> list[list[Hit]]:
        """For each query row, the ``k`` nearest label texts of ``kind`` expanded to their concepts
        (one hit per concept, its nearest label), best first (cosine desc, then uri)."""
        vecs = self._vectors.get(kind)
        if vecs is None or not len(vecs) or not len(queries):
            return [[] for _ in range(len(queries))]
        out: list[list[Hit]] = []
        q = np.asarray(queries, dtype=np.float32)
        # In blocks: a batch of postings has thousands of mentions, and one similarity row per mention
        # over 80k labels is 320 KB; a block bounds the matrix at SEARCH_BLOCK rows.
        for start in range(0, len(q), SEARCH_BLOCK):
            out += self._search_block(q[start:start + SEARCH_BLOCK], vecs, kind, k)
        return out

    def _search_block(self, queries: Matrix, vecs: Matrix, kind: str, k: int) -> list[list[Hit]]:
        sims = queries @ vecs.T
        k = min(k, sims.shape[1])
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        out: list[list[Hit]] = []
        texts, owners = self._texts[kind], self._owners[kind]
        for row, cols in zip(sims, top, strict=True):
            hits: dict[str, Hit] = {}
            for j in sorted(cols.tolist(), key=lambda c: (-float(row[c]), texts[c])):
                named = owners[j]
                # A text that is one concept's own name and another's alternative label ("solve problems",
                # also an alternative label of troubleshoot) stands for the concept it names.
                if len(named) > 1 and any(o.role == "preferred" for o in named):
                    named = [o for o in named if o.role == "preferred"]
                for o in named:
                    if o.uri not in hits:
                        hits[o.uri] = Hit(o.uri, texts[j], o.lang, o.role, float(row[j]))
            out.append(sorted(hits.values(), key=lambda h: (-h.cosine, h.uri)))
        return out

    def vectors_of(self, kind: str) -> Matrix:
        return self._vectors[kind]

    def texts_of(self, kind: str) -> list[str]:
        return self._texts[kind]

    def owners_of(self, kind: str) -> list[list[LabelOf]]:
        return self._owners[kind]


def _folder(root: Path, key: str) -> Path:
    return root / f"index-{key}"


def build_index(labels: dict[str, dict[str, list[LabelOf]]], embedder: Embedder, root: Path,
                progress: Progress | None = None) -> ConceptIndex:
    """Embed ``labels`` with ``embedder`` and persist the index under ``root`` (atomically); returns it.
    An index already there for the same key is reused, not rebuilt."""
    key = index_key(embedder.model_id, labels)
    found = open_index(root, key)
    if found is not None:
        return found
    total = sum(len(v) for v in labels.values())
    done = 0
    t0 = time.perf_counter()
    log.info("building the concept index %s: %d label texts with %s", key, total, embedder.model_id)
    known = _earlier_vectors(root, embedder.model_id, {t for texts in labels.values() for t in texts})
    embedded = 0
    vectors: dict[str, Matrix] = {}
    for kind in INDEX_KINDS:
        texts = list(labels.get(kind, {}))
        # A text an earlier index of the same model embedded is not embedded again: an ESCO upgrade or a
        # new additions file costs only its new labels.
        fresh = [t for t in texts if t not in known]
        done += len(texts) - len(fresh)
        for i in range(0, len(fresh), BUILD_BATCH):
            batch = fresh[i:i + BUILD_BATCH]
            for t, row in zip(batch, embedder.embed(batch), strict=True):
                known[t] = row
            done += len(batch)
            embedded += len(batch)
            if progress is not None:
                progress(done, total)
        vectors[kind] = (np.vstack([known[t] for t in texts]).astype(np.float32) if texts
                         else np.zeros((0, 0), dtype=np.float32))
    if progress is not None and not embedded:
        progress(total, total)  # everything came from an earlier index: say so once
    meta = {"format": FORMAT, "key": key, "model": embedder.model_id,
            "counts": {k: len(labels.get(k, {})) for k in INDEX_KINDS},
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "build_seconds": round(time.perf_counter() - t0, 1)}
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{key}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for kind in INDEX_KINDS:
        np.save(tmp / f"vectors-{kind.lower()}.npy", vectors[kind].astype(np.float16), allow_pickle=False)
    texts_json = {kind: [[t, [[o.uri, o.lang, o.role] for o in owners]] for t, owners in labels.get(kind, {}).items()]
                  for kind in INDEX_KINDS}
    (tmp / "texts.json").write_text(json.dumps(texts_json, ensure_ascii=False), "utf-8")
    (tmp / "meta.json").write_text(json.dumps(meta, indent=1), "utf-8")
    final = _folder(root, key)
    try:
        os.replace(tmp, final)
    except OSError:
        # another process finished the same index first: theirs is as good as ours
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("concept index %s built in %.0f s (%d texts)", key, time.perf_counter() - t0, total)
    index = open_index(root, key)
    if index is None:
        raise OSError(f"the concept index was written but cannot be read back from {final}")
    return index


def _earlier_vectors(root: Path, model_id: str, wanted: set[str]) -> dict[str, Matrix]:
    """Text → vector for the ``wanted`` texts that indexes already under ``root`` built with ``model_id``
    hold, newest index first; stops as soon as every wanted text is found."""
    out: dict[str, Matrix] = {}
    for meta in index_status(root):
        if meta.get("model") != model_id or len(out) == len(wanted):
            continue
        index = open_index(root, str(meta.get("key", "")))
        if index is None:
            continue
        for kind in INDEX_KINDS:
            for t, row in zip(index.texts_of(kind), index.vectors_of(kind), strict=True):
                if t in wanted:
                    out.setdefault(t, row)
    return out


def open_index(root: Path, key: str) -> ConceptIndex | None:
    """The persisted index ``key`` under ``root``, or None if it is not there (or unreadable)."""
    folder = _folder(root, key)
    if not (folder / "meta.json").is_file():
        return None
    try:
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
        raw = json.loads((folder / "texts.json").read_text("utf-8"))
        texts: dict[str, list[str]] = {}
        owners: dict[str, list[list[LabelOf]]] = {}
        vectors: dict[str, Matrix] = {}
        for kind in INDEX_KINDS:
            rows = raw.get(kind, [])
            texts[kind] = [r[0] for r in rows]
            owners[kind] = [[LabelOf(*o) for o in r[1]] for r in rows]
            m: npt.NDArray[np.float16] = np.load(folder / f"vectors-{kind.lower()}.npy", allow_pickle=False)
            vectors[kind] = unit_rows(m.astype(np.float32)) if m.size else np.zeros((0, 0), dtype=np.float32)
            if len(vectors[kind]) != len(texts[kind]):
                raise ValueError(f"{kind}: {len(vectors[kind])} vectors for {len(texts[kind])} texts")
    except (OSError, ValueError, KeyError, TypeError) as e:
        log.warning("concept index %s is unreadable (%s); it will have to be rebuilt", folder, e)
        return None
    return ConceptIndex(key, str(meta.get("model", "")), texts, owners, vectors)


def index_status(root: Path) -> list[dict[str, object]]:
    """The indexes persisted under ``root`` (their meta.json), newest first."""
    out: list[dict[str, object]] = []
    if root.is_dir():
        for meta in root.glob("index-*/meta.json"):
            try:
                out.append(json.loads(meta.read_text("utf-8")))
            except (OSError, ValueError):
                continue
    return sorted(out, key=lambda m: str(m.get("built_at", "")), reverse=True)
