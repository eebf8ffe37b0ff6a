"""The ESCO CSV reader on hand-made fixtures: both layouts, gz and plain, Danish, malformed input."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from ontology.errors import EscoPackageError
from ontology.esco_csv import read_esco_package, split_labels
from ontology.model import Taxonomy, summarise
from ontology.package import read_taxonomy
from tests.conftest import MINI_DA_LABELS, MINI_ESCO, MINI_ESCO_12

NURSE = "http://data.europa.eu/esco/occupation/mini-nurse"
PYTHON = "http://data.europa.eu/esco/skill/mini-python"
TEAMWORK = "http://data.europa.eu/esco/skill/mini-teamwork"


def test_layout_11_plain_csv(mini_taxonomy: Taxonomy) -> None:
    s = summarise(mini_taxonomy)
    assert (s.occupations, s.skills, s.isco_groups, s.skill_groups) == (9, 31, 29, 7)
    assert s.occupation_skill_relations == {"total": 46, "essential": 27, "optional": 19}
    assert s.skill_skill_relations == 3
    assert mini_taxonomy.version == "1.1.0"


def test_layout_12_gzipped_crlf_gives_the_same_graph(mini_taxonomy: Taxonomy) -> None:
    tax12 = read_esco_package(MINI_ESCO_12, ("en",))
    assert tax12.version == "1.2.0"
    assert set(tax12.concepts) == set(mini_taxonomy.concepts)
    assert set(tax12.occupation_skills) == set(mini_taxonomy.occupation_skills)
    assert set(tax12.broader) == set(mini_taxonomy.broader)
    assert set(tax12.collections) == set(mini_taxonomy.collections)


def test_model_fields(mini_taxonomy: Taxonomy) -> None:
    nurse = mini_taxonomy.concepts[NURSE]
    assert nurse.kind == "Occupation" and nurse.code == "2221.1" and nurse.isco_group == "2221"
    assert nurse.labels["en"].preferred == "nurse responsible for general care"
    assert "registered nurse" in nurse.labels["en"].alt
    python = mini_taxonomy.concepts[PYTHON]
    assert (python.skill_type, python.reuse_level) == ("knowledge", "sector-specific")
    assert all(c.version == "1.1.0" for c in mini_taxonomy.concepts.values())
    assert ("transversal", TEAMWORK) in {(m.collection, m.concept) for m in mini_taxonomy.collections}


def test_danish_package_gives_danish_skill_labels_without_code_change(mini_taxonomy: Taxonomy) -> None:
    assert mini_taxonomy.concepts[TEAMWORK].labels["da"].preferred == "samarbejde"
    assert mini_taxonomy.concepts[NURSE].labels["da"].preferred == "sygeplejerske"


def test_danish_label_file_adds_alternatives_and_skips_unknown() -> None:
    tax = read_taxonomy(MINI_ESCO, ("en",), [MINI_DA_LABELS])
    cook = tax.concepts["http://data.europa.eu/esco/occupation/mini-cook"]
    assert cook.labels["da"].preferred == "kok" and "køkkenchef" in cook.labels["da"].alt
    assert tax.skipped["occupation_labels_da.tsv: label for a concept not in the package"] == 1
    assert "da" in tax.languages


def test_quirks_are_reported_not_fatal(mini_taxonomy: Taxonomy) -> None:
    assert mini_taxonomy.skipped["occupationSkillRelations: occupation not in the package"] == 1
    assert mini_taxonomy.stubs["skill group used but not listed in skillGroups"] == 1
    stub = mini_taxonomy.concepts["http://data.europa.eu/esco/skill/mini-group-unlisted"]
    assert stub.stub and stub.labels["en"].preferred == "cleaning and maintenance"


def test_multivalued_cells_split_on_newlines_and_pipes() -> None:
    assert split_labels("a\nb\r\nc") == ("a", "b", "c")
    assert split_labels("x | y | x") == ("x", "y")
    assert split_labels("") == ()


def test_missing_required_file_names_the_file(tmp_path: Path) -> None:
    pkg = tmp_path / "1.1.5"
    shutil.copytree(MINI_ESCO, pkg)
    (pkg / "en" / "occupations_en.csv").unlink()
    with pytest.raises(EscoPackageError, match="occupations_en.csv"):
        read_esco_package(pkg, ("en",))


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EscoPackageError, match="not found"):
        read_esco_package(tmp_path / "nope", ("en",))


def test_missing_skills_file_is_noted_not_fatal(tmp_path: Path) -> None:
    pkg = tmp_path / "1.2.7"
    shutil.copytree(MINI_ESCO_12, pkg)
    (pkg / "en" / "skills_en.csv.gz").unlink()
    tax = read_esco_package(pkg, ("en",))
    assert summarise(tax).skills == 0 and summarise(tax).occupations == 9
    assert any("skills_en.csv is missing" in n for n in tax.notes)
    assert tax.skipped["occupationSkillRelations: skill not in the package"] == 46


def test_malformed_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    pkg = tmp_path / "1.1.6"
    shutil.copytree(MINI_ESCO, pkg)
    rel = pkg / "relations" / "occupationSkillRelations.csv"
    with rel.open("a", encoding="utf-8") as fh:
        fh.write(f"{NURSE},sometimes,,{PYTHON}\n")  # unknown relation type
        fh.write(f"{NURSE},essential,,http://data.europa.eu/esco/skill/unknown\n")
        fh.write("garbage\n")
    occ = pkg / "en" / "occupations_en.csv"
    with occ.open("a", encoding="utf-8") as fh:
        fh.write("Occupation,not-a-uri,1234,broken,,,released,,,,,,,\n")
    tax = read_esco_package(pkg, ("en",))
    assert tax.skipped["occupationSkillRelations: unknown relationType"] == 2  # incl. the garbage row
    assert tax.skipped["occupationSkillRelations: skill not in the package"] == 1
    assert tax.skipped["occupations_en.csv: row without a valid conceptUri"] == 1
    assert len(tax.occupation_skills) == 46


def test_unreadable_gzip_names_the_file(tmp_path: Path) -> None:
    pkg = tmp_path / "1.2.8"
    shutil.copytree(MINI_ESCO_12, pkg)
    (pkg / "en" / "skills_en.csv.gz").write_bytes(gzip.compress(b"conceptUri\n")[:12])
    with pytest.raises(EscoPackageError, match="skills_en.csv.gz"):
        read_esco_package(pkg, ("en",))


def test_version_can_be_given(tmp_path: Path) -> None:
    assert read_esco_package(MINI_ESCO, ("en",), version="9.9").version == "9.9"


def test_requested_language_without_files_is_noted() -> None:
    tax = read_esco_package(MINI_ESCO_12, ("en", "sv"))
    assert any("'sv'" in n for n in tax.notes)
    with pytest.raises(EscoPackageError, match="occupations_sv.csv"):
        read_esco_package(MINI_ESCO_12, ("sv",))
