"""Read a taxonomy as configured: an ESCO package plus extra label files merged on top."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ontology.esco_csv import read_esco_package
from ontology.labels import merge_label_file
from ontology.model import Taxonomy


def read_taxonomy(
    esco: Path | Sequence[Path],
    languages: Sequence[str] = ("en",),
    extra_labels: Sequence[Path] = (),
    *,
    version: str | None = None,
) -> Taxonomy:
    """Read the ESCO package(s) at ``esco`` in ``languages`` and merge each extra label file.

    :raise EscoPackageError: if the package or a label file cannot be read.
    """
    tax = read_esco_package(esco, languages, version=version)
    for path in extra_labels:
        merge_label_file(tax, path)
    return tax
