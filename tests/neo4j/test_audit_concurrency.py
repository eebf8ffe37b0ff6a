"""Appends to the audit chain from several connections at once (as several serving processes make them) on
the real server: the AuditHead lock makes them take turns, so none is lost or refused and the chain holds."""

from __future__ import annotations

import threading

import pytest

from graph.accountability.audit import Actor, append_drafts, draft_of, verify_chain
from graph.backends.neo4j import Neo4jStore
from graph.ledger import AuditRecord
from graph.matching.match import match_postings
from ontology.model import Taxonomy
from tests.conformance import neo4j_server
from tests.matching_data import POSTINGS, TODAY, O, cv

pytestmark = pytest.mark.neo4j


def test_concurrent_appenders_make_one_chain(neo4j_store: Neo4jStore, target: neo4j_server.Neo4jTarget,
                                             mini_taxonomy: Taxonomy) -> None:
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    neo4j_store.upsert_postings(POSTINGS)
    result = match_postings(neo4j_store, cv("c1", ["dishes", "meat"], seeks=(O("cook"),)), valid_on=TODAY)
    other = Neo4jStore.connect(target.uri, target.auth)
    appended: list[AuditRecord] = []
    lock = threading.Lock()

    def append(ledger: Neo4jStore) -> None:
        for _ in range(8):
            records = append_drafts(ledger, [draft_of(result, Actor("batch", "batch", ""))])
            with lock:
                appended.extend(records)

    try:
        threads = [threading.Thread(target=append, args=(s,)) for s in (neo4j_store, other, neo4j_store, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        other.close()
    assert sorted(r.seq for r in appended) == list(range(1, 33))
    report = verify_chain(neo4j_store)
    assert report.ok and report.checked == 32
