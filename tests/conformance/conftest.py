"""Store fixtures: one suite, run against every backend (memory and Neo4j).

``empty_store`` is a store holding nothing; ``mini_store`` holds the hand-made ESCO fixture and the
hand-made documents of :mod:`tests.conformance.documents`, loaded once per module and backend (tests
that use it only read). The Neo4j instances carry the ``neo4j`` marker and fail loudly when the
server is missing (see :mod:`tests.conformance.neo4j_server`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.backends.memory.graph_store import MemoryStore
from graph.backends.neo4j import Neo4jStore
from graph.store import Store
from ontology.model import Taxonomy
from tests.conformance import documents, neo4j_server

BACKENDS = [pytest.param("memory"), pytest.param("neo4j", marks=pytest.mark.neo4j)]


def _open(backend: str, config: pytest.Config) -> Iterator[Store]:
    if backend == "memory":
        mem = MemoryStore().open()
        yield mem
        mem.close()
    else:
        yield neo4j_server.fresh_store(config)


@pytest.fixture(params=BACKENDS)
def empty_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """An empty store of each backend."""
    yield from _open(request.param, request.config)


@pytest.fixture(params=BACKENDS)
def two_connections(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """Two stores over one empty database, as two serving processes hold them: two embedded stores on one
    data dir, or two Neo4j connections."""
    if request.param == "memory":
        first, second = MemoryStore(tmp_path).open(), MemoryStore(tmp_path).open()
    else:
        first = neo4j_server.fresh_store(request.config)
        target = neo4j_server.target(request.config)
        second = Neo4jStore.connect(target.uri, target.auth)
    yield first, second
    second.close()
    if request.param == "memory":
        first.close()


@pytest.fixture(scope="module", params=BACKENDS)
def mini_store(request: pytest.FixtureRequest, mini_taxonomy: Taxonomy) -> Iterator[Store]:
    """Each backend holding the mini ESCO taxonomy plus the hand-made CVs and postings (read only)."""
    for store in _open(request.param, request.config):
        store.upsert_taxonomy(mini_taxonomy)
        store.upsert_cvs(documents.cvs())
        store.upsert_postings(documents.postings())
        yield store
