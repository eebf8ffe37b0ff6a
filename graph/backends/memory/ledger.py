"""The ledger in SQLite: the embedded store's audit trail, feedback, tokens and trial records.

Each write is one transaction, so a crash leaves either the whole record or nothing. Audit bodies are
stored zlib-compressed (a result's JSON repeats labels and evidence; a nightly batch writes 100k of
them); bodies written as text by earlier versions read back unchanged.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from graph.ledger import (
    AuditQuery,
    AuditRecord,
    Feedback,
    TokenRecord,
    TrialAssignment,
    WriteEvent,
    check_consecutive,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, at TEXT NOT NULL, cv_id TEXT NOT NULL,
    actor TEXT NOT NULL, role TEXT NOT NULL, municipality TEXT NOT NULL, strategy TEXT NOT NULL,
    settings_hash TEXT NOT NULL, algorithm_version TEXT NOT NULL, ontology_version TEXT NOT NULL,
    local_additions_version TEXT NOT NULL, body TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
    body_hash TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS audit_cv ON audit (cv_id);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY, at TEXT NOT NULL, recommendation_id TEXT NOT NULL, cv_id TEXT NOT NULL,
    target TEXT NOT NULL, verdict TEXT NOT NULL, reason TEXT NOT NULL, actor TEXT NOT NULL,
    municipality TEXT NOT NULL, strategy TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY, token_hash TEXT UNIQUE NOT NULL, role TEXT NOT NULL, municipality TEXT NOT NULL,
    name TEXT NOT NULL, created TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS trial (
    trial TEXT NOT NULL, cv_id TEXT NOT NULL, arm TEXT NOT NULL, stratum TEXT NOT NULL,
    assigned_at TEXT NOT NULL, position INTEGER NOT NULL DEFAULT -1, PRIMARY KEY (trial, cv_id));
CREATE TABLE IF NOT EXISTS writes (
    id TEXT PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL, action TEXT NOT NULL,
    content_hash TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, municipality TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS writes_target ON writes (kind, target);
CREATE TABLE IF NOT EXISTS exposures (
    week TEXT NOT NULL, target TEXT NOT NULL, cv_id TEXT NOT NULL, PRIMARY KEY (week, target, cv_id));
"""

_AUDIT_COLS = ("id, seq, at, cv_id, actor, role, municipality, strategy, settings_hash, algorithm_version, "
               "ontology_version, local_additions_version, body, prev_hash, hash, body_hash")


