"""Retention: every kind of data kept only as long as the municipality's periods say, applied by one use case.

- a CV not updated for ``cv_days`` is erased exactly as on the citizen's request (:func:`erase_citizen`:
  its evidence goes, the lists served about it are blanked, an erasure record stays);
- a posting more than ``posting_days`` past its last day is deleted (it can no longer be served or
  replayed against today's world; the lists that showed it keep what they showed);
- feedback older than ``feedback_days`` is deleted;
- audit records older than ``audit_days`` are purged behind a tombstone (:func:`tombstone`), and the write
  events (who wrote which CV or posting, when) of the same age with them: a kept record's replay only asks
  for the writes after it.

A retention record goes into the audit chain *before* anything is deleted — the cut-offs, how many of each
kind and which CV pseudonyms — so a crash half-way leaves a trail that says what was meant, and running
again finishes the job (every step only deletes what is still older than its cut-off). A CV without an
``updated`` date is never erased by age: it is counted as undated for a person to look at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from graph.accountability.audit import Actor, record_event, tombstone
from graph.accountability.erasure import erase_citizen
from graph.ledger import AuditQuery, Ledger
from graph.matching.vocabulary import RETENTION
from graph.store import Store

PAGE = 500


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """Days each kind of data is kept (each at least 1)."""

    cv_days: int
    posting_days: int
    feedback_days: int
    audit_days: int

    def __post_init__(self) -> None:
        for name in ("cv_days", "posting_days", "feedback_days", "audit_days"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")


@dataclass(frozen=True, slots=True)
class RetentionPlan:
    """What applying the policy at ``now`` deletes."""

    now: str
    cv_before: str  # CVs last updated before this day
    posting_before: str  # postings whose last day is before this day
    feedback_before: str
    audit_before: str
    cvs: tuple[str, ...]
    postings: tuple[str, ...]
    feedback: int
    audit_records: int
    undated_cvs: int  # no ``updated`` date: never erased by age

    def as_json(self) -> dict[str, Any]:
        """What the retention record says: cut-offs, counts and the erased pseudonyms."""
        return {"cut_offs": {"cv_updated_before": self.cv_before, "posting_valid_through_before": self.posting_before,
                             "feedback_before": self.feedback_before, "audit_before": self.audit_before},
                "cvs": list(self.cvs), "postings": len(self.postings), "feedback": self.feedback,
                "audit_records": self.audit_records, "undated_cvs": self.undated_cvs}


@dataclass(frozen=True, slots=True)
class RetentionReport:
    plan: RetentionPlan
    applied: bool
    record: str = ""  # the retention record's id
    cvs_erased: int = 0
    postings_deleted: int = 0
    feedback_deleted: int = 0
    audit_purged: int = 0
    write_events_purged: int = 0
    lists_blanked: int = 0
    notes: list[str] = field(default_factory=list)


def plan_retention(store: Store, ledger: Ledger, policy: RetentionPolicy, now: datetime | None = None) -> RetentionPlan:
    """What :func:`apply_retention` would delete at ``now`` (default: this moment); deletes nothing."""
    at = now or datetime.now(UTC)
    today = at.date()
    cv_before = (today - timedelta(days=policy.cv_days)).isoformat()
    posting_before = (today - timedelta(days=policy.posting_days)).isoformat()
    feedback_before = (at - timedelta(days=policy.feedback_days)).isoformat(timespec="milliseconds")
    audit_before = (at - timedelta(days=policy.audit_days)).isoformat(timespec="milliseconds")
    cvs: list[str] = []
    undated = 0
    ids = store.cv_ids()
    for start in range(0, len(ids), PAGE):
        for cv in store.get_cvs(ids[start:start + PAGE]).values():
            day = _day(cv.updated)
            if day is None:
                undated += 1
            elif day.isoformat() < cv_before:
                cvs.append(cv.id)
    postings: list[str] = []
    pids = store.posting_ids()
    for start in range(0, len(pids), PAGE):
        for p in store.get_postings(pids[start:start + PAGE]).values():
            day = _day(p.valid_through)
            if day is not None and day.isoformat() < posting_before:
                postings.append(p.id)
    feedback = sum(1 for f in ledger.feedback_records() if f.at < feedback_before)
    last = ledger.audit_records(AuditQuery(until=audit_before, newest_first=True, limit=1))
    first = ledger.audit_records(AuditQuery(limit=1))
    audit = last[0].seq - first[0].seq + 1 if last and first else 0
    return RetentionPlan(at.isoformat(timespec="milliseconds"), cv_before, posting_before, feedback_before,
                         audit_before, tuple(sorted(cvs)), tuple(sorted(postings)), feedback, audit, undated)


def apply_retention(store: Store, ledger: Ledger, policy: RetentionPolicy, actor: Actor, *,
                    now: datetime | None = None, dry_run: bool = False) -> RetentionReport:
    """Apply ``policy``: plan, record the plan in the audit chain, then delete kind by kind."""
    plan = plan_retention(store, ledger, policy, now)
    if dry_run:
        return RetentionReport(plan, applied=False)
    nothing = not (plan.cvs or plan.postings or plan.feedback or plan.audit_records)
    if nothing:
        return RetentionReport(plan, applied=True, notes=["nothing is older than its retention period"])
    record = record_event(ledger, RETENTION, actor, "", {"retention": plan.as_json()})
    erased = blanked = 0
    for cv_id in plan.cvs:
        if cv_id in store.get_cvs([cv_id]):  # a re-run after a crash: what is gone stays gone
            rep = erase_citizen(store, ledger, cv_id, actor,
                                f"retention: not updated since before {plan.cv_before}")
            erased += 1
            blanked += rep.records_blanked
    postings = store.delete_postings(plan.postings) if plan.postings else 0
    feedback = ledger.purge_feedback(plan.feedback_before) if plan.feedback else 0
    purged = 0
    if plan.audit_records:
        mark = tombstone(ledger, plan.audit_before, actor, f"retention: older than {policy.audit_days} days")
        purged = ledger.purge_audit(plan.audit_before) if mark is not None else 0
    writes = ledger.purge_write_events(plan.audit_before)
    return RetentionReport(plan, True, record.id, erased, postings, feedback, purged, writes, blanked)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None
