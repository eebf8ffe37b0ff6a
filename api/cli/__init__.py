"""The ``jobmatch`` command. Each area registers its subcommands from its own module.

Errors the domain raises on purpose become one line on stderr and exit code 2 (bad input) or 3 (store
unavailable); never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from api.cli import ontology as ontology_cmds
from api.log_safety import protect_handlers
from api.settings import Settings
from ontology.errors import JobmatchError, StoreUnavailableError

PRIVATE_UMASK = 0o077
EXIT_INPUT = 2
EXIT_UNAVAILABLE = 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobmatch", description="Explainable job matching over ESCO.")
    parser.add_argument("--store", choices=["memory", "neo4j"], help="override JOBMATCH_STORE")
    parser.add_argument("--data-dir", help="override JOBMATCH_DATA_DIR (embedded store)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in _modules():
        module.register(sub)
    return parser


def _modules() -> list[ModuleType]:
    mods: list[ModuleType] = [ontology_cmds]

    for name in ("documents", "matching", "server", "audit", "evaluation", "extract", "taxonomy", "reading", "cvs", "docs"):
        try:
            mods.append(importlib.import_module(f"api.cli.{name}"))
        except ModuleNotFoundError as e:
            if e.name != f"api.cli.{name}":
                raise
    return mods


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    protect_handlers()
    # Everything the command writes (the data dir, its journal, indexes, exports) is its owner's only.
    os.umask(PRIVATE_UMASK)
    try:
        settings = Settings.from_env(store=args.store, data_dir=Path(args.data_dir) if args.data_dir else None)
        return int(args.func(args, settings) or 0)
    except StoreUnavailableError as e:
        print(f"jobmatch: store unavailable: {e.detail}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except JobmatchError as e:
        where = f" ({e.field})" if e.field else ""
        print(f"jobmatch: {e.detail}{where}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
