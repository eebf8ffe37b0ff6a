"""Explanations as plain data: paths through the graph and the CV evidence they rest on.

A path is a tuple of :class:`PathStep` ``(source, relation, target)`` over node ids as the stores
name them: ``cv:<pseudonym>``, ``posting:<id>``, and ESCO URIs. Every step is an edge the store holds
(``HAS_SKILL``, ``REQUIRES_SKILL``, ``BROADER``, ``REQUIRES``, ``SEEKS``, ``WORKED_AS``,
``FOR_OCCUPATION``), so an ethics reviewer can check each suggestion against the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from graph.records import CvRecord, CvSkill, Evidence, PostingMeta
from graph.wire import to_json
from ontology.model import RequirementKind

Via = Literal["exact", "broader", "narrower", "sibling"]
OccupationFit = Literal["desired", "past", "same_unit_group", "same_minor_group", "none"]


class PathStep(NamedTuple):
    """One edge ``(source, relation, target)``; on the wire a 3-item array."""

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
    kind: RequirementKind
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
    occupation_fit: OccupationFit
    matched: tuple[MatchedSkill, ...]
    missing_essential: tuple[SkillRef, ...]
    reason: str = ""  # for the automatch baseline: title | unskilled


@dataclass(frozen=True, slots=True)
class NearbyPosting:
    """A current posting for an alternative occupation within the citizen's radius."""

    id: str
    title: str
    employer: str
    lat: float
    lon: float
    published: str
    valid_through: str
    occupation: str
    distance_km: float

    @classmethod
    def of(cls, p: PostingMeta, distance_km: float) -> NearbyPosting:
        return cls(p.id, p.title, p.employer, p.lat, p.lon, p.published, p.valid_through, p.occupation, distance_km)


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
    postings: tuple[NearbyPosting, ...]  # nearest first


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


# -- JSON (the API, the CLI and the audit trail all use this; graph.wire generates it from the dataclasses)

def result_json(r: MatchResult) -> dict[str, Any]:
    out: dict[str, Any] = to_json(r)
    return out
