"""Inferred competences and the consultant's confirmation of them with the citizen.

When a CV names an occupation (sought, held, or by a degree title), the essential skills of that
occupation's ESCO profile that the CV does not state are *inferred*: shown to the consultant, never the
citizen's evidence in matching (``graph.matching.match.cv_skill_map`` leaves them out) until confirmed in the
conversation. A confirmation turns one into a declared skill that says who confirmed it and when; a
rejection removes it and is remembered, so re-reading the CV does not infer it again. Both survive a
replaced CV document (:func:`carry_over`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from graph.records import CvRecord, CvSkill, Evidence
from graph.store import Store
from ontology.errors import ValidationError

# The essential skills of occupations, by occupation URI (a store's occupation profiles, essential only).
EssentialSkills = Callable[[Sequence[str]], Mapping[str, Sequence[str]]]
# Inferred skills shown for confirmation, at most: a conversation can go through this many.
MAX_INFERRED = 25


def essential_skills_of(store: Store) -> EssentialSkills:
    """The essential skills of occupations as ``store`` holds their profiles."""
    def essential(uris: Sequence[str]) -> Mapping[str, Sequence[str]]:
        return {occ: [p.skill for p in profile if p.kind == "essential"]
                for occ, profile in store.occupation_profiles(uris).items()}

    return essential


def inferred_skills(named: dict[str, str], profiles: EssentialSkills, known: set[str],
                    lang: str) -> tuple[CvSkill, ...]:
    """The essential skills of the ``named`` occupations (uri → the citizen's phrase naming it) that are
    not ``known``: at most :data:`MAX_INFERRED`, those essential to more of the named occupations first.
    Each carries where it comes from (the occupation, and the phrase that named it)."""
    essential = profiles(list(named))
    count: Counter[str] = Counter()
    first: dict[str, str] = {}
    for occ in named:
        for skill in essential.get(occ, ()):
            if skill in known:
                continue
            count[skill] += 1
            first.setdefault(skill, occ)
    chosen = sorted(count, key=lambda s: (-count[s], s))[:MAX_INFERRED]
    return tuple(
        CvSkill(skill=s, source="inferred", lang=lang, evidence=(Evidence(
            section="inferred", start=0, end=0, text=named[first[s]], how="inferred", via=first[s]),))
        for s in sorted(chosen))


def confirm_skills(cv: CvRecord, uris: Iterable[str] | None, actor: str, day: str) -> tuple[CvRecord, list[str]]:
    """``cv`` with the inferred skills ``uris`` (None: all of them) confirmed by ``actor`` on ``day``:
    declared skills whose evidence says so. Returns the CV and the URIs confirmed.

    :raise ValidationError: (``/skills``) if a URI is not an inferred skill of this CV.
    """
    inferred = {s.skill for s in cv.skills if s.source == "inferred"}
    wanted = set(inferred if uris is None else uris)
    unknown = sorted(wanted - inferred)
    if unknown:
        raise ValidationError(f"not an inferred skill of this CV: {unknown[0]}", field="/skills")
    skills = tuple(
        CvSkill(s.skill, "declared", tuple(replace(e, how="confirmed", by=actor, at=day) for e in s.evidence), s.lang)
        if s.skill in wanted else s for s in cv.skills)
    return replace(cv, skills=skills), sorted(wanted)


def reject_skills(cv: CvRecord, uris: Iterable[str], actor: str) -> tuple[CvRecord, list[str]]:
    """``cv`` without the inferred skills ``uris``, remembered as rejected. ``actor`` is for the log.

    :raise ValidationError: (``/skills``) if a URI is not an inferred skill of this CV.
    """
    inferred = {s.skill for s in cv.skills if s.source == "inferred"}
    return _remove(cv, uris, inferred, "not an inferred skill of this CV", "/skills")


def rectify_skills(cv: CvRecord, uris: Iterable[str]) -> tuple[CvRecord, list[str]]:
    """``cv`` without the skills ``uris`` however they were read (GDPR art. 16: the citizen says the stored
    reading is wrong), remembered as rejected so no inference brings them back. A CV handed in again is
    read anew: what the citizen then writes is their new statement.

    :raise ValidationError: (``/remove_skills``) if a URI is not a skill of this CV.
    """
    return _remove(cv, uris, {s.skill for s in cv.skills}, "not a skill of this CV", "/remove_skills")


def _remove(cv: CvRecord, uris: Iterable[str], allowed: set[str], problem: str,
            field: str) -> tuple[CvRecord, list[str]]:
    wanted = set(uris)
    unknown = sorted(wanted - allowed)
    if unknown:
        raise ValidationError(f"{problem}: {unknown[0]}", field=field)
    skills = tuple(s for s in cv.skills if s.skill not in wanted)
    return replace(cv, skills=skills, rejected=tuple(sorted(set(cv.rejected) | wanted))), sorted(wanted)


def carry_over(new: CvRecord, old: CvRecord | None) -> CvRecord:
    """A newly read CV that replaces ``old``: what was confirmed with the citizen stays confirmed, what
    was rejected stays rejected (an inference never comes back once said no to)."""
    if old is None:
        return new
    rejected = set(old.rejected) | set(new.rejected)
    confirmed = {s.skill: s for s in old.skills if s.source == "declared" and any(e.how == "confirmed" for e in s.evidence)}
    skills: list[CvSkill] = []
    for s in new.skills:
        if s.source == "inferred" and (s.skill in rejected or s.skill in confirmed):
            continue
        if s.skill in confirmed and s.source != "declared":
            s = CvSkill(s.skill, "declared", s.evidence + confirmed[s.skill].evidence, s.lang)
        skills.append(s)
    have = {s.skill for s in skills}
    skills += [c for u, c in confirmed.items() if u not in have]
    return replace(new, skills=tuple(sorted(skills, key=lambda s: s.skill)), rejected=tuple(sorted(rejected)))
