"""Extra label files merged on top of an ESCO package (e.g. Danish occupation labels).

Format: a TSV (plain or .gz) with the columns ``conceptUri``, ``position`` and ``label``; position 0 is
the preferred label, higher positions are alternative labels. The language comes from the file name
(``…_da.tsv``) or is given. Labels for concepts the package does not hold are counted as skipped.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import io
import re
from pathlib import Path

from ontology.errors import EscoPackageError
from ontology.model import LabelSet, Taxonomy

_LANG_IN_NAME = re.compile(r"_([a-z]{2})\.tsv(?:\.gz)?$")


def label_file_language(path: Path) -> str:
    m = _LANG_IN_NAME.search(path.name)
    if not m:
        raise EscoPackageError(f"{path.name}: cannot tell the language (expected a name like labels_da.tsv)")
    return m.group(1)


def read_label_file(path: Path) -> dict[str, list[tuple[int, str]]]:
    """Return ``uri -> [(position, label)]`` from a label TSV.

    :raise EscoPackageError: if the file is missing or lacks the required columns.
    """
    if not path.exists():
        raise EscoPackageError(f"label file not found: {path}", field="labels")
    raw = gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb")  # noqa: SIM115 - the wrapper closes it
    out: dict[str, list[tuple[int, str]]] = {}
    with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        missing = {"conceptUri", "position", "label"} - set(reader.fieldnames or ())
        if missing:
            raise EscoPackageError(f"{path.name}: missing column(s) {', '.join(sorted(missing))}", field="labels")
        for row in reader:
            uri, label = (row["conceptUri"] or "").strip(), (row["label"] or "").strip()
            try:
                pos = int(row["position"] or "")
            except ValueError:
                pos = -1
            if uri and label and pos >= 0:
                out.setdefault(uri, []).append((pos, label))
    return out


def merge_label_file(tax: Taxonomy, path: Path, lang: str | None = None) -> int:
    """Add the labels of ``path`` to ``tax`` in ``lang``; return how many concepts got labels.

    Labels already present in that language (e.g. from an official ``*_da.csv``) are kept as preferred;
    the file's labels are added as alternatives.
    """
    lang = lang or label_file_language(path)
    labelled = 0
    for uri, entries in read_label_file(path).items():
        concept = tax.concepts.get(uri)
        if concept is None:
            tax.skipped[f"{path.name}: label for a concept not in the package"] += 1
            continue
        ordered = [label for _pos, label in sorted(entries)]
        current = concept.labels.get(lang)
        if current and current.preferred:
            merged = LabelSet(
                preferred=current.preferred,
                alt=tuple(dict.fromkeys([*current.alt, *(x for x in ordered if x != current.preferred)])),
                hidden=current.hidden,
            )
        else:
            merged = LabelSet(preferred=ordered[0], alt=tuple(dict.fromkeys(ordered[1:])))
        labels = dict(concept.labels)
        labels[lang] = merged
        tax.concepts[uri] = dataclasses.replace(concept, labels=labels)
        labelled += 1
    if lang not in tax.languages:
        tax.languages = (*tax.languages, lang)
    tax.notes.append(f"{path.name}: {lang} labels for {labelled} concepts")
    return labelled
