"""Reading bulk files: JSON Lines (one document a line), or one JSON array or object.

JSON Lines is streamed, so a file of 100k CVs is never held in memory; an array is read whole. Each
document comes with its position for error reports: the line number in a JSON Lines file, the item
number (from 1) in an array. A line that is not JSON is reported and skipped; a file that cannot be
read at all is unusable input.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ontology.errors import ValidationError

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One parsed document (``doc``), or why its line could not be parsed (``error``)."""

    line: int
    doc: Any = None
    error: str = ""


def _parse(line: int, raw: bytes) -> RawDocument:
    try:
        doc = json.loads(raw.strip().decode("utf-8"))
    except UnicodeDecodeError:
        return RawDocument(line, error="not UTF-8 text")
    except json.JSONDecodeError as e:
        # The decoder's message names a position, never the content.
        return RawDocument(line, error=f"not JSON: {e.msg} at column {e.colno}")
    if not isinstance(doc, dict):
        return RawDocument(line, error="not a JSON object")
    return RawDocument(line, doc)


def read_documents(path: Path) -> Iterator[RawDocument]:
    """Yield the documents of ``path`` in order, detecting the layout from its first line.

    :raise ValidationError: (field ``FILE``) if the file cannot be opened, is empty, or starts like
        a JSON array that does not parse.
    """
    try:
        fh = path.open("rb")
    except OSError as e:
        raise ValidationError(f"cannot read {path}: {e.strerror}", field="FILE") from e
    with fh:
        first = b""
        for raw in fh:
            if raw.strip():
                first = raw.removeprefix(_BOM)
                break
        if not first:
            raise ValidationError(f"{path} holds no documents", field="FILE")
        head = first.lstrip()
        single_line = _parse(0, first)
        if head.startswith(b"{") and not single_line.error:
            yield from _json_lines(path)
            return
        fh.seek(0)
        whole = fh.read().removeprefix(_BOM)
    try:
        parsed = json.loads(whole.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        if head.startswith(b"["):
            where = f" (line {e.lineno}, column {e.colno})" if isinstance(e, json.JSONDecodeError) else ""
            raise ValidationError(f"{path} is not a valid JSON array{where}", field="FILE") from e
        # Neither one JSON value nor a clean first line: read it as JSON Lines, reporting bad lines.
        yield from _json_lines(path)
        return
    items = parsed if isinstance(parsed, list) else [parsed]
    for i, item in enumerate(items, start=1):
        yield RawDocument(i, item) if isinstance(item, dict) else RawDocument(i, error="not a JSON object")


def _json_lines(path: Path) -> Iterator[RawDocument]:
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if n == 1:
                raw = raw.removeprefix(_BOM)
            if raw.strip():
                yield _parse(n, raw)
