"""Documents after validation and before privacy and extraction: one shape per kind, whatever the format.

Each format reader (:mod:`.cv_formats`, :mod:`.posting_formats`) maps its input to these, so scrubbing,
extraction and linking are written once. They still hold raw (unscrubbed) text and live only for the
duration of one ingestion; nothing here is stored or logged.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Section:
    """A piece of free text read on its own. ``name`` becomes ``Evidence.section`` (``profile``,
    ``experience[0]``, ``competences`` …); evidence offsets are relative to this text once scrubbed."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Declared:
    """A skill the citizen declared: an ESCO skill URI or a label; ``section`` names it in evidence
    and ``field`` is its JSON pointer for errors."""

    value: str
    section: str
    field: str


@dataclass(frozen=True, slots=True)
class Experience:
    """One job: the title is linked to an ESCO occupation (WORKED_AS); its text is a section."""

    title: str
    start: str
    end: str


@dataclass(frozen=True, slots=True)
class Desired:
    value: str  # an ESCO occupation URI or a free job title
    field: str


@dataclass(frozen=True, slots=True)
class CvDocument:
    format: str  # "jobmatch" | "jsonresume"
    citizen_ref: str
    municipality: str
    postcode: str
    max_km: float
    lang: str  # "da" | "en" | "auto"
    desired: tuple[Desired, ...]
    experience: tuple[Experience, ...]
    sections: tuple[Section, ...]
    declared: tuple[Declared, ...]
    # Personal fields kept only to scrub the text, then dropped with the document.
    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    # JSON pointers of the fields checked after schema validation, for errors.
    postcode_field: str = "/postcode"
    municipality_field: str = "/municipality"


@dataclass(frozen=True, slots=True)
class PostingDocument:
    format: str  # "jobmatch" | "schema.org"
    id: str
    source: str
    title: str
    employer: str
    postcode: str
    lat: float | None
    lon: float | None
    published: str
    valid_through: str  # "" when the source gives none
    occupation: str  # an ESCO occupation URI, or ""
    url: str
    lang: str
    sections: tuple[Section, ...]
    # Sections whose very field states a requirement (schema.org "qualifications", "skills" …):
    # an unmarked mention there counts as marked essential.
    requirement_sections: frozenset[str] = frozenset()
    postcode_field: str = "/location/postcode"
    published_field: str = "/published"
    valid_through_field: str = "/valid_through"
    occupation_field: str = "/occupation"
