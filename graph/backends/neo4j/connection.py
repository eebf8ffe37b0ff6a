"""The Neo4j connection every Neo4j adapter shares: one driver, packaged Cypher, errors as domain errors.

The two adapters (:mod:`.graph_store` answers :class:`graph.store.Store`, :mod:`.ledger` answers
:class:`graph.ledger.Ledger`) run their statements through :class:`Neo4jConnection`.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from neo4j import Driver, GraphDatabase, ManagedTransaction, Record, RoutingControl
from neo4j import exceptions as neo4j_errors

import queries
from graph.codec import (
    evidence_to_dict,
)
from graph.records import (
    Evidence,
)
from ontology.errors import ConfigurationError, StoreUnavailableError

log = logging.getLogger(__name__)

# Rows a batched clean-up statement removes per transaction.
SWEEP_BATCH = 10_000
# A call to a down server fails after this long instead of the driver's default 30 s of retries:
# the API answers 503 and the client retries, which is kinder than a hanging request.
RETRY_SECONDS = 5.0
CONNECT_SECONDS = 5.0
INDEX_WAIT_SECONDS = 300

# The driver's ways of saying "the server is not there (now)". AuthError is not among them: retrying
# cannot fix a wrong password.
_UNAVAILABLE: tuple[type[Exception], ...] = (
    neo4j_errors.ServiceUnavailable,  # includes IncompleteCommit, Read/WriteServiceUnavailable
    neo4j_errors.SessionExpired,
    neo4j_errors.ConnectionAcquisitionTimeoutError,
    neo4j_errors.DatabaseUnavailable,
    OSError,
)


def _has_point(lat: float | None, lon: float | None) -> bool:
    """Whether lat/lon make a valid WGS-84 point (Neo4j refuses others; lat/lon are kept anyway)."""
    return (lat is not None and lon is not None and math.isfinite(lat) and math.isfinite(lon)
            and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0)


def _public_uri(uri: str) -> str:
    """The URI without any user:password part, for messages and logs."""
    parts = urlsplit(uri)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _driver(uri: str, auth: tuple[str, str], retry_seconds: float, connect_seconds: float) -> Driver:
    return GraphDatabase.driver(
        uri, auth=auth, max_transaction_retry_time=retry_seconds, connection_timeout=connect_seconds,
        connection_acquisition_timeout=connect_seconds + retry_seconds,
        # An empty database has no property keys yet: "property does not exist" is noise there.
        # Deprecations and performance hints still reach the log.
        notifications_min_severity="WARNING", notifications_disabled_classifications=["UNRECOGNIZED"],
    )


def _chunks(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _evidence_json(evidence: Iterable[Evidence]) -> str:
    return json.dumps([evidence_to_dict(e) for e in evidence], ensure_ascii=False)


class Neo4jConnection:
    """One Neo4j database over the official driver. Thread-safe: one driver, a session per call."""

    def __init__(self, driver: Driver, *, uri: str, database: str = "neo4j",
                 reconnect: Callable[[], Driver] | None = None) -> None:
        # No I/O here; connect() verifies the server and ensures the schema.
        self._driver = driver
        self._uri = _public_uri(uri)
        self._database = database
        self._closed = False
        self._reconnect = reconnect  # a new driver like this one (a forked worker's own connections)
        self._inherited: list[Driver] = []

    # -- plumbing --------------------------------------------------------------------------------
    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        """Turn driver connection failures into domain errors that name no Cypher and no secret."""
        if self._closed:
            raise StoreUnavailableError(f"the Neo4j store at {self._uri} is closed")
        try:
            yield
        except neo4j_errors.AuthError as e:
            raise ConfigurationError(
                f"Neo4j at {self._uri} refused the credentials (check NEO4J_USER / NEO4J_PASSWORD)",
                field="NEO4J_PASSWORD") from e
        except neo4j_errors.ClientError as e:
            if e.code == "Neo.ClientError.Database.DatabaseNotFound":
                raise ConfigurationError(f"Neo4j at {self._uri} has no database {self._database!r}",
                                         field="NEO4J_DATABASE") from e
            raise
        except _UNAVAILABLE as e:
            log.warning("neo4j unavailable during %s: %s", what, type(e).__name__)
            raise StoreUnavailableError(
                f"Neo4j at {self._uri} is unavailable ({type(e).__name__} during {what}); retry later"
            ) from e

    def _read(self, name: str, **params: Any) -> list[Record]:
        """Run one packaged read statement; every record, eagerly."""
        t0 = time.perf_counter()
        with self._guard(name):
            records, _, _ = self._driver.execute_query(
                queries.load(name), params, routing_=RoutingControl.READ, database_=self._database)
        log.debug("%s: %d records in %.1f ms", name, len(records), (time.perf_counter() - t0) * 1e3)
        return records

    def _write(self, name: str, work: Callable[[ManagedTransaction], Any]) -> Any:
        """Run ``work`` in one write transaction (retried by the driver, so ``work`` is idempotent)."""
        t0 = time.perf_counter()
        with self._guard(name), self._driver.session(database=self._database) as session:
            result = session.execute_write(work)
        log.debug("%s: %.1f ms", name, (time.perf_counter() - t0) * 1e3)
        return result

    def _write_rows(self, name: str, rows: Sequence[dict[str, Any]], batch: int, **params: Any) -> None:
        """``UNWIND $rows`` statement ``name`` over ``rows``, ``batch`` rows a transaction."""
        query = queries.load(name)
        for chunk in _chunks(rows, batch):
            def work(tx: ManagedTransaction, chunk: Sequence[dict[str, Any]] = chunk) -> None:
                tx.run(query, params, rows=list(chunk)).consume()
            self._write(name, work)

    def _write_until_done(self, name: str, **params: Any) -> int:
        """Repeat a batched clean-up statement (``… LIMIT $limit … RETURN count(*)``) until it does nothing."""
        query = queries.load(name)
        total = 0

        def work(tx: ManagedTransaction) -> int:
            record = tx.run(query, params, limit=SWEEP_BATCH).single(strict=True)
            return int(record[0])

        while (n := self._write(name, work)) > 0:
            total += n
        return total

    # -- lifecycle -------------------------------------------------------------------------------
    def after_fork(self) -> None:
        """A forked process gets a driver of its own. The inherited one is kept, never used and never
        closed here: its sockets are the parent's, and closing them would end the parent's sessions."""
        if self._reconnect is None:
            raise StoreUnavailableError(f"the Neo4j store at {self._uri} cannot open connections in a worker")
        self._inherited.append(self._driver)
        self._driver = self._reconnect()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._driver.close()

    def ping(self) -> None:
        self._read("ping_store")

    def ensure_schema(self) -> None:
        """Create every constraint and index (``queries/create_*.cypher``, idempotent) and wait for them."""
        with self._guard("ensure_schema"), self._driver.session(database=self._database) as session:
            for name in queries.schema_names():
                try:
                    session.run(queries.load(name)).consume()
                except neo4j_errors.ClientError as e:
                    # Two processes starting together: the other one created it first.
                    if e.code != "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists":
                        raise
            session.run(queries.load("await_indexes"), timeout_seconds=INDEX_WAIT_SECONDS).consume()

