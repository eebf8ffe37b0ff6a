"""Records to and from plain JSON-able dicts: one codec for the SQLite journal, Neo4j properties and
the API, so a record round-trips identically through every store."""

from __future__ import annotations

from collections import Counter
from typing import Any

from graph.records import (
    CvRecord,
    CvSkill,
    Evidence,
    PostingRecord,
    PostingRequirement,
    WorkedAs,
)
from ontology.model import (
    Broader,
    CollectionMember,
    Concept,
    LabelSet,
    OccupationSkill,
    SkillSkill,
    Taxonomy,
)

Json = dict[str, Any]


def evidence_to_dict(e: Evidence) -> Json:
    out: Json = {"section": e.section, "start": e.start, "end": e.end, "text": e.text,
                 "sentence": e.sentence, "label": e.label}
    # Written only when set, so records from before read back (and hash) exactly as they were.
    if e.how:
        out["how"] = e.how
    if e.similarity is not None:
        out["similarity"] = e.similarity
    for key in ("via", "by", "at"):
        if getattr(e, key):
            out[key] = getattr(e, key)
    return out


def evidence_from_dict(d: Json) -> Evidence:
    sim = d.get("similarity")
    return Evidence(section=str(d.get("section", "")), start=int(d.get("start", 0)), end=int(d.get("end", 0)),
                    text=str(d.get("text", "")), sentence=str(d.get("sentence", "")), label=str(d.get("label", "")),
                    how=str(d.get("how", "")), similarity=float(sim) if sim is not None else None,
                    via=str(d.get("via", "")), by=str(d.get("by", "")), at=str(d.get("at", "")))


def cv_to_dict(cv: CvRecord) -> Json:
    return {
        "id": cv.id, "municipality": cv.municipality, "postcode": cv.postcode, "lat": cv.lat, "lon": cv.lon,
        "max_km": cv.max_km, "seeks": list(cv.seeks), "desired_titles": list(cv.desired_titles),
        "worked_as": [{"occupation": w.occupation, "start": w.start, "end": w.end} for w in cv.worked_as],
        "skills": [
            {"skill": s.skill, "source": s.source, "lang": s.lang,
             "evidence": [evidence_to_dict(e) for e in s.evidence]}
            for s in cv.skills
        ],
        "lang": cv.lang, "updated": cv.updated, **({"read_by": cv.read_by} if cv.read_by else {}),
        **({"rejected": list(cv.rejected)} if cv.rejected else {}),
    }


def cv_from_dict(d: Json) -> CvRecord:
    return CvRecord(
        id=d["id"], municipality=d.get("municipality", ""), postcode=d.get("postcode", ""),
        lat=d.get("lat"), lon=d.get("lon"), max_km=float(d.get("max_km", 0.0)),
        seeks=tuple(d.get("seeks", ())), desired_titles=tuple(d.get("desired_titles", ())),
        worked_as=tuple(WorkedAs(occupation=w["occupation"], start=w.get("start", ""), end=w.get("end", ""))
                        for w in d.get("worked_as", ())),
        skills=tuple(
            CvSkill(skill=s["skill"], source=s.get("source", "text"), lang=s.get("lang", ""),
                    evidence=tuple(evidence_from_dict(e) for e in s.get("evidence", ())))
            for s in d.get("skills", ())
        ),
        lang=d.get("lang", ""), updated=d.get("updated", ""), read_by=str(d.get("read_by", "")),
        rejected=tuple(d.get("rejected", ())),
    )


def posting_to_dict(p: PostingRecord) -> Json:
    return {
        "id": p.id, "source": p.source, "title": p.title, "employer": p.employer, "postcode": p.postcode,
        "lat": p.lat, "lon": p.lon, "published": p.published, "valid_through": p.valid_through,
        "occupation": p.occupation, "occupation_score": p.occupation_score, "lang": p.lang, "url": p.url,
        "requirements": [
            {"skill": r.skill, "kind": r.kind, "evidence": [evidence_to_dict(e) for e in r.evidence]}
            for r in p.requirements
        ],
        # Written only when set, so postings stored before owners read back (and hash) as they were.
        **({"owner": p.owner} if p.owner else {}),
    }


