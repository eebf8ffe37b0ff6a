"""Read the official ESCO classification CSV package, as users download it from the ESCO portal.

Both layouts are understood:

* 1.1.x: a language package (``occupations_en.csv`` …) plus a separate language-neutral package with
  ``occupationSkillRelations.csv``, ``broaderRelationsOccPillar.csv``, ``broaderRelationsSkillPillar.csv``
  and ``skillSkillRelations.csv`` (no language suffix);
* 1.2.x: the relation files inside the language package, with a ``_<lang>`` suffix.

Files may be plain ``.csv`` or ``.csv.gz`` and may sit anywhere below the given folder(s). Any language
package works: with ``skills_da.csv`` present, Danish skill labels are loaded with no code change.
Real-data quirks (relations pointing at concepts the package does not list, empty cells) are counted
in ``Taxonomy.skipped`` / ``Taxonomy.stubs``, never fatal.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import logging
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ontology.errors import EscoPackageError
from ontology.model import (
    Broader,
    CollectionMember,
    Concept,
    ConceptKind,
    LabelSet,
    OccupationSkill,
    SkillSkill,
    Taxonomy,
)

log = logging.getLogger(__name__)

ESCO_URI = re.compile(r"^http://data\.europa\.eu/esco/(occupation|skill|isco|isced-f|concept-scheme)/\S+$")
_FILE = re.compile(r"^(?P<name>[A-Za-z]+?)(?:_(?P<lang>[a-z]{2,3}))?\.csv(?:\.gz)?$")
_VERSION_IN_PATH = re.compile(r"v?(\d+\.\d+(?:\.\d+)?)")

# Concept files per language and the kind they hold.
_CONCEPT_FILES: tuple[tuple[str, ConceptKind], ...] = (
    ("ISCOGroups", "IscoGroup"),
    ("occupations", "Occupation"),
    ("skillGroups", "SkillGroup"),
    ("skills", "Skill"),
)
_REQUIRED = ("occupations", "ISCOGroups")
# Collection files and the collection they feed; ictSkills (1.1.0) and DigComp are digital skills.
_COLLECTION_FILES: dict[str, str] = {
    "transversalSkillsCollection": "transversal",
    "digitalSkillsCollection": "digital",
    "ictSkillsCollection": "digital",
    "digCompSkillsCollection": "digital",
    "greenSkillsCollection": "green",
    "languageSkillsCollection": "language",
    "researchSkillsCollection": "research",
    "researchOccupationsCollection": "research",
}
_BROADER_KINDS: dict[str, ConceptKind] = {
    "Occupation": "Occupation",
    "ISCOGroup": "IscoGroup",
    "KnowledgeSkillCompetence": "Skill",
    "SkillGroup": "SkillGroup",
}


@dataclass
class PackageFiles:
    """Where each ESCO file of a package was found: ``files[name][lang or ""] = path``."""

    roots: tuple[Path, ...]
    files: dict[str, dict[str, Path]] = field(default_factory=dict)

    def get(self, name: str, lang: str | None = None) -> Path | None:
        """Return the file ``name`` in ``lang``; with lang None, the language-neutral one or any language."""
        per = self.files.get(name, {})
        if lang is not None:
            return per.get(lang)
        if "" in per:
            return per[""]
        return per[sorted(per)[0]] if per else None

    def languages(self) -> list[str]:
        return sorted(lang for lang in self.files.get("occupations", {}) if lang)


def find_package_files(roots: Sequence[Path]) -> PackageFiles:
    """Index the ESCO CSV files below ``roots`` (searched recursively).

    :raise EscoPackageError: if a root does not exist.
    """
    pkg = PackageFiles(roots=tuple(roots))
    for root in roots:
        if not root.exists():
            raise EscoPackageError(f"ESCO folder not found: {root}", field="esco")
        candidates = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in candidates:
            m = _FILE.match(path.name)
            if not m:
                continue
            pkg.files.setdefault(m["name"], {}).setdefault(m["lang"] or "", path)
    return pkg


def _open_text(path: Path) -> io.TextIOWrapper:
    raw = gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb")  # noqa: SIM115 - the wrapper closes it
    # utf-8-sig: ESCO files have no BOM, but files re-saved by spreadsheet tools often do.
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line_number, row)`` of one ESCO CSV file.

    :raise EscoPackageError: naming the file and line if the CSV itself cannot be parsed.
    """
    # Descriptions of ISCO groups exceed csv's default 128 KiB field limit in some releases.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with _open_text(path) as fh:
        reader = csv.DictReader(fh)
        try:
            for row in reader:
                yield reader.line_num, {k: (v or "") for k, v in row.items() if k is not None}
        except (csv.Error, UnicodeDecodeError, OSError, EOFError) as e:
            raise EscoPackageError(f"{path.name}: cannot read line {reader.line_num}: {e}", field="esco") from e


