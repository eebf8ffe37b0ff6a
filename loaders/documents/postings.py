"""One posting document → a :class:`PostingRecord`: validate, scrub, extract requirements, link, locate.

Requirement kinds (documented in docs/INPUT_FORMATS.md):

1. the extractor read a marker in the text: "krav"/"required"/"must" → essential,
   "gerne"/"nice to have"/"en fordel" → optional;
2. no marker, but the mention sits in a field that is itself a requirement (schema.org
   ``qualifications``, ``skills``, ``educationRequirements``, ``experienceRequirements``) → essential;
3. no marker at all: if the posting marks *some* skill essential (by 1 or 2), the employer has said
   what is required, and an unmarked mention is background → optional; otherwise the posting lists
   what it wants without grading it → essential;
4. a skill mentioned several times is essential if any mention is.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from graph.matching.geo import Gazetteer
from graph.records import Evidence, PostingRecord, PostingRequirement
from graph.store import Store
from loaders.documents.evidence import Found, evidence_of
from loaders.documents.model import PostingDocument
from loaders.documents.posting_formats import read_posting
from loaders.documents.text_port import TextExtractor
from loaders.documents.title_links import best_occupation
from loaders.privacy import Scrubber
from ontology.errors import ValidationError
from ontology.model import RequirementKind

log = logging.getLogger(__name__)

# A posting with no closing date counts as open this long after publication. Danish portals run most
# postings for four to eight weeks, and "hurtigst muligt" postings name no date at all; two months
# keeps those visible for a typical run without offering jobs that were filled long ago. A portal
# that re-publishes a still-open posting refreshes the date on re-ingestion.
DEFAULT_VALIDITY_DAYS = 60
# Plausible dates: the placement history this service evaluates on is younger than this, a portal may
# announce a posting some months ahead, and no posting stays open for years.
EARLIEST_PUBLISHED = date(2000, 1, 1)
MAX_DAYS_AHEAD = 366
MAX_OPEN_DAYS = 3 * 366
# The portal's own ESCO occupation is taken as certain.
PORTAL_OCCUPATION_SCORE = 1.0


@dataclass(frozen=True, slots=True)
class _Mention:
    uri: str
    marked: bool | None  # True essential, False optional, None unmarked
    evidence: Evidence | None
    lang: str


def posting_record_from(doc: Any, *, extractor: TextExtractor, gazetteer: Gazetteer,
                        is_occupation: Callable[[str], bool] | None = None) -> PostingRecord:
    """Turn one parsed posting (our JSON or schema.org JobPosting, detected) into the record to store.

    The stored id is ``<source>:<id>`` (unless the id already starts with ``<source>:``), so two
    portals' ids never collide. Contact details in the text (e-mail, phone) are scrubbed like a CV's.

    :raise ValidationError: naming the field (JSON pointer) of a schema violation, an unknown postcode
        without coordinates, an impossible date, a closing date before publication, or (with
        ``is_occupation``, the store's answer) an occupation URI the loaded ESCO version does not hold.
    """
    p = read_posting(doc)
    if p.occupation and is_occupation is not None and not is_occupation(p.occupation):
        raise ValidationError(f"{p.occupation_field}: not an occupation of the loaded ESCO version",
                              field=p.occupation_field)
    lat, lon, postcode = _locate(p, gazetteer)
    published, valid_through = _dates(p)
    scrubber = Scrubber()
    mentions: list[_Mention] = []
    text_chars: Counter[str] = Counter()
    for section in p.sections:
        text = scrubber.scrub(section.text)
        if not text.strip():
            continue
        extraction = extractor.extract(text, lang=p.lang, kind="posting")
        text_chars[extraction.lang] += len(text)
        by_field = True if section.name in p.requirement_sections else None
        for m in extraction.skills:
            marked = m.essential if m.essential is not None else by_field
            mentions.append(_Mention(m.uri, marked, evidence_of(section.name, text, m), extraction.lang))
    lang = text_chars.most_common(1)[0][0] if text_chars else ("" if p.lang == "auto" else p.lang)
    title = scrubber.scrub(p.title)
    occupation, score = p.occupation, PORTAL_OCCUPATION_SCORE if p.occupation else 0.0
    if not occupation:
        best = best_occupation(extractor, title, lang or p.lang)
        occupation, score = (best.uri, best.score) if best is not None else ("", 0.0)
    requirements = _requirements(mentions)
    record_id = p.id if p.id.startswith(p.source + ":") else f"{p.source}:{p.id}"
    log.info("posting %s: %d requirements (%d essential), occupation %s",
             record_id, len(requirements), sum(1 for r in requirements if r.kind == "essential"),
             "linked" if occupation else "none")
    return PostingRecord(
        id=record_id, source=p.source, title=title, employer=p.employer, postcode=postcode, lat=lat, lon=lon,
        published=published, valid_through=valid_through, occupation=occupation, occupation_score=score,
        lang=lang, url=p.url, requirements=requirements,
    )


def _requirements(mentions: list[_Mention]) -> tuple[PostingRequirement, ...]:
    """Apply the requirement-kind rules (module docstring) and merge mentions per skill, by uri."""
    any_essential = any(m.marked is True for m in mentions)
    unmarked: RequirementKind = "optional" if any_essential else "essential"
    kinds: dict[str, RequirementKind] = {}
    found: dict[str, Found] = {}
    for m in mentions:
        kind: RequirementKind = unmarked if m.marked is None else ("essential" if m.marked else "optional")
        if kinds.get(m.uri) != "essential":
            kinds[m.uri] = kind
        found.setdefault(m.uri, Found()).add(m.evidence, m.lang)
    return tuple(PostingRequirement(skill=uri, kind=kinds[uri], evidence=tuple(found[uri].evidence))
                 for uri in sorted(kinds))


def _locate(p: PostingDocument, gazetteer: Gazetteer) -> tuple[float | None, float | None, str]:
    """(lat, lon, postcode): given coordinates win; else the postcode's centroid."""
    place = gazetteer.locate(p.postcode) if p.postcode else None
    if p.lat is not None and p.lon is not None:
        return p.lat, p.lon, p.postcode
    if place is None:
        raise ValidationError(f"{p.postcode_field}: unknown Danish postcode", field=p.postcode_field)
    return place.lat, place.lon, place.postcode


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value[:10])
    except ValueError as e:
        raise ValidationError(f"{field}: not a calendar date", field=field) from e


