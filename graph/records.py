"""Plain records the stores hold and return: CVs, postings, evidence, query answers.

Frozen dataclasses only; no driver records or networkx views ever leave a backend. Every list a store
returns has a deterministic order (documented per method in :mod:`graph.store`) so that both backends
agree exactly.

These dataclasses are also the wire shapes (:mod:`graph.wire`): their JSON and JSON Schema are generated
from them. ``Unset`` marks a field written only when set — so records stored before the field existed
read back, and hash, exactly as they were — and ``Internal`` one that never leaves the process.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field

from ontology.model import RequirementKind

Unset = Field(exclude_if=lambda v: v is None or v == "" or v == ())
Internal = Field(exclude=True)

# text: read from the CV's words; declared: listed by the citizen (or confirmed with the consultant);
# inferred: essential to an occupation the CV names, waiting for confirmation (never used in matching).
SkillSource = Literal["text", "declared", "occupation", "inferred"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a concept was read: the section, the character span inside it, the text and sentence.

    ``sentence`` is the (already scrubbed) sentence the span sits in, kept so an explanation can show
    it; ``label`` is the ESCO (or local) label that matched.
    """

    section: str
    start: int
    end: int
    text: str
    sentence: str = ""
    label: str = ""
    how: Annotated[str, Unset] = ""  # how the phrase was read (loaders.mentions.READING_HOWS)
    similarity: Annotated[float | None, Unset] = None  # the reading model's cosine, for a semantic link
    # inferred: the occupation (URI) whose profile the skill comes from; semantic: the occupation whose
    # profile made the reading likelier (the context prior of loaders/extract/context.py), if it did
    via: Annotated[str, Unset] = ""
    by: Annotated[str, Unset] = ""  # confirmed: who confirmed it with the citizen (token id)
    at: Annotated[str, Unset] = ""  # confirmed: when (ISO date)


@dataclass(frozen=True, slots=True)
class CvSkill:
    skill: str
    source: SkillSource
    evidence: tuple[Evidence, ...] = ()
    lang: str = ""


@dataclass(frozen=True, slots=True)
class WorkedAs:
    occupation: str
    start: str = ""  # ISO date or year-month, as given
    end: str = ""


@dataclass(frozen=True, slots=True)
class CvRecord:
    """A citizen's CV as stored: pseudonymous, scrubbed, linked to ESCO.

    ``id`` is the keyed-hash pseudonym, never the job centre's own id. ``desired_titles`` keeps the
    free job titles the citizen gave (scrubbed) because the automatch baseline matches on titles.
    """

    id: str
    municipality: str
    postcode: str
    lat: float | None
    lon: float | None
    max_km: float
    seeks: tuple[str, ...] = ()
    desired_titles: tuple[str, ...] = ()
    worked_as: tuple[WorkedAs, ...] = ()
    skills: tuple[CvSkill, ...] = ()
    lang: str = ""
    updated: str = ""
    read_by: Annotated[str, Unset] = ""  # the reading model and index that read it ("<model>#<index key>")
    rejected: Annotated[tuple[str, ...], Unset] = ()  # inferred skills the citizen said no to: never again


@dataclass(frozen=True, slots=True)
class PostingRequirement:
    skill: str
    kind: RequirementKind
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class PostingRecord:
    """A job posting as stored. Dates are ISO ``YYYY-MM-DD``; a posting is current on day d when
    ``published <= d <= valid_through``."""

    id: str
    source: str
    title: str
    employer: str
    postcode: str
    lat: float | None
    lon: float | None
    published: str
    valid_through: str
    occupation: str = ""
    occupation_score: float = 0.0
    lang: str = ""
    url: str = ""
    requirements: tuple[PostingRequirement, ...] = ()
    owner: Annotated[str, Unset] = ""  # who may replace it (graph.accountability.writes.owner_of)

    def status_on(self, day: str) -> str:
        """``open`` (current on ``day`` and located: a list could have shown it), ``no_location`` or
        ``not_open``."""
        if self.lat is None or self.lon is None:
            return "no_location"
        current = self.published[:10] <= day and (not self.valid_through or day <= self.valid_through[:10])
        return "open" if current else "not_open"


