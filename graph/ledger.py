"""The ledger: append-only and operational records kept beside the graph.

Audit records of every recommendation list served, consultants' feedback, API tokens (hashed), trial
assignments and the crowding guard's exposure counts. Every store implements this protocol too
(:class:`graph.backends.memory.graph_store.MemoryStore` in SQLite, the Neo4j store as nodes), so the audit trail
lives "in the active store" and survives restarts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One served recommendation list (or an event: a purge, a print, an erasure). ``body`` is the full
    result JSON (scores, parts, paths, the citizen's evidence); ``hash`` = sha256(prev_hash + canonical
    JSON of every other field), chaining the records. A record with ``body_hash`` (sha256 of the body)
    hashes that instead of the body, so the body — personal data — can be erased while the chain still
    verifies (:mod:`graph.accountability.erasure`); records from before have none."""

    id: str
    seq: int
    at: str  # ISO timestamp, UTC
    cv_id: str  # pseudonym
    actor: str  # token id or "cli:<user>" / "batch"
    role: str
    municipality: str
    strategy: str
    settings_hash: str
    algorithm_version: str
    ontology_version: str
    local_additions_version: str
    body: str  # canonical JSON of the served result
    prev_hash: str
    hash: str
    body_hash: str = ""


def check_consecutive(records: Sequence[AuditRecord], last_seq: int) -> None:
    """Raise ValueError unless ``records`` continue the chain whose head has ``last_seq``."""
    for i, r in enumerate(records):
        if r.seq != last_seq + 1 + i:
            raise ValueError(f"audit seq {r.seq} is not the next ({last_seq + 1 + i})")


@dataclass(frozen=True, slots=True)
class AuditQuery:
    cv_id: str | None = None
    actor: str | None = None
    municipality: str | None = None
    since: str | None = None  # ISO timestamp, inclusive
    until: str | None = None  # ISO timestamp, exclusive
    after_seq: int = 0  # only records with a higher seq: keyset paging through a long trail
    limit: int = 100
    offset: int = 0
    newest_first: bool = False  # the ethics list reads the latest lists first; verification reads in order
    exclude_kinds: tuple[str, ...] = ()  # record kinds (``strategy``) left out, e.g. reads in the ethics list


@dataclass(frozen=True, slots=True)
class Feedback:
    id: str
    at: str
    recommendation_id: str
    cv_id: str
    target: str  # posting id or occupation uri the feedback is about
    verdict: str  # useful | not_useful | applied
    reason: str
    actor: str
    municipality: str
    strategy: str


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: str
    token_hash: str  # sha256 of the secret; the secret itself is shown once and never stored
    role: str  # consultant | ethics | taxonomy | admin
    municipality: str  # "" for roles that span municipalities
    name: str
    created: str
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class TrialAssignment:
    cv_id: str
    trial: str  # trial name/seed id
    arm: str  # treatment | control
    stratum: str  # job centre / municipality
    assigned_at: str
    position: int = -1  # the n-th assignment in its stratum, from 0 (block randomisation); -1 before blocks


@dataclass(frozen=True, slots=True)
class WriteEvent:
    """One write of a CV or posting: who, when, and a hash of what was stored (no content: a CV's
    content is personal data and lives in the store, where erasure can reach it)."""

    id: str
    at: str
    kind: str  # cv | posting
    target: str  # the pseudonym or posting id
    action: str  # created | replaced | confirmed | rejected
    content_hash: str  # sha256 of the stored record's canonical JSON
    actor: str
    role: str
    municipality: str


class Ledger(Protocol):
    def append_audit(self, record: AuditRecord) -> None:
        """Append one record; ``record.seq`` must be the next sequence number (else ValueError)."""

    def append_audits(self, records: Sequence[AuditRecord]) -> None:
        """Append consecutive records in one transaction, all or none: the first must take the next
        sequence number and each the one after (else ValueError, and nothing is written)."""

    def last_audit(self) -> AuditRecord | None:
        """The record with the highest seq (the chain's head), if any."""

    def append_chained(self, chain: Callable[[AuditRecord | None], list[AuditRecord]]) -> list[AuditRecord]:
        """In one write transaction that no other append interleaves with: read the head, let ``chain``
        build the records after it, append them (as :meth:`append_audits`); returns them."""

    def audit_records(self, query: AuditQuery) -> list[AuditRecord]:
        """Records matching the query, by seq ascending."""

    def get_audit(self, record_id: str) -> AuditRecord | None: ...

    def erase_audit_bodies(self, record_ids: Sequence[str]) -> int:
        """Blank the bodies of these records (erasure of a citizen's data); hashes and the chain stay.
        Returns how many bodies were blanked."""

    def purge_audit(self, before: str) -> int:
        """Delete records older than ``before`` (retention); returns how many. The caller logs it."""

    def add_feedback(self, feedback: Feedback) -> None: ...

    def purge_feedback(self, before: str) -> int:
        """Delete feedback given before ``before`` (retention); returns how many."""

    def feedback_records(self, recommendation_id: str | None = None) -> list[Feedback]:
        """Feedback (of one recommendation), by (at, id)."""

    def add_write_events(self, events: Sequence[WriteEvent]) -> None:
        """Record writes, all in one transaction (idempotent per event id)."""

    def purge_write_events(self, before: str) -> int:
        """Delete write events from before ``before`` (retention); returns how many."""

    def write_events(self, kind: str, targets: Sequence[str], since: str = "") -> list[WriteEvent]:
        """Writes of these CVs or postings at or after ``since`` (ISO timestamp; "" = all), by (at, id)."""

    def put_token(self, token: TokenRecord) -> None: ...

    def get_token(self, token_hash: str) -> TokenRecord | None: ...

    def tokens(self) -> list[TokenRecord]:
        """All tokens by id."""

    def revoke_token(self, token_id: str) -> bool: ...

    def assign_trial(self, assignment: TrialAssignment) -> TrialAssignment:
        """Store the assignment unless the citizen already has one in that trial; return the stored
        one. Assignments are never changed."""

    def trial_assignments(self, trial: str) -> list[TrialAssignment]:
        """All assignments of a trial, by cv_id."""

    def trial_count(self, trial: str, stratum: str) -> int:
        """How many citizens of ``stratum`` the trial has assigned (the next one's position)."""

    def add_exposures(self, week: str, cv_id: str, targets: list[str]) -> None:
        """Record that ``cv_id`` was shown these postings in ISO week ``week`` (idempotent per pair)."""

    def exposure_counts(self, week: str, targets: list[str], exclude_cv: str = "") -> dict[str, int]:
        """How many distinct citizens (other than ``exclude_cv``) were shown each posting in ``week``
        (absent = 0)."""
