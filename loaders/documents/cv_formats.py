"""CV formats: our JSON (``cv.schema.json``) and JSON Resume v1 with ``meta.jobmatch``
(``cv-jsonresume.schema.json``), detected per document and mapped to :class:`CvDocument`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loaders.documents.model import CvDocument, Declared, Desired, Experience, Section
from loaders.documents.validation import SchemaName, validate
from ontology.errors import ValidationError

# Keys only JSON Resume has; our format forbids unknown keys, so there is no ambiguity.
_JSON_RESUME_KEYS = frozenset(("basics", "work", "volunteer", "meta", "certificates", "projects", "awards"))


def cv_format(doc: Any) -> SchemaName:
    """``cv-jsonresume`` if ``doc`` has any JSON Resume top-level key or a jsonresume ``$schema``,
    else ``cv`` (our format)."""
    if not isinstance(doc, Mapping):
        return "cv"
    if "jsonresume" in str(doc.get("$schema", "")).lower() or _JSON_RESUME_KEYS & set(doc):
        return "cv-jsonresume"
    return "cv"


def read_cv(doc: Any) -> CvDocument:
    """Validate ``doc`` against its format's schema and map it.

    :raise ValidationError: naming the failing field by JSON pointer.
    """
    fmt = cv_format(doc)
    validate(doc, fmt)
    return _from_jsonresume(doc) if fmt == "cv-jsonresume" else _from_ours(doc)


def _lines(*parts: str | None) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _opt(d: Mapping[str, Any], key: str) -> str:
    value = d.get(key)
    return value if isinstance(value, str) else ""


def _from_ours(doc: Mapping[str, Any]) -> CvDocument:
    sections: list[Section] = [Section("profile", _opt(doc, "profile"))]
    experience: list[Experience] = []
    for i, job in enumerate(doc.get("experience", ())):
        experience.append(Experience(job["title"], job["start"], _opt(job, "end")))
        sections.append(Section(f"experience[{i}]", _opt(job, "text")))
    for i, edu in enumerate(doc.get("education", ())):
        # The education's title names what was learnt ("Social- og sundhedsassistent"), so it is read
        # too, as the first line of the section.
        sections.append(Section(f"education[{i}]", _lines(edu["title"], _opt(edu, "text"))))
    sections.append(Section("competences", _opt(doc, "competences")))
    sections.append(Section("languages", _lines(*doc.get("languages", ()))))
    return CvDocument(
        format="jobmatch",
        citizen_ref=doc["id"],
        municipality=doc["municipality"],
        postcode=doc["postcode"],
        max_km=float(doc["max_km"]),
        lang=doc.get("lang", "auto"),
        desired=tuple(Desired(v, f"/desired_occupations/{i}") for i, v in enumerate(doc.get("desired_occupations", ()))),
        experience=tuple(experience),
        sections=tuple(s for s in sections if s.text.strip()),
        declared=tuple(Declared(v, f"declared_skills[{i}]", f"/declared_skills/{i}")
                       for i, v in enumerate(doc.get("declared_skills", ()))),
        names=(_opt(doc, "name"),) if _opt(doc, "name") else (),
        emails=(_opt(doc, "email"),) if _opt(doc, "email") else (),
        phones=(_opt(doc, "phone"),) if _opt(doc, "phone") else (),
    )


def _from_jsonresume(doc: Mapping[str, Any]) -> CvDocument:
    basics: Mapping[str, Any] = doc["basics"]
    ext: Mapping[str, Any] = doc["meta"]["jobmatch"]
    location: Mapping[str, Any] = basics["location"]
    sections: list[Section] = [Section("profile", _opt(basics, "summary"))]
    experience: list[Experience] = []
    # Evidence sections use our names (experience[i] is work[i]) so explanations read the same
    # whatever format the job centre sent.
    for i, job in enumerate(doc.get("work", ())):
        if _opt(job, "position").strip():
            experience.append(Experience(job["position"], _opt(job, "startDate"), _opt(job, "endDate")))
        sections.append(Section(f"experience[{i}]", _lines(_opt(job, "summary"), _opt(job, "description"),
                                                           *job.get("highlights", ()))))
    for i, vol in enumerate(doc.get("volunteer", ())):
        sections.append(Section(f"volunteer[{i}]", _lines(_opt(vol, "position"), _opt(vol, "summary"),
                                                          *vol.get("highlights", ()))))
    for i, edu in enumerate(doc.get("education", ())):
        title = " ".join(x for x in (_opt(edu, "studyType").strip(), _opt(edu, "area").strip()) if x)
        sections.append(Section(f"education[{i}]", _lines(title, *edu.get("courses", ()))))
    for i, proj in enumerate(doc.get("projects", ())):
        sections.append(Section(f"projects[{i}]", _lines(_opt(proj, "description"), *proj.get("highlights", ()))))
    sections.append(Section("competences", _lines(*(_opt(c, "name") for c in doc.get("certificates", ())))))
    languages = [" ".join(x for x in (_opt(lang, "language"), f"({_opt(lang, 'fluency')})"
                                      if _opt(lang, "fluency") else "") if x)
                 for lang in doc.get("languages", ())]
    sections.append(Section("languages", _lines(*languages)))
    declared: list[Declared] = []
    for i, skill in enumerate(doc.get("skills", ())):
        if _opt(skill, "name").strip():
            declared.append(Declared(skill["name"], f"skills[{i}]", f"/skills/{i}/name"))
        for j, kw in enumerate(skill.get("keywords", ())):
            if kw.strip():
                declared.append(Declared(kw, f"skills[{i}].keywords[{j}]", f"/skills/{i}/keywords/{j}"))
    if "desired_occupations" in ext:
        desired = tuple(Desired(v, f"/meta/jobmatch/desired_occupations/{i}")
                        for i, v in enumerate(ext["desired_occupations"]))
    elif _opt(basics, "label").strip():
        # JSON Resume's "label" is the person's professional title: the best stand-in for a wish.
        desired = (Desired(basics["label"], "/basics/label"),)
    else:
        desired = ()
    return CvDocument(
        format="jsonresume",
        citizen_ref=ext["citizen_ref"],
        municipality=ext["municipality"],
        postcode=location["postalCode"],
        max_km=float(ext["max_km"]),
        lang=ext.get("lang", "auto"),
        desired=desired,
        experience=tuple(experience),
        sections=tuple(s for s in sections if s.text.strip()),
        declared=tuple(declared),
        names=(_opt(basics, "name"),) if _opt(basics, "name") else (),
        emails=(_opt(basics, "email"),) if _opt(basics, "email") else (),
        phones=(_opt(basics, "phone"),) if _opt(basics, "phone") else (),
        postcode_field="/basics/location/postalCode",
        municipality_field="/meta/jobmatch/municipality",
    )


def check_municipality(cv: CvDocument, known: Mapping[str, object]) -> None:
    """Refuse a kommune code that is not in ``known`` (when the gazetteer has the list).

    :raise ValidationError: naming the municipality field.
    """
    if known and cv.municipality not in known:
        raise ValidationError(f"{cv.municipality_field}: unknown kommune code", field=cv.municipality_field)
