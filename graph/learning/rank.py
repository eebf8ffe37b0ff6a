"""The ``learned`` strategy: the graph strategy's candidates and rules, scored by a trained model.

Candidates, the radius, the candidate rule and the minimum score (on the hand weights) are the graph
strategy's, so both strategies list from the same set and differ only in the order
(``CandidateFrame.listed``). Each suggestion's parts are
the model's per-feature contributions ``wᵢ·xᵢ``, which sum to its score — the same place and form in
which the graph strategy shows its hand-weighted parts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from graph.learning.model import RankingModel
from graph.matching.explain import MatchResult
from graph.matching.match import (
    NO_CANDIDATES,
    CandidateFrame,
    candidate_frame,
    empty_result,
    frame_of,
    rank_frame,
)
from graph.matching.scoring import MatchSettings
from graph.matching.vocabulary import LEARNED, PART
from graph.records import CvRecord
from graph.store import Store


def employer_experience(store: Store, cf: CandidateFrame, share: Callable[[str], float],
                        rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """The feature ``employer_experience`` for ``rows`` of the frame (0 elsewhere): for postings in an
    occupation the citizen worked as, ``share(employer)``. One store call, for those postings only."""
    out = np.zeros(len(cf.ids))
    past = rows[cf.features[PART.past_occupation][rows] > 0]
    if past.size:
        metas = store.posting_metas([cf.ids[i] for i in past.tolist()])
        for i in past.tolist():
            meta = metas.get(cf.ids[i])
            out[i] = share(meta.employer) if meta is not None else 0.0
    return out


def learned_parts(store: Store, cf: CandidateFrame, model: RankingModel) -> dict[str, npt.NDArray[np.float64]]:
    """The model's contributions ``wᵢ·xᵢ`` per candidate."""
    x = dict(cf.features)
    if PART.employer_experience in model.features:
        x[PART.employer_experience] = employer_experience(store, cf, model.employer_share, np.flatnonzero(cf.listed))
    return {name: w * x[name] for name, w in zip(model.features, model.weights, strict=True)}


def learned_settings_hash(settings: MatchSettings, model: RankingModel) -> str:
    """The settings hash a learned result cites: the settings and the model together."""
    return hashlib.sha256(f"{settings.settings_hash()}|{model.id}".encode()).hexdigest()[:16]


def learned_match(
    store: Store,
    cv: CvRecord,
    *,
    model: RankingModel,
    settings: MatchSettings | None = None,
    radius_km: float | None = None,
    limit: int | None = None,
    valid_on: str | None = None,
    lang: str = "da",
    ontology_version: str = "",
) -> MatchResult:
    """Rank current postings within the radius for ``cv`` by ``model``; explain the top ``limit``.

    :raise ValidationError: if the CV has no location or the radius/limit is out of range.
    """
    settings = settings or MatchSettings()
    f = frame_of(cv, settings, radius_km, limit, valid_on)
    base = replace(empty_result(cv, settings, f.radius, f.valid_on, ontology_version, LEARNED),
                   settings_hash=learned_settings_hash(settings, model))
    cf = candidate_frame(store, cv, settings, f)
    if cf is None:
        return replace(base, notes=(NO_CANDIDATES,))
    return rank_frame(store, cv, cf, learned_parts(store, cf, model), f.limit, lang, base)
