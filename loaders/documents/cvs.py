"""One CV document → a :class:`CvRecord`: refuse, validate, pseudonymise, scrub, extract, link, locate.

Order is the privacy guarantee: protected-attribute fields are refused before anything else reads
the document; the citizen reference is replaced by its pseudonym before anything is logged; every
text is scrubbed before the extractor sees it, so evidence (span and sentence) can only hold
scrubbed text; names, contact fields and the full text are dropped with the document.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from graph.matching.geo import Gazetteer
from graph.records import CvRecord, CvSkill, SkillSource, WorkedAs
from graph.store import Store
from loaders.documents.cv_formats import check_municipality, read_cv
from loaders.documents.evidence import Found, evidence_of
from loaders.documents.inferred import EssentialSkills, inferred_skills
from loaders.documents.model import CvDocument
from loaders.documents.text_port import TextExtractor
from loaders.documents.title_links import best_occupation
from loaders.documents.uris import esco_uri, looks_like_uri
from loaders.privacy import PseudonymKey, Scrubber, pseudonymise, reject_protected_fields, scoped_pseudonym
from ontology.errors import ValidationError

log = logging.getLogger(__name__)

# An occupation named inside a section counts when named by (nearly) one of its labels: a degree title.
NAMED_OCCUPATION_MIN_SCORE = 0.85


# Chooses the id a CV is stored under from (its pseudonym, its municipality-scoped pseudonym, its
# municipality): see place_cv.
IdPlacer = Callable[[str, str, str], str]


def place_cv(store: Store) -> IdPlacer:
    """Where a CV goes: under its pseudonym, unless another municipality already holds a CV there —
    then under its municipality-scoped pseudonym, so that a job centre writing its citizen's CV gets
    exactly the answer an unknown citizen gets and learns nothing of other municipalities' citizens.
    A CV once placed under the scoped pseudonym stays there."""

    def place(pseudonym: str, scoped: str, municipality: str) -> str:
        held = store.get_cvs([pseudonym, scoped])
        if scoped in held:
            return scoped
        if pseudonym not in held or held[pseudonym].municipality == municipality:
            return pseudonym
        return scoped

    return place


def cv_record_from(
    doc: Any, *, extractor: TextExtractor, gazetteer: Gazetteer, key: PseudonymKey, today: date,
    profiles: EssentialSkills | None = None, rejected: tuple[str, ...] = (), place: IdPlacer | None = None,
    known: Callable[[str, str], bool] | None = None,
) -> CvRecord:
    """Turn one parsed CV (our JSON or JSON Resume, detected) into the record to store.

    ``today`` stamps ``updated``. The record holds the pseudonym, never the citizen reference, and
    no name, contact field or full text. With ``profiles`` (the essential skills of occupations), the
    essential skills of the occupations the CV names (sought, held, or named by a degree title) that
    it does not state become *inferred* skills: shown for the consultant to confirm with the citizen,
    never used in matching until confirmed. ``rejected`` (the stored CV's) are not inferred again.
    ``place`` (:func:`place_cv`) chooses the id when another municipality holds the pseudonym. With
    ``known`` (the store's :func:`loaders.documents.postings.concept_check`), a skill or occupation URI
    the loaded ESCO version does not hold is refused naming its field: a URI an upgrade retired would
    otherwise re-break what the upgrade migrated.

    :raise ValidationError: naming the field (JSON pointer) of a protected attribute, a schema
        violation, an unknown postcode or kommune code, or a URI that is not an ESCO skill/occupation.
    """
    reject_protected_fields(doc)
    cv = read_cv(doc)
    pseudonym = pseudonymise(cv.citizen_ref, key)
    located = gazetteer.locate(cv.postcode)
    if located is None:
        raise ValidationError(f"{cv.postcode_field}: unknown Danish postcode", field=cv.postcode_field)
    check_municipality(cv, gazetteer.municipalities)
    if place is not None:
        pseudonym = place(pseudonym, scoped_pseudonym(cv.citizen_ref, cv.municipality, key), cv.municipality)
    scrubber = Scrubber(cv.names, cv.emails, cv.phones)

    found: dict[str, Found] = {}
    sources: dict[str, SkillSource] = {}
    text_chars: Counter[str] = Counter()
    named: dict[str, str] = {}
    dropped = _read_sections(cv, scrubber, extractor, found, sources, text_chars, named)
    unresolved = _read_declared(cv, scrubber, extractor, found, sources, known)
    seeks, titles = _desired(cv, scrubber, extractor, named, known)
    worked_as = _worked_as(cv, scrubber, extractor, named)
    lang = text_chars.most_common(1)[0][0] if text_chars else ("" if cv.lang == "auto" else cv.lang)
    skills = tuple(
        CvSkill(skill=uri, source=sources[uri], evidence=tuple(f.evidence), lang=f.langs[0] if f.langs else lang)
        for uri, f in sorted(found.items())
    )
    if profiles is not None:
        skills = tuple(sorted(skills + inferred_skills(named, profiles, set(found) | set(rejected), lang),
                              key=lambda s: s.skill))
    # Counts and the pseudonym only: never the reference, a name or any text.
    log.info("cv %s: %d skills (%d declared), %d sought, %d worked as; scrubbed %s; "
             "%d declared unresolved, %d misaligned mentions dropped",
             pseudonym, len(skills), sum(1 for s in skills if s.source == "declared"), len(seeks),
             len(worked_as), dict(scrubber.counts) or "nothing", unresolved, dropped)
    return CvRecord(
        id=pseudonym, municipality=cv.municipality, postcode=located.postcode, lat=located.lat, lon=located.lon,
        max_km=cv.max_km, seeks=seeks, desired_titles=titles, worked_as=worked_as, skills=skills, lang=lang,
        updated=today.isoformat(), read_by=read_by(extractor), rejected=rejected,
    )


def read_by(extractor: TextExtractor) -> str:
    """``<model id>#<index key>`` of the extractor's reading model ("lexical" without one). A test's
    plain extractor has neither: then "" (the port does not require them)."""
    model = str(getattr(extractor, "model_id", ""))
    key = str(getattr(extractor, "index_key", ""))
    return f"{model}#{key}" if key else model


def _read_sections(cv: CvDocument, scrubber: Scrubber, extractor: TextExtractor, found: dict[str, Found],
                   sources: dict[str, SkillSource], text_chars: Counter[str], named: dict[str, str]) -> int:
    """Extract skills from every section's scrubbed text, and the occupations it names by an exact
    label (a degree title: "cand.jur."); returns how many mentions were misaligned."""
    dropped = 0
    for section in cv.sections:
        text = scrubber.scrub(section.text)
        if not text.strip():
            continue
        extraction = extractor.extract(text, lang=cv.lang, kind="cv")
        text_chars[extraction.lang] += len(text)
        for o in extraction.occupations:
            if o.start is not None and o.end is not None and o.score >= NAMED_OCCUPATION_MIN_SCORE:
                named.setdefault(o.uri, text[o.start:o.end])
        for m in extraction.skills:
            ev = evidence_of(section.name, text, m)
            if ev is None:
                dropped += 1
                continue
            found.setdefault(m.uri, Found()).add(ev, extraction.lang)
            sources.setdefault(m.uri, "text")
    return dropped


def _read_declared(cv: CvDocument, scrubber: Scrubber, extractor: TextExtractor, found: dict[str, Found],
                   sources: dict[str, SkillSource], known: Callable[[str, str], bool] | None = None) -> int:
    """Add declared skills (URIs as given, labels through the extractor); returns how many labels
    matched no skill. A skill both declared and read in the text is one skill, source "declared",
    with the evidence of both."""
    unresolved = 0
    for d in cv.declared:
        if looks_like_uri(d.value):
            uri = esco_uri(d.value, "skill")
            if uri is None:
                raise ValidationError(f"{d.field}: not an ESCO skill URI", field=d.field)
            if known is not None and not known(uri, "Skill"):
                raise ValidationError(f"{d.field}: not a skill of the loaded ESCO version", field=d.field)
            found.setdefault(uri, Found())
            sources[uri] = "declared"
            continue
        label = scrubber.scrub(d.value.strip())
        extraction = extractor.extract(label, lang=cv.lang, kind="cv")
        hits = [m for m in extraction.skills if evidence_of(d.section, label, m) is not None]
        if not hits:
            unresolved += 1
        for m in hits:
            found.setdefault(m.uri, Found()).add(evidence_of(d.section, label, m), extraction.lang)
            sources[m.uri] = "declared"
    return unresolved


def _desired(cv: CvDocument, scrubber: Scrubber, extractor: TextExtractor, named: dict[str, str],
             known: Callable[[str, str], bool] | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(ESCO occupations sought, free titles given): URIs kept, titles kept scrubbed and linked."""
    seeks: dict[str, None] = {}
    titles: dict[str, None] = {}
    for d in cv.desired:
        if looks_like_uri(d.value):
            uri = esco_uri(d.value, "occupation")
            if uri is None:
                raise ValidationError(f"{d.field}: not an ESCO occupation URI", field=d.field)
            if known is not None and not known(uri, "Occupation"):
                raise ValidationError(f"{d.field}: not an occupation of the loaded ESCO version", field=d.field)
            seeks[uri] = None
            named.setdefault(uri, "")
            continue
        title = scrubber.scrub(d.value.strip())
        titles[title] = None
        best = best_occupation(extractor, title, cv.lang)
        if best is not None:
            seeks[best.uri] = None
            named.setdefault(best.uri, title)
    return tuple(seeks), tuple(titles)


def _worked_as(cv: CvDocument, scrubber: Scrubber, extractor: TextExtractor,
               named: dict[str, str]) -> tuple[WorkedAs, ...]:
    out: dict[WorkedAs, None] = {}
    for job in cv.experience:
        title = scrubber.scrub(job.title)
        best = best_occupation(extractor, title, cv.lang)
        if best is not None:
            named.setdefault(best.uri, title)
            out[WorkedAs(occupation=best.uri, start=job.start or "", end=job.end or "")] = None
    return tuple(out)
