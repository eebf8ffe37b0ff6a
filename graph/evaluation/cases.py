"""Historical placements: one case a line, validated like every other input.

A case line (JSON, documented in docs/EVALUATION.md)::

    {"case_id": "0101-2025-0042",
     "cv": <a CV: record shape, our JSON or JSON Resume>,
     "hired": {"posting_id": "jobnet:123"}                 # the posting in the corpus, or
            | {"posting": <a posting: record shape, our JSON or schema.org>}   # given inline, or
            | {"occupation": "<ESCO occupation URI>", "postcode": "2100"},     # no posting known
     "hired_on": "2025-03-14",
     "ontology_version": "1.1.1"}                          # optional: the ESCO version it was coded in

``hired`` may add ``occupation`` to a posting: the case's own coding of the job wins over the
posting's. A bad line becomes a :class:`Rejection` naming its line and field; the others are kept.
Turning the embedded CV or posting into a record is the injected :class:`RecordReader`'s job: the
record shape here (:mod:`graph.evaluation.shapes`), the document formats through
``loaders.placements.PlacementReader`` (graph code never imports loaders).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from graph.evaluation.shapes import cv_record, is_record_shape, posting_record
from graph.records import CvRecord, PostingRecord
from ontology.errors import ValidationError

OCCUPATION_PREFIX = "http://data.europa.eu/esco/occupation/"
_CASE_KEYS = frozenset({"case_id", "cv", "hired", "hired_on", "ontology_version"})
_POSTCODE = re.compile(r"^\d{4}$")


@dataclass(frozen=True, slots=True)
class Hire:
    """What the citizen obtained: a posting of the corpus and/or an occupation (and where)."""

    posting_id: str = ""
    occupation: str = ""  # the case's own coding; "" = take the posting's
    postcode: str = ""


@dataclass(frozen=True, slots=True)
class Case:
    case_id: str
    line: int
    cv: CvRecord
    hire: Hire
    hired_on: str  # ISO day
    ontology_version: str = ""  # as named by the case; "" = not recorded


@dataclass(frozen=True, slots=True)
class Rejection:
    """A line that could not be used: where, which field (JSON pointer), why. Never quotes values."""

    file: str
    line: int
    field: str
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "field": self.field, "reason": self.reason}

    @classmethod
    def of(cls, file: str, line: int, e: ValidationError) -> Rejection:
        """The rejection for ``e``; the field is kept apart, so the reason does not repeat it."""
        field = e.field or ""
        reason = e.detail[len(field) + 1:].lstrip() if field and e.detail.startswith(field + ":") else e.detail
        return cls(file, line, field, reason)


class RawLine(Protocol):
    """One parsed line of a JSON Lines file (``loaders.documents.RawDocument`` fits)."""

    @property
    def line(self) -> int: ...
    @property
    def doc(self) -> Any: ...
    @property
    def error(self) -> str: ...


class RecordReader(Protocol):
    """Turns an embedded CV or posting into a record; raises ValidationError with a field pointer
    relative to the embedded document."""

    def cv(self, doc: Any) -> CvRecord: ...

    def posting(self, doc: Any) -> PostingRecord: ...


class RecordShapeReader:
    """The record shape only; a document format is refused with a pointer to the reader that has it."""

    def cv(self, doc: Any) -> CvRecord:
        self._require_record(doc)
        return cv_record(doc)

    def posting(self, doc: Any) -> PostingRecord:
        self._require_record(doc)
        return posting_record(doc)

    @staticmethod
    def _require_record(doc: Any) -> None:
        if not is_record_shape(doc):
            raise ValidationError("document formats need ingestion (loaders.placements.PlacementReader); "
                                  "this reader takes the record shape (top-level lat and lon) only", field="")


@dataclass
class CaseSet:
    """The usable cases of a file, postings given inline with them, and every rejected line."""

    cases: list[Case] = field(default_factory=list)
    inline_postings: dict[str, PostingRecord] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    read: int = 0


def _nested(e: ValidationError, prefix: str) -> ValidationError:
    """The reader's error, re-pointed from the embedded document to the case line."""
    inner = e.field or ""
    pointer = prefix + (inner if inner.startswith("/") or not inner else "/" + inner)
    detail = e.detail
    if inner and detail.startswith(inner + ":"):
        detail = detail[len(inner) + 1:].lstrip()
    return ValidationError(f"{pointer}: {detail}", field=pointer)


