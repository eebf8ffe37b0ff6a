"""Local additions as versioned data: Danish labels, synonyms and local concepts on top of an ESCO version.

The file is the one the extractor reads (``loaders/data/local_additions_da.tsv``): a UTF-8 TSV with the
columns ``conceptUri``, ``lang``, ``label``, ``note``; lines starting with ``#`` are comments. Two
compatible extensions, both ignored by a reader that does not know them:

* ``# version: 2026-11-21.1`` in a comment declares the file's version, which is what audit records
  cite (:func:`local_additions_version`; without it, the sha256 of the file);
* an optional ``broader`` column. A row whose ``conceptUri`` is in the local namespace
  (``urn:jobmatch:local:skill:<slug>`` or ``…:occupation:<slug>``) defines a local concept: its first
  row in a language gives the preferred label there, later rows alternative labels, and one row (by
  convention the first) names the ``broader`` concept (a skill or skill group; an occupation or ISCO
  group), which attaches it to the graph so that broader/narrower matching reaches it.

Rows for ESCO concepts only ever add *alternative* labels: a synonym is not the official term, and the
ESCO files themselves are never edited. Every problem is reported with the file and line.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ontology.errors import ValidationError
from ontology.esco_csv import ESCO_URI
from ontology.model import Broader, Concept, ConceptKind, LabelSet, Taxonomy

COLUMNS: tuple[str, ...] = ("conceptUri", "lang", "label", "note", "broader")
REQUIRED: tuple[str, ...] = ("conceptUri", "lang", "label")
LOCAL_NAMESPACE = "urn:jobmatch:local:"
LOCAL_URI = re.compile(r"^urn:jobmatch:local:(?P<kind>skill|occupation):[a-z0-9][a-z0-9-]*$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_VERSION = re.compile(r"^#\s*version\s*:(?P<value>.*)$", re.IGNORECASE)
_LOCAL_KIND: Mapping[str, ConceptKind] = {"skill": "Skill", "occupation": "Occupation"}
# What a local concept may hang under: a skill under a skill or skill group, an occupation under an
# occupation or ISCO group (the same pillars ESCO's own broader relations use).
_BROADER_KINDS: Mapping[ConceptKind, tuple[str, ...]] = {
    "Skill": ("Skill", "SkillGroup"),
    "Occupation": ("Occupation", "IscoGroup"),
}
_MAX_ERRORS_IN_MESSAGE = 20
# Texts are matched against skill and occupation labels only, so a synonym that is also the label of
# an ISCO or skill group confuses nothing and is not worth a warning.
MATCHED_KINDS: tuple[ConceptKind, ...] = ("Skill", "Occupation")


class LocalAdditionsError(ValidationError):
    """A local additions file cannot be used; ``detail`` lists each problem as ``file:line: message``."""

    title = "Invalid local additions file"


@dataclass(frozen=True, slots=True)
class Addition:
    line: int
    uri: str
    lang: str
    label: str
    note: str = ""
    broader: str = ""

    @property
    def local(self) -> bool:
        return self.uri.startswith(LOCAL_NAMESPACE)


@dataclass(frozen=True, slots=True)
class Problem:
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


@dataclass(frozen=True)
class AdditionsFile:
    """A parsed additions file. ``version`` is the declared one, else ``sha256``."""

    source: str
    version: str
    declared: bool
    sha256: str
    additions: tuple[Addition, ...]

    def local_concepts(self) -> dict[str, tuple[Addition, ...]]:
        """Rows of each local concept, by URI, in file order (the first gives the preferred label)."""
        out: dict[str, list[Addition]] = {}
        for a in self.additions:
            if a.local:
                out.setdefault(a.uri, []).append(a)
        return {u: tuple(rows) for u, rows in sorted(out.items())}

    def by_language(self) -> dict[str, int]:
        """Rows per language, by language code."""
        langs: dict[str, int] = {}
        for a in self.additions:
            langs[a.lang] = langs.get(a.lang, 0) + 1
        return dict(sorted(langs.items()))

    def summary(self) -> dict[str, object]:
        return {"source": self.source, "version": self.version, "declared": self.declared,
                "sha256": self.sha256, "rows": len(self.additions), "by_language": self.by_language(),
                "local_concepts": len(self.local_concepts())}


@dataclass(frozen=True)
class AdditionsCheck:
    """The outcome of validating a file against a taxonomy: errors block loading, warnings do not."""

    file: AdditionsFile
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> None:
        """:raise LocalAdditionsError: listing the errors (the first 20) if there are any."""
        if self.errors:
            shown = [str(p) for p in self.errors[:_MAX_ERRORS_IN_MESSAGE]]
            more = len(self.errors) - len(shown)
            raise LocalAdditionsError(
                f"{len(self.errors)} problem(s) in local additions:\n  " + "\n  ".join(shown)
                + (f"\n  … and {more} more" if more else ""), field="local_additions")


def local_additions_version(path: Path) -> str:
    """The version audit records cite: the file's ``# version:`` declaration, else the sha256 of its bytes.

    :raise LocalAdditionsError: if the file is missing or declares its version twice or empty.
    """
    data = _read_bytes(path)
    version, problems = _declared_version(data.decode("utf-8-sig").splitlines(), path.name)
    if problems:
        raise LocalAdditionsError(str(problems[0]), field="local_additions")
    return version or hashlib.sha256(data).hexdigest()


def _declared_version(lines: Iterable[str], source: str) -> tuple[str, list[Problem]]:
    """The ``# version:`` declared in the comment lines, and any problem with it (twice, or empty)."""
    version, first, problems = "", 0, []
    for n, raw in enumerate(lines, start=1):
        m = _VERSION.match(raw.strip())
        if not m:
            continue
        if first:
            problems.append(Problem(source, n, f"version declared twice (first on line {first})"))
        elif not m["value"].strip():
            problems.append(Problem(source, n, "empty version declaration (write e.g. '# version: 2026-11-21.1')"))
        else:
            version, first = m["value"].strip(), n
    return version, problems


