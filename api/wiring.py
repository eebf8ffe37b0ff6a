"""The composition root's helpers: build the configured store from :class:`Settings`."""

from __future__ import annotations

from api.settings import Settings
from graph.store import Store


def open_store(settings: Settings) -> Store:
    """Open the configured store (``JOBMATCH_STORE``).

    :raise StoreUnavailableError: if Neo4j cannot be reached.
    :raise ConfigurationError: if Neo4j is selected without a password.
    """
    if settings.store == "neo4j":
        # Imported here so the embedded default never needs the driver at start-up.
        from graph.backends.neo4j import Neo4jStore

        return Neo4jStore.connect(
            settings.neo4j_uri, settings.neo4j_auth(), database=settings.neo4j_database
        )
    from graph.backends.memory import MemoryStore

    return MemoryStore(settings.data_dir).open()
