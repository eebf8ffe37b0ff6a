"""``jobmatch extract``: ESCO skills and occupations in texts, one text per stdin line, one JSON per line.

The taxonomy comes from the configured store; if it holds none, from ``JOBMATCH_ESCO_DIR`` (plus
``JOBMATCH_EXTRA_LABELS``). Texts are personal data: only counts are logged, never content.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import sys
import time
from collections.abc import Iterator
from typing import IO, Any

from api.settings import Settings
from api.wiring import open_store, reading_config
from loaders.extract import Extractor
from loaders.extract.sources import extractor_for_store, extractor_for_taxonomy
from loaders.mentions import Extraction
from ontology.errors import ConfigurationError
from ontology.package import read_taxonomy

log = logging.getLogger(__name__)

# Lines handed to spaCy together: batching is what makes throughput; interactive input goes one by one.
BATCH_LINES = 256


def register(sub: Any) -> None:
    p = sub.add_parser("extract", help="extract ESCO skills and occupations from texts (one per stdin line)")
    p.add_argument("--lang", choices=["da", "en", "auto"], default="auto", help="text language (default: detect)")
    p.add_argument("--kind", choices=["cv", "posting"], default="posting",
                   help="posting: skip boilerplate, mark essential/optional; cv: neither")
    p.set_defaults(func=cmd_extract)


def load_extractor(settings: Settings) -> Extractor:
    """The extractor over the store's taxonomy, else over the ESCO package in ``settings.esco_dir``.

    :raise ConfigurationError: if the store holds no taxonomy and no ESCO folder is configured.
    :raise LocalAdditionsError: if ``JOBMATCH_LOCAL_ADDITIONS`` names a missing or invalid file.
    """
    files = [settings.local_additions] if settings.local_additions else []
    store = open_store(settings)
    try:
        ex = extractor_for_store(store, files, reading_config(settings))
    finally:
        store.close()
    if ex is not None:
        return ex
    if settings.esco_dir is None:
        raise ConfigurationError("the store holds no taxonomy: run `jobmatch ontology load` or set "
                                 "JOBMATCH_ESCO_DIR", field="JOBMATCH_ESCO_DIR")
    tax = read_taxonomy(settings.esco_dir, settings.languages, settings.extra_labels)
    # A batch command over files, not a request: it may build the index it needs (once; with progress).
    from api.cli.progress import Progress
    from loaders.extract import labels_from_taxonomy
    from loaders.extract.sources import build_concept_index

    build_concept_index(list(labels_from_taxonomy(tax)), files, reading_config(settings), Progress("concept index"))
    return extractor_for_taxonomy(tax, files, reading_config(settings))


def as_json(ex: Extraction) -> dict[str, object]:
    """The wire form of one extraction (skills in text order, occupations best first)."""
    skills: list[dict[str, object]] = []
    for s in ex.skills:
        item: dict[str, object] = {"uri": s.uri, "label": s.label, "start": s.start, "end": s.end,
                                   "text": s.text, "score": s.score, "how": s.how}
        if s.similarity is not None:
            item["similarity"] = s.similarity
        if s.essential is not None:
            item["essential"] = s.essential
        skills.append(item)
    occupations: list[dict[str, object]] = []
    for o in ex.occupations:
        occ: dict[str, object] = {"uri": o.uri, "label": o.label, "score": o.score}
        if o.start is not None:
            occ["start"], occ["end"] = o.start, o.end
        occupations.append(occ)
    return {"lang": ex.lang, "skills": skills, "occupations": occupations}


def _batches(stream: IO[str], size: int) -> Iterator[list[str]]:
    lines = (line.rstrip("\r\n") for line in stream)
    while batch := list(itertools.islice(lines, size)):
        yield batch


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    t0 = time.perf_counter()
    ex = load_extractor(settings)
    t1 = time.perf_counter()
    lang = None if args.lang == "auto" else args.lang
    size = 1 if sys.stdin.isatty() else BATCH_LINES
    n = 0
    out = sys.stdout
    for batch in _batches(sys.stdin, size):
        for result in ex.extract_many(batch, lang=lang, kind=args.kind):
            out.write(json.dumps(as_json(result), ensure_ascii=False) + "\n")
        out.flush()
        n += len(batch)
    log.info("extract: %d texts in %.1f s (extractor ready in %.1f s)", n, time.perf_counter() - t1, t1 - t0)
    return 0
