"""The Neo4j backend: the graph store (:mod:`.graph_store`) and the ledger (:mod:`.ledger`) in one Neo4j 5
database, sharing one driver (:mod:`.connection`). :class:`Neo4jStore` is both, as the composition root
opens it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from neo4j import exceptions as neo4j_errors

from graph.backends.neo4j.connection import CONNECT_SECONDS, RETRY_SECONDS, _driver, _public_uri
from graph.backends.neo4j.graph_store import Neo4jGraphStore
from graph.backends.neo4j.ledger import Neo4jLedger
from ontology.errors import ConfigurationError

log = logging.getLogger(__name__)

__all__ = ["Neo4jStore"]


class Neo4jStore(Neo4jGraphStore, Neo4jLedger):
    """The graph store and the ledger over one Neo4j database. Thread-safe: one driver, a session per call."""

    @classmethod
    def connect(
        cls,
        uri: str,
        auth: tuple[str, str],
        database: str = "neo4j",
        *,
        retry_seconds: float = RETRY_SECONDS,
        connect_seconds: float = CONNECT_SECONDS,
    ) -> Neo4jStore:
        """Create the process's driver, check the server answers, and ensure constraints and indexes.

        :raise StoreUnavailableError: if the server cannot be reached.
        :raise ConfigurationError: if the URI is unusable, or the server refuses the credentials or has
            no such database.
        """
        try:
            driver = _driver(uri, auth, retry_seconds, connect_seconds)
        except (neo4j_errors.ConfigurationError, ValueError):
            # The driver's message repeats the URI, which may carry a password: name the setting instead.
            raise ConfigurationError(f"NEO4J_URI {_public_uri(uri)!r} is not a usable Neo4j URI "
                                     "(bolt://host:port or neo4j://host:port, no user:password part)",
                                     field="NEO4J_URI") from None
        store = cls(driver, uri=uri, database=database,
                    reconnect=lambda: _driver(uri, auth, retry_seconds, connect_seconds))
        try:
            store.ping()
            store.ensure_schema()
        except BaseException:
            store.close()
            raise
        log.info("neo4j store connected: %s database %s", store._uri, database)
        return store

    def __repr__(self) -> str:
        return f"Neo4jStore(uri={self._uri!r}, database={self._database!r})"



if TYPE_CHECKING:
    from graph.ledger import Ledger
    from graph.store import Store

    def _is_a_store(store: Neo4jStore) -> Store:
        """mypy proves here that Neo4jStore has every method of the Store protocol."""
        return store

    def _is_a_ledger(store: Neo4jStore) -> Ledger:
        """… and of the Ledger protocol."""
        return store
