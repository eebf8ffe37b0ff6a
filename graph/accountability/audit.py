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

from graph.accountability.checkpoint import Checkpoint, is_authentic
from graph.ledger import AuditQuery, AuditRecord, Ledger
from graph.matching.explain import MatchResult, result_json
from graph.matching.vocabulary import ERASURE, PURGE

GENESIS = "0" * 64


def canonical(obj: Any) -> str:
    """JSON with sorted keys and no spaces: the same bytes for the same content, for hashing."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def body_digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record_hash(record: AuditRecord) -> str:
    fields = asdict(record)
    fields.pop("hash")
    if record.body_hash:
        fields.pop("body")  # the body's hash stands for it, so the body can be erased
    else:
        fields.pop("body_hash")  # a record from before erasable bodies hashes as it always did
    return hashlib.sha256((record.prev_hash + canonical(fields)).encode("utf-8")).hexdigest()


def holds(record: AuditRecord) -> bool:
    """The record matches its hash: every field, and the body its body hash (unless erased)."""
    if record_hash(record) != record.hash:
        return False
    return not (record.body_hash and record.body and body_digest(record.body) != record.body_hash)


def body_of(record: AuditRecord) -> dict[str, Any]:
    """The record's body as data; ``{"erased": true}`` once erasure blanked it."""
    if not record.body:
        return {"erased": True}
    data: dict[str, Any] = json.loads(record.body)
    return data


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asked: a token id (never the secret), its role and municipality."""

    id: str
    role: str
    municipality: str

    def filed_under(self, municipality: str) -> Actor:
        """The actor as a record about a citizen of ``municipality`` files it: an actor without a
        municipality (admin, CLI, batch) under the citizen's, so that municipality's ethics reviewer sees
        everything done about its citizens."""
        return self if self.municipality else Actor(self.id, self.role, municipality)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def draft_of(
    result: MatchResult, actor: Actor, *, local_additions_version: str = "",
    extra: dict[str, Any] | None = None, at: str | None = None, result_data: dict[str, Any] | None = None,
) -> AuditRecord:
    """``result`` as a draft: a record not yet in the chain (seq 0, no hashes; a store refuses it
    until :func:`append_drafts` gives it its place). Drafts can be made anywhere: the batch's workers
    serialise their results in parallel. ``extra`` (e.g. the request's parameters, trial arm) is
    stored inside the body next to the result. ``result_data`` is ``result_json(result)`` when the caller
    already has it."""
    body = canonical({"result": result_data if result_data is not None else result_json(result), **(extra or {})})
    return AuditRecord(
        id=uuid.uuid4().hex, seq=0, at=at or now_iso(), cv_id=result.cv_id, actor=actor.id, role=actor.role,
        municipality=actor.municipality, strategy=result.strategy, settings_hash=result.settings_hash,
        algorithm_version=result.algorithm_version, ontology_version=result.ontology_version,
        local_additions_version=local_additions_version, body=body, prev_hash="", hash="",
        body_hash=body_digest(body),
    )


def append_drafts(ledger: Ledger, drafts: Sequence[AuditRecord]) -> list[AuditRecord]:
    """Chain ``drafts`` after the ledger's head and append them, in one transaction that holds the
    store's append lock: however many processes serve (the API's workers, the nightly batch), each
    append chains after the head it read, and nobody's append is refused for a lost race."""
    return ledger.append_chained(lambda last: _chained(last, drafts))


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
    checkpoints: int = 0  # authentic checkpoints the chain was held to
    anchor: str = "genesis"  # where the kept chain starts: the genesis, or the purge record that explains it


def record_event(ledger: Ledger, kind: str, actor: Actor, cv_id: str, body: dict[str, Any]) -> AuditRecord:
    """Append a record that is not a served list (a purge, a print for the citizen, …) to the chain."""
    text = canonical(body)
    draft = AuditRecord(id=uuid.uuid4().hex, seq=0, at=now_iso(), cv_id=cv_id, actor=actor.id, role=actor.role,
                        municipality=actor.municipality, strategy=kind, settings_hash="", algorithm_version="",
                        ontology_version="", local_additions_version="", body=text, prev_hash="", hash="",
                        body_hash=body_digest(text))
    return append_drafts(ledger, [draft])[0]


