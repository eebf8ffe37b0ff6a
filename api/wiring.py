"""The composition root's helpers: build the configured store from :class:`Settings`."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from api.settings import Settings
from graph.store import Store

if TYPE_CHECKING:
    from loaders.extract.reading import ReadingConfig


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


def local_additions_path(settings: Settings) -> Path:
    """The maintainer's additions file (JOBMATCH_LOCAL_ADDITIONS), else the one shipped in loaders/data."""
    if settings.local_additions is not None:
        return settings.local_additions
    return Path(str(files("loaders").joinpath("data", "local_additions_da.tsv")))


def local_additions_version(settings: Settings) -> str:
    """The version audit records cite for the local additions in force (declared, else the sha256)."""
    from ontology.local_additions import local_additions_version as version_of

    path = local_additions_path(settings)
    return version_of(path) if path.exists() else ""


def reading_config(settings: Settings) -> ReadingConfig:
    """The reading model and its index folder (``JOBMATCH_READING_MODEL``, ``JOBMATCH_READING_INDEX_DIR``)."""
    # Imported here: the extraction package imports spaCy (seconds), which the API needs only to ingest.
    from loaders.extract.reading import ReadingConfig

    return ReadingConfig(settings.reading_model, settings.reading_dir)
