"""The ledger over Neo4j: audit trail, feedback, tokens, trial assignments and exposures as nodes.

It answers :class:`graph.ledger.Ledger` as :class:`graph.backends.memory.ledger.SqliteLedger` does.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any, TypeVar

from neo4j import ManagedTransaction
from neo4j import exceptions as neo4j_errors

import queries
from graph.backends.neo4j.connection import Neo4jConnection
from graph.ledger import (
    AuditQuery,
    AuditRecord,
    Feedback,
    TokenRecord,
    TrialAssignment,
    WriteEvent,
    check_consecutive,
)

_Row = TypeVar("_Row", AuditRecord, Feedback, TokenRecord, TrialAssignment, WriteEvent)


class Neo4jLedger(Neo4jConnection):
    """The :class:`graph.ledger.Ledger` over Neo4j."""

    # -- ledger (graph/ledger.py): audit trail, feedback, tokens, trial, exposures ------------------
    def append_audit(self, record: AuditRecord) -> None:
        self.append_audits([record])

    def append_audits(self, records: Sequence[AuditRecord]) -> None:
        if not records:
            return
        rows = _audit_rows(records)

        def work(tx: ManagedTransaction) -> None:
            last = tx.run(queries.load("find_last_audit")).single()
            check_consecutive(records, int(last["props"]["seq"]) if last is not None else 0)
            tx.run(queries.load("append_audits"), rows=rows).consume()

        try:
            self._write("append_audits", work)
        except neo4j_errors.ConstraintError as e:
            # A concurrent writer took one of these seqs (or an id exists): the chain head moved.
            raise ValueError(f"audit records from seq {records[0].seq} are not the next ones") from e

    def append_chained(self, chain: Callable[[AuditRecord | None], list[AuditRecord]]) -> list[AuditRecord]:
        def work(tx: ManagedTransaction) -> list[AuditRecord]:
            # The head's lock first (update_audit_head.cypher): appends from every process take turns.
            tx.run(queries.load("update_audit_head")).consume()
            found = tx.run(queries.load("find_last_audit")).single()
            last = _audit_from(found["props"]) if found is not None else None
            records = chain(last)
            if records:
                check_consecutive(records, last.seq if last else 0)
                tx.run(queries.load("append_audits"), rows=_audit_rows(records)).consume()
            return records

        result: list[AuditRecord] = self._write("append_audits", work)
        return result

    def erase_audit_bodies(self, record_ids: Sequence[str]) -> int:
        ids = list(dict.fromkeys(record_ids))

        def work(tx: ManagedTransaction) -> int:
            return int(tx.run(queries.load("erase_audit_bodies"), ids=ids, empty=zlib.compress(b"", 1))
                       .single(strict=True)["n"])

        return int(self._write("erase_audit_bodies", work)) if ids else 0

    def last_audit(self) -> AuditRecord | None:
        rows = self._read("find_last_audit")
        return _audit_from(rows[0]["props"]) if rows else None

    def audit_records(self, query: AuditQuery) -> list[AuditRecord]:
        # SQLite semantics, which the embedded ledger has: a negative limit is no limit, a negative
        # offset is none.
        # One statement per direction: ORDER BY cannot take its direction as a parameter, and a CASE
        # expression would stop the planner from reading the seq index in order.
        rows = self._read(
            "find_audit_records_newest" if query.newest_first else "find_audit_records", cv_id=query.cv_id, actor=query.actor, municipality=query.municipality,
            since=query.since, until=query.until, after_seq=query.after_seq, offset=max(0, query.offset),
            exclude_kinds=list(query.exclude_kinds),
            limit=query.limit if query.limit >= 0 else _NO_LIMIT)
        return [_audit_from(r["props"]) for r in rows]

    def get_audit(self, record_id: str) -> AuditRecord | None:
        rows = self._read("find_audit", id=record_id)
        return _audit_from(rows[0]["props"]) if rows else None

    def purge_audit(self, before: str) -> int:
        def work(tx: ManagedTransaction) -> int:
            return int(tx.run(queries.load("delete_audit_before"), before=before).single(strict=True)["deleted"])

        return int(self._write("purge_audit", work))

    def add_feedback(self, feedback: Feedback) -> None:
        props = _props(feedback)
        self._write("add_feedback", lambda tx: tx.run(queries.load("merge_feedback"), props=props).consume())

    def purge_feedback(self, before: str) -> int:
        def work(tx: ManagedTransaction) -> int:
            return int(tx.run(queries.load("delete_feedback_before"), before=before).single(strict=True)["deleted"])

        return int(self._write("purge_feedback", work))

    def feedback_records(self, recommendation_id: str | None = None) -> list[Feedback]:
        rows = self._read("find_feedback", recommendation_id=recommendation_id)
        return sorted((_from_props(Feedback, r["props"]) for r in rows), key=lambda f: (f.at, f.id))

    def add_write_events(self, events: Sequence[WriteEvent]) -> None:
        rows = [_props(e) for e in events]
        if rows:
            self._write("add_write_events",
                        lambda tx: tx.run(queries.load("merge_write_events"), rows=rows).consume())

    def purge_write_events(self, before: str) -> int:
        def work(tx: ManagedTransaction) -> int:
            return int(tx.run(queries.load("delete_write_events_before"), before=before).single(strict=True)["deleted"])

        return int(self._write("purge_write_events", work))

    def write_events(self, kind: str, targets: Sequence[str], since: str = "") -> list[WriteEvent]:
        rows = self._read("find_write_events", kind=kind, targets=list(dict.fromkeys(targets)), since=since)
        return sorted((_from_props(WriteEvent, r["props"]) for r in rows), key=lambda e: (e.at, e.id))

    def put_token(self, token: TokenRecord) -> None:
        props = _props(token)
        try:
            self._write("put_token", lambda tx: tx.run(queries.load("insert_api_token"), props=props).consume())
        except neo4j_errors.ConstraintError as e:
            raise ValueError(f"token {token.id} (or its hash) already exists") from e

    def get_token(self, token_hash: str) -> TokenRecord | None:
        rows = self._read("find_api_token", token_hash=token_hash)
        return _from_props(TokenRecord, rows[0]["props"]) if rows else None

    def tokens(self) -> list[TokenRecord]:
        return sorted((_from_props(TokenRecord, r["props"]) for r in self._read("find_api_tokens")),
                      key=lambda t: t.id)

    def revoke_token(self, token_id: str) -> bool:
        def work(tx: ManagedTransaction) -> int:
            return int(tx.run(queries.load("revoke_api_token"), id=token_id).single(strict=True)["revoked"])

        return int(self._write("revoke_token", work)) > 0

    def assign_trial(self, assignment: TrialAssignment) -> TrialAssignment:
        def work(tx: ManagedTransaction) -> dict[str, Any]:
            record = tx.run(queries.load("merge_trial_assignment"), trial=assignment.trial,
                            cv_id=assignment.cv_id, arm=assignment.arm, stratum=assignment.stratum,
                            assigned_at=assignment.assigned_at, position=assignment.position).single(strict=True)
            return dict(record["props"])

        return _from_props(TrialAssignment, self._write("assign_trial", work))

    def trial_assignments(self, trial: str) -> list[TrialAssignment]:
        rows = self._read("find_trial_assignments", trial=trial)
        return sorted((_from_props(TrialAssignment, r["props"]) for r in rows), key=lambda t: t.cv_id)

    def trial_count(self, trial: str, stratum: str) -> int:
        [r] = self._read("count_trial_assignments", trial=trial, stratum=stratum)
        return int(r["n"])

    def add_exposures(self, week: str, cv_id: str, targets: list[str]) -> None:
        if not targets:
            return
        unique = sorted(set(targets))
        self._write("add_exposures", lambda tx: tx.run(queries.load("merge_exposures"), week=week, cv_id=cv_id,
                                                       targets=unique).consume())

    def exposure_counts(self, week: str, targets: list[str], exclude_cv: str = "") -> dict[str, int]:
        unique = sorted(set(targets))
        counts = {r["target"]: int(r["n"])
                  for r in self._read("count_exposures", week=week, targets=unique, exclude_cv=exclude_cv)}
        return {t: counts[t] for t in unique if counts.get(t)}




_NO_LIMIT = 2**62


def _camel(name: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)


def _props(row: AuditRecord | Feedback | TokenRecord | TrialAssignment | WriteEvent) -> dict[str, Any]:
    """A ledger record as node properties (camelCase, as the graph names properties)."""
    return {_camel(f.name): getattr(row, f.name) for f in fields(row)}


def _from_props(cls: type[_Row], props: dict[str, Any]) -> _Row:
    # A property added in a later version is absent on older nodes: the field's default then.
    return cls(**{f.name: props[_camel(f.name)] for f in fields(cls) if _camel(f.name) in props})


def _audit_from(props: dict[str, Any]) -> AuditRecord:
    body = props["body"]
    # Bytes are compressed bodies; text bodies were written before compression.
    text = zlib.decompress(body).decode("utf-8") if isinstance(body, (bytes, bytearray)) else body
    return _from_props(AuditRecord, {**props, "body": text})


def _audit_rows(records: Sequence[AuditRecord]) -> list[dict[str, Any]]:
    # Bodies as zlib bytes: a result's JSON repeats labels and evidence (see sqlite_ledger).
    return [{**_props(r), "body": zlib.compress(r.body.encode("utf-8"), 1)} for r in records]
