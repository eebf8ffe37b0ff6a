"""Build (and cache) the extractor from where the taxonomy lives: a store, or a taxonomy read from files.

The packaged Danish synonyms are always added; a maintainer's own additions files are validated
strictly against the loaded concepts (an unknown URI is an error naming the line), while packaged
rows whose concept the loaded ESCO version lacks are skipped, so an ESCO upgrade never breaks start-up.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from graph.records import LabelEntry
from graph.store import Store
from loaders.extract.additions import (
    Addition,
    addition_entries,
    packaged_local_additions,
    read_local_additions,
)
from loaders.extract.concept_index import ConceptIndex, Progress
from loaders.extract.extractor import (
    EXTRACT_KINDS,
    Extractor,
    build_extractor,
    cached_extractor,
    labels_from_taxonomy,
)
from loaders.extract.reading import Reading, ReadingConfig, build_reading, open_reading
from ontology.model import Taxonomy


def _additions(known: set[str], files: Sequence[Path]) -> list[Addition]:
    out = packaged_local_additions()
    for path in files:
        out += read_local_additions(path, known)
    return out


def _key(checksum: str, files: Sequence[Path], reading: ReadingConfig | None) -> str:
    stamps = [f"{p.resolve()}:{p.stat().st_mtime_ns}" for p in files if p.exists()]
    model = f"{reading.model}@{reading.index_dir.resolve()}" if reading is not None else "lexical"
    return "|".join([checksum, model, *stamps])


def extractor_for_entries(entries: Sequence[LabelEntry], additions_files: Sequence[Path] = (),
                          reading: ReadingConfig | None = None,
                          occupation_codes: Mapping[str, str] | None = None,
                          profiles: Mapping[str, Iterable[str]] | None = None) -> Extractor:
    """An extractor over ``entries`` plus the packaged and the given additions (not cached), reading by
    meaning too when ``reading`` names a model (its index must be built). ``occupation_codes`` (uri →
    ESCO code) let title linking tell broad occupations from specific ones; ``profiles`` (occupation uri →
    its profile's skills) give linking by meaning its context prior (:mod:`loaders.extract.context`).

    :raise LocalAdditionsError: if an additions file is missing or invalid.
    :raise ConfigurationError: if the reading model's index is not built.
    """
    known = {e.uri for e in entries}
    additions = _additions(known, additions_files)
    extractor = build_extractor(entries, additions, reading=_reading(entries, additions, reading),
                                occupation_codes=occupation_codes, profiles=profiles)
    # An extractor is millions of objects that live as long as the process (labels, patterns, spaCy
    # vocabularies). Python's cyclic collector walked them all on every full collection: a fifth of
    # extraction time (bench/extract_throughput.py). Freezing moves what is alive now out of its reach;
    # the price is that an extractor replaced after a taxonomy upgrade is freed by reference counts only.
    gc.collect()
    gc.freeze()
    return extractor


def occupation_codes(tax: Taxonomy) -> dict[str, str]:
    """uri → ESCO code of every occupation of ``tax``."""
    return {u: c.code for u, c in tax.concepts.items() if c.kind == "Occupation"}


def occupation_profiles(tax: Taxonomy) -> dict[str, set[str]]:
    """occupation uri → the skills its profile requires (essential and optional) in ``tax``."""
    out: dict[str, set[str]] = {}
    for r in tax.occupation_skills:
        out.setdefault(r.occupation, set()).add(r.skill)
    return out


def reading_entries(entries: Sequence[LabelEntry], additions: Sequence[Addition]) -> list[LabelEntry]:
    """The labels the concept index holds: the taxonomy's and the local additions' (so a maintainer's
    Danish synonym is also found by meaning)."""
    kinds = {e.uri: e.kind for e in entries}
    return [*entries, *addition_entries(additions, kinds.get)]


def _reading(entries: Sequence[LabelEntry], additions: Sequence[Addition],
             reading: ReadingConfig | None) -> Reading | None:
    return None if reading is None else open_reading(reading, reading_entries(entries, additions))


def build_concept_index(entries: Sequence[LabelEntry], additions_files: Sequence[Path], reading: ReadingConfig,
                        progress: Progress | None = None) -> ConceptIndex | None:
    """Build (or find) the concept index over ``entries`` and the additions for the configured model."""
    known = {e.uri for e in entries}
    return build_reading(reading, reading_entries(entries, _additions(known, additions_files)), progress)


def extractor_for_store(store: Store, additions_files: Sequence[Path] = (),
                        reading: ReadingConfig | None = None) -> Extractor | None:
    """The extractor for the store's active taxonomy (cached per process by its checksum), or None
    if the store holds no taxonomy.

    :raise LocalAdditionsError: if an additions file is missing or invalid.
    """
    # Called on every CV and posting request: the active version's checksum (one small read) finds the
    # cached extractor; summarising the taxonomy (a walk over every concept: ~100 ms on full ESCO) is left
    # for a store without one.
    versions = [v for v in store.ontology_versions() if v.active]
    checksum = versions[0].checksum if versions else ""

    def build() -> Extractor:
        entries = list(store.labels(EXTRACT_KINDS))
        occupations = store.concepts({e.uri for e in entries if e.kind == "Occupation"})
        # The profiles only serve linking by meaning (its context prior): not read for a lexical extractor.
        profiles = ({o: [p.skill for p in skills] for o, skills in store.occupation_profiles(occupations).items()}
                    if reading is not None and reading.by_meaning else None)
        return extractor_for_entries(entries, additions_files, reading,
                                     {u: c.code for u, c in occupations.items()}, profiles)

    if checksum:
        return cached_extractor(_key(f"store:{checksum}", additions_files, reading), build)
    if store.taxonomy_summary() is None:
        return None
    return build()


def extractor_for_taxonomy(tax: Taxonomy, additions_files: Sequence[Path] = (),
                           reading: ReadingConfig | None = None) -> Extractor:
    """The extractor for a taxonomy read from files (cached per process by its checksum).

    :raise LocalAdditionsError: if an additions file is missing or invalid.
    """

    def build() -> Extractor:
        return extractor_for_entries(list(labels_from_taxonomy(tax)), additions_files, reading, occupation_codes(tax),
                                     occupation_profiles(tax) if reading is not None and reading.by_meaning else None)

    if not tax.checksum:
        return build()
    return cached_extractor(_key(f"tax:{tax.checksum}:{','.join(tax.languages)}", additions_files, reading), build)
