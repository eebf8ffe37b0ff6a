"""Alternative occupations: other industries and job functions the citizen's skills transfer to.

An alternative is outside the citizen's focus (not a desired or past occupation, not in the same ISCO
unit group). It is ranked by how much of its essential profile the CV already covers and how close
it lies to the focus in the graph (profile overlap), re-ranked greedily for variety across ISCO
sub-major groups, and shown with the skills it rests on, the essential skills missing, and the
current postings nearby.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from graph.learning.moves import move_share
from graph.matching.explain import Alternative, MatchedSkill, MatchResult, NearbyPosting, SkillRef
from graph.matching.geo import bbox_around
from graph.matching.match import (
    Credit,
    cv_skill_map,
    empty_result,
    focus_of,
    frame_of,
    haversine_np,
    is_transversal,
    label_of,
    matched_skill,
)
from graph.matching.scoring import MatchSettings
from graph.matching.similarity import OccupationVectors
from graph.matching.vocabulary import PART
from graph.records import CvRecord, OccupationOverlap, ProfileSkill, RequirementHit
from graph.store import Store


def _specificity(store: Store, profiles: Mapping[str, list[ProfileSkill]], power: float) -> dict[str, float]:
    """Each profile skill's weight, idf^power (see ``MatchSettings.alt_specificity``); empty when off."""
    if power <= 0:
        return {}
    skills = sorted({p.skill for ps in profiles.values() for p in ps})
    counts = store.skill_profile_counts(skills)
    summary = store.taxonomy_summary()
    n = summary.occupations if summary is not None else max(counts.values(), default=1)
    return {s: math.log((n + 1) / (counts.get(s, 0) + 1)) ** power for s in skills}


def _sub_major(isco_group: str) -> str:
    return isco_group[:2]


