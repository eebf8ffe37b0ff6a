"""The port ingestion reads text through, and how entry points get the real one.

:class:`TextExtractor` is what :func:`cv_record_from` and :func:`posting_record_from` need; the spaCy
extractor (:class:`loaders.extract.Extractor`) satisfies it as it is, and unit tests use a small
exact-label implementation. :func:`extractor_for` builds the real one from the labels the store holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from graph.store import Store
from loaders.mentions import Extraction, OccupationMention
from ontology.errors import ConfigurationError

if TYPE_CHECKING:  # the extraction package imports spaCy (seconds): only ingestion loads it
    from loaders.extract.reading import ReadingConfig

DocumentKind = Literal["cv", "posting"]


class TextExtractor(Protocol):
    def extract(self, text: str, *, lang: str = "auto", kind: DocumentKind = "cv") -> Extraction:
        """ESCO skills (with offsets into ``text`` and their sentence) and occupations found in ``text``.
        ``lang`` is "da", "en" or "auto"; ``kind`` "posting" also reads requirement strength."""
        ...

    def link_title(self, title: str, *, lang: str = "auto") -> list[OccupationMention]:
        """ESCO occupations for a free job title, best first."""
        ...


def extractor_for(store: Store, local_additions: Path | None = None,
                  reading: ReadingConfig | None = None) -> TextExtractor:
    """The spaCy extractor over the store's active taxonomy (cached per taxonomy checksum and reading
    model), plus the packaged Danish synonyms and ``local_additions`` (``JOBMATCH_LOCAL_ADDITIONS``) if
    given; it reads by meaning too when ``reading`` names a model.

    :raise ConfigurationError: if no taxonomy is loaded, the extractor package is unavailable or the
        reading model's index is not built.
    """
    try:
        # Imported here: spaCy takes seconds to import and only ingestion needs it.
        from loaders.extract.sources import extractor_for_store
    except ImportError as e:
        raise ConfigurationError(f"the text extractor (loaders.extract) cannot be imported: {e}") from e
    extractor = extractor_for_store(store, [local_additions] if local_additions is not None else [], reading)
    if extractor is None:
        raise ConfigurationError("no ESCO taxonomy in the store: run `jobmatch ontology load` first",
                                 field="JOBMATCH_ESCO_DIR")
    # Annotated so mypy proves the spaCy extractor satisfies the port as it is (no adapter needed).
    port: TextExtractor = extractor
    return port
