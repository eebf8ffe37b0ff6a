"""Records to and from plain JSON-able dicts: one codec for the SQLite journal, Neo4j properties and
the API, so a record round-trips identically through every store. CVs, postings and evidence are their
wire shapes, generated from the dataclasses (:mod:`graph.wire`); the taxonomy keeps its own format."""

from __future__ import annotations

from collections import Counter
from typing import Any

from graph.records import CvRecord, Evidence, PostingRecord
from graph.wire import from_json, to_json
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
    out: Json = to_json(e)
    return out


def evidence_from_dict(d: Json) -> Evidence:
    return from_json(Evidence, d)


def cv_to_dict(cv: CvRecord) -> Json:
    out: Json = to_json(cv)
    return out


def cv_from_dict(d: Json) -> CvRecord:
    return from_json(CvRecord, d)


def posting_to_dict(p: PostingRecord) -> Json:
    out: Json = to_json(p)
    return out


def posting_from_dict(d: Json) -> PostingRecord:
    return from_json(PostingRecord, d)


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
