"""The reader on the official ESCO packages in ../shared (1.1.0, 1.1.1 + Danish labels, partial 1.2.0)."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from ontology.esco_csv import read_esco_package
from ontology.model import Taxonomy, summarise

pytestmark = pytest.mark.esco
MISSING_OCCUPATION = "http://data.europa.eu/esco/occupation/a9e54177-a185-404d-b6e6-15663d31137e"


def _rows(path: Path) -> int:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def test_esco_111_counts(esco_111: Taxonomy, shared_dir: Path) -> None:
    s = summarise(esco_111)
    assert (s.version, s.occupations, s.skills, s.isco_groups) == ("1.1.1", 3007, 13896, 619)
    in_file = _rows(shared_dir / "esco/1.1.1/relations/occupationSkillRelations.csv.gz")
    assert s.occupation_skill_relations["total"] == in_file - 67
    assert s.skipped["occupationSkillRelations: occupation not in the package"] == 67
    assert MISSING_OCCUPATION not in esco_111.concepts
    assert s.stubs["skill group used but not listed in skillGroups"] == 7
    assert s.labels_by_language["da"]["Occupation"] >= 2900
    assert s.skill_skill_relations == 5899


def test_esco_110_loads(shared_dir: Path) -> None:
    s = summarise(read_esco_package(shared_dir / "esco/1.1.0", ("en",)))
    assert (s.version, s.occupations, s.skills, s.isco_groups, s.skill_groups) == ("1.1.0", 3008, 13891, 619, 643)
    assert s.occupation_skill_relations == {"total": 123852, "essential": 65096, "optional": 58756}
    assert s.skipped == {}


def test_esco_120_partial_package_says_what_is_missing(shared_dir: Path) -> None:
    tax = read_esco_package(shared_dir / "esco/1.2.0", ("en",))
    s = summarise(tax)
    assert (s.occupations, s.skills, s.isco_groups) == (3039, 0, 619)
    assert any("skills_en.csv is missing" in n for n in tax.notes)
    assert any("occupationSkillRelations.csv is missing" in n for n in tax.notes)
