"""The nightly batch over the store protocol: every located CV matched (direct matches and
alternatives), each list appended to the audit chain in CV order, the same lists the serving path
computes, and the same records whatever the number of workers."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from graph.accountability.audit import verify_chain
from graph.accountability.batch import run_batch
from graph.accountability.serving import (
    ListServer,
    ServeRequest,
    ServingPolicy,
    active_ontology_version,
    compute,
)
from graph.backends.memory.graph_store import MemoryStore
from graph.backends.memory.snapshot import embedded_snapshot
from graph.ledger import AuditQuery
from graph.matching.explain import result_json
from graph.matching.scoring import MatchSettings
from graph.store import Store
from ontology.errors import NotFoundError
from ontology.model import Taxonomy
from tests.matching_data import POSTINGS, TODAY, O, cv

SETTINGS = MatchSettings(alt_min_essential=2)
CVS = [
    cv("b-cook", ["dishes", "meat", "foodsafety", "teamwork", "customers"], seeks=(O("cook"),), max_km=40),
    cv("b-dev", ["python", "sql", "webdesign", "teamwork"], seeks=(O("softdev"),), worked=(O("webdev"),)),
    replace(cv("b-nowhere", ["python", "sql"]), postcode="", lat=None, lon=None),
    cv("b-porter", ["cleankitchen", "foodsafety"], titles=("kitchen porter",)),
]
LOCATED = [c for c in CVS if c.lat is not None]


@pytest.fixture
def batch_store(empty_store: Store, mini_taxonomy: Taxonomy) -> Store:
    empty_store.upsert_taxonomy(mini_taxonomy)
    empty_store.upsert_postings(POSTINGS)
    empty_store.upsert_cvs(CVS)
    return empty_store


def _server(store: Store, **policy: object) -> ListServer:
    return ListServer(store, store, ServingPolicy(settings=SETTINGS, **policy))  # type: ignore[arg-type]


def _results(store: Store, seq_from: int = 0) -> list[tuple[str, str, dict[str, object]]]:
    return [(r.cv_id, r.strategy, json.loads(r.body)) for r in store.audit_records(AuditQuery(limit=1000))
            if r.seq > seq_from]


def test_batch_records_what_serving_computes(batch_store: Store) -> None:
    store = batch_store
    rep = run_batch(_server(store), [c.id for c in CVS], valid_on=TODAY)
    assert (rep.cvs, rep.workers) == (len(LOCATED), 1)
    assert rep.with_matches >= 2 and rep.with_alternatives >= 1

    recorded = _results(store)
    # Two records per located CV, in the order asked; the CV without a location is left out.
    assert [(cid, strategy) for cid, strategy, _ in recorded] == [
        (c.id, s) for c in LOCATED for s in ("graph", "alternatives")]
    version = active_ontology_version(store)
    for (cid, _, body), kind in zip(recorded, ["matches", "alternatives"] * len(LOCATED), strict=True):
        direct = compute(store, next(c for c in LOCATED if c.id == cid),
                         ServeRequest(kind=kind, valid_on=TODAY), SETTINGS,  # type: ignore[arg-type]
                         ontology_version=version)
        assert body["result"] == json.loads(json.dumps(result_json(direct)))
        assert "cv_snapshot" not in body and body["request"]["kind"] == kind
    report = verify_chain(store)
    assert report.ok and report.checked == 2 * len(LOCATED)


def test_batch_without_audit_records_nothing(batch_store: Store) -> None:
    rep = run_batch(_server(batch_store), [c.id for c in CVS], valid_on=TODAY, record=False)
    assert rep.cvs == len(LOCATED)
    assert batch_store.last_audit() is None


def test_workers_and_chunks_do_not_change_the_records(batch_store: Store) -> None:
    store = batch_store
    ids = [c.id for c in CVS]
    run_batch(_server(store), ids, valid_on=TODAY, workers=1, chunk=100)
    head = store.last_audit()
    assert head is not None
    rep = run_batch(_server(store), ids, valid_on=TODAY, workers=2, chunk=1)
    assert rep.cvs == len(LOCATED) and rep.workers == 2
    first, second = _results(store)[: head.seq], _results(store, head.seq)
    assert second == first
    assert verify_chain(store).ok


def test_a_snapshot_computes_what_the_store_computes(batch_store: Store) -> None:
    store = batch_store
    ids = [c.id for c in CVS]
    run_batch(_server(store), ids, valid_on=TODAY)
    head = store.last_audit()
    assert head is not None
    snap = embedded_snapshot(store, ids)
    try:
        assert snap.posting_count() == store.posting_count()
        assert snap.get_cvs(ids) == store.get_cvs(ids)
        rep = run_batch(_server(store), ids, valid_on=TODAY, workers=2, compute_on=snap)
    finally:
        snap.close()
    assert rep.cvs == len(LOCATED)
    # Recorded in the store's own trail, identical to the lists computed on the store itself.
    assert _results(store, head.seq) == _results(store)[: head.seq]
    assert verify_chain(store).ok


def test_a_snapshot_needs_a_taxonomy(empty_store: Store) -> None:
    with pytest.raises(NotFoundError, match="no taxonomy"):
        embedded_snapshot(empty_store, [])


def test_exported_taxonomy_equals_the_loaded_one(mini_store: Store, mini_taxonomy: Taxonomy) -> None:
    reference = MemoryStore().open()
    reference.upsert_taxonomy(mini_taxonomy)
    expected = reference.export_taxonomy()
    got = mini_store.export_taxonomy()
    assert expected is not None and got is not None
    assert (got.version, got.languages, got.source, got.checksum) == (
        expected.version, expected.languages, expected.source, expected.checksum)
    assert got.concepts == expected.concepts
    assert got.occupation_skills == expected.occupation_skills
    assert got.skill_skills == expected.skill_skills
    assert got.broader == expected.broader
    assert got.collections == expected.collections
    # Loaded again, the export answers as the original does.
    again = MemoryStore().open()
    again.upsert_taxonomy(got)
    assert again.taxonomy_summary() == reference.taxonomy_summary()
