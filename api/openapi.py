"""The OpenAPI 3.1 document, built in code so the schemas are written once, next to the API.

``tests/api/test_openapi.py`` holds it to the app: every route of ``app.url_map`` is described and
nothing else is, each operation's ``x-roles`` equals the roles its view allows, and the responses the
API tests receive validate against the schemas here. The CV and posting request bodies are the
published input schemas of :mod:`loaders.documents` (their ``$defs`` moved into ``components``).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from graph.accountability.replay import REASONS
from graph.matching.vocabulary import (
    BOUND,
    EXPORT_FORMATS,
    FEATURE_NAMES,
    GRAPH,
    PART_NAMES,
    REQUEST_STRATEGIES,
    SCORE_SORT,
    SORT_NAMES,
    STRATEGIES,
    VERDICT_NAMES,
)
from graph.wire import components
from loaders.mentions import READING_HOWS

Json = dict[str, Any]

API = "/api/v1"
PROBLEM = "application/problem+json"


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _str(**kw: Any) -> Json:
    return {"type": "string", **kw}


def _int(**kw: Any) -> Json:
    return {"type": "integer", **kw}


def _num(**kw: Any) -> Json:
    return {"type": "number", **kw}


def _arr(items: Json, **kw: Any) -> Json:
    return {"type": "array", "items": items, **kw}


def _obj(props: Json, required: list[str] | None = None, *, extra: bool = False, **kw: Any) -> Json:
    out: Json = {"type": "object", "properties": props, "required": required if required is not None else
                 list(props), "additionalProperties": extra}
    out.update(kw)
    return out


def _nullable(schema: Json) -> Json:
    return {"anyOf": [schema, {"type": "null"}]}


def _query(name: str, schema: Json, description: str, *, required: bool = False) -> Json:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def _path(name: str, description: str) -> Json:
    return {"name": name, "in": "path", "required": True, "schema": _str(), "description": description}


LANG = _query("lang", _str(enum=["da", "en"], default="da"), "language of concept labels in the answer")
RADIUS = _query("radius_km", _num(exclusiveMinimum=BOUND["radius_km"].minimum, maximum=BOUND["radius_km"].maximum),
                "search radius around the citizen's home (default: the citizen's own maximum)")
ISCO = _query("isco", _str(pattern="^[0-9]{1,4}$"),
              "only occupations in this ISCO-08 group (1-4 digits; GET /api/v1/vocabulary names the major groups)")
MAX_AGE = _query("max_age_days", _int(minimum=int(BOUND["max_age_days"].minimum),
                                       maximum=int(BOUND["max_age_days"].maximum)),
                 "only postings published at most this many days ago")
VALID_ON = _query("valid_on", _str(format="date"),
                  "match as of this day instead of today (admin only; others get 403)")


def _limit(maximum: int, description: str) -> Json:
    return _query("limit", _int(minimum=1, maximum=maximum), description)


# -- schemas --------------------------------------------------------------------------------------

def _records() -> Json:
    """The records that leave the process, generated from their dataclasses (:mod:`graph.wire`), with
    the vocabularies the types alone cannot name (reading hows, strategies, score parts)."""
    from graph.matching.explain import MatchResult
    from graph.records import CvRecord

    out = components([MatchResult, CvRecord])
    # The answer extends the recorded result (below), so the plain result keeps its own name.
    out["RecordedResult"] = out.pop("MatchResult")
    out["RecordedResult"]["properties"]["strategy"]["enum"] = [s.name for s in STRATEGIES]
    out["RecordedResult"]["description"] = "a list as matching returns it and the audit trail records it"
    # Written only when set (never ""), so its default is no value the wire carries.
    out["Evidence"]["properties"]["how"] = {"type": "string", "enum": list(READING_HOWS)}
    out["Evidence"]["description"] = ("where the CV (or posting) says it, in the citizen's own words (text), the "
                                      "label it was read as, and how (label, local synonym, by meaning with its "
                                      "similarity, confirmed); scrubbed text")
    for name in ("Suggestion", "Alternative"):
        out[name]["properties"]["parts"]["propertyNames"] = {"enum": list(PART_NAMES)}
        out[name]["properties"]["parts"]["description"] = ("weight × part, by part name (GET /api/v1/vocabulary "
                                                           "names and labels them)")
    return out


def _extends(base: str, props: Json, required: list[str]) -> Json:
    """``base`` plus ``props``, and nothing else (``unevaluatedProperties`` sees both parts)."""
    return {"allOf": [_ref(base), {"type": "object", "properties": props, "required": required}],
            "unevaluatedProperties": False}


def _schemas() -> Json:
    records = _records()
    result = _extends("RecordedResult", {
        "recommendation_id": _str(description="the audit record of this list; feedback refers to it"),
        "trial_arm": _nullable(_str(enum=["treatment", "control"], description="the citizen's arm, when a "
                                           "trial runs (control gets automatch only)")),
        "labels": {"type": "object", "additionalProperties": _str(),
                   "description": "label of every ESCO URI the answer mentions"},
    }, ["recommendation_id", "trial_arm", "labels"])
    cv = _extends("CvRecord", {"labels": {"type": "object", "additionalProperties": _str()}}, ["labels"])
    cv_written = _obj({"id": _str(), "created": {"type": "boolean"}, "municipality": _str(), "skills": _int(),
                       "seeks": _arr(_str()), "updated": _str()})
    postings_written = _obj({"stored": _int(), "postings": _arr(_obj({
        "id": _str(), "title": _str(), "employer": _str(), "occupation": _str(), "published": _str(),
        "valid_through": _str(), "essential": _int(), "optional": _int()}))})
    feedback_in = _obj({
        "target": _str(minLength=1, description="a posting id or occupation URI of the list"),
        "verdict": _str(enum=list(VERDICT_NAMES)),
        "reason": _str(maxLength=500, description="a short note; no personal data"),
    }, required=["target", "verdict"])
    skill_uris = _arr(_str(minLength=1), minItems=1, maxItems=100, description="inferred skill URIs of the CV")
    confirm_in = {"oneOf": [_obj({"skills": skill_uris}), _obj({"all": {"type": "boolean", "const": True}})],
                  "description": "the inferred skills the citizen has, or all of them"}
    reject_in = _obj({"skills": skill_uris})
    settled = _obj({"id": _str(), "confirmed": _arr(_str()), "rejected": _arr(_str()), "inferred_left": _int()},
                   required=["id", "inferred_left"])
    feedback = _obj({"id": _str(), "at": _str(), "recommendation_id": _str(), "cv_id": _str(), "target": _str(),
                     "verdict": _str(enum=list(VERDICT_NAMES)), "reason": _str(), "actor": _str(),
                     "municipality": _str(), "strategy": _str()})
    summary_props = {
        "id": _str(), "seq": _int(), "at": _str(), "cv_id": _str(), "actor": _str(description="token id"),
        "role": _str(), "municipality": _str(), "strategy": _str(), "settings_hash": _str(),
        "algorithm_version": _str(), "ontology_version": _str(), "local_additions_version": _str(),
        "prev_hash": _str(), "hash": _str(), "suggestions": _int(), "alternatives": _int(),
    }
    record = _obj({**summary_props, "body": {"type": "object", "description":
                                               "the served result and the request's parameters"},
                   "feedback": _arr(_ref("Feedback")),
                   "hash_valid": {"type": "boolean", "description": "the record's content matches its hash"},
                   "labels": {"type": "object", "additionalProperties": _str(),
                              "description": "label of every ESCO URI on the record's paths"}})
    versions = _obj({"ontology": _str(), "algorithm": _str(), "settings": _str(description="settings hash"),
                     "local_additions": _str(), "reading_model": _str(),
                     "ranking_model": _str(description="ranking model id (strategy learned); '' when none"),
                     "occupation_vectors": _str(description="the reading model's occupation vectors alternatives "
                                                            "were ranked with; '' for matches or none")})
    difference = _obj({
        "item": _str(description="posting id or occupation URI ('' for the list as a whole)"),
        "title": _str(description="the posting's title or the occupation's label, as served"),
        "posting_fields": _arr(_str(), description="the posting's fields a write changed (against today)"),
        "change": _str(enum=["no longer suggested", "changed", "newly suggested", "result metadata differs"]),
        "fields": _arr(_str()), "rank_was": _int(), "rank_now": _int(), "score_was": _num(), "score_now": _num(),
        "written": _arr(_obj({"action": _str(), "at": _str(), "actor": _str()}),
                        description="writes of this posting since the list was served: a reason it differs"),
        "reason": _str(enum=list(REASONS), description="the most specific recorded change behind it"),
    }, required=["item", "change"])
    write = _obj({"kind": _str(enum=["cv", "posting"]), "target": _str(),
                  "action": _str(enum=["created", "replaced", "confirmed", "rejected"]), "at": _str(),
                  "actor": _str(description="token id or cli:<user>"), "role": _str(), "content_hash": _str()})
    replay_report = _obj({
        "record_id": _str(), "identical": {"type": "boolean", "description": "the recomputed list is the "
                                                                            "served list, exactly"},
        "recorded_versions": versions, "current_versions": versions, "differences": _arr(difference),
        "notes": _arr(_str()),
        "writes": _arr(write, description="the CV's and the listed postings' writes since the list was served"),
    })
    explanation = _obj({"rank": _int(minimum=1), "kind": _str(enum=["suggestion", "alternative"]),
                        "text_da": _str(description="plain-language Danish, written for the citizen")})
    export = _obj({
        "pseudonym": _str(), "note": _str(), "cv": _ref("Cv"),
        "recommendations": _arr(_obj({"id": _str(), "at": _str(), "strategy": _str(), "actor_role": _str(),
                                      "result": _ref("RecordedResult")})),
        "events": _arr(_obj({"id": _str(), "at": _str(), "kind": _str(), "actor_role": _str()}),
                       description="what else was done with the citizen's data: prints handed over"),
        "feedback": _arr(_ref("Feedback")),
        "trial": _arr(_obj({"trial": _str(), "arm": _str(enum=["treatment", "control"]),
                            "assigned_at": _str()})),
    })
    counts = {**{v: _int() for v in VERDICT_NAMES}, "total": _int(),
              "useful_or_applied_share": _nullable(_num(minimum=0, maximum=1))}
    feedback_summary = _obj({
        "municipality": _nullable(_str(description="the scope: the token's municipality, or null for all")),
        "total": _int(),
        "per_strategy": {"type": "object", "additionalProperties": _obj(counts)},
        "per_strategy_and_isco_major_group": _arr(_obj({"strategy": _str(), "isco_major_group": _str(),
                                                        **counts})),
    })
    labels_by_lang = {"type": "object", "additionalProperties": _obj({"preferred": _str(), "alt": _arr(_str())})}
    concept_props = {
        "uri": _str(), "kind": _str(enum=["Occupation", "Skill", "IscoGroup", "SkillGroup"]), "label": _str(),
        "code": _str(), "status": _str(), "isco_group": _str(), "skill_type": _str(), "reuse_level": _str(),
        "labels": labels_by_lang, "description": _str(),
    }
    version = _obj({"version": _str(), "languages": _arr(_str()), "source": _str(), "checksum": _str(),
                    "loaded_at": _str(), "active": {"type": "boolean"}})
    load_in = _obj({
        "esco_dir": _str(minLength=1, description="package folder, relative to the parent of JOBMATCH_ESCO_DIR"),
        "languages": _arr(_str(pattern="^[A-Za-z]{2,5}$"), minItems=1, maxItems=30),
        "labels": _arr(_str(), maxItems=20, description="extra label TSV files under the same root"),
    }, required=["esco_dir"])
    load_out = {"type": "object", "required": ["version", "languages", "occupations", "skills", "seconds"],
                "properties": {"version": _str(), "languages": _arr(_str()), "occupations": _int(),
                               "skills": _int(), "isco_groups": _int(), "skill_groups": _int(),
                               "notes": _arr(_str()), "seconds": _num()},
                "additionalProperties": True}
    problem = {
        "type": "object", "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": _str(description="urn:jobmatch:problem:<kind>"), "title": _str(), "status": _int(),
            "detail": _str(), "field": _str(description="the failing field: a query parameter name or a "
                                                        "JSON pointer into the body"),
            "instance": _str(), "correlation_id": _str(description="quote it to support (500 only)"),
        },
        "additionalProperties": True,
        "description": "RFC 9457 problem details",
    }
    return {
        **records, "Problem": problem, "MatchResult": result, "Cv": cv, "CitizenExport": export, "Explanation": explanation,
        "ReplayReport": replay_report, "FeedbackSummary": feedback_summary,
        "CvWritten": cv_written, "PostingsWritten": postings_written, "FeedbackRequest": feedback_in,
        "Feedback": feedback, "ConfirmRequest": confirm_in,
        "LookupRequest": _obj({"citizen_ref": _str(minLength=1, maxLength=100,
                                                   description="the job centre's own reference, e.g. 0101-A4711")}),
        "CvFound": _obj({"id": _str(description="the pseudonym"), "municipality": _str(), "updated": _str()}), "RejectRequest": reject_in, "Settled": settled,
        "RecordSummary": _obj(summary_props),
        "RecordList": _obj({"limit": _int(), "offset": _int(), "count": _int(),
                            "recommendations": _arr(_ref("RecordSummary"))}),
        "Record": record,
        "Erased": _obj({"cv_id": _str(), "records_blanked": _int(), "legacy_records_kept": _int(),
                        "erasure_record": _str(description="the audit record of the erasure")}),
        "Rectified": _obj({"id": _str(description="the pseudonym"), "removed": _arr(_str()),
                           "rectification_record": _str(description="the audit record of the rectification")}),
        "Flags": _obj({"flags": _arr(_ref("Feedback"))}),
        "Exported": _obj({"id": _str(description="the audit record of the export"), "recommendation_id": _str(),
                          "format": _str(enum=list(EXPORT_FORMATS)), "at": _str()}),
        "Checkpoint": _obj({"seq": _int(description="the head's sequence number"), "hash": _str(), "at": _str(),
                            "signature": _str(description="HMAC-SHA256 over seq:hash:at with the audit key")}),
        "ChainReport": _obj({"ok": {"type": "boolean"}, "checked": _int(), "first_bad_seq": _nullable(_int()),
                             "checkpoints": _int(description="authentic checkpoints the chain was held to"),
                             "anchor": _str(description="genesis, or the purge record the kept chain starts after"),
                             "problem": _str()}),
        "Concept": _obj(concept_props),
        "ConceptHits": _obj({"q": _str(), "count": _int(), "concepts": _arr(_obj({
            **concept_props, "matched_label": _str(), "matched_lang": _str()}))}),
        "ConceptDetail": _obj({**concept_props, "relations": _arr(_obj({
            "relation": _str(), "kind": _str(), "uri": _str(), "label": _str()}))}),
        "OntologyVersion": version,
        "OntologyVersions": _obj({"versions": _arr(_ref("OntologyVersion"))}),
        "OntologyLoadRequest": load_in, "OntologyLoadSummary": load_out,
        "Vocabulary": _obj({
            "strategies": _arr(_obj({"name": _str(enum=[s.name for s in STRATEGIES]), "algorithm_version": _str(),
                                     "da": _str(), "en": _str(), "requestable": {"type": "boolean"}})),
            "score_parts": _arr(_obj({"name": _str(enum=list(PART_NAMES)), "strategy": _str(), "da": _str(),
                                      "en": _str(), "weight": _str()})),
            "features": _arr(_obj({"name": _str(enum=list(FEATURE_NAMES)), "da": _str(), "en": _str(),
                                   "reason": _str()}),
                             description="the learned strategy's features (docs/LEARNING.md)"),
            "audit_events": _arr(_obj({"name": _str(), "da": _str(), "en": _str()})),
            "verdicts": _arr(_obj({"name": _str(enum=list(VERDICT_NAMES)), "da": _str(), "en": _str(),
                                   "positive": {"type": "boolean"}, "needs_reason": {"type": "boolean"},
                                   "for_review": {"type": "boolean"}})),
            "bounds": _arr(_obj({"name": _str(), "minimum": _num(), "maximum": _num(),
                                 "exclusive_minimum": {"type": "boolean"}})),
            "sorts": _arr(_obj({"name": _str(enum=list(SORT_NAMES)), "da": _str(), "en": _str()})),
            "isco_major_groups": _arr(_obj({"name": _str(), "da": _str(), "en": _str()})),
        }),
        "Health": _obj({"status": _str(enum=["ok"]),
                        "reading_model": _str(description="JOBMATCH_READING_MODEL: e5-small, lexical or local:…"),
                        "ranking_model": _nullable(_str(description="the id of the JOBMATCH_RANKING_MODEL file "
                                                                    "(strategy learned); null when none is set"))}),
        "Ready": _obj({"status": _str(enum=["ready"]), "store": _str(), "esco_loaded": {"type": "boolean"},
                       "ontology_version": _nullable(_str()), "versions": _arr(_str()),
                       "reading": _obj({"model": _str(), "indexes": _arr(_obj({
                           "key": _nullable(_str()), "model": _nullable(_str()), "built_at": _nullable(_str()),
                           "counts": _nullable({"type": "object"})})),
                           "occupation_vectors": _nullable(_str(description="key of the occupation vectors the "
                                                                            "alternatives use; null when none"))},
                           description="the reading model in force, the concept indexes built for it and the "
                                       "occupation vectors in force")}),
    }


def _input_schemas() -> Json:
    """The published CV and posting schemas, with each ``$defs`` moved to ``components`` (prefixed),
    so that every ``$ref`` in the document points into the document."""
    from loaders.documents import schema

    out: Json = {}
    for name, prefix in (("cv", "CvDocument"), ("cv-jsonresume", "CvJsonResume"), ("posting", "PostingDocument"),
                         ("posting-schemaorg", "PostingSchemaOrg")):
        s = copy.deepcopy(schema(name))
        defs = s.pop("$defs", {})
        s.pop("$schema", None)
        s.pop("$id", None)
        text = json.dumps(s)
        defs_text = json.dumps(defs)
        for d in defs:
            for_text = f'"#/$defs/{d}"'
            to = f'"#/components/schemas/{prefix}_{d}"'
            text = text.replace(for_text, to)
            defs_text = defs_text.replace(for_text, to)
        out[prefix] = json.loads(text)
        for d, sub in json.loads(defs_text).items():
            out[f"{prefix}_{d}"] = sub
    return out


# -- responses ------------------------------------------------------------------------------------

def _problem(description: str, headers: Json | None = None) -> Json:
    out: Json = {"description": description, "content": {PROBLEM: {"schema": _ref("Problem")}}}
    if headers:
        out["headers"] = headers
    return out


def _header(description: str) -> Json:
    return {"description": description, "schema": _str()}


ERRORS: Json = {
    "BadRequest": _problem("Malformed request (e.g. the body is not valid JSON)"),
    "Unauthenticated": _problem("Missing, unknown or revoked token",
                                {"WWW-Authenticate": {**_header("Bearer challenge"), "required": True}}),
    "Forbidden": _problem("The token's role may not do this (or a consultant wrote another municipality's CV, or "
                          "replaced a posting another owner wrote)"),
    "NotFound": _problem("No such resource, or one of another municipality (deliberately the same answer)"),
    "MethodNotAllowed": _problem("Another method is allowed on this path",
                                 {"Allow": {**_header("the allowed methods"), "required": True}}),
    "PayloadTooLarge": _problem("The body is larger than JOBMATCH_MAX_BODY_BYTES"),
    "UnsupportedMediaTypeError": _problem("The body is not application/json"),
    "Unprocessable": _problem("A parameter or body field is invalid; `field` names it"),
    "Internal": _problem("Unexpected error; the problem has a correlation_id the server log also has"),
    "Unavailable": _problem("The data store is unavailable; retry later",
                            {"Retry-After": _header("seconds to wait")}),
}


def _err(*names: str) -> Json:
    codes = {"BadRequest": "400", "Unauthenticated": "401", "Forbidden": "403", "NotFound": "404",
             "MethodNotAllowed": "405", "PayloadTooLarge": "413", "UnsupportedMediaTypeError": "415",
             "Unprocessable": "422", "Internal": "500", "Unavailable": "503"}
    return {codes[n]: {"$ref": f"#/components/responses/{n}"} for n in names}


_API_ERRORS = ("Unauthenticated", "Forbidden", "MethodNotAllowed", "Unprocessable", "Internal", "Unavailable")
_BODY_ERRORS = ("BadRequest", "PayloadTooLarge", "UnsupportedMediaTypeError")


def _ok(schema: str, description: str, status: str = "200", headers: Json | None = None) -> Json:
    out: Json = {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}
    if headers:
        out["headers"] = headers
    return {status: out}


def _op(summary: str, roles: list[str] | None, responses: Json, *, params: list[Json] | None = None,
        body: Json | None = None, not_found: bool = False, tag: str = "", op_id: str = "",
        description: str = "") -> Json:
    """One operation. ``roles`` None = public (no token)."""
    op: Json = {"operationId": op_id, "summary": summary, "tags": [tag] if tag else []}
    if description:
        op["description"] = description
    if params:
        op["parameters"] = params
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    all_responses = dict(responses)
    if roles is not None:
        op["security"] = [{"bearer": []}]
        op["x-roles"] = sorted(set(roles) | {"admin"})
        all_responses.update(_err(*_API_ERRORS))
        if body is not None:
            all_responses.update(_err(*_BODY_ERRORS))
        if not_found:
            all_responses.update(_err("NotFound"))
    else:
        op["security"] = []
        all_responses.update(_err("MethodNotAllowed"))
    op["responses"] = dict(sorted(all_responses.items()))
    return op


def _paths() -> Json:
    cv_id = _path("cv_id", "the CV's pseudonym")
    rec_id = _path("rec_id", "the recommendation (audit record) id")
    written = {"Location": _header("the CV's URL")}
    cv_body = {"anyOf": [_ref("CvDocument"), _ref("CvJsonResume")]}
    posting_body = {"anyOf": [_ref("PostingDocument"), _ref("PostingSchemaOrg")]}
    return {
        "/": {"get": {"operationId": "page", "summary": "The consultant's page (HTML, Danish; ?lang=en)",
                      "tags": ["page"], "security": [],
                      "parameters": [_query("lang", _str(enum=["da", "en"]), "page language")],
                      "responses": {"200": {"description": "the page",
                                            "content": {"text/html": {"schema": _str()}}},
                                    **_err("MethodNotAllowed")}}},
        "/ethics": {"get": {"operationId": "ethicsPage",
                            "summary": "The ethics reviewer's page (HTML, Danish; ?lang=en)",
                            "tags": ["page"], "security": [],
                            "parameters": [_query("lang", _str(enum=["da", "en"]), "page language")],
                            "responses": {"200": {"description": "the page",
                                                  "content": {"text/html": {"schema": _str()}}},
                                          **_err("MethodNotAllowed")}}},
        "/static/{filename}": {"get": {
            "operationId": "static", "summary": "The page's script and style", "tags": ["page"], "security": [],
            "parameters": [{"name": "filename", "in": "path", "required": True, "schema": _str()}],
            "responses": {"200": {"description": "a static file", "content": {"*/*": {"schema": _str()}}},
                          **_err("NotFound", "MethodNotAllowed")}}},
        "/health": {"get": _op("Liveness (no store call)", None, _ok("Health", "the process answers"),
                               tag="health", op_id="health")},
        "/ready": {"get": _op("Readiness: store answers and ESCO is loaded", None,
                              {**_ok("Ready", "ready"), **_err("Unavailable")}, tag="health", op_id="ready")},
        f"{API}/openapi.json": {"get": _op(
            "This document", None, {"200": {"description": "OpenAPI 3.1",
                                            "content": {"application/json": {"schema": {"type": "object"}}}}},
            tag="health", op_id="openapi")},
        f"{API}/vocabulary": {"get": _op(
            "Strategies, score parts, verdicts and bounds with Danish and English labels", None,
            _ok("Vocabulary", "the vocabularies the pages name things by"), tag="health", op_id="vocabulary")},
        f"{API}/cvs": {"post": _op(
            "Ingest a CV (our JSON or JSON Resume); the reference is pseudonymised", ["consultant"],
            {**_ok("CvWritten", "replaced an existing CV", headers=written),
             **_ok("CvWritten", "created", "201", headers=written)},
            body=cv_body, tag="consultant", op_id="postCv")},
        f"{API}/cvs/{{cv_id}}": {
            "get": _op("What is stored for a CV, evidence included", ["consultant", "ethics"],
                       _ok("Cv", "the stored CV"), params=[cv_id, LANG], not_found=True, tag="consultant",
                       op_id="getCv"),
            "put": _op("Create or replace the CV with this pseudonym (the document's reference must hash to it)",
                       ["consultant"], {**_ok("CvWritten", "replaced", headers=written),
                                        **_ok("CvWritten", "created", "201", headers=written)},
                       params=[cv_id], body=cv_body, tag="consultant", op_id="putCv"),
        },
        f"{API}/cvs/lookup": {"post": _op(
            "Find a CV by the job centre's citizen reference (sent in the body, pseudonymised on arrival)",
            ["consultant", "ethics"], _ok("CvFound", "the pseudonym"), body=_ref("LookupRequest"),
            not_found=True, tag="consultant", op_id="lookupCv")},
        f"{API}/cvs/{{cv_id}}/skills/confirm": {"post": _op(
            "Confirm inferred skills with the citizen (they become the citizen's own, with who and when)",
            ["consultant"], _ok("Settled", "confirmed"), params=[cv_id], body=_ref("ConfirmRequest"),
            not_found=True, tag="consultant", op_id="confirmSkills")},
        f"{API}/cvs/{{cv_id}}/skills/reject": {"post": _op(
            "Reject inferred skills the citizen does not have (never inferred again)", ["consultant"],
            _ok("Settled", "rejected"), params=[cv_id], body=_ref("RejectRequest"), not_found=True,
            tag="consultant", op_id="rejectSkills")},
        f"{API}/cvs/{{cv_id}}/export": {"get": _op(
            "Everything held about a pseudonym (the citizen's access request): CV with evidence, lists served, "
            "feedback, trial assignment", ["consultant", "ethics"], _ok("CitizenExport", "the export"),
            params=[cv_id, LANG], not_found=True, tag="consultant", op_id="exportCv")},
        f"{API}/cvs/{{cv_id}}/matches": {"get": _op(
            "Ranked postings near the citizen, with paths, evidence and gaps (audited)", ["consultant"],
            _ok("MatchResult", "the served list"),
            params=[cv_id, RADIUS, _limit(int(BOUND["limit"].maximum), "how many suggestions (default 10)"),
                    _query("strategy", _str(enum=list(REQUEST_STRATEGIES), default=GRAPH),
                           "graph matching or the Jobnet-style automatch baseline"), VALID_ON, LANG,
                    ISCO, MAX_AGE,
                    _query("sort", _str(enum=list(SORT_NAMES), default=SCORE_SORT), "the order of the list")],
            not_found=True, tag="consultant", op_id="getMatches")},
        f"{API}/cvs/{{cv_id}}/alternatives": {"get": _op(
            "Other occupations the citizen's skills transfer to, with gaps and postings nearby (audited)",
            ["consultant"], _ok("MatchResult", "the served list"),
            params=[cv_id, _limit(int(BOUND["limit"].maximum), "how many occupations (default 8)"), RADIUS, VALID_ON, LANG,
                    ISCO],
            not_found=True, tag="consultant", op_id="getAlternatives")},
        f"{API}/postings": {"post": _op(
            "Ingest one posting or a list (all or none; pointers in errors start with the index)", ["consultant"],
            _ok("PostingsWritten", "stored", "201"),
            body={"anyOf": [posting_body, _arr(posting_body, minItems=1, maxItems=1000)]},
            tag="consultant", op_id="postPostings")},
        f"{API}/recommendations/{{rec_id}}/explanation": {"get": _op(
            "The citizen's plain-language Danish explanation of one item of a served list",
            ["consultant", "ethics"], _ok("Explanation", "the explanation"),
            params=[rec_id, _query("rank", _int(minimum=1, maximum=1000), "the item's rank in the list",
                                   required=True)],
            not_found=True, tag="consultant", op_id="getExplanation")},
        f"{API}/cvs/{{cv_id}}/erasure": {"post": _op(
            "Erase the citizen's data: the CV and the bodies of the lists served about them (recorded; the "
            "audit trail still verifies)", ["consultant"], _ok("Erased", "erased"), params=[cv_id],
            body=_obj({"reason": _str(maxLength=500, description="why; scrubbed")}, required=[]),
            not_found=True, tag="consultant", op_id="eraseCitizen")},
        f"{API}/cvs/{{cv_id}}/rectification": {"post": _op(
            "Rectify the citizen's data: remove skills they say were read wrongly (recorded; never inferred "
            "again)", ["consultant"], _ok("Rectified", "rectified"), params=[cv_id],
            body=_obj({"remove_skills": _arr(_str(minLength=1), minItems=1, maxItems=100,
                                             description="skill URIs of the CV"),
                       "reason": _str(maxLength=500, description="why; only its hash is recorded")},
                      required=["remove_skills"]),
            not_found=True, tag="consultant", op_id="rectifyCitizen")},
        f"{API}/recommendations/{{rec_id}}/exports": {"post": _op(
            "Record that a served list was handed to the citizen (printed): an audit event", ["consultant"],
            _ok("Exported", "recorded", "201"), params=[rec_id], not_found=True,
            body=_obj({"format": _str(enum=list(EXPORT_FORMATS))}), tag="consultant", op_id="recordExport")},
        f"{API}/recommendations/{{rec_id}}/feedback": {"post": _op(
            "A consultant's verdict on one item of a served list", ["consultant"],
            _ok("Feedback", "stored", "201"), params=[rec_id], body=_ref("FeedbackRequest"), not_found=True,
            tag="consultant", op_id="postFeedback")},
        f"{API}/recommendations": {"get": _op(
            "Search served lists by pseudonym, time and consultant", ["ethics"],
            _ok("RecordList", "matching records, newest first unless order=oldest"),
            params=[_query("cv_id", _str(maxLength=200), "citizen pseudonym"),
                    _query("since", _str(), "ISO date or date-time, inclusive"),
                    _query("until", _str(), "ISO date or date-time, exclusive"),
                    _query("actor", _str(maxLength=200), "token id of the consultant"),
                    _limit(500, "page size (default 100)"),
                    _query("offset", _int(minimum=0, maximum=10_000_000), "records to skip"),
                    _query("order", _str(enum=["newest", "oldest"], default="newest"), "newest or oldest first"),
                    _query("reads", _str(enum=["hide", "show"], default="hide"),
                           "records of who read a CV or records: hidden unless asked for (every look at this "
                           "list is one)")],
            tag="ethics", op_id="listRecommendations")},
        f"{API}/recommendations/{{rec_id}}": {"get": _op(
            "One served list in full: paths, evidence, versions, chain link, feedback", ["ethics"],
            _ok("Record", "the record"), params=[rec_id, LANG], not_found=True, tag="ethics",
            op_id="getRecommendation")},
        f"{API}/recommendations/{{rec_id}}/replay": {"post": _op(
            "Recompute a served list with its recorded inputs and compare (identical, versions, differences); "
            "with against=today, compare it with the list today's world would serve, each difference with its "
            "reason", ["ethics"], _ok("ReplayReport", "the comparison"),
            params=[rec_id, _query("against", _str(enum=["recorded", "today"], default="recorded"),
                                   "replay with the recorded inputs, or compare with today's world")],
            not_found=True, tag="ethics",
            op_id="replayRecommendation")},
        f"{API}/feedback/summary": {"get": _op(
            "Consultants' feedback counted per strategy and occupation group", ["ethics"],
            _ok("FeedbackSummary", "the counts (of the token's municipality, if it has one)"), tag="ethics",
            op_id="feedbackSummary")},
        f"{API}/audit/verify": {"get": _op(
            "Verify the audit hash chain, its purge records and (with the audit key) the archived checkpoints",
            ["ethics"], _ok("ChainReport", "the report"), tag="ethics", op_id="verifyAudit")},
        f"{API}/flags": {"get": _op(
            "Items consultants flagged for ethics review, with their reasons (the token's municipality)",
            ["ethics"], _ok("Flags", "newest first"), tag="ethics", op_id="listFlags")},
        f"{API}/audit/checkpoint": {"get": _op(
            "The chain's head, signed with the audit key, to archive", ["ethics"],
            _ok("Checkpoint", "the signed head"), not_found=True, tag="ethics", op_id="auditCheckpoint")},
        f"{API}/concepts": {"get": _op(
            "Search ESCO concepts by Danish or English label", ["taxonomy"], _ok("ConceptHits", "best first"),
            params=[_query("q", _str(minLength=1, maxLength=200, pattern="\\S"), "label text or URI", required=True),
                    _query("kind", _str(enum=["Occupation", "Skill", "IscoGroup", "SkillGroup"]), "concept kind"),
                    _limit(100, "how many (default 20)"), LANG],
            tag="taxonomy", op_id="searchConcepts")},
        f"{API}/concepts/{{uri}}": {"get": _op(
            "One concept with its relations", ["taxonomy"], _ok("ConceptDetail", "the concept"),
            params=[_path("uri", "the concept URI, URL-encoded"), LANG], not_found=True, tag="taxonomy",
            op_id="getConcept")},
        f"{API}/ontology/versions": {"get": _op(
            "ESCO versions loaded, oldest first", ["taxonomy"], _ok("OntologyVersions", "the versions"),
            tag="taxonomy", op_id="listOntologyVersions")},
        f"{API}/ontology/load": {"post": _op(
            "Load an ESCO package from a folder under the server's allow-listed ESCO root", ["taxonomy"],
            {**_ok("OntologyLoadSummary", "loaded; the load summary"), **_err("BadRequest")},
            body=_ref("OntologyLoadRequest"), tag="taxonomy", op_id="loadOntology")},
    }


def openapi_document() -> Json:
    """The whole document (a fresh dict each call)."""
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "jobmatch",
            "version": "1.0.0",
            "summary": "Explainable job matching over ESCO for Danish job centres",
            "description": (
                "Every error is an RFC 9457 problem (application/problem+json) with type, title, status, "
                "detail and, where there is one, the failing field. Tokens are per role (consultant, ethics, "
                "taxonomy, admin; x-roles on each operation); a consultant sees only CVs of their own "
                "municipality, and another municipality's CV answers 404 like an unknown one. Every served "
                "list is recorded in a hash-chained audit trail. This service uses the ESCO classification "
                "of the European Commission."),
            "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": t} for t in ("consultant", "ethics", "taxonomy", "health", "page")],
        "paths": _paths(),
        "components": {
            "schemas": {**_schemas(), **_input_schemas()},
            "responses": ERRORS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "an API token from `jobmatch tokens create`"}},
        },
    }
