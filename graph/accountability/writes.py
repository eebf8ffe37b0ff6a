"""Attributed writes: every CV and posting stored goes with a ledger event — who, when, what action, and a
hash of the content stored — and a posting may be replaced only by its owner or an admin.

The API's service and the CLI's ingest write through here, so a replay can say which document changed
since a list was served, when, and by whom (:mod:`.replay`). An event holds no content: a CV is personal
data and stays in the store, where erasure can reach it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import replace

from graph.accountability.audit import Actor, canonical, now_iso
from graph.codec import cv_to_dict, posting_to_dict
from graph.ledger import Ledger, WriteEvent
from graph.records import CvRecord, PostingRecord
from graph.store import Store
from ontology.errors import NotPermittedError

ADMIN = "admin"
# The action of a write that moved a document's concept links to a new ESCO version.
MIGRATED = "migrated"


def owner_of(actor: Actor) -> str:
    """Who owns the postings ``actor`` writes: a consultant's job centre (colleagues may correct each
    other's postings), otherwise the token or the CLI operator itself."""
    return f"municipality:{actor.municipality}" if actor.municipality else actor.id


def content_hash(body: dict[str, object]) -> str:
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def _event(kind: str, target: str, action: str, body: dict[str, object], actor: Actor, at: str) -> WriteEvent:
    return WriteEvent(id=uuid.uuid4().hex, at=at, kind=kind, target=target, action=action,
                      content_hash=content_hash(body), actor=actor.id, role=actor.role,
                      municipality=actor.municipality)


def write_cvs(store: Store, ledger: Ledger, cvs: Sequence[CvRecord], actor: Actor, *,
              action: str | None = None) -> int:
    """Store ``cvs`` and record one event each (``action`` default: created or replaced)."""
    if not cvs:
        return 0
    old = store.get_cvs([c.id for c in cvs])
    n = store.upsert_cvs(cvs)
    at = now_iso()
    ledger.add_write_events([_event("cv", c.id, action or ("replaced" if c.id in old else "created"),
                                    cv_to_dict(c), actor, at) for c in cvs])
    return n


def check_postings(store: Store, postings: Sequence[PostingRecord], actor: Actor) -> list[PostingRecord]:
    """``postings`` stamped with their owner (a replaced posting keeps its owner).

    :raise NotPermittedError: (``/<index>/id``) if one would replace a posting another owner wrote.
    """
    old = store.get_postings([p.id for p in postings])
    owner = owner_of(actor)
    out = []
    for i, p in enumerate(postings):
        prev = old.get(p.id)
        if prev is not None and prev.owner and prev.owner != owner and actor.role != ADMIN:
            raise NotPermittedError(f"posting {p.id!r} was written by another owner; only they or an admin "
                                    "may replace it", field=f"/{i}/id")
        out.append(replace(p, owner=prev.owner if prev is not None and prev.owner else owner))
    return out


def write_postings(store: Store, ledger: Ledger, postings: Sequence[PostingRecord], actor: Actor, *,
                   action: str | None = None) -> int:
    """Check ownership (:func:`check_postings`), store, and record one event each.

    :raise NotPermittedError: if one would replace another owner's posting; nothing is written then.
    """
    if not postings:
        return 0
    # A migration moves concept links; it neither needs nor takes ownership of the posting.
    stamped = list(postings) if action == MIGRATED else check_postings(store, postings, actor)
    known = set(store.get_postings([p.id for p in stamped]))
    n = store.upsert_postings(stamped)
    at = now_iso()
    ledger.add_write_events([_event("posting", p.id, action or ("replaced" if p.id in known else "created"),
                                    posting_to_dict(p), actor, at) for p in stamped])
    return n