def _dates(p: PostingDocument) -> tuple[str, str]:
    published = _day(p.published, p.published_field)
    # A posting of the year 1000 or of 2090 is a broken export, not a job anyone can apply for.
    if not EARLIEST_PUBLISHED <= published <= date.today() + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(f"{p.published_field}: not a plausible publication date "
                              f"({EARLIEST_PUBLISHED.isoformat()} to a year ahead)", field=p.published_field)
    if not p.valid_through:
        return published.isoformat(), (published + timedelta(days=DEFAULT_VALIDITY_DAYS)).isoformat()
    through = _day(p.valid_through, p.valid_through_field)
    if through > published + timedelta(days=MAX_OPEN_DAYS):
        raise ValidationError(f"{p.valid_through_field}: open for more than {MAX_OPEN_DAYS} days",
                              field=p.valid_through_field)
    if through < published:
        raise ValidationError(f"{p.valid_through_field}: closes before it is published", field=p.valid_through_field)
    return published.isoformat(), through.isoformat()


def occupation_check(store: Store) -> Callable[[str], bool]:
    """Whether a URI is an occupation of the store's active ESCO version (answers cached per check)."""
    known = concept_check(store)
    return lambda uri: known(uri, "Occupation")


def concept_check(store: Store) -> Callable[[str, str], bool]:
    """Whether a URI is a concept of that kind in the store's active ESCO version — one a document may
    name (answers cached per check: one request, one ingest run)."""
    @functools.cache
    def is_concept(uri: str, kind: str) -> bool:
        c = store.concepts([uri]).get(uri)
        return c is not None and c.kind == kind and c.status != "obsolete"

    return is_concept
