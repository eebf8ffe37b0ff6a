"""The audit trail: served recommendation lists, hash-chained so tampering is detectable.

``hash = sha256(prev_hash + canonical JSON of the record's other fields)``. Verification walks the
chain in sequence order and reports the first record whose hash or link does not hold. A purge for
retention removes the oldest records; the chain then starts at the first kept record, whose
``prev_hash`` is trusted as the anchor (the purge itself is logged by the caller).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from graph.ledger import AuditQuery, AuditRecord, Ledger
from graph.matching.explain import MatchResult, result_json

GENESIS = "0" * 64


def canonical(obj: Any) -> str:
    """JSON with sorted keys and no spaces: the same bytes for the same content, for hashing."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(record: AuditRecord) -> str:
    fields = asdict(record)
    fields.pop("hash")
    return hashlib.sha256((record.prev_hash + canonical(fields)).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asked: a token id (never the secret), its role and municipality."""

    id: str
    role: str
    municipality: str


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def draft_of(
    result: MatchResult, actor: Actor, *, local_additions_version: str = "",
    extra: dict[str, Any] | None = None, at: str | None = None,
) -> AuditRecord:
    """``result`` as a draft: a record not yet in the chain (seq 0, no hashes; a store refuses it
    until :func:`append_drafts` gives it its place). Drafts can be made anywhere: the batch's workers
    serialise their results in parallel. ``extra`` (e.g. the request's parameters, trial arm) is
    stored inside the body next to the result."""
    body = {"result": result_json(result), **(extra or {})}
    return AuditRecord(
        id=uuid.uuid4().hex, seq=0, at=at or now_iso(), cv_id=result.cv_id, actor=actor.id, role=actor.role,
        municipality=actor.municipality, strategy=result.strategy, settings_hash=result.settings_hash,
        algorithm_version=result.algorithm_version, ontology_version=result.ontology_version,
        local_additions_version=local_additions_version, body=canonical(body), prev_hash="", hash="",
    )


APPEND_ATTEMPTS = 5


def append_drafts(ledger: Ledger, drafts: Sequence[AuditRecord]) -> list[AuditRecord]:
    """Chain ``drafts`` after the ledger's head and append them in one transaction.

    Another process (the API while the nightly batch runs) may extend the chain between reading the
    head and appending; the store then refuses the append, and the drafts are chained again after
    the new head.
    """
    for attempt in range(APPEND_ATTEMPTS):
        records = _chained(ledger.last_audit(), drafts)
        try:
            ledger.append_audits(records)
            return records
        except ValueError:
            if attempt == APPEND_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _chained(last: AuditRecord | None, drafts: Sequence[AuditRecord]) -> list[AuditRecord]:
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
    out = []
    for d in drafts:
        seq += 1
        rec = replace(d, seq=seq, prev_hash=prev, hash="")
        rec = replace(rec, hash=record_hash(rec))
        prev = rec.hash
        out.append(rec)
    return out


def record_result(
    ledger: Ledger, result: MatchResult, actor: Actor, *, local_additions_version: str = "",
    extra: dict[str, Any] | None = None, at: str | None = None,
) -> AuditRecord:
    """Append ``result`` to the audit trail and return the stored record."""
    draft = draft_of(result, actor, local_additions_version=local_additions_version, extra=extra, at=at)
    return append_drafts(ledger, [draft])[0]


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(ledger: Ledger, page: int = 1000) -> ChainReport:
    """Check every record's hash and its link to the previous record."""
    checked, prev = 0, None
    while True:
        # Keyset paging: each page starts after the last seq seen, so a long trail is read once.
        batch = ledger.audit_records(AuditQuery(limit=page, after_seq=prev.seq if prev else 0))
        if not batch:
            break
        for rec in batch:
            if record_hash(rec) != rec.hash:
                return ChainReport(False, checked, rec.seq, "record content does not match its hash")
            if prev is not None and (rec.prev_hash != prev.hash or rec.seq != prev.seq + 1):
                return ChainReport(False, checked, rec.seq, "record does not link to the previous record")
            prev = rec
            checked += 1
    return ChainReport(True, checked)
