"""Proof that one record is in the audit trail as a signed checkpoint saw it.

For a hash chain the inclusion proof is the chain from the record to the checkpoint's head: every record's
fields (bodies left out where the record hashes its body's hash — no personal data in a proof), so that
anyone holding the audit key can recompute each hash, follow the links and arrive at the checkpoint's
hash. A record edited, left out or invented breaks a link or the final hash.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from graph.accountability.audit import record_hash
from graph.accountability.checkpoint import Checkpoint, is_authentic
from graph.ledger import AuditQuery, AuditRecord, Ledger
from ontology.errors import NotFoundError

PAGE = 1000


def prove(ledger: Ledger, record_id: str, checkpoints: list[Checkpoint], key: bytes) -> dict[str, Any]:
    """The proof that ``record_id`` is in the chain under the newest authentic checkpoint covering it.

    :raise NotFoundError: if the record is unknown or no authentic checkpoint covers it yet.
    """
    record = ledger.get_audit(record_id)
    if record is None:
        raise NotFoundError("no such record", field="record_id")
    covering = [cp for cp in checkpoints if cp.seq >= record.seq and is_authentic(cp, key)]
    if not covering:
        raise NotFoundError("no signed checkpoint covers this record yet (jobmatch audit checkpoint)",
                            field="record_id")
    cp = max(covering, key=lambda c: c.seq)
    chain = _segment(ledger, record.seq - 1, cp.seq)
    return {"record_id": record_id, "checkpoint": asdict(cp), "chain": [_without_body(r) for r in chain]}


def prove_consistency(ledger: Ledger, checkpoints: list[Checkpoint], key: bytes, *, old_seq: int | None = None,
                      new_seq: int | None = None) -> dict[str, Any]:
    """The proof that the trail a later signed checkpoint saw extends the one an earlier checkpoint saw:
    the records between them, linking the earlier head's hash to the later one's (RFC 9162's consistency
    proof, for a hash chain). Default: the two newest authentic checkpoints.

    :raise NotFoundError: (``checkpoint``) if there are not two such checkpoints, or records between them
        are gone (purged).
    """
    authentic = sorted({cp.seq: cp for cp in checkpoints if is_authentic(cp, key)}.values(), key=lambda c: c.seq)
    new = next((c for c in reversed(authentic) if new_seq is None or c.seq == new_seq), None)
    old = next((c for c in reversed(authentic) if (old_seq is None and new is not None and c.seq < new.seq)
                or c.seq == old_seq), None)
    if new is None or old is None or old.seq > new.seq:
        raise NotFoundError("no two signed checkpoints to compare (jobmatch audit checkpoint; --from/--to take "
                            "the seq of a checkpoint)", field="checkpoint")
    chain = _segment(ledger, old.seq, new.seq)
    if [r.seq for r in chain] != list(range(old.seq + 1, new.seq + 1)):
        raise NotFoundError(f"records after {old.seq} are no longer in the trail (purged?)", field="checkpoint")
    return {"kind": "consistency", "old": asdict(old), "new": asdict(new), "chain": [_without_body(r) for r in chain]}


def _segment(ledger: Ledger, after: int, through: int) -> list[AuditRecord]:
    """The records after seq ``after`` up to ``through``, paged by seq (what the trail still holds)."""
    chain: list[AuditRecord] = []
    while after < through:
        batch = ledger.audit_records(AuditQuery(after_seq=after, limit=min(PAGE, through - after)))
        if not batch:
            break
        chain += batch
        after = batch[-1].seq
    return chain


def _first_break(chain: list[AuditRecord], head: tuple[int, str] | None) -> str:
    """Where ``chain`` stops holding: a record that does not match its hash or does not link to the one
    before it (the first to ``head``, the seq and hash it must follow, if given); "" if it holds."""
    prev = head
    for rec in chain:
        if record_hash(rec) != rec.hash:
            return f"record {rec.seq} does not match its hash"
        if prev is not None and (rec.prev_hash != prev[1] or rec.seq != prev[0] + 1):
            return f"record {rec.seq} does not link to the one before it"
        prev = (rec.seq, rec.hash)
    return ""


def _without_body(rec: AuditRecord) -> dict[str, Any]:
    # A record that hashes its body's hash needs no body to be checked: leave the personal data out.
    return asdict(replace(rec, body="") if rec.body_hash else rec)


def check(proof: dict[str, Any], key: bytes) -> tuple[bool, str]:
    """Whether ``proof`` holds: for an inclusion proof, the checkpoint is authentic and the chain links
    from the record to it; for a consistency proof, both checkpoints are authentic and the chain links the
    earlier head to the later one."""
    if proof.get("kind") == "consistency":
        return _check_consistency(proof, key)
    try:
        cp = Checkpoint(**proof["checkpoint"])
        chain = [AuditRecord(**r) for r in proof["chain"]]
    except (KeyError, TypeError):
        return False, "not a proof"
    if not is_authentic(cp, key):
        return False, "the checkpoint is not authentic"
    if not chain or chain[0].id != proof.get("record_id"):
        return False, "the proof does not start at the record"
    if broken := _first_break(chain, None):
        return False, broken
    if (chain[-1].seq, chain[-1].hash) != (cp.seq, cp.hash):
        return False, "the chain does not end at the checkpoint"
    return True, f"record {chain[0].seq} is in the trail a checkpoint of {cp.at} signed ({cp.seq} records)"


def _check_consistency(proof: dict[str, Any], key: bytes) -> tuple[bool, str]:
    try:
        old, new = Checkpoint(**proof["old"]), Checkpoint(**proof["new"])
        chain = [AuditRecord(**r) for r in proof["chain"]]
    except (KeyError, TypeError):
        return False, "not a proof"
    if not (is_authentic(old, key) and is_authentic(new, key)):
        return False, "a checkpoint is not authentic"
    if broken := _first_break(chain, (old.seq, old.hash)):
        return False, broken
    if ((chain[-1].seq, chain[-1].hash) if chain else (old.seq, old.hash)) != (new.seq, new.hash):
        return False, "the chain does not reach the later checkpoint"
    return True, (f"the trail of {new.seq} records signed {new.at} extends the {old.seq} records signed {old.at}: "
                  "nothing before it was changed or cut")
