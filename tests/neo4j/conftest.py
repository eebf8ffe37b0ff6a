"""Adapter fixtures: the Neo4j server scripts/run-tests started (see tests/conformance/neo4j_server.py).

``neo4j_store`` is the session's store over a wiped database; ``admin`` a plain driver for looking
at what the store wrote (counts, schema, plans).
"""

from __future__ import annotations

import pytest
from neo4j import Driver

from graph.backends.neo4j import Neo4jStore
from tests.conformance import neo4j_server


@pytest.fixture
def neo4j_store(request: pytest.FixtureRequest) -> Neo4jStore:
    return neo4j_server.fresh_store(request.config)


@pytest.fixture
def admin(request: pytest.FixtureRequest) -> Driver:
    return neo4j_server.admin(request.config)


@pytest.fixture
def target(request: pytest.FixtureRequest) -> neo4j_server.Neo4jTarget:
    return neo4j_server.target(request.config)
