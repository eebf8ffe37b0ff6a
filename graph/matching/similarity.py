"""Occupations close in meaning: the reading model's vectors of every occupation's label and description.

Skill overlap misses occupations whose ESCO profiles were written with different skills for the same
work (a political scientist's *policy officer* and *analyst*). The reading model that links CV phrases
also embeds each occupation's preferred label and description once — built beside the concept index by
``ontology load`` / ``taxonomy upgrade`` / ``reading build``, never on a request — and the alternatives
add how close an occupation's text lies to the citizen's own occupations (``description_similarity``).

Cosines of one model crowd in a narrow band (e5: most pairs of occupations 0.75–0.9), so the part is
not the cosine but the occupation's place in the focus's order of all occupations: exp(−place / scale),
1 for the closest, 0.37 at place ``scale``. A place means the same with any model or ESCO version, so
the setting does too.

On disk (``<reading dir>/occupations-<key>.npz``): the uris, the float16 vectors and a JSON meta (model,
reading setting, ontology version). The key is a hash of these and of every text embedded, so a
record that cites it can always be replayed against the same vectors.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
FORMAT = 1
PREFIX = "occupations-"
# An ontology version without vectors is looked for again after this long: ``reading build`` may make
# them while the service runs, and they are then used without a restart.
MISSING_RETRY_SECONDS = 60.0


def vectors_key(model_id: str, setting: str, ontology_version: str, texts: Mapping[str, str]) -> str:
    """The name of the vectors of ``texts`` (uri → text) embedded by ``model_id`` (under reading
    ``setting``) for ``ontology_version``."""
    h = hashlib.sha256(f"jobmatch-occupation-vectors/{FORMAT}/{model_id}/{setting}/{ontology_version}".encode())
    for uri in sorted(texts):
        h.update(f"\0{uri}\t{texts[uri]}".encode())
    return h.hexdigest()[:20]


@dataclass(frozen=True)
class OccupationVectors:
    """Unit vectors of occupation texts, one row per uri, with what names them."""

    key: str
    model_id: str
    setting: str  # the JOBMATCH_READING_MODEL they were built under
    ontology_version: str
    uris: tuple[str, ...]
    vectors: Matrix

    def closeness(self, focus: Iterable[str], candidates: Sequence[str], scale: float) -> dict[str, float]:
        """For each candidate, exp(−r / ``scale``) where r is how many occupations lie closer to the
        nearest focus occupation (1 for the closest there is); 0 for a candidate or focus without a vector."""
        row = {u: i for i, u in enumerate(self.uris)}
        f = [row[u] for u in sorted(set(focus)) if u in row]
        if not f or scale <= 0:
            return {c: 0.0 for c in candidates}
        cos = self.vectors[f] @ self.vectors.T  # focus x all
        # Each occupation's place in each focus occupation's order (0 = closest), its best place kept.
        order = np.argsort(-cos, axis=1, kind="stable")
        place = np.empty_like(order)
        np.put_along_axis(place, order, np.arange(cos.shape[1])[None, :].repeat(len(f), axis=0), axis=1)
        best = place.min(axis=0).astype(np.float64)
        return {c: round(float(np.exp(-best[row[c]] / scale)), 6) if c in row else 0.0 for c in candidates}

    def save(self, folder: Path) -> Path:
        """Write the vectors under ``folder`` (atomically: a reader sees them whole or not at all)."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{PREFIX}{self.key}.npz"
        tmp = folder / f".tmp-{PREFIX}{self.key}-{os.getpid()}.npz"
        meta = {"format": FORMAT, "key": self.key, "model": self.model_id, "setting": self.setting,
                "ontology_version": self.ontology_version, "count": len(self.uris)}
        with tmp.open("wb") as fh:
            np.savez(fh, uris=np.array(self.uris, dtype=str), vectors=self.vectors.astype(np.float16),
                     meta=np.array(json.dumps(meta)))
        os.replace(tmp, path)
        return path


def open_vectors(folder: Path, key: str) -> OccupationVectors | None:
    """The vectors ``key`` under ``folder``, or None if they are not there or unreadable."""
    path = folder / f"{PREFIX}{key}.npz"
    if not key or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            uris = tuple(str(u) for u in z["uris"])
            m = z["vectors"].astype(np.float32)
    except (OSError, ValueError, KeyError) as e:
        raise OSError(f"occupation vectors {path} are unreadable: {e}") from e
    if len(uris) != len(m) or meta.get("key") != key:
        raise OSError(f"occupation vectors {path} do not match their name")
    norms = np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12) if len(m) else 1.0
    return OccupationVectors(key, str(meta.get("model", "")), str(meta.get("setting", "")),
                             str(meta.get("ontology_version", "")), uris, (m / norms).astype(np.float32))


def find_vectors(folder: Path, setting: str, ontology_version: str) -> OccupationVectors | None:
    """The newest vectors under ``folder`` built under reading ``setting`` for ``ontology_version``."""
    if not folder.is_dir():
        return None
    found = []
    for path in folder.glob(f"{PREFIX}*.npz"):
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
        except (OSError, ValueError, KeyError):
            continue
        if meta.get("setting") == setting and meta.get("ontology_version") == ontology_version:
            found.append((path.stat().st_mtime, str(meta.get("key", ""))))
    return open_vectors(folder, max(found)[1]) if found else None


class VectorShelf:
    """The occupation vectors under the reading dir, each opened once: the ones in force for an ontology
    version (built under the configured reading setting), and any one a record cites (replay)."""

    def __init__(self, folder: Path | None, setting: str) -> None:
        self.folder = folder
        self.setting = setting
        self._current: dict[str, OccupationVectors] = {}
        self._missing_at: dict[str, float] = {}  # version -> when none were found
        self._by_key: dict[str, OccupationVectors | None] = {}

    def current(self, ontology_version: str) -> OccupationVectors | None:
        """The vectors for ``ontology_version``; None when the reading is lexical or none are built (looked
        for again after :data:`MISSING_RETRY_SECONDS`)."""
        if self.folder is None or self.setting == "lexical" or not ontology_version:
            return None
        found = self._current.get(ontology_version)
        if found is not None:
            return found
        now = time.monotonic()
        missed = self._missing_at.get(ontology_version)
        if missed is not None and now - missed < MISSING_RETRY_SECONDS:
            return None
        # A race opens the same file twice: harmless.
        found = find_vectors(self.folder, self.setting, ontology_version)
        if found is None:
            self._missing_at[ontology_version] = now
        else:
            self._current[ontology_version] = found
        return found

    def by_key(self, key: str) -> OccupationVectors | None:
        """The vectors named ``key``; None if they are not (or no longer) there."""
        if self.folder is None or not key:
            return None
        if key not in self._by_key:
            self._by_key[key] = open_vectors(self.folder, key)
        return self._by_key[key]
