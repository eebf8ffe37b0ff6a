"""The composition root: settings → store and ledger, serving policy (trial, crowding cap, versions,
reading model) and the one list-serving use case. The API's service, every CLI command and the nightly
batch build what they need here, so they serve and record alike.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from api.settings import Settings
from graph.accountability.audit import Actor, ChainReport, verify_chain
from graph.accountability.checkpoint import Checkpoint, append_checkpoint, read_checkpoints, signed_head
from graph.accountability.serving import ListServer, ServingPolicy
from graph.accountability.trial import TrialConfig, block_size_for
from graph.learning.model import RankingModel
from graph.ledger import Ledger
from graph.matching.scoring import MatchSettings
from graph.matching.similarity import VectorShelf
from graph.records import PostingRecord
from graph.store import Store
from ontology.errors import ConfigurationError, ValidationError
from ontology.model import Taxonomy

if TYPE_CHECKING:
    from loaders.extract.reading import ReadingConfig


class Backend(Store, Ledger, Protocol):
    """What a backend opens: the graph store and the ledger. Both of ours are one object over one
    database; matching sees only :class:`Store`, accountability only :class:`Ledger`."""


def open_store(settings: Settings) -> Backend:
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
    from graph.backends.memory.graph_store import MemoryStore

    return MemoryStore(settings.data_dir).open()


def what_if_store(tax: Taxonomy, postings_of: Store, rewritten: Sequence[PostingRecord] = (),
                  page: int = 1000) -> Store:
    """An embedded store in memory (nothing on disk) holding ``tax`` and a copy of ``postings_of``'s
    postings, ``rewritten`` ones (an upgrade plan's) in place of theirs: the world a new taxonomy version
    would make, to match in before it is loaded."""
    from graph.backends.memory.graph_store import MemoryStore

    scratch = MemoryStore().open()
    scratch.upsert_taxonomy(tax)
    ids = postings_of.posting_ids()
    for start in range(0, len(ids), page):
        scratch.upsert_postings(list(postings_of.get_postings(ids[start:start + page]).values()))
    if rewritten:
        scratch.upsert_postings(list(rewritten))
    return scratch


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


def audit_key(settings: Settings) -> bytes | None:
    """The checkpoint signing key (``JOBMATCH_AUDIT_KEY``), or None: checkpoints are then off."""
    return settings.audit_key.encode("utf-8") if settings.audit_key else None


def verify_trail(settings: Settings, ledger: Ledger) -> ChainReport:
    """The audit trail checked: chain, purge records, and (with the key) the archived checkpoints."""
    return verify_chain(ledger, checkpoints=read_checkpoints(settings.checkpoint_file), key=audit_key(settings))


def write_checkpoint(settings: Settings, ledger: Ledger) -> Checkpoint | None:
    """Sign the chain's head and append it to the checkpoint file; None without a key or records."""
    key = audit_key(settings)
    cp = signed_head(ledger, key) if key is not None else None
    if cp is not None:
        append_checkpoint(settings.checkpoint_file, cp)
    return cp


def cli_actor() -> Actor:
    """Who the command line acts as: the operator (an admin: it runs on the server, with the data dir)."""
    return Actor(id=f"cli:{getpass.getuser()}", role="admin", municipality="")


def trial_config(settings: Settings) -> TrialConfig | None:
    """The configured trial (``JOBMATCH_TRIAL_*``), or None when no trial seed is set."""
    if not settings.trial_seed:
        return None
    return TrialConfig(settings.trial_name, settings.trial_seed, settings.trial_treatment_share,
                       block_size_for(settings.trial_treatment_share, settings.trial_block_size))


def ranking_model(settings: Settings) -> RankingModel | None:
    """The configured ranking model (``JOBMATCH_RANKING_MODEL``), read once by the composition root.

    :raise ConfigurationError: naming the variable if the file is missing or not a valid model.
    """
    if settings.ranking_model is None:
        return None
    try:
        return RankingModel.load(settings.ranking_model)
    except ValidationError as e:
        raise ConfigurationError(f"JOBMATCH_RANKING_MODEL: {e.detail}", field="JOBMATCH_RANKING_MODEL") from e


def serving_policy(settings: Settings, match_settings: MatchSettings | None = None) -> ServingPolicy:
    """What governs every served list: matching settings, ranking model, trial, crowding cap and the
    versions cited."""
    return ServingPolicy(settings=match_settings or MatchSettings(), trial=trial_config(settings),
                         crowding_cap=settings.crowding_cap_per_week,
                         local_additions_version=local_additions_version(settings),
                         reading_model=settings.reading_model, ranking_model=ranking_model(settings),
                         vectors=VectorShelf(settings.reading_dir, settings.reading_model))


@dataclass
class Root:
    """The composed parts one entry point works with; :func:`composed` closes the backend."""

    settings: Settings
    backend: Backend
    policy: ServingPolicy

    def server(self, lock: Any = None) -> ListServer:
        return ListServer(self.backend, self.backend, self.policy, lock=lock)


@contextmanager
def composed(settings: Settings, match_settings: MatchSettings | None = None) -> Iterator[Root]:
    """Open the configured backend and compose the serving policy; close the backend afterwards.

    :raise StoreUnavailableError: if Neo4j cannot be reached.
    """
    backend = open_store(settings)
    try:
        yield Root(settings, backend, serving_policy(settings, match_settings))
    finally:
        backend.close()
