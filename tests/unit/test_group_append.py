"""Group commit of audit records (graph/accountability/group_append.py) on the embedded ledger."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from graph.accountability.audit import Actor, draft_of, verify_chain
from graph.accountability.group_append import GroupAppend
from graph.backends.memory.graph_store import MemoryStore
from graph.ledger import AuditRecord
from graph.matching.match import match_postings
from ontology.errors import StoreUnavailableError
from tests.matching_data import TODAY, O, cv

ACTOR = Actor("tok-1", "consultant", "0101")
PATIENCE_SECONDS = 30.0


class GatedLedger:
    """The store's ledger; its first append waits at a gate until the test opens it, and ``fail`` makes
    the next append raise (what a store that went away does)."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.appends = 0
        self.inside = threading.Event()
        self.gate = threading.Event()
        self.fail = False

    def append_chained(self, chain: Callable[[AuditRecord | None], list[AuditRecord]]) -> list[AuditRecord]:
        self.appends += 1
        if self.appends == 1:
            self.inside.set()
            assert self.gate.wait(PATIENCE_SECONDS)
        if self.fail:
            self.fail = False
            raise StoreUnavailableError("the store went away")
        return self.store.append_chained(chain)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def _drafts(store: MemoryStore, n: int) -> list[AuditRecord]:
    result = match_postings(store, cv("cook-1", ["dishes", "meat"], seeks=(O("cook"),)), valid_on=TODAY)
    return [draft_of(result, ACTOR) for _ in range(n)]


def _queued_behind_a_held_turn(appender: GroupAppend, ledger: GatedLedger,
                               drafts: list[AuditRecord]) -> dict[str, AuditRecord]:
    """The first draft's turn is held at the ledger's gate until every other draft has queued behind it;
    then the gate opens. The stored records, by draft id."""
    got: dict[str, AuditRecord] = {}

    def append(d: AuditRecord) -> None:
        got[d.id] = appender.append(d)

    first = threading.Thread(target=append, args=(drafts[0],))
    first.start()
    assert ledger.inside.wait(PATIENCE_SECONDS)
    others = [threading.Thread(target=append, args=(d,)) for d in drafts[1:]]
    for t in others:
        t.start()
    deadline = time.monotonic() + PATIENCE_SECONDS
    while appender.queued < len(others) and time.monotonic() < deadline:
        time.sleep(0.01)
    ledger.gate.set()
    for t in [first, *others]:
        t.join(PATIENCE_SECONDS)
    return got


def test_records_that_queue_meanwhile_go_in_one_turn_in_order(postings_store: MemoryStore) -> None:
    ledger = GatedLedger(postings_store)
    appender = GroupAppend(ledger)
    drafts = _drafts(postings_store, 6)
    got = _queued_behind_a_held_turn(appender, ledger, drafts)
    # One transaction for the first record, one for the five that queued behind it.
    assert (ledger.appends, appender.turns) == (2, 2)
    assert got[drafts[0].id].seq == 1
    assert sorted(got[d.id].seq for d in drafts[1:]) == [2, 3, 4, 5, 6]
    assert all(got[d.id].body == d.body for d in drafts)
    assert verify_chain(postings_store).ok and postings_store.last_audit() == max(got.values(), key=lambda r: r.seq)


def test_a_failed_turn_fails_its_requests_and_the_next_turn_appends(postings_store: MemoryStore) -> None:
    ledger = GatedLedger(postings_store)
    ledger.gate.set()
    ledger.fail = True
    appender = GroupAppend(ledger)
    failed, kept = _drafts(postings_store, 2)
    with pytest.raises(StoreUnavailableError):
        appender.append(failed)
    assert postings_store.last_audit() is None
    record = appender.append(kept)
    assert (record.seq, record.id) == (1, kept.id) and verify_chain(postings_store).ok


def test_a_long_queue_is_appended_in_bounded_turns(postings_store: MemoryStore) -> None:
    ledger = GatedLedger(postings_store)
    appender = GroupAppend(ledger, max_turn=2)
    got = _queued_behind_a_held_turn(appender, ledger, _drafts(postings_store, 6))
    assert appender.turns == 4  # the first alone, then 5 queued in turns of at most 2
    assert sorted(r.seq for r in got.values()) == [1, 2, 3, 4, 5, 6] and verify_chain(postings_store).ok
