"""``jobmatch ingest cvs|postings FILE``: load CVs or postings from JSON Lines (or a JSON array).

Exit codes: 0 every document loaded; 1 some documents rejected (the others loaded; each rejection is
on stderr and in ``--report``); 2 unusable input (unreadable or empty file, no document in it is a
JSON object, missing JOBMATCH_PSEUDONYM_KEY or geo data, no taxonomy loaded); 3 store unavailable.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path
from typing import Any

from api.cli import EXIT_INPUT
from api.cli.progress import Progress
from api.settings import Settings
from api.wiring import cli_actor, open_store, reading_config
from graph.matching.geo import Gazetteer
from loaders.documents import (
    BATCH_SIZE,
    IngestReport,
    extractor_for,
    ingest_cvs,
    ingest_postings,
    read_documents,
)
from loaders.privacy import require_pseudonym_key
from ontology.errors import ConfigurationError, ValidationError

log = logging.getLogger(__name__)

EXIT_OK = 0  # every document loaded
EXIT_REJECTED = 1  # some rejected, the rest loaded


def register(sub: Any) -> None:
    p = sub.add_parser("ingest", help="load CVs or job postings (JSON Lines, JSON array or object)")
    isub = p.add_subparsers(dest="ingest_command", required=True)
    for kind, what in (("cvs", "CVs (our JSON or JSON Resume)"), ("postings", "postings (our JSON or schema.org JobPosting)")):
        c = isub.add_parser(kind, help=f"load {what}")
        c.add_argument("file", type=Path, help="JSON Lines file (one document a line), or a JSON array/object")
        c.add_argument("--report", type=Path, help="also write the summary with every rejection to this JSON file")
        c.add_argument("--json", action="store_true", help="print the summary as one JSON object")
        c.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"documents per transaction ({BATCH_SIZE})")
        c.add_argument("--dry-run", action="store_true", help="validate and extract, write nothing")
        if kind == "cvs":
            c.add_argument("--today", type=date.fromisoformat, default=None,
                           help="date stamped as the CVs' update date (default: today)")
        c.set_defaults(func=cmd_ingest, ingest_kind=kind)


def _gazetteer(settings: Settings) -> Gazetteer:
    if settings.geo_dir is None:
        raise ConfigurationError("JOBMATCH_GEO_DIR is not set: postcodes cannot be located", field="JOBMATCH_GEO_DIR")
    return Gazetteer.load(settings.geo_dir)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    if args.batch_size < 1:
        raise ValidationError("--batch-size must be at least 1", field="batch-size")
    # The key is checked before the file is opened: no CV is read without a way to pseudonymise it.
    key = require_pseudonym_key(settings.pseudonym_key) if args.ingest_kind == "cvs" else None
    gazetteer = _gazetteer(settings)
    docs = read_documents(args.file)
    store = open_store(settings)
    try:
        extractor = extractor_for(store, settings.local_additions, reading_config(settings))
        progress = Progress(f"ingest {args.ingest_kind}", unit="documents")
        if key is not None:
            report = ingest_cvs(docs, store, extractor=extractor, gazetteer=gazetteer, key=key,
                                today=args.today or date.today(), ledger=store, actor=cli_actor(),
                                batch_size=args.batch_size, dry_run=args.dry_run, progress=progress)
        else:
            report = ingest_postings(docs, store, extractor=extractor, gazetteer=gazetteer, ledger=store,
                                     actor=cli_actor(), batch_size=args.batch_size, dry_run=args.dry_run,
                                     progress=progress)
        progress.close()
    finally:
        store.close()
    return _finish(args, report)


def _finish(args: argparse.Namespace, report: IngestReport) -> int:
    out = report.as_json()
    if args.report is not None:
        args.report.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", "utf-8")
    for e in report.errors:
        print(f"{args.file}: line {e.line}: {e.field or '(document)'}: {e.reason}", file=sys.stderr)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        verb = "checked" if args.dry_run else "loaded"
        print(f"{args.ingest_kind}: read {report.read}, {verb} {report.loaded}, rejected {report.rejected}")
    if report.read and not report.parsed:
        print(f"jobmatch: {args.file}: no line is a JSON object; is this the right file?", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_REJECTED if report.rejected else EXIT_OK
