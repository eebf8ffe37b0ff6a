"""The ESCO model: concepts, relations and one loaded taxonomy version.

Plain frozen dataclasses; no store, no I/O. URIs are ESCO URIs, carried unchanged through every layer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, NewType

ConceptUri = NewType("ConceptUri", str)
SkillUri = NewType("SkillUri", str)
OccupationUri = NewType("OccupationUri", str)

ConceptKind = Literal["Occupation", "Skill", "IscoGroup", "SkillGroup"]
CONCEPT_KINDS: tuple[ConceptKind, ...] = ("Occupation", "Skill", "IscoGroup", "SkillGroup")
RequirementKind = Literal["essential", "optional"]
REQUIREMENT_KINDS: tuple[RequirementKind, ...] = ("essential", "optional")
# The five ESCO skill collections the service tags skills with (transversal = personal competences).
COLLECTIONS: tuple[str, ...] = ("transversal", "digital", "green", "language", "research")


@dataclass(frozen=True, slots=True)
class LabelSet:
    """The labels of one concept in one language."""

    preferred: str
    alt: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()

    def all(self) -> tuple[str, ...]:
        """Return preferred, alternative and hidden labels, preferred first, without repeats."""
        seen: dict[str, None] = {}
        for label in (self.preferred, *self.alt, *self.hidden):
            if label:
                seen.setdefault(label, None)
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class Concept:
    """One ESCO concept: an occupation, a skill (or knowledge), an ISCO group or a skill group.

    ``labels`` and ``descriptions`` are keyed by language code (``en``, ``da`` …). ``stub`` marks a
    concept the package references but does not list (an ESCO data quirk), created so that the
    hierarchy stays connected; it is reported in the load summary.
    """

    uri: str
    kind: ConceptKind
    labels: Mapping[str, LabelSet]
    version: str
    code: str = ""
    status: str = "released"
    descriptions: Mapping[str, str] = field(default_factory=dict)
    isco_group: str = ""  # Occupation: ISCO-08 unit group code, e.g. "2654"
    skill_type: str = ""  # Skill: "skill/competence" | "knowledge" | "" (some ESCO rows are empty)
    reuse_level: str = ""  # Skill: transversal | cross-sector | sector-specific | occupation-specific
    stub: bool = False

    def label(self, lang: str = "en", fallback: tuple[str, ...] = ("en", "da")) -> str:
        """Return the preferred label in ``lang``, else in the first fallback language that has one."""
        for code in (lang, *fallback):
            labels = self.labels.get(code)
            if labels and labels.preferred:
                return labels.preferred
        for labels in self.labels.values():
            if labels.preferred:
                return labels.preferred
        return self.uri


@dataclass(frozen=True, slots=True)
class OccupationSkill:
    occupation: str
    skill: str
    kind: RequirementKind


@dataclass(frozen=True, slots=True)
class SkillSkill:
    source: str
    target: str
    kind: str  # ESCO relationType: essential | optional


@dataclass(frozen=True, slots=True)
class Broader:
    child: str
    parent: str


@dataclass(frozen=True, slots=True)
class CollectionMember:
    collection: str  # one of COLLECTIONS
    concept: str


@dataclass
class Taxonomy:
    """One loaded ESCO version (plus any label packages merged on top).

    ``skipped`` counts rows that were not loaded, by reason; ``stubs`` counts concepts created because
    the package references them without listing them. Neither is fatal: real ESCO releases have both.
    """

    version: str
    languages: tuple[str, ...]
    source: str = ""
    checksum: str = ""
    concepts: dict[str, Concept] = field(default_factory=dict)
    occupation_skills: list[OccupationSkill] = field(default_factory=list)
    skill_skills: list[SkillSkill] = field(default_factory=list)
    broader: list[Broader] = field(default_factory=list)
    collections: list[CollectionMember] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    stubs: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def of_kind(self, kind: ConceptKind) -> Iterator[Concept]:
        return (c for c in self.concepts.values() if c.kind == kind)

    def count(self, kind: ConceptKind, *, include_stubs: bool = False) -> int:
        return sum(1 for c in self.of_kind(kind) if include_stubs or not c.stub)


@dataclass(frozen=True, slots=True)
class TaxonomySummary:
    """What a load produced; the same shape whichever store holds the graph."""

    version: str
    languages: tuple[str, ...]
    occupations: int
    skills: int
    isco_groups: int
    skill_groups: int
    occupation_skill_relations: Mapping[str, int]  # {"total", "essential", "optional"}
    skill_skill_relations: int
    broader_relations: int
    collection_memberships: int
    labels_by_language: Mapping[str, Mapping[str, int]]  # lang -> kind -> concepts with a preferred label
    stubs: Mapping[str, int]
    skipped: Mapping[str, int]

    def as_json(self) -> dict[str, object]:
        return {
            "version": self.version,
            "languages": list(self.languages),
            "occupations": self.occupations,
            "skills": self.skills,
            "isco_groups": self.isco_groups,
            "skill_groups": self.skill_groups,
            "occupation_skill_relations": dict(self.occupation_skill_relations),
            "skill_skill_relations": self.skill_skill_relations,
            "broader_relations": self.broader_relations,
            "collection_memberships": self.collection_memberships,
            "labels_by_language": {k: dict(v) for k, v in self.labels_by_language.items()},
            "stubs": dict(self.stubs),
            "skipped": dict(self.skipped),
        }


def summarise(tax: Taxonomy) -> TaxonomySummary:
    """Count what a taxonomy holds, in the shape the CLI prints and both stores return."""
    essential = sum(1 for r in tax.occupation_skills if r.kind == "essential")
    labels: dict[str, dict[str, int]] = {}
    for c in tax.concepts.values():
        for lang, ls in c.labels.items():
            if ls.preferred:
                per = labels.setdefault(lang, {})
                per[c.kind] = per.get(c.kind, 0) + 1
    return TaxonomySummary(
        version=tax.version,
        languages=tax.languages,
        occupations=tax.count("Occupation"),
        skills=tax.count("Skill"),
        isco_groups=tax.count("IscoGroup"),
        skill_groups=tax.count("SkillGroup"),
        occupation_skill_relations={
            "total": len(tax.occupation_skills),
            "essential": essential,
            "optional": len(tax.occupation_skills) - essential,
        },
        skill_skill_relations=len(tax.skill_skills),
        broader_relations=len(tax.broader),
        collection_memberships=len(tax.collections),
        labels_by_language=labels,
        stubs=dict(tax.stubs),
        skipped=dict(tax.skipped),
    )
