"""Semantic title linking: a title's nearest occupations by meaning, fused with the lexical score.

The lexical linker (:mod:`loaders.extract.titles`) only sees shared words, so "Retail Consultant" never
reaches "sales assistant" and "Tele Sale/ Telemarketing" never reaches "call centre agent". This module
adds a second opinion from the concept index (:mod:`loaders.extract.concept_index`, every occupation
label of every loaded language embedded once by the reading model): a title is embedded when linked,
and each occupation scores as the soft maximum of its labels' cosines. The two scores are fused (:func:`fuse`)::

    score = FUSED_CAP * (ALPHA * lexical + (1 - ALPHA) * clip((cosine - FLOOR) / (1 - FLOOR), 0, 1))

over the lexical top ``LEXICAL_POOL`` and the semantic top ``SEMANTIC_POOL``. An occupation no word of
the title names needs a cosine of at least ``MIN_SEMANTIC_COSINE`` to be listed at all, so most text
that is no title ("Hello world") still links to nothing. A lexical score of at least ``PIN_LEXICAL``
(the title is a preferred or alternative label) is kept as it is and ranks first; fused scores are
scaled below it, so scores still sort as ranks. ``ALPHA`` and ``FLOOR`` were tuned on titles 0-1,499 of
the JobBERT dev set and checked on titles 1,500-2,999 and 3,000-15,462 (bench/eval_semantic.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from loaders.extract.concept_index import ConceptIndex
from loaders.extract.embedding import Embedder, Matrix, unit_rows
from loaders.mentions import OccupationMention

# Fusion, tuned on titles 0-1,499 of the JobBERT dev set (bench/eval_semantic.py --tune).
ALPHA = 0.2  # weight of the lexical score
FLOOR = 0.85  # the cosine that counts as no similarity (e5 cosines are compressed: unrelated short texts ~0.8)
# An occupation no title word names needs this much to be listed at all. Nonsense ("Hello world", "asdf",
# "the") reaches 0.86-0.90 and the median dev title's nearest label 0.93; MRR barely depends on it.
MIN_SEMANTIC_COSINE = 0.91
PIN_LEXICAL = 0.97  # titles.py: an exact alternative label scores 0.97, an exact preferred label 1
FUSED_CAP = 0.96  # fused scores are scaled into [0, FUSED_CAP], below every pinned lexical score
# An occupation's cosine is the soft maximum of its labels' (tau · log Σ exp(cosine / tau)): its best
# label's, raised by up to tau · ln k when k labels are about as close — several labels near a title are
# more evidence than one. With the best label alone MRR was 0.296 / 0.389 / 0.384 on dev titles 0-2,999,
# 3,000-5,999 and 6,000-15,462; with tau 0.02 it is 0.313 / 0.425 / 0.392 (0.01: lower on all three).
SOFT_MAX_TAU = 0.02
# A broad occupation — one ESCO divides into n narrower occupations — loses BROAD_PENALTY * ln(1 + n) of
# its fused score (never a pinned one: a title that names it exactly still links to it first). Its
# generic labels sit near many titles, while an advertised job is mostly one of the specific occupations.
# Dev titles MRR with the soft maximum: 0.313 / 0.425 / 0.392 without, 0.335 / 0.439 / 0.401 with 0.05
# (0.03: 0.331 / 0.435 / 0.399; 0.08: 0.340 / 0.442 / 0.402). With exact-label ties ordered by meaning
# (fuse): 0.342 / 0.447 / 0.404 at 0.1, 0.347 / 0.449 / 0.398 at 0.2, 0.347 / 0.450 / 0.395 at 0.3 —
# 0.1, where the largest slice (6,000-15,462, ~1,350 occupations) peaks; the first slice (32
# occupations, sales and factory jobs) keeps gaining from broader penalties and is not what decides.
BROAD_PENALTY = 0.1
LEXICAL_POOL = 100  # lexical candidates fused
SEMANTIC_POOL = 50  # semantic candidates fused
SCORE_DECIMALS = 4


@dataclass(frozen=True, slots=True)
class LabelText:
    """One occupation label and its vector's row."""

    uri: str
    label: str


class SemanticIndex:
    """Occupation labels as unit vectors; an occupation scores as the soft maximum of its labels' cosines."""

    def __init__(self, labels: Sequence[LabelText], vectors: Matrix) -> None:
        if len(labels) != vectors.shape[0]:
            raise ValueError("one vector per label is needed")
        order = sorted(range(len(labels)), key=lambda i: (labels[i].uri, i))
        self._labels = [labels[i] for i in order]
        self._vectors = unit_rows(np.asarray(vectors, dtype=np.float32)[order]) if order else vectors
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
        """Per occupation (in ``uris`` order): the soft maximum of its label cosines (:data:`SOFT_MAX_TAU`)
        and the position of its best label."""
        if not self.uris:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.intp)
        sims = self._vectors @ np.asarray(query, dtype=np.float32).reshape(-1)
        best = np.maximum.reduceat(sims, self._starts)
        at_best = np.repeat(best, np.diff(np.r_[self._starts, len(sims)]))
        # the first label of each occupation reaching its best score (ties: the earlier label)
        positions = np.flatnonzero(sims >= at_best)
        first = positions[np.searchsorted(positions, self._starts)]
        soft = best + SOFT_MAX_TAU * np.log(np.add.reduceat(np.exp((sims - at_best) / SOFT_MAX_TAU), self._starts))
        return soft.astype(np.float32), first

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