def split_labels(cell: str) -> tuple[str, ...]:
    """Split a multi-valued label cell (newline-separated in the official package; ` | ` in collections)."""
    if not cell:
        return ()
    parts = re.split(r"\r?\n| \| ", cell)
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))


def detect_version(roots: Sequence[Path]) -> str:
    """Guess the ESCO version from the folder names (``…/1.1.1/…``, ``v1.2.0``); else ``unknown``."""
    for root in roots:
        for part in reversed(root.resolve().parts):
            m = _VERSION_IN_PATH.fullmatch(part) or _VERSION_IN_PATH.search(part)
            if m and re.search(r"\d+\.\d+", part):
                return m.group(1)
    return "unknown"


def checksum(paths: Iterable[Path]) -> str:
    """sha256 over the files' names and bytes, in name order: identifies exactly what was loaded."""
    h = hashlib.sha256()
    for p in sorted(paths, key=lambda p: p.name):
        h.update(p.name.encode())
        with p.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


@dataclass
class _Draft:
    """A concept being assembled from several language files."""

    uri: str
    kind: ConceptKind
    labels: dict[str, LabelSet] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    code: str = ""
    status: str = "released"
    isco_group: str = ""
    skill_type: str = ""
    reuse_level: str = ""
    stub: bool = False

    def freeze(self, version: str) -> Concept:
        return Concept(
            uri=self.uri,
            kind=self.kind,
            labels=dict(self.labels),
            version=version,
            code=self.code,
            status=self.status,
            descriptions=dict(self.descriptions),
            isco_group=self.isco_group,
            skill_type=self.skill_type,
            reuse_level=self.reuse_level,
            stub=self.stub,
        )


def read_esco_package(
    roots: Sequence[Path] | Path,
    languages: Sequence[str] = ("en",),
    *,
    version: str | None = None,
) -> Taxonomy:
    """Read an ESCO CSV package (any layout, any language) into a :class:`Taxonomy`.

    ``languages`` are the label languages wanted; the first one with concept files gives the structure
    (skill types, ISCO codes), the others add labels. A requested language without files is noted,
    not fatal (Danish occupation labels can come from an extra label file, see
    :func:`ontology.labels.merge_label_file`).

    :raise EscoPackageError: if a root is missing or no language has the required files
        (``occupations_<lang>.csv`` and ``ISCOGroups_<lang>.csv``), naming the missing file.
    """
    root_list = [roots] if isinstance(roots, Path) else list(roots)
    pkg = find_package_files(root_list)
    version = version or detect_version(root_list)
    available = [lang for lang in languages if pkg.get("occupations", lang)]
    tax = Taxonomy(version=version, languages=tuple(languages), source=", ".join(str(r) for r in root_list))
    for lang in languages:
        if lang not in available:
            tax.notes.append(f"no ESCO concept files for language '{lang}' (e.g. occupations_{lang}.csv)")
    if not available:
        present = ", ".join(pkg.languages()) or "none"
        wanted = languages[0] if languages else "en"
        raise EscoPackageError(
            f"required file occupations_{wanted}.csv(.gz) not found under "
            f"{', '.join(str(r) for r in root_list)} (languages present: {present})",
            field="esco",
        )
    primary = available[0]
    for name in _REQUIRED:
        if not pkg.get(name, primary):
            raise EscoPackageError(f"required file {name}_{primary}.csv(.gz) not found", field="esco")

    drafts: dict[str, _Draft] = {}
    used: list[Path] = []
    for lang in available:
        for name, kind in _CONCEPT_FILES:
            path = pkg.get(name, lang)
            if path is None:
                if lang == primary:
                    tax.notes.append(f"{name}_{lang}.csv is missing from this package: no {kind} concepts loaded")
                continue
            used.append(path)
            _read_concepts(path, kind, lang, primary, drafts, tax)

    _read_broader(pkg, drafts, tax, used)
    tax.concepts = {uri: d.freeze(version) for uri, d in sorted(drafts.items())}
    _read_occupation_skills(pkg, tax, used)
    _read_skill_skills(pkg, tax, used)
    _read_collections(pkg, primary, tax, used)
    tax.checksum = checksum(used)
    for note in tax.notes:
        log.info("ESCO %s: %s", version, note)
    return tax