def _day(value: Any, pointer: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{pointer}: must be a date YYYY-MM-DD", field=pointer)
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as e:
        raise ValidationError(f"{pointer}: must be a date YYYY-MM-DD", field=pointer) from e


def occupation_uri(value: Any, pointer: str) -> str:
    """An ESCO occupation URI (https normalised to ESCO's http form).

    :raise ValidationError: at ``pointer`` if it is not one.
    """
    if isinstance(value, str):
        uri = value.strip().replace("https://data.europa.eu/", "http://data.europa.eu/", 1)
        if uri.startswith(OCCUPATION_PREFIX) and len(uri) > len(OCCUPATION_PREFIX):
            return uri
    raise ValidationError(f"{pointer}: must be an ESCO occupation URI", field=pointer)


def _hire(doc: Any, reader: RecordReader) -> tuple[Hire, PostingRecord | None]:
    if not isinstance(doc, dict):
        raise ValidationError("/hired: must be an object", field="/hired")
    for key in sorted(doc):
        if key not in ("posting", "posting_id", "occupation", "postcode"):
            raise ValidationError(f"/hired/{key}: not accepted (posting, posting_id, occupation, postcode)",
                                  field=f"/hired/{key}")
    if "posting" in doc and "posting_id" in doc:
        raise ValidationError("/hired: give posting or posting_id, not both", field="/hired")
    occupation = occupation_uri(doc["occupation"], "/hired/occupation") if "occupation" in doc else ""
    postcode = doc.get("postcode", "")
    if "postcode" in doc and (not isinstance(postcode, str) or not _POSTCODE.match(postcode)):
        raise ValidationError("/hired/postcode: must be a 4-digit Danish postcode", field="/hired/postcode")
    if "posting" in doc:
        try:
            posting = reader.posting(doc["posting"])
        except ValidationError as e:
            raise _nested(e, "/hired/posting") from e
        return Hire(posting.id, occupation, postcode), posting
    if "posting_id" in doc:
        pid = doc["posting_id"]
        if not isinstance(pid, str) or not pid.strip():
            raise ValidationError("/hired/posting_id: must be a non-empty string", field="/hired/posting_id")
        return Hire(pid.strip(), occupation, postcode), None
    if not occupation:
        raise ValidationError("/hired: needs posting, posting_id or occupation", field="/hired")
    return Hire("", occupation, postcode), None


def parse_case(doc: Any, line: int, reader: RecordReader) -> tuple[Case, PostingRecord | None]:
    """One case line → the case and the posting it gives inline (if any).

    :raise ValidationError: naming the field (JSON pointer from the line's root) that fails.
    """
    if not isinstance(doc, dict):
        raise ValidationError("not a JSON object", field="")
    for key in sorted(doc):
        if key == "postings_file":
            raise ValidationError("/postings_file: per-case corpora are not supported; give one corpus with "
                                  "--postings", field="/postings_file")
        if key not in _CASE_KEYS:
            raise ValidationError(f"/{key}: not accepted ({', '.join(sorted(_CASE_KEYS))})", field=f"/{key}")
    for key in ("case_id", "cv", "hired", "hired_on"):
        if key not in doc:
            raise ValidationError(f"/{key}: required", field=f"/{key}")
    case_id = doc["case_id"]
    if not isinstance(case_id, str | int) or isinstance(case_id, bool) or not str(case_id).strip():
        raise ValidationError("/case_id: must be a non-empty string", field="/case_id")
    hired_on = _day(doc["hired_on"], "/hired_on")
    version = doc.get("ontology_version", "")
    if not isinstance(version, str):
        raise ValidationError("/ontology_version: must be a string", field="/ontology_version")
    try:
        cv = reader.cv(doc["cv"])
    except ValidationError as e:
        raise _nested(e, "/cv") from e
    hire, inline = _hire(doc["hired"], reader)
    return Case(str(case_id).strip(), line, cv, hire, hired_on, version.strip()), inline


def collect_cases(lines: Iterable[RawLine], reader: RecordReader, corpus_ids: set[str], file: str) -> CaseSet:
    """Every usable case of ``lines``; bad lines become rejections and the rest are kept.

    A case must name a posting that is in the corpus (``corpus_ids``) or given inline on some line;
    a case id may appear once. A posting given inline whose id is already in the corpus is the
    corpus's posting (one posting, one record).
    """
    out = CaseSet()
    first_line: dict[str, int] = {}
    pending: list[Case] = []
    for raw in lines:
        out.read += 1
        if raw.error:
            out.rejections.append(Rejection(file, raw.line, "", raw.error))
            continue
        try:
            case, inline = parse_case(raw.doc, raw.line, reader)
            if case.case_id in first_line:
                raise ValidationError(f"/case_id: duplicate (first on line {first_line[case.case_id]})",
                                      field="/case_id")
        except ValidationError as e:
            out.rejections.append(Rejection.of(file, raw.line, e))
            continue
        first_line[case.case_id] = raw.line
        if inline is not None and inline.id not in corpus_ids:
            out.inline_postings.setdefault(inline.id, inline)
        pending.append(case)
    known = corpus_ids | set(out.inline_postings)
    for case in pending:
        if case.hire.posting_id and case.hire.posting_id not in known:
            out.rejections.append(Rejection(file, case.line, "/hired/posting_id",
                                            "no posting with this id in the postings corpus"))
        else:
            out.cases.append(case)
    out.rejections.sort(key=lambda r: r.line)
    return out


def collect_postings(lines: Iterable[RawLine], reader: RecordReader, file: str
                     ) -> tuple[dict[str, PostingRecord], list[Rejection], int]:
    """The postings corpus: records by id, rejected lines, lines read. A repeated id is rejected
    (two versions of one posting would make the replay depend on line order)."""
    postings: dict[str, PostingRecord] = {}
    first_line: dict[str, int] = {}
    rejections: list[Rejection] = []
    read = 0
    for raw in lines:
        read += 1
        if raw.error:
            rejections.append(Rejection(file, raw.line, "", raw.error))
            continue
        try:
            rec = reader.posting(raw.doc)
        except ValidationError as e:
            rejections.append(Rejection.of(file, raw.line, e))
            continue
        if rec.id in first_line:
            rejections.append(Rejection(file, raw.line, "/id", f"duplicate posting id (first on line "
                                                               f"{first_line[rec.id]})"))
            continue
        first_line[rec.id] = raw.line
        postings[rec.id] = rec
    return postings, rejections, read
