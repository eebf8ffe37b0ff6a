"""The taxonomy team's API: search and read ESCO concepts, list and load ontology versions."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, jsonify

from api.auth import require_roles
from api.blueprints.params import choice_arg, int_arg, lang_arg, object_body, str_arg
from api.service import current_service
from ontology.errors import NotFoundError, ValidationError
from ontology.model import CONCEPT_KINDS, Concept, ConceptKind

bp = Blueprint("taxonomy", __name__)

MAX_HITS = 100
# Label languages an API load may ask for; ESCO publishes 28, the service is Danish/English.
MAX_LANGUAGES = 30


def concept_json(c: Concept, lang: str) -> dict[str, Any]:
    return {
        "uri": c.uri, "kind": c.kind, "label": c.label(lang), "code": c.code, "status": c.status,
        "isco_group": c.isco_group, "skill_type": c.skill_type, "reuse_level": c.reuse_level,
        "labels": {k: {"preferred": v.preferred, "alt": list(v.alt)} for k, v in sorted(c.labels.items())},
        "description": c.descriptions.get(lang) or c.descriptions.get("en", ""),
    }


@bp.get("/concepts")
@require_roles("taxonomy")
def search_concepts() -> Response:
    """Concepts whose Danish or English label contains ``q`` (or whose URI is ``q``), best first."""
    q = str_arg("q", 200)
    if q is None or not q.strip():
        raise ValidationError("q (the text to search for) is required", field="q")
    kind = choice_arg("kind", CONCEPT_KINDS, "")
    limit = int_arg("limit", 20, 1, MAX_HITS) or 20
    lang = lang_arg()
    kinds: tuple[ConceptKind, ...] = (kind,) if kind else CONCEPT_KINDS  # type: ignore[assignment]
    hits = current_service().find(q, kinds, limit)
    return jsonify({"q": q, "count": len(hits), "concepts": [
        {**concept_json(h.concept, lang), "matched_label": h.matched_label, "matched_lang": h.lang}
        for h in hits]})


# merge_slashes=False: the URI's "http://" must reach the view intact, not be folded to "http:/".
@bp.get("/concepts/<path:uri>", merge_slashes=False)
@require_roles("taxonomy")
def get_concept(uri: str) -> Response:
    """One concept (its URI URL-encoded in the path) with every relation, labelled."""
    svc = current_service()
    lang = lang_arg()
    c = svc.store.concepts([uri]).get(uri)
    if c is None:
        raise NotFoundError("no concept with this URI")
    rels = svc.store.concept_relations(uri)
    labels = svc.labels({r.other for r in rels}, lang)
    body = concept_json(c, lang)
    body["relations"] = [{"relation": r.relation, "kind": r.kind, "uri": r.other,
                          "label": labels.get(r.other, r.other)} for r in rels]
    return jsonify(body)


@bp.get("/ontology/versions")
@require_roles("taxonomy")
def list_versions() -> Response:
    """Every ESCO version loaded, oldest first; exactly one is active."""
    versions = current_service().store.ontology_versions()
    return jsonify({"versions": [{**asdict(v), "languages": list(v.languages)} for v in versions]})


@bp.post("/ontology/load")
@require_roles("taxonomy")
def load_ontology() -> Response:
    """Load an ESCO CSV package from a server-side folder under the allow-listed root.

    The paths are relative to the parent of ``JOBMATCH_ESCO_DIR`` (absolute paths inside it are
    accepted too); nothing outside it is ever read. Synchronous: the answer is the load summary.
    """
    body = object_body()
    unknown = sorted(set(body) - {"esco_dir", "languages", "labels"})
    if unknown:
        raise ValidationError("is not an accepted field", field="/" + unknown[0])
    esco_dir = body.get("esco_dir")
    if not isinstance(esco_dir, str) or not esco_dir.strip():
        raise ValidationError("esco_dir (a package folder under the server's ESCO root) is required",
                              field="/esco_dir")
    svc = current_service()
    languages = body.get("languages", list(svc.settings.languages))
    if (not isinstance(languages, list) or not 1 <= len(languages) <= MAX_LANGUAGES
            or not all(isinstance(x, str) and 2 <= len(x) <= 5 and x.isalpha() for x in languages)):
        raise ValidationError("languages must be a list of language codes such as \"da\"", field="/languages")
    labels = body.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels) or len(labels) > 20:
        raise ValidationError("labels must be a list of label files under the server's ESCO root",
                              field="/labels")
    return jsonify(svc.load_ontology(esco_dir, languages, labels))