def posting_from_dict(d: Json) -> PostingRecord:
    return PostingRecord(
        id=d["id"], source=d.get("source", ""), title=d.get("title", ""), employer=d.get("employer", ""),
        postcode=d.get("postcode", ""), lat=d.get("lat"), lon=d.get("lon"), published=d.get("published", ""),
        valid_through=d.get("valid_through", ""), occupation=d.get("occupation", ""),
        occupation_score=float(d.get("occupation_score", 0.0)), lang=d.get("lang", ""), url=d.get("url", ""),
        requirements=tuple(
            PostingRequirement(skill=r["skill"], kind=r["kind"],
                               evidence=tuple(evidence_from_dict(e) for e in r.get("evidence", ())))
            for r in d.get("requirements", ())
        ),
        owner=str(d.get("owner", "")),
    )


def labels_to_dict(labels: dict[str, LabelSet] | Any) -> Json:
    return {lang: {"preferred": ls.preferred, "alt": list(ls.alt), "hidden": list(ls.hidden)}
            for lang, ls in labels.items()}


def labels_from_dict(d: Json) -> dict[str, LabelSet]:
    return {lang: LabelSet(preferred=v.get("preferred", ""), alt=tuple(v.get("alt", ())),
                           hidden=tuple(v.get("hidden", ()))) for lang, v in d.items()}


def concept_to_dict(c: Concept) -> Json:
    return {
        "uri": c.uri, "kind": c.kind, "labels": labels_to_dict(c.labels), "version": c.version, "code": c.code,
        "status": c.status, "descriptions": dict(c.descriptions), "isco_group": c.isco_group,
        "skill_type": c.skill_type, "reuse_level": c.reuse_level, "stub": c.stub,
    }


def concept_from_dict(d: Json) -> Concept:
    return Concept(
        uri=d["uri"], kind=d["kind"], labels=labels_from_dict(d.get("labels", {})), version=d.get("version", ""),
        code=d.get("code", ""), status=d.get("status", ""), descriptions=dict(d.get("descriptions", {})),
        isco_group=d.get("isco_group", ""), skill_type=d.get("skill_type", ""),
        reuse_level=d.get("reuse_level", ""), stub=bool(d.get("stub", False)),
    )


def taxonomy_to_dict(tax: Taxonomy) -> Json:
    return {
        "version": tax.version, "languages": list(tax.languages), "source": tax.source,
        "checksum": tax.checksum,
        "concepts": [concept_to_dict(c) for c in tax.concepts.values()],
        "occupation_skills": [[r.occupation, r.skill, r.kind] for r in tax.occupation_skills],
        "skill_skills": [[r.source, r.target, r.kind] for r in tax.skill_skills],
        "broader": [[r.child, r.parent] for r in tax.broader],
        "collections": [[r.collection, r.concept] for r in tax.collections],
        "skipped": dict(tax.skipped), "stubs": dict(tax.stubs), "notes": list(tax.notes),
    }


def taxonomy_from_dict(d: Json) -> Taxonomy:
    concepts = [concept_from_dict(c) for c in d.get("concepts", ())]
    return Taxonomy(
        version=d["version"], languages=tuple(d.get("languages", ())), source=d.get("source", ""),
        checksum=d.get("checksum", ""),
        concepts={c.uri: c for c in concepts},
        occupation_skills=[OccupationSkill(o, s, k) for o, s, k in d.get("occupation_skills", ())],
        skill_skills=[SkillSkill(a, b, k) for a, b, k in d.get("skill_skills", ())],
        broader=[Broader(c, p) for c, p in d.get("broader", ())],
        collections=[CollectionMember(c, u) for c, u in d.get("collections", ())],
        skipped=Counter(d.get("skipped", {})), stubs=Counter(d.get("stubs", {})), notes=list(d.get("notes", ())),
    )
