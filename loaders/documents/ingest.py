"""Bulk ingestion: documents → records → the store, in batches, with a report of every rejection.

Each batch is one ``upsert_*`` call, which each store runs as one transaction, so a crash leaves whole
batches behind, never half a record; re-running the file is idempotent because upserts replace by id.
Rejected documents are reported by position, field and reason; reasons never quote document content.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, TypeVar

from graph.accountability.audit import Actor
from graph.accountability.writes import write_cvs, write_postings
from graph.ledger import Ledger
from graph.matching.geo import Gazetteer
from graph.records import CvRecord
from graph.store import Store
from loaders.documents.bulk import RawDocument
from loaders.documents.cvs import cv_record_from, place_cv
from loaders.documents.inferred import carry_over, essential_skills_of
from loaders.documents.postings import concept_check, occupation_check, posting_record_from
from loaders.documents.text_port import TextExtractor
from loaders.privacy import PseudonymKey
from ontology.errors import ValidationError

log = logging.getLogger(__name__)

# Large enough that per-transaction overhead vanishes, small enough that one batch of CVs (with
# evidence) stays a few MB in one Neo4j transaction; the style guide's 1k-10k range.
BATCH_SIZE = 1000


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_HasId)


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    field: str
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"line": self.line, "field": self.field, "reason": self.reason}


@dataclass
class IngestReport:
    """What one run did. ``parsed`` counts documents that were JSON objects at all: a file where
    none was is unusable input, not a file of rejected documents."""

    read: int = 0
    parsed: int = 0
    loaded: int = 0
    errors: list[Rejection] = field(default_factory=list)
    # (line, id) of every document loaded: for CVs the pseudonym, which the job centre cannot compute
    ids: list[tuple[int, str]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.errors)

    def as_json(self) -> dict[str, object]:
        return {"read": self.read, "loaded": self.loaded, "rejected": self.rejected,
                "errors": [e.as_json() for e in self.errors],
                "ids": [{"line": line, "id": i} for line, i in self.ids]}


def ingest(docs: Iterable[RawDocument], convert: Callable[[Any], R], upsert: Callable[[Sequence[R]], int],
           *, batch_size: int = BATCH_SIZE, what: str = "documents",
           progress: Callable[[int, int], None] | None = None) -> IngestReport:
    """Convert each document and upsert the good ones in batches of ``batch_size``.

    A document that raises :class:`ValidationError` is reported and skipped; any other error stops
    the run (batches already written stay written and a re-run repeats them harmlessly).
    """
    report = IngestReport()
    batch: dict[str, R] = {}

    def flush() -> None:
        if batch:
            # Within a batch a later document with the same id replaces the earlier, as a re-run would.
            upsert(list(batch.values()))
            log.info("%s: batch of %d written", what, len(batch))
            batch.clear()
        if progress is not None:
            progress(report.read, 0)  # a stream: the total is known at its end

    for raw in docs:
        report.read += 1
        if raw.error:
            report.errors.append(Rejection(raw.line, "", raw.error))
            log.warning("%s: line %d rejected: %s", what, raw.line, raw.error)
            continue
        report.parsed += 1
        try:
            record = convert(raw.doc)
        except ValidationError as e:
            # The detail starts with the field for standalone use; the report has a column for it.
            reason = e.detail.removeprefix(f"{e.field}: ") if e.field else e.detail
            report.errors.append(Rejection(raw.line, e.field or "", reason))
            log.warning("%s: line %d rejected at %s", what, raw.line, e.field or "(document)")
            continue
        batch.pop(record.id, None)
        batch[record.id] = record
        report.loaded += 1
        report.ids.append((raw.line, record.id))
        if len(batch) >= batch_size:
            flush()
    flush()
    log.info("%s: read %d, loaded %d, rejected %d", what, report.read, report.loaded, report.rejected)
    return report


def ingest_cvs(docs: Iterable[RawDocument], store: Store, *, extractor: TextExtractor, gazetteer: Gazetteer,
               key: PseudonymKey, today: date, ledger: Ledger, actor: Actor, batch_size: int = BATCH_SIZE,
               dry_run: bool = False, progress: Callable[[int, int], None] | None = None) -> IngestReport:
    """Ingest CV documents into ``store`` (see :func:`cv_record_from`), with skills inferred from the
    occupations they name; a replaced CV keeps what was confirmed or rejected with the citizen. Each
    write is an event in ``ledger``, attributed to ``actor``. ``dry_run`` writes nothing."""
    profiles = essential_skills_of(store)

    def write(records: Sequence[CvRecord]) -> int:
        old = store.get_cvs([r.id for r in records])
        return write_cvs(store, ledger, [carry_over(r, old.get(r.id)) for r in records], actor)

    place, known = place_cv(store), concept_check(store)
    return ingest(docs, lambda d: cv_record_from(d, extractor=extractor, gazetteer=gazetteer, key=key, today=today,
                                                 profiles=profiles, place=place, known=known),
                  (lambda rs: len(rs)) if dry_run else write, batch_size=batch_size, what="cvs", progress=progress)


def ingest_postings(docs: Iterable[RawDocument], store: Store, *, extractor: TextExtractor, gazetteer: Gazetteer,
                    ledger: Ledger, actor: Actor, batch_size: int = BATCH_SIZE, dry_run: bool = False,
                    progress: Callable[[int, int], None] | None = None) -> IngestReport:
    """Ingest posting documents into ``store`` (see :func:`posting_record_from`), each write an event in
    ``ledger`` attributed to ``actor`` (who must own what it replaces, or be an admin); ``dry_run``
    writes nothing."""
    is_occupation = occupation_check(store)
    return ingest(docs, lambda d: posting_record_from(d, extractor=extractor, gazetteer=gazetteer,
                                                      is_occupation=is_occupation),
                  (lambda rs: len(rs)) if dry_run else (lambda rs: write_postings(store, ledger, rs, actor)),
                  batch_size=batch_size, what="postings", progress=progress)