def _read_concepts(
    path: Path, kind: ConceptKind, lang: str, primary: str, drafts: dict[str, _Draft], tax: Taxonomy
) -> None:
    for _line, row in read_rows(path):
        uri = row.get("conceptUri", "").strip()
        if not ESCO_URI.match(uri):
            tax.skipped[f"{path.name}: row without a valid conceptUri"] += 1
            continue
        preferred = row.get("preferredLabel", "").strip()
        draft = drafts.get(uri)
        if draft is None:
            if lang != primary:
                # A concept only in a secondary language file is still a concept of this version.
                tax.notes.append(f"{uri} appears only in {path.name}")
            draft = drafts[uri] = _Draft(uri=uri, kind=kind)
        elif draft.kind != kind:
            tax.skipped[f"{path.name}: URI already loaded as another kind"] += 1
            continue
        draft.labels[lang] = LabelSet(
            preferred=preferred,
            alt=tuple(a for a in split_labels(row.get("altLabels", "")) if a != preferred),
            hidden=split_labels(row.get("hiddenLabels", "")),
        )
        if row.get("description"):
            draft.descriptions[lang] = row["description"].strip()
        if lang == primary:
            draft.status = row.get("status", "") or "released"
            draft.code = row.get("code", "").strip()
            draft.isco_group = row.get("iscoGroup", "").strip()
            draft.skill_type = row.get("skillType", "").strip()
            draft.reuse_level = row.get("reuseLevel", "").strip()


def _hierarchy_labels(pkg: PackageFiles) -> dict[str, str]:
    """Preferred terms of skill-hierarchy URIs, used to label stub skill groups."""
    path = pkg.get("skillsHierarchy")
    out: dict[str, str] = {}
    if path is None:
        return out
    for _line, row in read_rows(path):
        for level in range(4):
            uri = row.get(f"Level {level} URI", "").strip()
            term = row.get(f"Level {level} preferred term", "").strip()
            if uri and term:
                out.setdefault(uri, term)
    return out