def narrower_counts(codes: Mapping[str, str]) -> dict[str, int]:
    """How many narrower occupations each occupation has, from ESCO occupation codes (uri → code): a
    narrower occupation's code is its broader one's plus ".n" (2512.4 → 2512.4.1). Occupations without
    a narrower one are left out."""
    by_code = {c: u for u, c in codes.items() if c}
    counts: dict[str, int] = {}
    for code in by_code:
        parent = by_code.get(code.rsplit(".", 1)[0]) if "." in code else None
        if parent is not None:
            counts[parent] = counts.get(parent, 0) + 1
    return counts


def fuse(lexical: Sequence[OccupationMention], semantic: Sequence[tuple[str, str, float]],
         cosine: Mapping[str, float], *, limit: int, alpha: float = ALPHA, floor: float = FLOOR,
         min_semantic: float = MIN_SEMANTIC_COSINE, penalty: Mapping[str, float] | None = None,
         ) -> list[OccupationMention]:
    """Fuse a lexical ranking with semantic neighbours into one ranking, best first (score desc, uri asc).

    ``lexical``: the lexical linker's mentions (scores 0..1). ``semantic``: (uri, label, cosine) of the
    nearest occupations. ``cosine``: every occupation's cosine (to score lexical candidates the
    semantic list lacks). A lexical candidate keeps its label, and its score if at least ``PIN_LEXICAL``;
    a semantic-only one needs ``min_semantic`` and shows its nearest label. ``penalty`` (uri → amount) is
    taken off fused scores, never off a pinned one.
    """
    def sem(c: float) -> float:
        return min(1.0, max(0.0, (c - floor) / (1.0 - floor)))

    def less(uri: str, score: float) -> float:
        return max(0.0, score - penalty.get(uri, 0.0)) if penalty else score

    # uri -> (score, tie-break, label). Pinned scores tie whenever one exact label belongs to several
    # occupations ("operator" is a label of eleven); the fused score orders those, not the uri.
    fused: dict[str, tuple[float, float, str]] = {}
    for m in lexical:
        f = less(m.uri, FUSED_CAP * (alpha * m.score + (1 - alpha) * sem(cosine.get(m.uri, floor))))
        s = m.score if m.score >= PIN_LEXICAL else f
        if m.uri not in fused or s > fused[m.uri][0]:
            fused[m.uri] = (s, f, m.label)
    for uri, label, c in semantic:
        if uri in fused or c < min_semantic:
            continue
        f = less(uri, FUSED_CAP * (1 - alpha) * sem(c))
        fused[uri] = (f, f, label)
    ranked = sorted(fused.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))[:limit]
    return [OccupationMention(uri=u, label=lab, score=round(s, SCORE_DECIMALS)) for u, (s, _f, lab) in ranked]


class SemanticTitles:
    """Title linking by meaning over the concept index's occupation labels, shared by every language
    of one extractor (the model is multilingual)."""

    def __init__(self, embedder: Embedder, index: SemanticIndex, narrower: Mapping[str, int] | None = None) -> None:
        self._embedder = embedder
        self._index = index
        # What a broad occupation loses (BROAD_PENALTY), by uri.
        self._penalty = {u: BROAD_PENALTY * math.log1p(n) for u, n in (narrower or {}).items() if n > 0}

    @classmethod
    def from_concepts(cls, embedder: Embedder, concepts: ConceptIndex,
                      narrower: Mapping[str, int] | None = None) -> SemanticTitles:
        """Over the occupation texts of ``concepts`` (a row per concept a text labels); ``narrower``: how
        many narrower occupations each occupation has (:func:`narrower_counts`)."""
        labels: list[LabelText] = []
        rows: list[int] = []
        for j, (text, owners) in enumerate(zip(concepts.texts_of("Occupation"), concepts.owners_of("Occupation"),
                                               strict=True)):
            # A text that is one occupation's own name and another's alternative label stands for the
            # one it names (as in ConceptIndex.search); dev titles MRR +0.001 / +0.004 / +0.001.
            if len(owners) > 1 and any(o.role == "preferred" for o in owners):
                owners = [o for o in owners if o.role == "preferred"]
            for uri in dict.fromkeys(o.uri for o in owners):
                labels.append(LabelText(uri, text))
                rows.append(j)
        vectors = concepts.vectors_of("Occupation")
        matrix = vectors[np.asarray(rows, dtype=np.intp)] if rows else np.zeros((0, 1), dtype=np.float32)
        return cls(embedder, SemanticIndex(labels, matrix), narrower)

    @property
    def model_id(self) -> str:
        return self._embedder.model_id

    def embed_titles(self, titles: Sequence[str]) -> Matrix:
        # as written: lower-casing titles lowered MRR on the tuning half (0.287 -> 0.276), raised it on B
        return self._embedder.embed([" ".join(t.split()) for t in titles])

    def rerank(self, title: str, lexical: Sequence[OccupationMention], limit: int,
               vector: Matrix | None = None) -> list[OccupationMention]:
        """``lexical`` (the lexical linker's longer list for ``title``) fused with the title's semantic
        neighbours, ``limit`` long. ``vector`` is the title's embedding if already computed."""
        if not title.strip() or not len(self._index):
            return list(lexical[:limit])
        ix = self._index
        q = vector if vector is not None else self.embed_titles([title])[0]
        near, best = ix.search(q, SEMANTIC_POOL)
        cosine = {m.uri: float(best[j]) for m in lexical if (j := ix.position(m.uri)) is not None}
        return fuse(lexical, near, cosine, limit=limit, penalty=self._penalty)
