"""CVs and postings already in the stored record shape (``graph.codec``), validated field by field.

The record shape is what ``jobmatch`` stores and what the generator writes: skills already linked
to ESCO, coordinates already located. A document is in this shape when it has top-level ``lat`` and
``lon`` keys; none of the document formats (our JSON, JSON Resume, schema.org JobPosting) has them at
the top level, so the test is unambiguous. Errors name the failing field as a JSON pointer relative
to the document and never quote its value (it may be personal data).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from graph.codec import cv_from_dict, posting_from_dict
from graph.records import CvRecord, PostingRecord
from ontology.errors import ValidationError

_CV_KEYS = frozenset({"id", "municipality", "postcode", "lat", "lon", "max_km", "seeks", "desired_titles",
                      "worked_as", "skills", "lang", "updated"})
_POSTING_KEYS = frozenset({"id", "source", "title", "employer", "postcode", "lat", "lon", "published",
                           "valid_through", "occupation", "occupation_score", "lang", "url", "requirements"})
_SKILL_SOURCES = frozenset({"text", "declared", "occupation"})
_KINDS = frozenset({"essential", "optional"})
# The matchers refuse larger radii; refusing here names the line instead of failing mid-replay.
MAX_KM = 500.0


def is_record_shape(doc: Any) -> bool:
    """True if ``doc`` is a dict in the stored record shape (top-level ``lat`` and ``lon``)."""
    return isinstance(doc, dict) and "lat" in doc and "lon" in doc


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", field=field)


def _keys(doc: dict[str, Any], allowed: frozenset[str], required: tuple[str, ...]) -> None:
    for key in sorted(doc):
        if key not in allowed:
            raise _fail(f"/{key}", "not a field of the record shape")
    for key in required:
        if key not in doc:
            raise _fail(f"/{key}", "required")


def _string(doc: dict[str, Any], key: str, *, required: bool = False) -> None:
    value = doc.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value.strip()):
        raise _fail(f"/{key}", "must be a non-empty string" if required else "must be a string")


def _number(value: Any, field: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(field, "must be a number")
    if not low <= float(value) <= high:
        raise _fail(field, f"must be between {low:g} and {high:g}")
    return float(value)


def _coordinates(doc: dict[str, Any]) -> None:
    _number(doc["lat"], "/lat", -90, 90)
    _number(doc["lon"], "/lon", -180, 180)


def _strings(doc: dict[str, Any], key: str) -> None:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise _fail(f"/{key}", "must be a list of strings")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise _fail(f"/{key}/{i}", "must be a non-empty string")


def _objects(doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise _fail(f"/{key}", "must be a list of objects")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise _fail(f"/{key}/{i}", "must be an object")
    return value


def _iso_day(doc: dict[str, Any], key: str, *, required: bool) -> None:
    value = doc.get(key, "")
    if value in ("", None) and not required:
        return
    if not isinstance(value, str):
        raise _fail(f"/{key}", "must be a date YYYY-MM-DD")
    try:
        date.fromisoformat(value[:10])
    except ValueError as e:
        raise _fail(f"/{key}", "must be a date YYYY-MM-DD") from e


def cv_record(doc: Any) -> CvRecord:
    """A CV in the record shape → :class:`CvRecord`.

    :raise ValidationError: naming the field (JSON pointer) that is missing, unknown or malformed.
    """
    if not isinstance(doc, dict):
        raise _fail("", "must be an object")
    _keys(doc, _CV_KEYS, ("id", "lat", "lon"))
    _string(doc, "id", required=True)
    for key in ("municipality", "postcode", "lang", "updated"):
        _string(doc, key)
    if doc["lat"] is None or doc["lon"] is None:
        # Matching starts from the home location; a CV without one cannot be replayed.
        raise _fail("/lat" if doc["lat"] is None else "/lon", "the CV needs a location")
    _coordinates(doc)
    if "max_km" in doc:
        _number(doc["max_km"], "/max_km", 0, MAX_KM)
    _strings(doc, "seeks")
    _strings(doc, "desired_titles")
    for i, w in enumerate(_objects(doc, "worked_as")):
        if not isinstance(w.get("occupation"), str) or not w["occupation"]:
            raise _fail(f"/worked_as/{i}/occupation", "must be a non-empty string")
    for i, s in enumerate(_objects(doc, "skills")):
        if not isinstance(s.get("skill"), str) or not s["skill"]:
            raise _fail(f"/skills/{i}/skill", "must be a non-empty string")
        if s.get("source", "text") not in _SKILL_SOURCES:
            raise _fail(f"/skills/{i}/source", "must be text, declared or occupation")
        if not isinstance(s.get("evidence", []), list):
            raise _fail(f"/skills/{i}/evidence", "must be a list")
    return cv_from_dict(doc)


def posting_record(doc: Any) -> PostingRecord:
    """A posting in the record shape → :class:`PostingRecord`.

    :raise ValidationError: naming the field (JSON pointer) that is missing, unknown or malformed,
        including a closing date before publication.
    """
    if not isinstance(doc, dict):
        raise _fail("", "must be an object")
    _keys(doc, _POSTING_KEYS, ("id", "lat", "lon", "published"))
    _string(doc, "id", required=True)
    for key in ("source", "title", "employer", "postcode", "occupation", "lang", "url"):
        _string(doc, key)
    if doc["lat"] is not None or doc["lon"] is not None:
        _coordinates(doc)
    _iso_day(doc, "published", required=True)
    _iso_day(doc, "valid_through", required=False)
    if doc.get("valid_through") and str(doc["valid_through"])[:10] < str(doc["published"])[:10]:
        raise _fail("/valid_through", "is before the publication date")
    if "occupation_score" in doc:
        _number(doc["occupation_score"], "/occupation_score", 0, 1)
    for i, r in enumerate(_objects(doc, "requirements")):
        if not isinstance(r.get("skill"), str) or not r["skill"]:
            raise _fail(f"/requirements/{i}/skill", "must be a non-empty string")
        if r.get("kind") not in _KINDS:
            raise _fail(f"/requirements/{i}/kind", "must be essential or optional")
    rec = posting_from_dict(doc)
    # A date-time is cut to its day, as ingestion does: validity is decided per day.
    return replace(rec, published=rec.published[:10], valid_through=(rec.valid_through or "")[:10])
