"""Explanations as plain data: paths through the graph and the CV evidence they rest on.

A path is a tuple of :class:`PathStep` ``(source, relation, target)`` over node ids as the stores
name them: ``cv:<pseudonym>``, ``posting:<id>``, and ESCO URIs. Every step is an edge the store holds
(``HAS_SKILL``, ``REQUIRES_SKILL``, ``BROADER``, ``REQUIRES``, ``SEEKS``, ``WORKED_AS``,
``FOR_OCCUPATION``), so an ethics reviewer can check each suggestion against the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from graph.codec import evidence_to_dict
from graph.records import CvRecord, CvSkill, Evidence, PostingMeta

Via = Literal["exact", "broader", "narrower", "sibling"]


@dataclass(frozen=True, slots=True)
class PathStep:
    source: str
    relation: str
    target: str


@dataclass(frozen=True, slots=True)
class SkillRef:
    uri: str
    label: str


@dataclass(frozen=True, slots=True)
class MatchedSkill:
    """A requirement the CV meets, exactly or through the ESCO hierarchy (discounted)."""

    skill: SkillRef  # what the posting / occupation requires
    kind: str  # essential | optional
    via: Via
    cv_skill: SkillRef  # what the CV has
    credit: float  # 1.0 exact, less for near matches
    transversal: bool
    evidence: tuple[Evidence, ...]
    path: tuple[PathStep, ...]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One ranked posting with its score parts, the paths behind it and the gaps."""

    rank: int
    posting: PostingMeta
    score: float
    parts: dict[str, float]  # contribution of each named part (weight × part value)
    distance_km: float
    occupation: SkillRef | None
    occupation_fit: str  # desired | past | same_unit_group | same_minor_group | none
    matched: tuple[MatchedSkill, ...]
    missing_essential: tuple[SkillRef, ...]
    reason: str = ""  # for the automatch baseline: title | unskilled


@dataclass(frozen=True, slots=True)
class Alternative:
    """An occupation outside the citizen's focus, with transferable skills and the gap to close."""

    rank: int
    occupation: SkillRef
    isco_group: str
    score: float
    parts: dict[str, float]
    essential_covered: int
    essential_total: int
    matched: tuple[MatchedSkill, ...]
    missing_essential: tuple[SkillRef, ...]
    postings_nearby: int
    postings: tuple[tuple[PostingMeta, float], ...]  # (posting, distance km), nearest first


@dataclass(frozen=True)
class MatchResult:
    cv_id: str
    strategy: str
    valid_on: str
    radius_km: float
    algorithm_version: str
    settings_hash: str
    ontology_version: str
    suggestions: tuple[Suggestion, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    candidates: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


def cv_node(cv_id: str) -> str:
    return f"cv:{cv_id}"


def posting_node(posting_id: str) -> str:
    return f"posting:{posting_id}"


def skill_path(
    cv: CvRecord, cv_skill: str, via: Via, required: str, via_parent: str, requirer: str, kind: str,
    requirer_relation: str = "REQUIRES_SKILL",
) -> tuple[PathStep, ...]:
    """The path CV → skill [→ hierarchy → skill] ← requirer (a posting or an occupation)."""
    steps = [PathStep(cv_node(cv.id), "HAS_SKILL", cv_skill)]
    if via == "broader":
        steps.append(PathStep(cv_skill, "BROADER", required))
    elif via == "narrower":
        steps.append(PathStep(required, "BROADER", cv_skill))
    elif via == "sibling":
        steps += [PathStep(cv_skill, "BROADER", via_parent), PathStep(required, "BROADER", via_parent)]
    steps.append(PathStep(requirer, f"{requirer_relation}:{kind}", required))
    return tuple(steps)


def evidence_of(skill: CvSkill | None) -> tuple[Evidence, ...]:
    return skill.evidence if skill is not None else ()


# -- JSON shapes (the API, the CLI and the audit trail all use these) ---------------------------------

def _ref(r: SkillRef | None) -> dict[str, str] | None:
    return {"uri": r.uri, "label": r.label} if r is not None else None


def _evidence(e: Evidence) -> dict[str, Any]:
    return evidence_to_dict(e)


def matched_json(m: MatchedSkill) -> dict[str, Any]:
    return {
        "skill": _ref(m.skill), "kind": m.kind, "via": m.via, "cv_skill": _ref(m.cv_skill),
        "credit": m.credit, "transversal": m.transversal,
        "evidence": [_evidence(e) for e in m.evidence],
        "path": [[s.source, s.relation, s.target] for s in m.path],
    }


def posting_json(p: PostingMeta) -> dict[str, Any]:
    return {"id": p.id, "title": p.title, "employer": p.employer, "lat": p.lat, "lon": p.lon,
            "published": p.published, "valid_through": p.valid_through, "occupation": p.occupation}


def suggestion_json(s: Suggestion) -> dict[str, Any]:
    return {
        "rank": s.rank, "posting": posting_json(s.posting), "score": s.score, "parts": s.parts,
        "distance_km": s.distance_km, "occupation": _ref(s.occupation), "occupation_fit": s.occupation_fit,
        "matched": [matched_json(m) for m in s.matched],
        "missing_essential": [_ref(r) for r in s.missing_essential], "reason": s.reason,
    }


def alternative_json(a: Alternative) -> dict[str, Any]:
    return {
        "rank": a.rank, "occupation": _ref(a.occupation), "isco_group": a.isco_group, "score": a.score,
        "parts": a.parts, "essential_covered": a.essential_covered, "essential_total": a.essential_total,
        "matched": [matched_json(m) for m in a.matched],
        "missing_essential": [_ref(r) for r in a.missing_essential],
        "postings_nearby": a.postings_nearby,
        "postings": [{**posting_json(p), "distance_km": d} for p, d in a.postings],
    }


def result_json(r: MatchResult) -> dict[str, Any]:
    return {
        "cv_id": r.cv_id, "strategy": r.strategy, "valid_on": r.valid_on, "radius_km": r.radius_km,
        "algorithm_version": r.algorithm_version, "settings_hash": r.settings_hash,
        "ontology_version": r.ontology_version, "candidates": r.candidates, "notes": list(r.notes),
        "suggestions": [suggestion_json(s) for s in r.suggestions],
        "alternatives": [alternative_json(a) for a in r.alternatives],
    }
