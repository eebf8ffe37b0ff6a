"""Group commit for the audit chain: the records of concurrent requests appended in one transaction.

Every served list appends one audit record, and an append is a write transaction that takes the chain's
lock (the head is read and extended by one writer at a time, across processes). Under load the requests
of one process queue for that lock one by one, and each pays a whole transaction. Here the first
request to find the chain free appends its record together with every record that queued meanwhile,
in one transaction, in the order they queued; the others wait for their record to come back. One
request alone appends at once, as before; under load a turn carries several records.

A failed turn fails every request in it with the same error (none of their records was appended, since
a turn is one transaction), and the next request starts a new turn.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from graph.accountability.audit import append_drafts
from graph.ledger import AuditRecord, Ledger

# Records per turn at most: one transaction stays small however long the queue.
MAX_TURN = 64


class _Ticket:
    __slots__ = ("draft", "done", "record", "error")

    def __init__(self, draft: AuditRecord) -> None:
        self.draft = draft
        self.done = False
        self.record: AuditRecord | None = None
        self.error: BaseException | None = None


class GroupAppend:
    """Appends drafts from many threads of one process, one transaction per turn (thread-safe).

    ``lock`` (the process's write lock, when its store shares one connection) is held for each turn's
    transaction only.
    """

    def __init__(self, ledger: Ledger, *, lock: AbstractContextManager[Any] | None = None,
                 max_turn: int = MAX_TURN) -> None:
        self._ledger = ledger
        self._lock = lock
        self._max_turn = max_turn
        self._cond = threading.Condition()
        self._queue: list[_Ticket] = []
        self._busy = False
        self.turns = 0  # transactions so far (how the tests see the grouping)

    @property
    def queued(self) -> int:
        """Drafts waiting for a turn."""
        with self._cond:
            return len(self._queue)

    def append(self, draft: AuditRecord) -> AuditRecord:
        """Chain ``draft`` and append it; returns the stored record.

        :raise: what the ledger raised for the turn that carried the draft.
        """
        ticket = _Ticket(draft)
        with self._cond:
            self._queue.append(ticket)
            while not ticket.done and self._busy:
                self._cond.wait()
            if ticket.done:
                return _outcome(ticket)
            self._busy = True
        try:
            # This thread appends turns until its own draft was in one (the queue is first in, first out).
            while not ticket.done:
                with self._cond:
                    turn, self._queue = self._queue[:self._max_turn], self._queue[self._max_turn:]
                self._run(turn)
        finally:
            with self._cond:
                self._busy = False
                self._cond.notify_all()
        return _outcome(ticket)

    def _run(self, turn: list[_Ticket]) -> None:
        records: list[AuditRecord] = []
        error: BaseException | None = None
        try:
            with self._lock or nullcontext():
                records = append_drafts(self._ledger, [t.draft for t in turn])
        except BaseException as e:  # handed to every request of the turn, raised in each
            error = e
        with self._cond:
            for i, t in enumerate(turn):
                t.record = records[i] if error is None else None
                t.error = error
                t.done = True
            self.turns += 1
            self._cond.notify_all()


def _outcome(ticket: _Ticket) -> AuditRecord:
    if ticket.error is not None:
        raise ticket.error
    assert ticket.record is not None
    return ticket.record
