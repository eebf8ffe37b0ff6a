"""Erasure of a citizen's data (GDPR art. 17): the CV with its evidence goes, the bodies of every list
served about the citizen are blanked, and an erasure record in the chain says which, by whom and why.

The chain still verifies: a record hashes its body's hash rather than its body (``body_hash``), and
verification accepts a blank body only where an erasure record names it. Records written before bodies
had their own hash cannot be blanked without breaking the chain; they are reported (and go with the
retention purge). The embedded store overwrites deleted content and checkpoints its write-ahead log, so
the erased text is not left in the data dir's files (``MemoryStore.forget``).
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.accountability.audit import Actor, record_event
from graph.ledger import AuditQuery, AuditRecord, Ledger
from graph.matching.vocabulary import ERASURE
from graph.store import Store
from ontology.errors import NotFoundError

PAGE = 1000


@dataclass(frozen=True)
class ErasureReport:
    cv_id: str
    records_blanked: int
    legacy_records_kept: int  # written before erasable bodies: they go with the retention purge
    erasure_record: str


def erase_citizen(store: Store, ledger: Ledger, cv_id: str, actor: Actor, reason: str) -> ErasureReport:
    """Erase ``cv_id``'s CV and the bodies of the lists served about it; record the erasure.

    :raise NotFoundError: if no CV with that pseudonym is stored.
    """
    if cv_id not in store.get_cvs([cv_id]):
        raise NotFoundError("no such CV", field="cv_id")
    records: list[AuditRecord] = []
    while batch := ledger.audit_records(AuditQuery(cv_id=cv_id, limit=PAGE,
                                                   after_seq=records[-1].seq if records else 0)):
        records += batch
    erasable = [r.id for r in records if r.body_hash and r.body and r.strategy != ERASURE]
    legacy = sum(1 for r in records if not r.body_hash)
    # The record first, naming what will be blanked: a crash after it leaves a verifiable chain.
    event = record_event(ledger, ERASURE, actor, cv_id,
                         {"erasure": {"records": erasable, "reason": reason, "legacy_records_kept": legacy}})
    blanked = ledger.erase_audit_bodies(erasable)
    store.delete_cvs([cv_id])
    forget = getattr(store, "forget", None)
    if callable(forget):
        forget()
    return ErasureReport(cv_id, blanked, legacy, event.id)
