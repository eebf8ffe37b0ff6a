"""A Neo4j that is down is a StoreUnavailableError with a clear message (no Cypher, no password), and
the store answers again once the server is back, without being rebuilt."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest

from graph.backends.neo4j import Neo4jStore
from ontology.errors import ConfigurationError, StoreUnavailableError
from tests.conformance.neo4j_server import Neo4jTarget

SECRET = "not-the-password-9f3a"


def test_unreachable_uri_is_store_unavailable() -> None:
    with pytest.raises(StoreUnavailableError) as info:
        Neo4jStore.connect("bolt://127.0.0.1:1", ("neo4j", SECRET), retry_seconds=0.5, connect_seconds=1.0)
    message = str(info.value)
    assert "Neo4j at bolt://127.0.0.1:1 is unavailable" in message and "retry later" in message
    assert SECRET not in message and "MATCH" not in message and "RETURN" not in message
    assert info.value.status == 503


def test_a_password_in_the_uri_is_never_repeated() -> None:
    with pytest.raises(ConfigurationError) as info:
        Neo4jStore.connect(f"bolt://user:{SECRET}@127.0.0.1:1", ("neo4j", SECRET), retry_seconds=0.5,
                           connect_seconds=1.0)
    assert "NEO4J_URI 'bolt://127.0.0.1:1' is not a usable Neo4j URI" in str(info.value)
    assert SECRET not in str(info.value) and info.value.__suppress_context__  # driver text dropped


@pytest.mark.neo4j
def test_wrong_password_is_a_configuration_error(target: Neo4jTarget) -> None:
    with pytest.raises(ConfigurationError) as info:
        Neo4jStore.connect(target.uri, (target.user, SECRET), retry_seconds=0.5)
    assert "refused the credentials" in str(info.value) and SECRET not in str(info.value)


@pytest.mark.neo4j
def test_unknown_database_is_a_configuration_error(target: Neo4jTarget) -> None:
    with pytest.raises(ConfigurationError, match="no database 'nosuchdb'"):
        Neo4jStore.connect(target.uri, target.auth, database="nosuchdb", retry_seconds=0.5)


@pytest.mark.neo4j
def test_closed_store_says_so(target: Neo4jTarget) -> None:
    store = Neo4jStore.connect(target.uri, target.auth)
    assert repr(store) == f"Neo4jStore(uri={target.uri!r}, database='neo4j')"
    assert target.password not in repr(store)
    store.close()
    store.close()
    with pytest.raises(StoreUnavailableError, match="closed"):
        store.ping()


class _Proxy:
    """A TCP relay in front of the server that can be cut and restored, on the same port."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            with self._lock:
                self._conns += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """The server "goes down": no new connections, and every open one is dropped."""
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave it listening.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for s in self._conns:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._conns.clear()


@pytest.fixture
def proxy(target: Neo4jTarget) -> Iterator[_Proxy]:
    host, port = target.uri.split("://", 1)[1].rsplit(":", 1)
    p = _Proxy((host, int(port)))
    p.start()
    yield p
    p.cut()


@pytest.mark.neo4j
def test_store_recovers_when_the_server_comes_back(proxy: _Proxy, target: Neo4jTarget) -> None:
    store = Neo4jStore.connect(f"bolt://127.0.0.1:{proxy.port}", target.auth, retry_seconds=1.0,
                               connect_seconds=1.0)
    try:
        store.ping()
        assert store.posting_count() >= 0
        proxy.cut()
        with pytest.raises(StoreUnavailableError) as info:
            store.posting_count()
        assert f"127.0.0.1:{proxy.port}" in str(info.value) and "count_postings" in str(info.value)
        with pytest.raises(StoreUnavailableError):
            store.delete_cvs(["x"])
        proxy.start()  # same port
        store.ping()
        assert store.posting_count() >= 0
        assert store.delete_cvs(["nobody"]) == 0
    finally:
        store.close()
