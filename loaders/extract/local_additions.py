"""Local additions: labels a taxonomy maintainer adds on top of ESCO (e.g. Danish skill synonyms).

Format: a UTF-8 TSV with the columns ``conceptUri``, ``lang``, ``label`` and ``note`` (free text, e.g.
the English ESCO label the synonym was looked up by). Lines starting with ``#`` are comments. Each
row adds one alternative label in ``lang`` to an existing ESCO concept; it never edits ESCO itself.

Reading validates every row: an unknown or malformed URI, an empty label, a bad language code or the
same label twice in one language are errors naming the file and line, so a broken edit fails at load
time instead of silently changing what the matcher finds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from graph.records import LabelEntry
from ontology.errors import ValidationError
from ontology.local_additions import parse_additions

COLUMNS: tuple[str, ...] = ("conceptUri", "lang", "label", "note")
DEFAULT_FILES: tuple[str, ...] = ("local_additions_da.tsv",)
_URI = re.compile(r"^http://data\.europa\.eu/esco/(skill|occupation)/[0-9a-f-]+$")
_LANG = re.compile(r"^[a-z]{2,3}$")


class LocalAdditionsError(ValidationError):
    """A local additions file cannot be used as it is; ``detail`` names the file and line."""

    title = "Invalid local additions file"


@dataclass(frozen=True, slots=True)
class LocalAddition:
    uri: str
    lang: str
    label: str
    note: str = ""
    line: int = 0

    def entry(self, kind: str) -> LabelEntry:
        """This addition as an alternative label, the shape stores return from ``labels()``."""
        return LabelEntry(uri=self.uri, kind=kind, lang=self.lang, label=self.label, role="alt")


def parse_local_additions(
    text: str, source: str = "<text>", known_uris: Container[str] | None = None
) -> list[LocalAddition]:
    """Parse and validate local additions from ``text``; ``source`` names it in errors.

    The file format and its checks are the taxonomy lifecycle's (:mod:`ontology.local_additions`);
    this adds the check against the loaded concepts. Local concepts (``urn:jobmatch:local:…``) are
    accepted: their labels lead to the local URI, which the taxonomy attaches to an ESCO parent.

    :raise LocalAdditionsError: on any problem of the file (naming the first's line), or, when
        ``known_uris`` is given, an ESCO URI the loaded taxonomy does not hold.
    """
    parsed, problems = parse_additions(text.encode("utf-8"), source)
    if problems:
        raise LocalAdditionsError(str(problems[0]), field="local_additions")
    out: list[LocalAddition] = []
    for a in parsed.additions:
        if known_uris is not None and not a.local and a.uri not in known_uris:
            raise LocalAdditionsError(f"{source}:{a.line}: conceptUri {a.uri} is not in the loaded ESCO version "
                                      f"(label {a.label!r})", field="local_additions")
        out.append(LocalAddition(uri=a.uri, lang=a.lang, label=a.label, note=a.note, line=a.line))
    return out


def read_local_additions(path: Path, known_uris: Container[str] | None = None) -> list[LocalAddition]:
    """Read and validate the local additions file at ``path`` (see :func:`parse_local_additions`).

    :raise LocalAdditionsError: if the file is missing or invalid, naming the line.
    """
    if not path.exists():
        raise LocalAdditionsError(f"local additions file not found: {path}", field="local_additions")
    return parse_local_additions(path.read_text("utf-8-sig"), path.name, known_uris)


def packaged_local_additions(known_uris: Container[str] | None = None, *, strict: bool = False) -> list[LocalAddition]:
    """The additions shipped with jobmatch (``loaders/data/local_additions_*.tsv``, made for ESCO 1.1.1).

    With ``known_uris``, rows for other concepts are left out — a store may hold another ESCO version
    or a subset — or, with ``strict``, are an error naming the line (how the file itself is checked).

    :raise LocalAdditionsError: if a packaged file is malformed, or strict and a URI is unknown.
    """
    out: list[LocalAddition] = []
    data = resources.files("loaders").joinpath("data")
    for name in DEFAULT_FILES:
        rows = parse_local_additions(data.joinpath(name).read_text("utf-8"), name,
                                     known_uris if strict else None)
        out += rows if known_uris is None else [r for r in rows if r.uri in known_uris]
    return out


def addition_entries(
    additions: Iterable[LocalAddition], kind_of: Callable[[str], str | None]
) -> Iterator[LabelEntry]:
    """Label entries for the additions whose concept ``kind_of`` knows (None = not loaded: skipped)."""
    for a in additions:
        kind = kind_of(a.uri)
        if kind is not None:
            yield a.entry(kind)
