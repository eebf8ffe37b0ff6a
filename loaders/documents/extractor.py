"""The port ingestion reads text through, and how entry points get the real one.

:class:`TextExtractor` is what :func:`cv_record_from` and :func:`posting_record_from` need; the spaCy
extractor (:class:`loaders.extract.Extractor`) satisfies it as it is, and unit tests use a small
exact-label implementation. :func:`extractor_for` builds the real one from the labels the store holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

from graph.store import Store
from loaders.mentions import Extraction, OccupationMention
from ontology.errors import ConfigurationError

DocumentKind = Literal["cv", "posting"]


class TextExtractor(Protocol):
    def extract(self, text: str, *, lang: str = "auto", kind: DocumentKind = "cv") -> Extraction:
        """ESCO skills (with offsets into ``text`` and their sentence) and occupations found in ``text``.
        ``lang`` is "da", "en" or "auto"; ``kind`` "posting" also reads requirement strength."""
        ...

    def link_title(self, title: str, *, lang: str = "auto") -> list[OccupationMention]:
        """ESCO occupations for a free job title, best first."""
        ...


def extractor_for(store: Store, local_additions: Path | None = None) -> TextExtractor:
    """The spaCy extractor over the store's active taxonomy (cached per taxonomy checksum), plus the
    packaged Danish synonyms and ``local_additions`` (``JOBMATCH_LOCAL_ADDITIONS``) if given.

    :raise ConfigurationError: if no taxonomy is loaded or the extractor package is unavailable.
    """
    active = [v for v in store.ontology_versions() if v.active]
    if not active:
        raise ConfigurationError("no ESCO taxonomy in the store: run `jobmatch ontology load` first",
                                 field="JOBMATCH_ESCO_DIR")
    try:
        # Imported here: spaCy takes seconds to import and only ingestion needs it.
        from loaders.extract import (
            Extractor,
            build_extractor,
            cached_extractor,
            packaged_local_additions,
            read_local_additions,
        )
    except ImportError as e:
        raise ConfigurationError(f"the text extractor (loaders.extract) cannot be imported: {e}") from e

    def build() -> Extractor:
        entries = list(store.labels(("Skill", "Occupation")))
        known = {e.uri for e in entries}
        additions = packaged_local_additions(known)
        if local_additions is not None:
            additions += read_local_additions(local_additions, known)
        return build_extractor(entries, additions)

    key = f"{active[0].checksum}|{local_additions or ''}"
    # Annotated so mypy proves the spaCy extractor satisfies the port as it is (no adapter needed).
    extractor: TextExtractor = cached_extractor(key, build)
    return extractor
