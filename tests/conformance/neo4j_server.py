"""The Neo4j server the tests use: the one ``scripts/run-tests`` started, named by NEO4J_URI,
NEO4J_USER and NEO4J_PASSWORD.

One admin driver and one :class:`Neo4jStore` per pytest session, kept in ``config.stash`` so that the
conformance and adapter folders share them (and the emptiness check runs once). A missing variable or
an unreachable server fails the test loudly; nothing here ever skips.

The database must be empty when the session first touches it: the suite wipes it before every test,
and refuses to wipe data it did not write unless JOBMATCH_TEST_NEO4J_RESET=1 says to.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import NoReturn

import pytest
from neo4j import Driver, GraphDatabase
from neo4j import exceptions as neo4j_errors

from graph.backends.neo4j import Neo4jStore
from ontology.errors import JobmatchError

ENV = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD")
RESET_ENV = "JOBMATCH_TEST_NEO4J_RESET"
DATABASE = "neo4j"

# Test-only statements (schema listing and wiping) stay here; the product's Cypher is in queries/.
WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
COUNT_NODES = "MATCH (n) RETURN count(n) AS n"


@dataclass(frozen=True)
class Neo4jTarget:
    uri: str
    user: str
    password: str

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)


_TARGET = pytest.StashKey[Neo4jTarget]()
_ADMIN = pytest.StashKey[Driver]()
_STORE = pytest.StashKey[Neo4jStore]()
_FAILED = pytest.StashKey[str]()  # the first failure, repeated at once to every later test


def target(config: pytest.Config) -> Neo4jTarget:
    if _TARGET not in config.stash:
        missing = [name for name in ENV if not os.environ.get(name)]
        if missing:
            pytest.fail(
                f"{', '.join(missing)} not set: the Neo4j tests need the server scripts/run-tests starts "
                "(run `scripts/run-tests`, or deselect them with -m 'not neo4j')", pytrace=False)
        config.stash[_TARGET] = Neo4jTarget(os.environ["NEO4J_URI"], os.environ["NEO4J_USER"],
                                            os.environ["NEO4J_PASSWORD"])
    return config.stash[_TARGET]


def _fail(config: pytest.Config, message: str) -> NoReturn:
    config.stash[_FAILED] = message
    pytest.fail(message, pytrace=False)


def admin(config: pytest.Config) -> Driver:
    """A plain driver for what the store must not offer (wiping, listing the schema)."""
    if _FAILED in config.stash:
        pytest.fail(config.stash[_FAILED], pytrace=False)
    if _ADMIN not in config.stash:
        t = target(config)
        driver = GraphDatabase.driver(t.uri, auth=t.auth, connection_timeout=5.0,
                                      max_transaction_retry_time=5.0)
        try:
            records, _, _ = driver.execute_query(COUNT_NODES, database_=DATABASE)
        except (neo4j_errors.DriverError, neo4j_errors.Neo4jError, OSError) as e:
            driver.close()
            _fail(config, f"Neo4j at {t.uri} is unreachable ({type(e).__name__}): start it with scripts/run-tests")
        nodes = int(records[0]["n"])
        if nodes and os.environ.get(RESET_ENV) != "1":
            driver.close()
            _fail(config, f"Neo4j at {t.uri} already holds {nodes} nodes; the tests wipe the database, so they "
                          f"refuse one they did not fill (set {RESET_ENV}=1 to wipe it anyway)")
        config.stash[_ADMIN] = driver
        config.add_cleanup(driver.close)
    return config.stash[_ADMIN]


def store(config: pytest.Config) -> Neo4jStore:
    """The session's store (connected once: constraints and indexes are created once)."""
    if _STORE not in config.stash:
        admin(config)  # the emptiness check comes first
        t = target(config)
        try:
            s = Neo4jStore.connect(t.uri, t.auth, database=DATABASE)
        except JobmatchError as e:
            _fail(config, f"Neo4jStore.connect failed: {e}")
        config.stash[_STORE] = s
        config.add_cleanup(s.close)
    return config.stash[_STORE]


def wipe(config: pytest.Config) -> None:
    """Delete every node and relationship (the schema stays)."""
    with admin(config).session(database=DATABASE) as session:
        session.run(WIPE).consume()


def fresh_store(config: pytest.Config) -> Neo4jStore:
    """The session's store over an empty database."""
    s = store(config)
    wipe(config)
    s.reload_copies()  # its posting index and remembered taxonomy copied the database just wiped
    return s
