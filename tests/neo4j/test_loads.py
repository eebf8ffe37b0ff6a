"""Taxonomy loads are idempotent: twice, or after a load killed half-way, the graph is the same."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from neo4j import Driver

from graph.backends.neo4j import Neo4jStore, connection, graph_store
from ontology.model import Taxonomy, summarise
from tests.conformance import documents
from tests.conformance.neo4j_server import WIPE
from tests.neo4j.graph_counts import counts

pytestmark = pytest.mark.neo4j


class KilledError(Exception):
    """Stands for the process dying in the middle of a load."""


def _kill_after(store: Neo4jStore, writes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    real: Callable[..., Any] = store._write
    done = 0

    def write(name: str, work: Callable[..., Any]) -> Any:
        nonlocal done
        if done >= writes:
            raise KilledError(name)
        done += 1
        return real(name, work)

    monkeypatch.setattr(store, "_write", write)


def _truncated(tax: Taxonomy) -> Taxonomy:
    """The first half of every list: what a load killed half-way would have written, as a package."""
    half = dict(list(tax.concepts.items())[: len(tax.concepts) // 2])
    return Taxonomy(version=tax.version, languages=tax.languages, source=tax.source, checksum=tax.checksum,
                    concepts=half, occupation_skills=tax.occupation_skills[:20], skill_skills=tax.skill_skills[:1],
                    broader=tax.broader[:30], collections=tax.collections[:5])


def test_loading_twice_changes_nothing(neo4j_store: Neo4jStore, admin: Driver, mini_taxonomy: Taxonomy) -> None:
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    once = counts(admin)
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    assert counts(admin) == once
    # Known by hand: 9 occupations, 31 skills, 29 ISCO groups, 7 skill groups + 1 stub group, one node each, one version.
    assert once["loaded concepts"] == once["concept nodes"] == once["concept uris"] == len(mini_taxonomy.concepts) == 77
    assert once[":OntologyVersion"] == 1
    assert (once["-REQUIRES-"], once["-BROADER-"], once["-RELATED-"], once["-IN_COLLECTION-"]) == (46, 64, 3, 10)


def test_a_load_killed_half_way_then_rerun(neo4j_store: Neo4jStore, admin: Driver, mini_taxonomy: Taxonomy,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    clean = counts(admin)
    # KilledError after some concept batches; among the relation batches; during the sweep.
    for writes in (3, 6, 10):
        _kill_after(neo4j_store, writes, monkeypatch)
        with pytest.raises(KilledError):
            neo4j_store.upsert_taxonomy(mini_taxonomy)
        monkeypatch.undo()
        neo4j_store.upsert_taxonomy(mini_taxonomy)
        assert counts(admin) == clean
        assert neo4j_store.taxonomy_summary() == summarise(mini_taxonomy)


def test_killed_first_load_leaves_no_version(neo4j_store: Neo4jStore, admin: Driver, mini_taxonomy: Taxonomy,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _kill_after(neo4j_store, 5, monkeypatch)
    with pytest.raises(KilledError):
        neo4j_store.upsert_taxonomy(mini_taxonomy)
    monkeypatch.undo()
    assert neo4j_store.taxonomy_summary() is None and neo4j_store.ontology_versions() == []
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    assert neo4j_store.taxonomy_summary() == summarise(mini_taxonomy)


def test_truncated_then_full_equals_one_full_load(neo4j_store: Neo4jStore, admin: Driver,
                                                  mini_taxonomy: Taxonomy) -> None:
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    one_load = counts(admin)
    _wipe(admin)
    neo4j_store.upsert_taxonomy(_truncated(mini_taxonomy))
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    assert counts(admin) == one_load


def test_small_batches_give_the_same_graph(neo4j_store: Neo4jStore, admin: Driver, mini_taxonomy: Taxonomy,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    expected = counts(admin)
    _wipe(admin)
    for module, name in ((graph_store, "CONCEPT_BATCH"), (graph_store, "RELATION_BATCH"),
                         (connection, "SWEEP_BATCH")):
        monkeypatch.setattr(module, name, 7)
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    assert counts(admin) == expected


def test_documents_do_not_count_as_concepts(neo4j_store: Neo4jStore, admin: Driver,
                                            mini_taxonomy: Taxonomy) -> None:
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    neo4j_store.upsert_postings(documents.postings())
    neo4j_store.upsert_cvs(documents.cvs())
    got = counts(admin)
    # Three URIs only documents name (two skills, one occupation): bare nodes without a kind.
    assert got["concept nodes"] == got["concept uris"] == 77 + 3
    assert got["loaded concepts"] == 77
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    assert counts(admin) == got
    assert neo4j_store.taxonomy_summary() == summarise(mini_taxonomy)


def _wipe(admin: Driver) -> None:
    with admin.session(database="neo4j") as session:
        session.run(WIPE).consume()