@dataclass(frozen=True, slots=True)
class BBox:
    """A latitude/longitude box; stores filter on it with plain comparisons so both agree exactly."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


@dataclass(frozen=True, slots=True)
class PostingMeta:
    """What ranking needs of a posting, without its requirements."""

    id: str
    title: str
    employer: str
    lat: float
    lon: float
    published: str
    valid_through: str
    occupation: str
    n_essential: Annotated[int, Internal]
    n_optional: Annotated[int, Internal]


@dataclass(frozen=True, slots=True)
class RequirementHit:
    """One requirement of a candidate posting whose skill is in the asked set."""

    posting: str
    skill: str
    kind: RequirementKind


@dataclass(frozen=True, slots=True)
class Candidates:
    """Answer of ``postings_requiring``, columnar so ranking is array arithmetic.

    One entry per candidate posting, by id, in the parallel tuples ``ids``, ``lats``, ``lons``,
    ``occupations`` ("" if none), ``n_essential``, ``n_optional`` and ``published_day``: what ranking needs of thousands
    of candidates (titles and the rest are asked with ``posting_metas`` for the few shown).
    ``skills`` the distinct matched skills, sorted; one hit per (posting, required skill in the asked
    set) in the parallel tuples ``hit_posting`` (index into ``ids``), ``hit_skill`` (index into
    ``skills``) and ``hit_essential``, ordered by (posting, skill).
    """

    ids: tuple[str, ...] = ()
    lats: tuple[float, ...] = ()
    lons: tuple[float, ...] = ()
    occupations: tuple[str, ...] = ()
    n_essential: tuple[int, ...] = ()
    n_optional: tuple[int, ...] = ()
    # Days since 1970 of each posting's publication (a learned ranking weighs how fresh a posting is).
    published_day: tuple[int, ...] = ()
    skills: tuple[str, ...] = ()
    hit_posting: tuple[int, ...] = ()
    hit_skill: tuple[int, ...] = ()
    hit_essential: tuple[bool, ...] = ()

    def hits(self) -> list[RequirementHit]:
        """The hits as records (for explanations and tests; ranking uses the columns)."""
        return [
            RequirementHit(self.ids[p], self.skills[s], "essential" if e else "optional")
            for p, s, e in zip(self.hit_posting, self.hit_skill, self.hit_essential, strict=True)
        ]


@dataclass(frozen=True, slots=True)
class ProfileSkill:
    skill: str
    kind: RequirementKind


@dataclass(frozen=True, slots=True)
class OccupationOverlap:
    """An occupation whose profile shares skills with the asked set."""

    occupation: str
    shared: tuple[ProfileSkill, ...]  # by skill uri
    n_essential: int
    n_optional: int


@dataclass(frozen=True, slots=True)
class SkillLink:
    """A hierarchy neighbour of an asked skill.

    ``relation`` is ``broader`` (target is a parent of source), ``narrower`` (a child) or ``sibling``
    (shares the parent ``via``). Only Skill targets are returned, never skill groups.
    """

    source: str
    relation: Literal["broader", "narrower", "sibling"]
    target: str
    via: str = ""


def links_around(source: str, parents: Iterable[tuple[str, Iterable[str]]], children: Iterable[str]
                 ) -> tuple[SkillLink, ...]:
    """Every hierarchy link of ``source``, ordered as ``skill_neighbours`` answers (relation, target, via):
    each Skill parent (with that parent's Skill children, the siblings) and each Skill child. A store
    drops the links to asked skills itself; built once per skill, the answer is a filter, not thousands of
    new records a request."""
    links: set[SkillLink] = set()
    for parent, siblings in parents:
        links.add(SkillLink(source, "broader", parent))
        links |= {SkillLink(source, "sibling", sib, parent) for sib in siblings if sib != source}
    links |= {SkillLink(source, "narrower", child) for child in children}
    return tuple(sorted(links, key=lambda x: (x.relation, x.target, x.via)))


@dataclass(frozen=True, slots=True)
class ConceptRelation:
    """One edge around a concept, for ``ontology show`` and the taxonomy pages."""

    relation: str  # REQUIRES | BROADER | NARROWER | RELATED | IN_COLLECTION | REQUIRED_BY
    kind: str  # essential | optional | "" ; for IN_COLLECTION the collection name
    other: str  # uri (or collection name)


@dataclass(frozen=True, slots=True)
class OntologyVersion:
    version: str
    languages: tuple[str, ...]
    source: str
    checksum: str
    loaded_at: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class LabelEntry:
    """One label of a concept, for building extractors and searching."""

    uri: str
    kind: str
    lang: str
    label: str
    role: Literal["preferred", "alt", "hidden", "local"]  # local: a maintainer's addition