def migrate(db: sqlite3.Connection) -> None:
    """Bring a ledger written by an earlier version up to this schema (idempotent)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(trial)")}
    if "position" not in columns:
        db.execute("ALTER TABLE trial ADD COLUMN position INTEGER NOT NULL DEFAULT -1")
    if "body_hash" not in {row[1] for row in db.execute("PRAGMA table_info(audit)")}:
        db.execute("ALTER TABLE audit ADD COLUMN body_hash TEXT NOT NULL DEFAULT ''")
    db.execute("CREATE INDEX IF NOT EXISTS trial_stratum ON trial (trial, stratum)")


def _audit(row: tuple[Any, ...]) -> AuditRecord:
    values = list(row)
    body = values[12]  # the column order of _AUDIT_COLS
    values[12] = zlib.decompress(body).decode("utf-8") if isinstance(body, bytes) else body
    return AuditRecord(*values)


def _pack(body: str) -> bytes:
    # Level 1: most of the gain (repeated keys and labels) at a fraction of the default level's time.
    return zlib.compress(body.encode("utf-8"), 1)


def _token(row: tuple[str, str, str, str, str, str, int]) -> TokenRecord:
    return TokenRecord(id=row[0], token_hash=row[1], role=row[2], municipality=row[3], name=row[4],
                       created=row[5], revoked=bool(row[6]))


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN … COMMIT on an autocommit connection; ROLLBACK on any error so nothing is half-written.
    Another process's write makes BEGIN IMMEDIATE wait (the connection's busy timeout)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _insert_audits(db: sqlite3.Connection, records: Sequence[AuditRecord]) -> None:
    db.executemany(f"INSERT INTO audit ({_AUDIT_COLS}) VALUES ({', '.join('?' * 16)})",  # noqa: S608 - constant
                   [(r.id, r.seq, r.at, r.cv_id, r.actor, r.role, r.municipality, r.strategy, r.settings_hash,
                     r.algorithm_version, r.ontology_version, r.local_additions_version, _pack(r.body), r.prev_hash,
                     r.hash, r.body_hash) for r in records])


class SqliteLedger:
    """Mixed into the memory store; ``_conn()`` gives the open connection, ``_lock`` the store's lock.

    One connection serves every thread of a process, and Python's sqlite3 leaves serialising its use to
    the caller: a thread's SELECT inside another thread's transaction failed as "no more rows available",
    "cannot start a transaction within a transaction" or "database is locked" under a multi-threaded
    server (tests/api/test_workers.py). So every ledger method runs under the store's lock (see the end
    of this module); other processes are kept apart by SQLite's own locks.
    """

    _lock: threading.RLock

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def append_audit(self, record: AuditRecord) -> None:
        self.append_audits([record])

    def append_audits(self, records: Sequence[AuditRecord]) -> None:
        if not records:
            return
        db = self._conn()
        with transaction(db):
            (last,) = db.execute("SELECT COALESCE(MAX(seq), 0) FROM audit").fetchone()
            check_consecutive(records, last)
            _insert_audits(db, records)

    def append_chained(self, chain: Callable[[AuditRecord | None], list[AuditRecord]]) -> list[AuditRecord]:
        db = self._conn()
        with transaction(db):  # BEGIN IMMEDIATE: the journal's write lock, held to commit
            last = self.last_audit()
            records = chain(last)
            if records:
                check_consecutive(records, last.seq if last else 0)
                _insert_audits(db, records)
        return records

    def erase_audit_bodies(self, record_ids: Sequence[str]) -> int:
        db = self._conn()
        n = 0
        with transaction(db):
            for i in dict.fromkeys(record_ids):
                n += db.execute("UPDATE audit SET body = ? WHERE id = ? AND body_hash != ''", (_pack(""), i)).rowcount
        return n

    def last_audit(self) -> AuditRecord | None:
        row = self._conn().execute(f"SELECT {_AUDIT_COLS} FROM audit ORDER BY seq DESC LIMIT 1").fetchone()  # noqa: S608
        return _audit(row) if row else None

    def audit_records(self, query: AuditQuery) -> list[AuditRecord]:
        where: list[str] = ["seq > ?"]
        args: list[int | str] = [query.after_seq]
        for col, val in (("cv_id", query.cv_id), ("actor", query.actor), ("municipality", query.municipality)):
            if val is not None:
                where.append(f"{col} = ?")
                args.append(val)
        if query.since is not None:
            where.append("at >= ?")
            args.append(query.since)
        if query.until is not None:
            where.append("at < ?")
            args.append(query.until)
        if query.exclude_kinds:
            where.append(f"strategy NOT IN ({','.join('?' * len(query.exclude_kinds))})")
            args.extend(query.exclude_kinds)
        order = "seq DESC" if query.newest_first else "seq"
        sql = (f"SELECT {_AUDIT_COLS} FROM audit WHERE {' AND '.join(where)} "  # noqa: S608 - fixed fragments
               f"ORDER BY {order} LIMIT ? OFFSET ?")
        rows = self._conn().execute(sql, (*args, query.limit, query.offset)).fetchall()
        return [_audit(r) for r in rows]

    def get_audit(self, record_id: str) -> AuditRecord | None:
        row = self._conn().execute(f"SELECT {_AUDIT_COLS} FROM audit WHERE id = ?", (record_id,)).fetchone()  # noqa: S608
        return _audit(row) if row else None

    def purge_audit(self, before: str) -> int:
        db = self._conn()
        with transaction(db):
            cur = db.execute("DELETE FROM audit WHERE at < ?", (before,))
        return cur.rowcount

    def add_feedback(self, feedback: Feedback) -> None:
        db = self._conn()
        with transaction(db):
            db.execute("INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (feedback.id, feedback.at, feedback.recommendation_id, feedback.cv_id, feedback.target,
                        feedback.verdict, feedback.reason, feedback.actor, feedback.municipality,
                        feedback.strategy))

    def purge_feedback(self, before: str) -> int:
        db = self._conn()
        with transaction(db):
            cur = db.execute("DELETE FROM feedback WHERE at < ?", (before,))
        return cur.rowcount

    def feedback_records(self, recommendation_id: str | None = None) -> list[Feedback]:
        sql = ("SELECT id, at, recommendation_id, cv_id, target, verdict, reason, actor, municipality, strategy "
               "FROM feedback")
        if recommendation_id is None:
            rows = self._conn().execute(sql + " ORDER BY at, id").fetchall()
        else:
            rows = self._conn().execute(sql + " WHERE recommendation_id = ? ORDER BY at, id",
                                        (recommendation_id,)).fetchall()
        return [Feedback(*r) for r in rows]

    def add_write_events(self, events: Sequence[WriteEvent]) -> None:
        db = self._conn()
        with transaction(db):
            db.executemany("INSERT OR IGNORE INTO writes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [(e.id, e.at, e.kind, e.target, e.action, e.content_hash, e.actor, e.role,
                             e.municipality) for e in events])

    def purge_write_events(self, before: str) -> int:
        db = self._conn()
        with transaction(db):
            cur = db.execute("DELETE FROM writes WHERE at < ?", (before,))
        return cur.rowcount

    def write_events(self, kind: str, targets: Sequence[str], since: str = "") -> list[WriteEvent]:
        out: list[WriteEvent] = []
        unique = list(dict.fromkeys(targets))
        for start in range(0, len(unique), 500):
            part = unique[start:start + 500]
            marks = ",".join("?" * len(part))
            rows = self._conn().execute(
                "SELECT id, at, kind, target, action, content_hash, actor, role, municipality FROM writes "  # noqa: S608 - placeholders only
                f"WHERE kind = ? AND at >= ? AND target IN ({marks})", (kind, since, *part)).fetchall()
            out += [WriteEvent(*r) for r in rows]
        return sorted(out, key=lambda e: (e.at, e.id))

    def put_token(self, token: TokenRecord) -> None:
        db = self._conn()
        with transaction(db):
            db.execute("INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (token.id, token.token_hash, token.role, token.municipality, token.name, token.created,
                        int(token.revoked)))

    def get_token(self, token_hash: str) -> TokenRecord | None:
        row = self._conn().execute(
            "SELECT id, token_hash, role, municipality, name, created, revoked FROM tokens WHERE token_hash = ?",
            (token_hash,)).fetchone()
        return _token(row) if row else None

    def tokens(self) -> list[TokenRecord]:
        rows = self._conn().execute(
            "SELECT id, token_hash, role, municipality, name, created, revoked FROM tokens ORDER BY id").fetchall()
        return [_token(r) for r in rows]

    def revoke_token(self, token_id: str) -> bool:
        db = self._conn()
        with transaction(db):
            cur = db.execute("UPDATE tokens SET revoked = 1 WHERE id = ?", (token_id,))
        return cur.rowcount > 0

    def assign_trial(self, assignment: TrialAssignment) -> TrialAssignment:
        db = self._conn()
        with transaction(db):
            db.execute("INSERT OR IGNORE INTO trial (trial, cv_id, arm, stratum, assigned_at, position) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       (assignment.trial, assignment.cv_id, assignment.arm, assignment.stratum,
                        assignment.assigned_at, assignment.position))
            row = db.execute("SELECT cv_id, trial, arm, stratum, assigned_at, position FROM trial "
                             "WHERE trial = ? AND cv_id = ?", (assignment.trial, assignment.cv_id)).fetchone()
        return TrialAssignment(*row)

    def trial_assignments(self, trial: str) -> list[TrialAssignment]:
        rows = self._conn().execute(
            "SELECT cv_id, trial, arm, stratum, assigned_at, position FROM trial WHERE trial = ? ORDER BY cv_id",
            (trial,)).fetchall()
        return [TrialAssignment(*r) for r in rows]

    def trial_count(self, trial: str, stratum: str) -> int:
        row = self._conn().execute("SELECT count(*) FROM trial WHERE trial = ? AND stratum = ?",
                                   (trial, stratum)).fetchone()
        return int(row[0])

    def add_exposures(self, week: str, cv_id: str, targets: list[str]) -> None:
        db = self._conn()
        with transaction(db):
            db.executemany("INSERT OR IGNORE INTO exposures VALUES (?, ?, ?)", [(week, t, cv_id) for t in targets])

    def exposure_counts(self, week: str, targets: list[str], exclude_cv: str = "") -> dict[str, int]:
        out: dict[str, int] = {}
        db = self._conn()
        for t in sorted(set(targets)):
            (n,) = db.execute("SELECT COUNT(*) FROM exposures WHERE week = ? AND target = ? AND cv_id != ?",
                              (week, t, exclude_cv)).fetchone()
            if n:
                out[t] = n
        return out


def _one_thread_at_a_time(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def serialised(self: SqliteLedger, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return serialised


# Every public ledger method, under the store's lock (re-entrant: one method may call another).
for _name, _member in list(vars(SqliteLedger).items()):
    if not _name.startswith("_") and callable(_member):
        setattr(SqliteLedger, _name, _one_thread_at_a_time(_member))
