"""Local additions: labels a taxonomy maintainer adds on top of ESCO (e.g. Danish skill synonyms).

Format: a UTF-8 TSV with the columns ``conceptUri``, ``lang``, ``label`` and ``note`` (free text, e.g.
the English ESCO label the synonym was looked up by). Lines starting with ``#`` are comments. Each
row adds one alternative label in ``lang`` to an existing ESCO concept; it never edits ESCO itself.

Reading validates every row: an unknown or malformed URI, an empty label, a bad language code or the
same label twice in one language are errors naming the file and line, so a broken edit fails at load
time instead of silently changing what the matcher finds.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator
from importlib import resources
from pathlib import Path

from graph.records import LabelEntry
from ontology.local_additions import Addition, LocalAdditionsError, parse_additions

__all__ = ["DEFAULT_FILES", "Addition", "LocalAdditionsError", "addition_entries", "packaged_local_additions",
           "parse_local_additions", "read_local_additions"]

DEFAULT_FILES: tuple[str, ...] = ("local_additions_da.tsv",)


def parse_local_additions(
    text: str, source: str = "<text>", known_uris: Container[str] | None = None
) -> list[Addition]:
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
    for a in parsed.additions:
        if known_uris is not None and not a.local and a.uri not in known_uris:
            raise LocalAdditionsError(f"{source}:{a.line}: conceptUri {a.uri} is not in the loaded ESCO version "
                                      f"(label {a.label!r})", field="local_additions")
    return list(parsed.additions)


def read_local_additions(path: Path, known_uris: Container[str] | None = None) -> list[Addition]:
    """Read and validate the local additions file at ``path`` (see :func:`parse_local_additions`).

    :raise LocalAdditionsError: if the file is missing or invalid, naming the line.
    """
    if not path.exists():
        raise LocalAdditionsError(f"local additions file not found: {path}", field="local_additions")
    return parse_local_additions(path.read_text("utf-8-sig"), path.name, known_uris)


def packaged_local_additions(known_uris: Container[str] | None = None, *, strict: bool = False) -> list[Addition]:
    """The additions shipped with jobmatch (``loaders/data/local_additions_*.tsv``, made for ESCO 1.1.1).

    With ``known_uris``, rows for other concepts are left out — a store may hold another ESCO version
    or a subset — or, with ``strict``, are an error naming the line (how the file itself is checked).

    :raise LocalAdditionsError: if a packaged file is malformed, or strict and a URI is unknown.
    """
    out: list[Addition] = []
    data = resources.files("loaders").joinpath("data")
    for name in DEFAULT_FILES:
        rows = parse_local_additions(data.joinpath(name).read_text("utf-8"), name,
                                     known_uris if strict else None)
        out += rows if known_uris is None else [r for r in rows if r.uri in known_uris]
    return out


def addition_entries(
    additions: Iterable[Addition], kind_of: Callable[[str], str | None]
) -> Iterator[LabelEntry]:
    """Label entries for the additions whose concept ``kind_of`` knows (None = not loaded: skipped)."""
    for a in additions:
        kind = kind_of(a.uri)
        if kind is not None:
            # Each addition is an alternative label marked "local", so an explanation can say the
            # citizen's words were read through the maintainer's synonym.
            yield LabelEntry(uri=a.uri, kind=kind, lang=a.lang, label=a.label, role="local")