def tombstone(ledger: Ledger, before: str, actor: Actor, reason: str) -> AuditRecord | None:
    """Append the record of a retention purge of everything older than ``before`` — which records
    (through seq and hash), how many, who, why — before anything is deleted; None if nothing is older."""
    last = ledger.audit_records(AuditQuery(until=before, newest_first=True, limit=1))
    first = ledger.audit_records(AuditQuery(limit=1))
    if not last or not first:
        return None
    body = {"purge": {"before": before, "from_seq": first[0].seq, "through_seq": last[0].seq,
                      "through_hash": last[0].hash, "count": last[0].seq - first[0].seq + 1, "reason": reason}}
    return record_event(ledger, PURGE, actor, "", body)


def verify_chain(ledger: Ledger, page: int = 1000, *, checkpoints: Sequence[Checkpoint] = (),
                 key: bytes | None = None) -> ChainReport:
    """Check every record's hash and its link to the previous record; that the chain starts at the
    genesis or where a purge record says it was cut; and, with the signing ``key``, that it still holds
    every checkpoint it covers (nothing cut off after one, nothing rewritten up to one)."""
    wanted = {cp.seq for cp in checkpoints}
    hashes: dict[int, str] = {}
    purged: dict[int, str] = {}  # through_seq → through_hash, from the purge records
    blank: dict[str, int] = {}  # record id → seq of bodies found erased
    erased: set[str] = set()  # record ids an erasure record accounts for
    checked, prev, first = 0, None, None
    while True:
        # Keyset paging: each page starts after the last seq seen, so a long trail is read once.
        batch = ledger.audit_records(AuditQuery(limit=page, after_seq=prev.seq if prev else 0))
        if not batch:
            break
        for rec in batch:
            if not holds(rec):
                return ChainReport(False, checked, rec.seq, "record content does not match its hash")
            if rec.body_hash and not rec.body:
                blank[rec.id] = rec.seq
            if rec.strategy == ERASURE and rec.body:
                erased.update(json.loads(rec.body).get("erasure", {}).get("records", ()))
            if prev is not None and (rec.prev_hash != prev.hash or rec.seq != prev.seq + 1):
                return ChainReport(False, checked, rec.seq, "record does not link to the previous record")
            if rec.strategy == PURGE:
                info = json.loads(rec.body).get("purge", {})
                purged[int(info.get("through_seq", -1))] = str(info.get("through_hash", ""))
            if rec.seq in wanted:
                hashes[rec.seq] = rec.hash
            first = first or rec
            prev = rec
            checked += 1
    unaccounted = sorted(seq for rid, seq in blank.items() if rid not in erased)
    if unaccounted:
        return ChainReport(False, checked, unaccounted[0], "record content was removed without an erasure record")
    anchor = "genesis"
    if first is not None and (first.seq != 1 or first.prev_hash != GENESIS):
        if purged.get(first.seq - 1) != first.prev_hash:
            return ChainReport(False, checked, first.seq, "the records before this one were removed without a "
                                                          "purge record")
        anchor = f"purge through record {first.seq - 1}"
    held = 0
    if key is not None:
        for cp in checkpoints:
            if not is_authentic(cp, key):
                return ChainReport(False, checked, cp.seq if cp.seq > 0 else None,
                                   "a checkpoint in the file is not authentic (its signature does not hold)", held,
                                   anchor)
            if first is not None and cp.seq < first.seq:
                continue  # purged since, with a purge record
            head = prev.seq if prev is not None else 0
            if cp.seq > head:
                return ChainReport(False, checked, head + 1, f"records after {head} were removed (a checkpoint of "
                                                             f"{cp.at} saw the chain up to {cp.seq})", held, anchor)
            if hashes.get(cp.seq) != cp.hash:
                return ChainReport(False, checked, cp.seq, f"record differs from the checkpoint of {cp.at} (the "
                                                           "chain was rewritten)", held, anchor)
            held += 1
    return ChainReport(True, checked, checkpoints=held, anchor=anchor)