def _weighted_jaccard(a: set[str], b: set[str], weight: Mapping[str, float]) -> float:
    union = sum(weight.get(s, 1.0) for s in a | b)
    return sum(weight.get(s, 1.0) for s in a & b) / union if union else 0.0


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def find_alternatives(
    store: Store,
    cv: CvRecord,
    *,
    settings: MatchSettings | None = None,
    limit: int | None = None,
    radius_km: float | None = None,
    valid_on: str | None = None,
    lang: str = "da",
    ontology_version: str = "",
    moves: Mapping[str, Mapping[str, Any]] | None = None,
    vectors: OccupationVectors | None = None,
) -> MatchResult:
    """Alternative occupations for ``cv``, best first, with overlaps, gaps and nearby postings.

    Only exact CV skills count here: an alternative must rest on what the citizen has shown. ``moves``
    (a ranking model's, :mod:`graph.learning.moves`) adds the part ``observed_moves``: the share of
    citizens from the citizen's field hired into the alternative's unit group. ``vectors`` (the reading
    model's, :mod:`graph.matching.similarity`) adds the part ``description_similarity``.

    :raise ValidationError: if the limit is out of range or the CV has no location.
    """
    settings = settings or MatchSettings()
    f = frame_of(cv, settings, radius_km, limit, valid_on, settings.alt_default_limit)
    lat, lon, radius, k, valid_on = f.lat, f.lon, f.radius, f.limit, f.valid_on
    base = empty_result(cv, settings, radius, valid_on, ontology_version, "alternatives")

    skills = cv_skill_map(cv)
    seeks, past = focus_of(cv)
    focus = seeks | past
    overlaps = store.occupations_sharing(list(skills), settings.alt_min_shared)
    concepts = store.concepts({o.occupation for o in overlaps} | focus)
    focus_groups = {concepts[o].isco_group for o in focus if o in concepts}
    pool = [
        o for o in overlaps
        if o.occupation not in focus
        and concepts.get(o.occupation) is not None
        and concepts[o.occupation].isco_group not in focus_groups
        and o.n_essential >= settings.alt_min_essential
    ]
    if not pool:
        return replace(base, notes=("no occupation outside the citizen's focus shares enough skills",))

    # Coverage first (cheap), then closeness only for the best-covered pool.
    def coverage(o: OccupationOverlap) -> float:
        ess = sum(1 for p in o.shared if p.kind == "essential") / o.n_essential
        opt = sum(1 for p in o.shared if p.kind == "optional") / o.n_optional if o.n_optional else 0.0
        return settings.alt_w_essential * ess + settings.alt_w_optional * opt

    pool = sorted(pool, key=lambda o: (-round(coverage(o), 6), o.occupation))[: settings.alt_pool_size]
    # Graph closeness: profile overlap (Jaccard) with the nearest focus occupation.
    profiles = store.occupation_profiles(sorted(focus | {o.occupation for o in pool}))
    focus_sets = [{p.skill for p in profiles.get(f, ())} for f in sorted(focus)]
    weight = _specificity(store, profiles, settings.alt_specificity)

    def share(kind: str, o: OccupationOverlap) -> float:
        """The weighted share of the occupation's ``kind`` skills the citizen has."""
        total = sum(weight.get(p.skill, 1.0) for p in profiles.get(o.occupation, ()) if p.kind == kind)
        have = sum(weight.get(p.skill, 1.0) for p in o.shared if p.kind == kind)
        return have / total if total else 0.0

    described = (vectors.closeness(focus, [o.occupation for o in pool], settings.alt_description_scale)
                 if vectors is not None and settings.alt_w_description > 0 else None)
    scored: list[tuple[float, str, dict[str, float]]] = []
    for o in pool:
        ess_cov, opt_cov = share("essential", o), share("optional", o)
        mine = {p.skill for p in profiles.get(o.occupation, ())}
        closeness = max((_weighted_jaccard(mine, f, weight) for f in focus_sets), default=0.0)
        parts = {
            PART.essential_coverage: round(settings.alt_w_essential * ess_cov, 6),
            PART.optional_coverage: round(settings.alt_w_optional * opt_cov, 6),
            PART.graph_closeness: round(settings.alt_w_closeness * closeness, 6),
        }
        if moves:
            moved, _via = move_share(moves, focus_groups, concepts[o.occupation].isco_group)
            parts[PART.observed_moves] = round(settings.alt_w_moves * moved, 6)
        if described is not None:
            parts[PART.description_similarity] = round(settings.alt_w_description * described[o.occupation], 6)
        scored.append((round(sum(parts.values()), 6), o.occupation, parts))
    scored.sort(key=lambda t: (-t[0], t[1]))

    # Greedy re-rank for variety: each earlier pick from the same ISCO sub-major group decays the score.
    picked: list[tuple[float, str, dict[str, float]]] = []
    per_group: Counter[str] = Counter()
    remaining = scored[:]
    while remaining and len(picked) < k:
        best_i = min(
            range(len(remaining)),
            key=lambda i: (
                -remaining[i][0] * settings.alt_diversity_decay ** per_group[
                    _sub_major(concepts[remaining[i][1]].isco_group)],
                remaining[i][1],
            ),
        )
        choice = remaining.pop(best_i)
        per_group[_sub_major(concepts[choice[1]].isco_group)] += 1
        picked.append(choice)

    chosen = [uri for _, uri, _ in picked]
    bbox = bbox_around(lat, lon, radius)
    nearby = store.postings_for_occupations(chosen, bbox, valid_on)
    by_occ: dict[str, list[tuple[float, str]]] = {}
    if nearby:
        dists = haversine_np(lat, lon, np.array([p.lat for p in nearby]), np.array([p.lon for p in nearby]))
        for p, d in zip(nearby, dists.tolist(), strict=True):
            if d <= radius:
                by_occ.setdefault(p.occupation, []).append((round(d, 3), p.id))
    metas = {p.id: p for p in nearby}

    label_uris = {p.skill for uri in chosen for p in profiles.get(uri, ())}
    concepts = {**concepts, **store.concepts(label_uris - set(concepts))}
    collections = store.collections_of(sorted(label_uris))
    overlap_of = {o.occupation: o for o in pool}
    out = []
    for rank, (score, uri, parts) in enumerate(picked, start=1):
        o = overlap_of[uri]
        profile: list[ProfileSkill] = profiles.get(uri, [])
        shared = {p.skill for p in o.shared}
        transversal = {s for s in shared if is_transversal(concepts.get(s), collections)}
        matched: tuple[MatchedSkill, ...] = tuple(
            matched_skill(cv, RequirementHit(uri, p.skill, p.kind), Credit(1.0, "exact", p.skill), skills, concepts,
                          transversal, lang, uri, "REQUIRES")
            for p in o.shared
        )
        missing = tuple(SkillRef(p.skill, label_of(concepts, p.skill, lang))
                        for p in profile if p.kind == "essential" and p.skill not in shared)
        near = sorted(by_occ.get(uri, []))
        out.append(Alternative(
            rank=rank, occupation=SkillRef(uri, label_of(concepts, uri, lang)),
            isco_group=concepts[uri].isco_group, score=score, parts=parts,
            essential_covered=sum(1 for p in o.shared if p.kind == "essential"), essential_total=o.n_essential,
            matched=matched, missing_essential=missing, postings_nearby=len(near),
            postings=tuple(NearbyPosting.of(metas[pid], d) for d, pid in near[: settings.alt_postings_per_occupation]),
        ))
    return replace(base, alternatives=tuple(out), candidates=len(pool))