def read_additions(path: Path) -> tuple[AdditionsFile, list[Problem]]:
    """Parse ``path``; returns the rows that parsed and the syntax problems (see :func:`parse_additions`).

    :raise LocalAdditionsError: if the file does not exist.
    """
    return parse_additions(_read_bytes(path), path.name)


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise LocalAdditionsError(f"local additions file not found: {path}", field="local_additions")
    return path.read_bytes()


def parse_additions(data: bytes, source: str = "<text>") -> tuple[AdditionsFile, list[Problem]]:
    """Parse an additions file; check everything that needs no taxonomy.

    Problems: a missing column, a row with more cells than the header (a tab inside a label), a
    malformed URI, a bad language code, an empty label, a label given twice in one language (to two
    concepts or to the same one), a ``broader`` on an ESCO concept, a local concept without a
    ``broader`` or with two, an empty or repeated ``# version:``.
    """
    sha = hashlib.sha256(data).hexdigest()
    lines = data.decode("utf-8-sig").splitlines()
    version, problems = _declared_version(lines, source)

    def problem(line: int, message: str) -> None:
        problems.append(Problem(source, line, message))

    header: list[str] | None = None
    additions: list[Addition] = []
    labels_seen: dict[tuple[str, str], Addition] = {}
    broader_of: dict[str, Addition] = {}
    for n, raw in enumerate(lines, start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = next(csv.reader(io.StringIO(raw), delimiter="\t", quoting=csv.QUOTE_NONE))
        if header is None:
            header = [c.strip() for c in cells]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                problem(n, f"missing column(s) {', '.join(missing)} (expected {' / '.join(COLUMNS)})")
                break
            continue
        if len(cells) > len(header):
            problem(n, f"{len(cells)} cells but the header has {len(header)} columns (a tab inside a label?)")
            continue
        row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
        a = Addition(line=n, uri=row["conceptUri"], lang=row["lang"], label=" ".join(row["label"].split()),
                     note=row.get("note", ""), broader=row.get("broader", ""))
        if _row_problems(a, problem, labels_seen, broader_of):
            continue
        labels_seen[(a.lang, a.label.casefold())] = a
        additions.append(a)
    for uri in sorted({a.uri for a in additions if a.local} - broader_of.keys()):
        first = next(a for a in additions if a.uri == uri)
        problem(first.line, f"local concept {uri} has no broader concept (fill the 'broader' column of its "
                            "first row with the ESCO concept it belongs under)")
    if header is None and not problems:
        problem(1, f"no header line (expected {' / '.join(COLUMNS)})")
    problems.sort(key=lambda p: p.line)
    parsed = AdditionsFile(source=source, version=version or sha, declared=bool(version), sha256=sha,
                           additions=tuple(additions))
    return parsed, problems


def _row_problems(a: Addition, problem: Callable[[int, str], None], labels_seen: Mapping[tuple[str, str], Addition],
                  broader_of: dict[str, Addition]) -> bool:
    """Report what is wrong with one row; True if anything was."""
    n = a.line
    bad = False
    if not (ESCO_URI.match(a.uri) or LOCAL_URI.match(a.uri)):
        problem(n, f"malformed conceptUri {a.uri!r} (an ESCO URI, or {LOCAL_NAMESPACE}skill:<slug> for a "
                   "local concept)")
        bad = True
    if not _LANG.match(a.lang):
        problem(n, f"bad language code {a.lang!r} (two or three lower-case letters, e.g. 'da')")
        bad = True
    if not a.label:
        problem(n, "empty label")
        bad = True
    elif (first := labels_seen.get((a.lang, a.label.casefold()))) is not None:
        if first.uri != a.uri:
            problem(n, f"label {a.label!r} ({a.lang}) is mapped to two concepts: {first.uri} on line "
                       f"{first.line} and {a.uri} here")
        else:
            problem(n, f"label {a.label!r} ({a.lang}) repeated for the same concept; first on line {first.line}")
        bad = True
    if a.broader and not a.local:
        problem(n, f"'broader' applies only to local concepts ({LOCAL_NAMESPACE}…), not to {a.uri}")
        bad = True
    elif a.broader and not (ESCO_URI.match(a.broader) or LOCAL_URI.match(a.broader)):
        problem(n, f"malformed broader URI {a.broader!r}")
        bad = True
    elif a.broader:
        earlier = broader_of.get(a.uri)
        if earlier is not None and earlier.broader != a.broader:
            problem(n, f"local concept {a.uri} already has broader {earlier.broader} (line {earlier.line})")
            bad = True
        elif earlier is None and not bad:
            broader_of[a.uri] = a
    return bad


def check_additions(
    parsed: AdditionsFile,
    kinds: Mapping[str, str],
    existing_labels: Mapping[tuple[str, str], Collection[str]] | None = None,
    *,
    against: str = "the loaded ESCO version",
    redundant: bool = True,
) -> tuple[list[Problem], list[Problem]]:
    """Check parsed rows against a taxonomy: ``kinds`` maps each known URI to its kind.

    Errors: an ESCO URI the taxonomy does not hold; a local concept's broader concept unknown or of
    the wrong kind. Warnings (with ``existing_labels``, ``(lang, casefolded label) -> URIs``): a label
    that already names another concept (the extractor will find both), or, if ``redundant``, this
    same one (the row adds nothing).
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []
    local = parsed.local_concepts()
    for a in parsed.additions:
        if not a.local and a.uri not in kinds:
            errors.append(Problem(parsed.source, a.line,
                                  f"conceptUri {a.uri} is not in {against} (label {a.label!r})"))
        if a.broader:
            kind = _LOCAL_KIND[a.uri.split(":")[3]]
            parent_kind = kinds.get(a.broader) or (
                _LOCAL_KIND[a.broader.split(":")[3]] if a.broader in local else None)
            if parent_kind is None:
                errors.append(Problem(parsed.source, a.line, f"broader {a.broader} is not in {against}"))
            elif parent_kind not in _BROADER_KINDS[kind]:
                errors.append(Problem(parsed.source, a.line,
                                      f"broader {a.broader} is of kind {parent_kind}; a local {kind.lower()} "
                                      f"must sit under a {' or '.join(_BROADER_KINDS[kind])}"))
        if existing_labels is not None:
            owners = set(existing_labels.get((a.lang, a.label.casefold()), ()))
            others = sorted(owners - {a.uri})
            if others:
                warnings.append(Problem(parsed.source, a.line,
                                        f"label {a.label!r} ({a.lang}) is already a label of {', '.join(others)}"))
            elif owners and redundant:
                warnings.append(Problem(parsed.source, a.line,
                                        f"label {a.label!r} ({a.lang}) is already a label of this concept"))
    return errors, warnings


def taxonomy_index(tax: Taxonomy) -> tuple[dict[str, str], dict[tuple[str, str], set[str]]]:
    """``uri -> kind`` of every concept and ``(lang, casefolded label) -> URIs`` of the labels texts are
    matched against (:data:`MATCHED_KINDS`), for :func:`check_additions`."""
    kinds: dict[str, str] = {uri: c.kind for uri, c in tax.concepts.items()}
    labels: dict[tuple[str, str], set[str]] = {}
    for c in tax.concepts.values():
        if c.kind not in MATCHED_KINDS:
            continue
        for lang, ls in c.labels.items():
            for label in ls.all():
                labels.setdefault((lang, label.casefold()), set()).add(c.uri)
    return kinds, labels


def validate_additions(path: Path, tax: Taxonomy) -> AdditionsCheck:
    """Parse ``path`` and check it against ``tax``; every problem, none raised.

    :raise LocalAdditionsError: only if the file does not exist.
    """
    parsed, problems = read_additions(path)
    kinds, labels = taxonomy_index(tax)
    errors, warnings = check_additions(parsed, kinds, labels, against=f"ESCO {tax.version}")
    return AdditionsCheck(parsed, tuple(sorted([*problems, *errors], key=lambda p: p.line)), tuple(warnings))


def apply_additions(tax: Taxonomy, parsed: AdditionsFile) -> int:
    """Add ``parsed`` to ``tax`` (in place): alternative labels on ESCO concepts, local concepts with their
    broader edge. Records the additions' version in ``tax.source`` and folds their sha256 into
    ``tax.checksum``, so a store records a new ontology version whenever the additions change.
    Applying the same file twice is a no-op. Returns how many rows were applied.

    The caller validates first (:func:`load_local_additions` does); rows for unknown concepts are skipped.
    """
    marker = f"local additions {parsed.source} {parsed.version} (sha256 {parsed.sha256[:12]})"
    if marker in tax.notes:
        return 0
    applied = 0
    for uri, rows in parsed.local_concepts().items():
        kind = _LOCAL_KIND[uri.split(":")[3]]
        by_lang: dict[str, list[str]] = {}
        for a in rows:
            by_lang.setdefault(a.lang, []).append(a.label)
        tax.concepts[uri] = Concept(
            uri=uri, kind=kind, version=f"local:{parsed.version}", status="local",
            labels={lang: LabelSet(preferred=ls[0], alt=tuple(ls[1:])) for lang, ls in sorted(by_lang.items())},
        )
        tax.broader.append(Broader(child=uri, parent=next(a.broader for a in rows if a.broader)))
        applied += len(rows)
    for a in parsed.additions:
        concept = tax.concepts.get(a.uri)
        if a.local or concept is None:
            continue
        current = concept.labels.get(a.lang, LabelSet(preferred=""))
        if a.label in current.all():
            continue
        labels = dict(concept.labels)
        labels[a.lang] = dataclasses.replace(current, alt=(*current.alt, a.label))
        tax.concepts[a.uri] = dataclasses.replace(concept, labels=labels)
        applied += 1
    for lang in sorted({a.lang for a in parsed.additions} - set(tax.languages)):
        tax.languages = (*tax.languages, lang)
    tax.source = f"{tax.source} + local additions {parsed.source}@{parsed.version}"
    tax.checksum = hashlib.sha256(f"{tax.checksum}:{parsed.sha256}".encode()).hexdigest()
    tax.notes.append(marker)
    return applied


def load_local_additions(tax: Taxonomy, path: Path) -> AdditionsCheck:
    """Validate ``path`` against ``tax`` and apply it. Returns the check (warnings included).

    :raise LocalAdditionsError: naming every problem's line if the file has any error (nothing applied).
    """
    check = validate_additions(path, tax)
    check.raise_for_errors()
    apply_additions(tax, check.file)
    return check


def additions_uris(parsed: AdditionsFile) -> Iterable[str]:
    """Every URI the file refers to (its concepts and their broader concepts)."""
    for a in parsed.additions:
        yield a.uri
        if a.broader:
            yield a.broader
