"""Cypher statements, one a file (``queries/<verb_object>.cypher``), loaded by name.

Every value is a ``$param``; labels, which cannot be parameters, get a file each. The files are
trusted packaged source, which is why :func:`load` may type them as ``LiteralString``: the driver's
typing refuses strings built at run time, and so do we.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import LiteralString

SUFFIX = ".cypher"
SCHEMA_PREFIX = "create_"


@cache
def load(name: str) -> LiteralString:
    """Return the text of ``queries/<name>.cypher`` (trusted, packaged source).

    :raise FileNotFoundError: if there is no such file.
    """
    # mypy treats LiteralString as str (a cast would be "redundant"); the return type still tells
    # stricter checkers and readers that this text is trusted source, not built from input.
    text: str = files(__name__).joinpath(f"{name}{SUFFIX}").read_text("utf-8")
    return text


@cache
def names() -> tuple[str, ...]:
    """Names of every packaged statement (without the suffix), sorted."""
    return tuple(sorted(
        entry.name.removesuffix(SUFFIX) for entry in files(__name__).iterdir()
        if entry.name.endswith(SUFFIX)
    ))


def schema_names() -> tuple[str, ...]:
    """The ``create_*`` statements: constraints and indexes, each idempotent (``IF NOT EXISTS``)."""
    return tuple(n for n in names() if n.startswith(SCHEMA_PREFIX))