def _read_broader(pkg: PackageFiles, drafts: dict[str, _Draft], tax: Taxonomy, used: list[Path]) -> None:
    seen: set[tuple[str, str]] = set()
    stub_labels: dict[str, str] | None = None
    for name in ("broaderRelationsOccPillar", "broaderRelationsSkillPillar"):
        path = pkg.get(name)
        if path is None:
            tax.notes.append(f"{name}.csv is missing from this package: no {name} hierarchy loaded")
            continue
        used.append(path)
        for _line, row in read_rows(path):
            child, parent = row.get("conceptUri", "").strip(), row.get("broaderUri", "").strip()
            if not (ESCO_URI.match(child) and ESCO_URI.match(parent)):
                tax.skipped[f"{name}: row without valid URIs"] += 1
                continue
            ok = True
            for uri, type_col in ((child, "conceptType"), (parent, "broaderType")):
                if uri in drafts:
                    continue
                kind = _BROADER_KINDS.get(row.get(type_col, ""))
                if kind == "SkillGroup":
                    # ESCO 1.1.1 uses 7 skill groups it does not list; keep the hierarchy connected.
                    if stub_labels is None:
                        stub_labels = _hierarchy_labels(pkg)
                    label = stub_labels.get(uri, "")
                    drafts[uri] = _Draft(
                        uri=uri, kind="SkillGroup", stub=True,
                        labels={"en": LabelSet(preferred=label)} if label else {},
                    )
                    tax.stubs["skill group used but not listed in skillGroups"] += 1
                else:
                    tax.skipped[f"{name}: {type_col} not in the package"] += 1
                    ok = False
                    break
            if ok and (child, parent) not in seen:
                seen.add((child, parent))
                tax.broader.append(Broader(child=child, parent=parent))
    # Occupations point at their ISCO unit group through the iscoGroup column too; the broader files
    # already carry those edges, so only the code is kept on the concept.


def _read_occupation_skills(pkg: PackageFiles, tax: Taxonomy, used: list[Path]) -> None:
    path = pkg.get("occupationSkillRelations")
    if path is None:
        tax.notes.append("occupationSkillRelations.csv is missing from this package: no occupation profiles")
        return
    used.append(path)
    seen: set[tuple[str, str]] = set()
    for _line, row in read_rows(path):
        occ, skill = row.get("occupationUri", "").strip(), row.get("skillUri", "").strip()
        kind = row.get("relationType", "").strip()
        if kind not in ("essential", "optional"):
            tax.skipped["occupationSkillRelations: unknown relationType"] += 1
            continue
        o, s = tax.concepts.get(occ), tax.concepts.get(skill)
        if o is None or o.kind != "Occupation":
            tax.skipped["occupationSkillRelations: occupation not in the package"] += 1
            continue
        if s is None or s.kind != "Skill":
            tax.skipped["occupationSkillRelations: skill not in the package"] += 1
            continue
        if (occ, skill) in seen:
            tax.skipped["occupationSkillRelations: duplicate pair"] += 1
            continue
        seen.add((occ, skill))
        tax.occupation_skills.append(OccupationSkill(occupation=occ, skill=skill, kind=kind))  # type: ignore[arg-type]


def _read_skill_skills(pkg: PackageFiles, tax: Taxonomy, used: list[Path]) -> None:
    path = pkg.get("skillSkillRelations")
    if path is None:
        tax.notes.append("skillSkillRelations.csv is missing from this package")
        return
    used.append(path)
    seen: set[tuple[str, str]] = set()
    for _line, row in read_rows(path):
        src, dst = row.get("originalSkillUri", "").strip(), row.get("relatedSkillUri", "").strip()
        if src not in tax.concepts or dst not in tax.concepts:
            tax.skipped["skillSkillRelations: skill not in the package"] += 1
            continue
        if (src, dst) in seen:
            tax.skipped["skillSkillRelations: duplicate pair"] += 1
            continue
        seen.add((src, dst))
        tax.skill_skills.append(SkillSkill(source=src, target=dst, kind=row.get("relationType", "").strip()))


def _read_collections(pkg: PackageFiles, primary: str, tax: Taxonomy, used: list[Path]) -> None:
    seen: set[tuple[str, str]] = set()
    for name, collection in _COLLECTION_FILES.items():
        path = pkg.get(name, primary) or pkg.get(name)
        if path is None:
            continue
        used.append(path)
        for _line, row in read_rows(path):
            uri = row.get("conceptUri", "").strip()
            if uri not in tax.concepts:
                tax.skipped[f"{name}: concept not in the package"] += 1
                continue
            if (collection, uri) in seen:
                continue
            seen.add((collection, uri))
            tax.collections.append(CollectionMember(collection=collection, concept=uri))
