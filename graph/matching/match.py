"""Direct matches: current postings near the citizen, ranked by a sum of named, explained parts.

Written once over the store protocol. The store answers three batched questions (the CV's skill
neighbourhood, the candidate postings with their matching requirements, the concepts for labels);
the ranking is numpy arithmetic over the candidate arrays; only the top ``limit`` are explained.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import numpy.typing as npt

from graph.days import day_number, published_day
from graph.matching.explain import (
    MatchedSkill,
    MatchResult,
    OccupationFit,
    PathStep,
    SkillRef,
    Suggestion,
    Via,
    cv_node,
    evidence_of,
    posting_node,
    skill_path,
)
from graph.matching.geo import EARTH_RADIUS_KM, bbox_around
from graph.matching.scoring import MatchSettings
from graph.matching.vocabulary import PART, algorithm_version
from graph.records import Candidates, CvRecord, CvSkill, PostingMeta, RequirementHit
from graph.store import Store
from ontology.errors import ValidationError
from ontology.model import Concept

_VIA_ORDER: dict[str, int] = {"exact": 0, "broader": 1, "narrower": 2, "sibling": 3}


@dataclass(frozen=True, slots=True)
class Credit:
    """How the CV covers one skill: directly or through a hierarchy neighbour."""

    credit: float
    via: Via
    cv_skill: str
    via_parent: str = ""


def today() -> str:
    return date.today().isoformat()


def center_of(cv: CvRecord) -> tuple[float, float]:
    if cv.lat is None or cv.lon is None:
        raise ValidationError("the CV has no location (home postcode unknown)", field="postcode")
    return cv.lat, cv.lon


def cv_skill_map(cv: CvRecord) -> dict[str, CvSkill]:
    """The CV's skills by URI; a skill read from several places keeps all its evidence. Inferred skills
    (from an occupation's profile, not yet confirmed with the citizen) are not the citizen's evidence."""
    out: dict[str, CvSkill] = {}
    for s in cv.skills:
        if s.source == "inferred":
            continue
        cur = out.get(s.skill)
        if cur is None:
            out[s.skill] = s
        else:
            out[s.skill] = CvSkill(cur.skill, cur.source, cur.evidence + s.evidence, cur.lang)
    return out


def skill_credits(store: Store, cv_skills: Iterable[str], settings: MatchSettings) -> dict[str, Credit]:
    """Credit for every skill the CV covers: 1.0 for its own skills, discounted for neighbours.

    Siblings under a parent with many children, and the children of a CV skill with many, are left
    out (``near_max_fanout``): such a parent is a broad category, not a near match.
    """
    own = sorted(set(cv_skills))
    credits: dict[str, Credit] = {s: Credit(1.0, "exact", s) for s in own}
    factor = {"broader": settings.near_broader, "narrower": settings.near_narrower, "sibling": settings.near_sibling}
    links = store.skill_neighbours(own)
    # Fan-out as the answer shows it: siblings per (skill, parent) plus the skill itself; children per skill.
    siblings = Counter((x.source, x.via) for x in links if x.relation == "sibling")
    children = Counter(x.source for x in links if x.relation == "narrower")
    for link in links:
        if link.relation == "sibling" and siblings[(link.source, link.via)] + 1 > settings.near_max_fanout:
            continue
        if link.relation == "narrower" and children[link.source] > settings.near_max_fanout:
            continue
        cand = Credit(factor[link.relation], link.relation, link.source, link.via)
        cur = credits.get(link.target)
        # Best credit wins; ties broken by relation and then CV skill so both stores agree.
        if cur is None or (-cand.credit, _VIA_ORDER[cand.via], cand.cv_skill) < (
            -cur.credit, _VIA_ORDER[cur.via], cur.cv_skill
        ):
            credits[link.target] = cand
    return credits


def is_transversal(concept: Concept | None, collections: Mapping[str, tuple[str, ...]]) -> bool:
    if concept is None:
        return False
    return concept.reuse_level == "transversal" or "transversal" in collections.get(concept.uri, ())


def haversine_np(lat: float, lon: float, lats: npt.NDArray[np.float64], lons: npt.NDArray[np.float64]
                 ) -> npt.NDArray[np.float64]:
    p1, p2 = np.radians(lat), np.radians(lats)
    dp, dl = p2 - p1, np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a))), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Frame:
    """A request's checked parameters: where, how far, how many, as of when."""

    lat: float
    lon: float
    radius: float
    limit: int
    valid_on: str


def frame_of(cv: CvRecord, settings: MatchSettings, radius_km: float | None, limit: int | None,
             valid_on: str | None, default_limit: int | None = None) -> Frame:
    """Check and default a request's parameters (the radius defaults to the CV's maximum commute).

    :raise ValidationError: if the CV has no location or the radius/limit is out of range.
    """
    lat, lon = center_of(cv)
    radius = float(radius_km if radius_km is not None else (cv.max_km or settings.default_radius_km))
    if not 0 < radius <= settings.max_radius_km:
        raise ValidationError(f"radius must be between 0 and {settings.max_radius_km:g} km", field="radius_km")
    k = (settings.default_limit if default_limit is None else default_limit) if limit is None else limit
    if not 1 <= k <= settings.max_limit:
        raise ValidationError(f"limit must be between 1 and {settings.max_limit}", field="limit")
    return Frame(lat, lon, radius, k, valid_on or today())


def focus_of(cv: CvRecord) -> tuple[set[str], set[str]]:
    """The citizen's desired and past occupations."""
    return set(cv.seeks), {w.occupation for w in cv.worked_as}


def occupation_fits(
    occupations: Iterable[str], cv: CvRecord, concepts: Mapping[str, Concept], settings: MatchSettings
) -> dict[str, tuple[OccupationFit, float]]:
    """Relation of each occupation to the citizen's focus: (name, part value)."""
    seeks, past = focus_of(cv)
    focus_groups = {concepts[o].isco_group for o in seeks | past if o in concepts and concepts[o].isco_group}
    minor = {g[:3] for g in focus_groups}
    out: dict[str, tuple[OccupationFit, float]] = {}
    for occ in occupations:
        group = concepts[occ].isco_group if occ in concepts else ""
        if occ in seeks:
            out[occ] = ("desired", settings.fit_desired)
        elif occ in past:
            out[occ] = ("past", settings.fit_past)
        elif group and group in focus_groups:
            out[occ] = ("same_unit_group", settings.fit_same_unit_group)
        elif group and group[:3] in minor:
            out[occ] = ("same_minor_group", settings.fit_same_minor_group)
        else:
            out[occ] = ("none", 0.0)
    return out


# The note of a list without candidates (the graph and the learned strategy share the candidates).
NO_CANDIDATES = "no current postings share a skill or occupation within the radius"


@dataclass(frozen=True)
class CandidateFrame:
    """Every candidate posting of one request as arrays, with what explaining the shown ones needs.

    ``features`` holds each :data:`~graph.matching.vocabulary.FEATURES` value per candidate (in [0, 1]);
    the graph strategy weighs a few of them by hand (``hand``: its parts, ``hand_score`` their sum), the
    learned strategy weighs all of them by a trained model. ``listed`` is what any list may show: the
    candidate rule and, on the hand weights, the minimum score — every strategy over the frame lists from
    this same set and differs only in the order.
    """

    ids: list[str]
    dist: npt.NDArray[np.float64]
    occupations: list[str]
    features: dict[str, npt.NDArray[np.float64]]
    hand: dict[str, npt.NDArray[np.float64]]
    hand_score: npt.NDArray[np.float64]
    listed: npt.NDArray[np.bool_]
    cands: Candidates
    h_pos: npt.NDArray[np.int64]
    credits: dict[str, Credit]
    skills: dict[str, CvSkill]
    concepts: dict[str, Concept]
    transversal: set[str]
    focus_metas: dict[str, PostingMeta]
    fits: dict[str, tuple[OccupationFit, float]]


# ISCO-08 tree closeness of a posting's occupation to the citizen's focus (the feature's reason says why).
_ISCO_CLOSENESS = ((4, 1.0), (3, 0.6), (2, 0.3))
# Exact professional paths at which the skill_paths feature is full; day scales of the distance and
# freshness features (see FEATURES in graph/matching/vocabulary.py for the reasons).
_PATHS_FULL = 5.0
_NEAR_HOME_KM, _COMMUTE_KM, _FRESH_DAYS = 5.0, 25.0, 14.0
# Skills the citizen stated or confirmed (not read from text or inferred from an occupation).
_CONFIRMED_SOURCES = frozenset({"declared"})


def _isco_closeness(occupations: _Occupations, cv: CvRecord, concepts: Mapping[str, Concept]) -> npt.NDArray[np.float64]:
    seeks, past = focus_of(cv)
    focus = {concepts[o].isco_group for o in seeks | past if o in concepts and concepts[o].isco_group}
    by_len = {n: {g[:n] for g in focus} for n, _ in _ISCO_CLOSENESS}

    def closeness(occ: str) -> float:
        group = concepts[occ].isco_group if occ in concepts else ""
        return next((v for n, v in _ISCO_CLOSENESS if len(group) >= n and group[:n] in by_len[n]), 0.0)

    return occupations.each(closeness)


class _Occupations:
    """The candidates' occupations as a column: the distinct ones, and each candidate's place among them.
    Thousands of candidates share a few hundred occupations, so a feature of the occupation is computed
    once per distinct one and spread with one gather."""

    def __init__(self, occupations: list[str]) -> None:
        self.names = list(dict.fromkeys(occupations))
        code = {o: i for i, o in enumerate(self.names)}
        self.codes = np.fromiter(map(code.__getitem__, occupations), dtype=np.int64, count=len(occupations))

    def each(self, value: Callable[[str], float]) -> npt.NDArray[np.float64]:
        """``value`` of each candidate's occupation."""
        return np.array([value(o) for o in self.names], dtype=np.float64)[self.codes]


def candidate_frame(store: Store, cv: CvRecord, settings: MatchSettings, f: Frame) -> CandidateFrame | None:
    """The candidates of ``cv`` within the frame and their features; ``None`` if there are none."""
    bbox = bbox_around(f.lat, f.lon, f.radius)
    skills = cv_skill_map(cv)
    credits = skill_credits(store, skills, settings)
    cands = store.postings_requiring(list(credits), bbox, f.valid_on)
    seeks, past = focus_of(cv)
    by_focus = store.postings_for_occupations(sorted(seeks | past), bbox, f.valid_on) if seeks | past else []

    # Candidates come as columns; postings found only through the focus occupations join them.
    focus_metas = {p.id: p for p in by_focus}
    in_cands = set(cands.ids)
    extra = [focus_metas[i] for i in sorted(focus_metas) if i not in in_cands]
    all_ids = list(cands.ids) + [p.id for p in extra]
    if not all_ids:
        return None

    # Positions in id order: both stores hand candidates by id, so only the extras need merging in.
    all_occupations = list(cands.occupations) + [p.occupation for p in extra]
    if extra:
        order_ids: Sequence[int] = sorted(range(len(all_ids)), key=all_ids.__getitem__)
        ids = [all_ids[j] for j in order_ids]
        occupations = [all_occupations[j] for j in order_ids]
    else:
        order_ids, ids, occupations = range(len(all_ids)), all_ids, all_occupations
    at = np.array(order_ids, dtype=np.int64)
    n = len(ids)
    lats = np.array(list(cands.lats) + [p.lat for p in extra], dtype=np.float64)[at]
    lons = np.array(list(cands.lons) + [p.lon for p in extra], dtype=np.float64)[at]
    n_ess = np.array(list(cands.n_essential) + [p.n_essential for p in extra], dtype=np.float64)[at]
    n_opt = np.array(list(cands.n_optional) + [p.n_optional for p in extra], dtype=np.float64)[at]
    published = np.array(list(cands.published_day) + [published_day(p.published) for p in extra], dtype=np.float64)[at]
    dist = haversine_np(f.lat, f.lon, lats, lons)

    by_occupation = _Occupations(occupations)
    occupation_set = {o for o in by_occupation.names if o}
    concept_uris = set(credits) | occupation_set | seeks | past
    concepts = store.concepts(concept_uris)
    collections = store.collections_of(list(credits))
    transversal = {s for s in credits if is_transversal(concepts.get(s), collections)}

    # The candidates' positions among all postings: hits index into cands.ids.
    remap = np.empty(len(all_ids), dtype=np.int64)
    remap[at] = np.arange(n, dtype=np.int64)
    h_pos = remap[np.asarray(cands.hit_posting, dtype=np.int64)] if cands.hit_posting else np.zeros(0, np.int64)
    h_sk = np.asarray(cands.hit_skill, dtype=np.int64)
    h_credit = np.array([credits[s].credit for s in cands.skills], dtype=np.float64)[h_sk] if h_sk.size else np.zeros(0)
    h_ess = np.asarray(cands.hit_essential, dtype=np.bool_)
    h_tv = np.array([s in transversal for s in cands.skills], dtype=np.bool_)[h_sk] if h_sk.size else np.zeros(0, bool)
    h_conf = (np.array([skills[credits[s].cv_skill].source in _CONFIRMED_SOURCES if credits[s].cv_skill in skills
                        else False for s in cands.skills], dtype=np.float64)[h_sk] if h_sk.size else np.zeros(0))

    ess_sum = np.bincount(h_pos[h_ess], weights=h_credit[h_ess], minlength=n)
    opt_sum = np.bincount(h_pos[~h_ess], weights=h_credit[~h_ess], minlength=n)
    ess_part = np.divide(ess_sum, n_ess, out=np.zeros(n), where=n_ess > 0)
    opt_part = np.divide(opt_sum, n_opt, out=np.zeros(n), where=n_opt > 0)
    personal_part = np.minimum(1.0, np.bincount(h_pos[h_tv], minlength=n) / settings.personal_target)
    # Only exact matches count as professional evidence; near matches add credit, never eligibility.
    professional = np.bincount(h_pos[~h_tv & (h_credit >= 1.0)], minlength=n)
    hits = np.bincount(h_pos, minlength=n).astype(np.float64)
    confirmed = np.divide(np.bincount(h_pos, weights=h_conf, minlength=n), hits, out=np.zeros(n), where=hits > 0)

    fits = occupation_fits(occupation_set, cv, concepts, settings)
    occ_part = by_occupation.each(lambda o: fits[o][1] if o else 0.0)
    age = np.maximum(0.0, day_number(f.valid_on) - published)
    features = {
        PART.essential_skills: ess_part,
        PART.optional_skills: opt_part,
        PART.personal_competences: personal_part,
        PART.skill_paths: np.minimum(1.0, professional / _PATHS_FULL),
        # Desired and past are separate features (both can hold): the hand weights' occupation fit takes the
        # better of the two, placements may show that experience counts on top of the wish.
        PART.desired_occupation: by_occupation.each(lambda o: float(o in seeks)),
        PART.past_occupation: by_occupation.each(lambda o: float(o in past)),
        PART.isco_closeness: _isco_closeness(by_occupation, cv, concepts),
        PART.near_home: np.exp(-dist / _NEAR_HOME_KM),
        PART.commute: np.exp(-dist / _COMMUTE_KM),
        PART.fresh_posting: np.exp(-age / _FRESH_DAYS),
        PART.confirmed_skills: confirmed,
        # Needs a model's employer statistics: filled in by the learned ranking (graph/learning/rank.py).
        PART.employer_experience: np.zeros(n),
        # Not a learned feature: the graph strategy's own distance part, kept with the others.
        PART.distance: np.exp(-dist / settings.distance_scale_km),
    }
    hand = hand_parts(features, occ_part, settings)
    hand_score = score_of(hand, n)
    listed = (dist <= f.radius) & (hand_score >= settings.min_score)
    if settings.require_professional_match:
        listed &= (professional > 0) | (occ_part > 0)
    return CandidateFrame(ids=ids, dist=dist, occupations=occupations, features=features, hand=hand,
                          hand_score=hand_score, listed=listed, cands=cands, h_pos=h_pos, credits=credits,
                          skills=skills, concepts=concepts, transversal=transversal, focus_metas=focus_metas,
                          fits=fits)


def hand_parts(x: Mapping[str, npt.NDArray[np.float64]], occ_part: npt.NDArray[np.float64],
               settings: MatchSettings) -> dict[str, npt.NDArray[np.float64]]:
    """The graph strategy's parts: hand weights × part values (see graph/matching/scoring.py)."""
    # The distance part is a function of kilometres only: the radius filters, it never scores. (With
    # 1 − d/radius, widening the search lowered every posting's distance part, so close postings fell
    # under the minimum score and the order depended on how wide the consultant happened to search.)
    return {
        PART.essential_skills: settings.w_essential * x[PART.essential_skills],
        PART.optional_skills: settings.w_optional * x[PART.optional_skills],
        PART.personal_competences: settings.w_personal * x[PART.personal_competences],
        PART.occupation_fit: settings.w_occupation * occ_part,
        PART.distance: settings.w_distance * x[PART.distance],
    }


def match_postings(
    store: Store,
    cv: CvRecord,
    *,
    settings: MatchSettings | None = None,
    radius_km: float | None = None,
    limit: int | None = None,
    valid_on: str | None = None,
    lang: str = "da",
    ontology_version: str = "",
) -> MatchResult:
    """Rank current postings within the radius for ``cv`` by the hand weights; explain the top ``limit``.

    :raise ValidationError: if the CV has no location or the radius/limit is out of range.
    """
    settings = settings or MatchSettings()
    f = frame_of(cv, settings, radius_km, limit, valid_on)
    base = empty_result(cv, settings, f.radius, f.valid_on, ontology_version, "graph")
    cf = candidate_frame(store, cv, settings, f)
    if cf is None:
        return replace(base, notes=(NO_CANDIDATES,))
    return rank_frame(store, cv, cf, cf.hand, f.limit, lang, base, score=cf.hand_score)


def score_of(parts: Mapping[str, npt.NDArray[np.float64]], n: int) -> npt.NDArray[np.float64]:
    """A score is the sum of its parts, rounded as records keep it."""
    return np.round(sum(parts.values(), np.zeros(n)), 6)


def rank_frame(store: Store, cv: CvRecord, cf: CandidateFrame, parts: Mapping[str, npt.NDArray[np.float64]],
               k: int, lang: str, base: MatchResult, *, score: npt.NDArray[np.float64] | None = None
               ) -> MatchResult:
    """Score = the sum of ``parts`` (``score`` when the caller has it); the listed candidates best first
    (ties by id), the top ``k`` explained with their parts, paths and evidence."""
    ids, credits, skills, concepts = cf.ids, cf.credits, cf.skills, dict(cf.concepts)
    n = len(ids)
    if score is None:
        score = score_of(parts, n)
    ranked = np.lexsort((np.arange(n), -score))
    order = ranked[cf.listed[ranked]].tolist()
    top = order[:k]

    shown = [ids[i] for i in top]
    reqs = store.requirements_of(shown)
    metas = {**store.posting_metas([i for i in shown if i not in cf.focus_metas]), **cf.focus_metas}
    label_uris = {r.skill for i in top for r in reqs.get(ids[i], ())} | {credits[s].cv_skill for s in credits}
    concepts = {**concepts, **store.concepts(label_uris - set(concepts))}
    hits_by_posting = _hits_for(cf.cands, cf.h_pos, top)

    suggestions = []
    for rank, i in enumerate(top, start=1):
        meta = metas[ids[i]]
        matched = tuple(
            matched_skill(cv, h, credits[h.skill], skills, concepts, cf.transversal, lang, posting_node(meta.id))
            for h in hits_by_posting.get(i, [])
        )
        covered = {h.skill for h in hits_by_posting.get(i, [])}
        missing = tuple(
            SkillRef(r.skill, label_of(concepts, r.skill, lang))
            for r in reqs.get(meta.id, ()) if r.kind == "essential" and r.skill not in covered
        )
        occ = meta.occupation
        suggestions.append(Suggestion(
            rank=rank, posting=meta, score=float(score[i]),
            parts={name: round(float(v[i]), 6) for name, v in parts.items()},
            distance_km=round(float(cf.dist[i]), 3),
            occupation=SkillRef(occ, label_of(concepts, occ, lang)) if occ else None,
            occupation_fit=cf.fits[occ][0] if occ else "none",
            matched=matched, missing_essential=missing,
        ))
    notes = () if suggestions else ("postings share skills, but none passed the minimum score",)
    return replace(base, suggestions=tuple(suggestions), candidates=len(order), notes=notes)


def empty_result(cv: CvRecord, settings: MatchSettings, radius: float, valid_on: str, ontology_version: str,
                 strategy: str) -> MatchResult:
    """A result with the request's identity and versions and nothing in it yet."""
    return MatchResult(cv_id=cv.id, strategy=strategy, valid_on=valid_on, radius_km=radius,
                       algorithm_version=algorithm_version(strategy), settings_hash=settings.settings_hash(),
                       ontology_version=ontology_version)


def _hits_for(cands: Candidates, h_pos: npt.NDArray[np.int64], top: list[int]
              ) -> dict[int, list[RequirementHit]]:
    """The hits of the top postings. Hits come ordered by posting id and positions are id order, so
    each posting's hits are one contiguous slice."""
    out: dict[int, list[RequirementHit]] = {}
    for i in top:
        a = int(np.searchsorted(h_pos, i, side="left"))
        b = int(np.searchsorted(h_pos, i, side="right"))
        out[i] = [
            RequirementHit(cands.ids[cands.hit_posting[j]], cands.skills[cands.hit_skill[j]],
                           "essential" if cands.hit_essential[j] else "optional")
            for j in range(a, b)
        ]
    return out


def label_of(concepts: Mapping[str, Concept], uri: str, lang: str) -> str:
    c = concepts.get(uri)
    return c.label(lang) if c is not None else uri


def matched_skill(
    cv: CvRecord, h: RequirementHit, credit: Credit, skills: Mapping[str, CvSkill],
    concepts: Mapping[str, Concept], transversal: set[str], lang: str, requirer: str,
    requirer_relation: str = "REQUIRES_SKILL",
) -> MatchedSkill:
    return MatchedSkill(
        skill=SkillRef(h.skill, label_of(concepts, h.skill, lang)),
        kind=h.kind,
        via=credit.via,
        cv_skill=SkillRef(credit.cv_skill, label_of(concepts, credit.cv_skill, lang)),
        credit=credit.credit,
        transversal=h.skill in transversal,
        evidence=evidence_of(skills.get(credit.cv_skill)),
        path=skill_path(cv, credit.cv_skill, credit.via, h.skill, credit.via_parent, requirer, h.kind,
                        requirer_relation),
    )


def occupation_path(cv: CvRecord, fit: str, occupation: str, posting_id: str) -> tuple[PathStep, ...]:
    """The path behind an occupation fit (desired or past occupation)."""
    rel = {"desired": "SEEKS", "past": "WORKED_AS"}.get(fit)
    if rel is None:
        return ()
    return (PathStep(cv_node(cv.id), rel, occupation), PathStep(posting_node(posting_id), "FOR_OCCUPATION", occupation))
