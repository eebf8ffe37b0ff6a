"""The reading model in force: which embedder, over which persisted concept index — chosen by settings.

``JOBMATCH_READING_MODEL`` names the model (:mod:`loaders.extract.embedding`); the index for that model
and the loaded labels lives under ``JOBMATCH_READING_INDEX_DIR`` (default ``$JOBMATCH_DATA_DIR/reading``).
:func:`build_reading` makes it (the taxonomy commands call it, with progress); :func:`open_reading` only
opens it, so no request ever waits for a build: a missing index is a configuration error that says which
command builds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from graph.records import LabelEntry
from loaders.extract.concept_index import (
    ConceptIndex,
    Progress,
    build_index,
    index_key,
    index_labels,
    open_index,
)
from loaders.extract.embedding import LEXICAL, Embedder, embedder_for
from loaders.extract.glossary import Glossary, packaged_glossary
from ontology.errors import ConfigurationError


@dataclass(frozen=True)
class Reading:
    """What semantic reading needs: the model, its index over the loaded labels, the Danish gloss."""

    embedder: Embedder
    index: ConceptIndex
    glossary: Glossary | None

    @property
    def model_id(self) -> str:
        return self.embedder.model_id

    @property
    def index_key(self) -> str:
        return self.index.key


@dataclass(frozen=True)
class ReadingConfig:
    """The two settings that choose the reading: the model and where its indexes are kept."""

    model: str
    index_dir: Path

    @property
    def by_meaning(self) -> bool:
        """Whether texts are read by meaning too (any model but ``lexical``)."""
        return self.model != LEXICAL


def open_reading(config: ReadingConfig, entries: Iterable[LabelEntry]) -> Reading | None:
    """The reading for ``entries`` (the labels the extractor is built from), or None for ``lexical``.

    :raise ConfigurationError: if the model cannot be loaded or its index for these labels is not built.
    """
    embedder = embedder_for(config.model)
    if embedder is None:
        return None
    labels = index_labels(entries)
    key = index_key(embedder.model_id, labels)
    index = open_index(config.index_dir, key)
    if index is None:
        raise ConfigurationError(
            f"the concept index for reading model {config.model} and the loaded taxonomy is not built "
            f"(expected {config.index_dir}/index-{key}): run `jobmatch reading build` (ontology load and "
            "taxonomy upgrade build it), or set JOBMATCH_READING_MODEL=lexical", field="JOBMATCH_READING_MODEL")
    return Reading(embedder, index, packaged_glossary())


def build_reading(config: ReadingConfig, entries: Iterable[LabelEntry],
                  progress: Progress | None = None) -> ConceptIndex | None:
    """Build (or find) the concept index for ``entries`` with the configured model; None for ``lexical``.

    :raise ConfigurationError: if the model cannot be loaded.
    """
    embedder = embedder_for(config.model)
    if embedder is None:
        return None
    return build_index(index_labels(entries), embedder, config.index_dir, progress)
