"""Build the occupation vectors (:mod:`graph.matching.similarity`) with the reading model: every
occupation's preferred label and the start of its description, embedded once beside the concept index.

Called by ``ontology load`` / ``taxonomy upgrade`` / ``reading build`` (with progress), never on a
request. About 100 s for ESCO's ~3,000 occupations with the packaged model on two cores.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np

from graph.matching.similarity import OccupationVectors, open_vectors, vectors_key
from graph.store import Store
from loaders.extract.concept_index import Progress
from loaders.extract.embedding import embedder_for, unit_rows
from loaders.extract.reading import ReadingConfig
from ontology.model import Concept

log = logging.getLogger(__name__)

# The opening of a description says what the work is; the rest lists tasks the skills already cover.
DESCRIPTION_WORDS = 80
BATCH = 64
# English first: every ESCO version has English descriptions; other languages where English is missing.
TEXT_LANGS = ("en", "da")


def occupation_text(c: Concept) -> str:
    """``label: description`` (its first words), in the first language that has a label."""
    for lang in (*TEXT_LANGS, *sorted(c.labels)):
        label = c.label(lang) if lang in c.labels else ""
        if label:
            description = " ".join((c.descriptions.get(lang) or "").split()[:DESCRIPTION_WORDS])
            return f"{label}: {description}" if description else label
    return ""


def occupation_texts(concepts: Mapping[str, Concept]) -> dict[str, str]:
    """uri → text for every occupation that has one."""
    return {uri: t for uri, c in sorted(concepts.items()) if c.kind == "Occupation" and (t := occupation_text(c))}


def build_occupation_vectors(store: Store, config: ReadingConfig, ontology_version: str,
                             progress: Progress | None = None) -> OccupationVectors | None:
    """Build (or find) the vectors of the store's occupations with the configured reading model; None for
    ``lexical`` or a store without occupations.

    :raise ConfigurationError: if the model cannot be loaded.
    """
    embedder = embedder_for(config.model)
    if embedder is None:
        return None
    uris = sorted({e.uri for e in store.labels(("Occupation",))})
    texts = occupation_texts(store.concepts(uris))
    if not texts:
        return None
    key = vectors_key(embedder.model_id, config.model, ontology_version, texts)
    found = open_vectors(config.index_dir, key)
    if found is not None:
        return found
    order = list(texts)
    rows = []
    for i in range(0, len(order), BATCH):
        rows.append(embedder.embed([texts[u] for u in order[i:i + BATCH]]))
        if progress is not None:
            progress(min(i + BATCH, len(order)), len(order))
    vectors = OccupationVectors(key, embedder.model_id, config.model, ontology_version, tuple(order),
                                unit_rows(np.vstack(rows)))
    vectors.save(config.index_dir)
    log.info("occupation vectors %s built: %d occupations with %s", key, len(order), embedder.model_id)
    return vectors

