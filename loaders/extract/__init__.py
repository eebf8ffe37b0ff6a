"""Text → ESCO skills and occupations (Danish and English), with evidence.

The rest of jobmatch calls:

* :func:`build_extractor` (label entries from ``Store.labels`` or :func:`labels_from_taxonomy`, plus
  :func:`packaged_local_additions`) once per process, or :func:`cached_extractor` around it;
* :meth:`Extractor.extract` per CV section or posting text → :class:`loaders.mentions.Extraction`;
* :meth:`Extractor.link_title` for a job title → ranked :class:`loaders.mentions.OccupationMention`.
"""

from loaders.extract.additions import (
    Addition,
    LocalAdditionsError,
    packaged_local_additions,
    parse_local_additions,
    read_local_additions,
)
from loaders.extract.extractor import (
    DocumentKind,
    Extractor,
    build_extractor,
    cached_extractor,
    clear_extractor_cache,
    labels_from_taxonomy,
)
from loaders.extract.language import detect_language

__all__ = [
    "DocumentKind",
    "Extractor",
    "Addition",
    "LocalAdditionsError",
    "build_extractor",
    "cached_extractor",
    "clear_extractor_cache",
    "detect_language",
    "labels_from_taxonomy",
    "packaged_local_additions",
    "parse_local_additions",
    "read_local_additions",
]
