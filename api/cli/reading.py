"""``jobmatch reading build|status``: the reading model's concept index (built once per ESCO version,
label files and model; ``ontology load`` and ``taxonomy upgrade`` build it too)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from api.cli.progress import Progress
from api.settings import Settings
from api.wiring import local_additions_path, open_store, reading_config
from graph.accountability.serving import active_ontology_version
from graph.store import Store

# A progress line at most this often when stderr is not a terminal (a log file must not fill up).



def register(sub: Any) -> None:
    p = sub.add_parser("reading", help="the reading model's concept index (semantic competence linking)")
    rsub = p.add_subparsers(dest="reading_command", required=True)
    b = rsub.add_parser("build", help="build the concept index for the loaded taxonomy and the configured model")
    b.set_defaults(func=cmd_build)
    s = rsub.add_parser("status", help="the configured model and the indexes built")
    s.set_defaults(func=cmd_status)


def build_for_store(store: Store, settings: Settings) -> dict[str, Any] | None:
    """Build (or find) the concept index for the store's taxonomy; its meta, or None for ``lexical``."""
    from loaders.extract.descriptions import build_occupation_vectors
    from loaders.extract.extractor import EXTRACT_KINDS
    from loaders.extract.sources import build_concept_index

    files = [settings.local_additions] if settings.local_additions else []
    entries = list(store.labels(EXTRACT_KINDS))
    index = build_concept_index(entries, files, reading_config(settings), Progress("concept index"))
    if index is None:
        return None
    # The occupations' own texts, for the alternatives' description part: built with the same model.
    vectors = build_occupation_vectors(store, reading_config(settings), active_ontology_version(store),
                                       Progress("occupation vectors"))
    return {"model": index.model_id, "key": index.key, "texts": len(index),
            "occupation_vectors": vectors.key if vectors is not None else None, "dir": str(settings.reading_dir)}


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    try:
        if store.taxonomy_summary() is None:
            print("jobmatch: no taxonomy loaded (run `jobmatch ontology load` first)", file=sys.stderr)
            return 2
        meta = build_for_store(store, settings)
    finally:
        store.close()
    print(json.dumps(meta or {"model": "lexical", "note": "JOBMATCH_READING_MODEL=lexical: no index needed"}))
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from loaders.extract.concept_index import index_status

    print(json.dumps({"model": settings.reading_model, "dir": str(settings.reading_dir),
                      "local_additions": str(local_additions_path(settings)),
                      "indexes": index_status(settings.reading_dir)}, indent=1))
    return 0
