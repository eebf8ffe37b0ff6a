"""The local additions file: its validation, the packaged Danish synonyms, and their ESCO URIs."""

from __future__ import annotations

import csv
import gzip
import os
from importlib import resources
from pathlib import Path

import pytest

from loaders.extract import (
    LocalAdditionsError,
    packaged_local_additions,
    parse_local_additions,
    read_local_additions,
)

ROOT = Path(__file__).resolve().parents[2]
TEAMS = "http://data.europa.eu/esco/skill/60c78287-22eb-4103-9c8c-28deaa460da0"
FORKLIFT = "http://data.europa.eu/esco/skill/28cb374e-6261-4133-8371-f9a5470145da"
HEADER = "conceptUri\tlang\tlabel\tnote\n"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared data folder (JOBMATCH_SHARED, default ../shared next to the repo); fails if absent."""
    path = Path(os.environ.get("JOBMATCH_SHARED") or ROOT.parent / "shared")
    if not (path / "esco/1.1.1/en/skills_en.csv.gz").exists():
        pytest.fail(f"ESCO 1.1.1 not found under {path}: set JOBMATCH_SHARED to the shared data folder")
    return path


def test_parse_valid_rows_skipping_comments() -> None:
    text = f"# a comment\n{HEADER}{TEAMS}\tda\tsamarbejde\tESCO: work in teams\n\n# more\n{FORKLIFT}\tda\ttruckcertifikat\t\n"
    rows = parse_local_additions(text, "x.tsv", known_uris={TEAMS, FORKLIFT})
    assert [(r.uri, r.lang, r.label, r.line) for r in rows] == [
        (TEAMS, "da", "samarbejde", 3), (FORKLIFT, "da", "truckcertifikat", 6)]


def test_unknown_uri_is_an_error_naming_the_line() -> None:
    text = f"{HEADER}{TEAMS}\tda\tsamarbejde\t\n{FORKLIFT}\tda\ttruckcertifikat\t\n"
    with pytest.raises(LocalAdditionsError, match=r"x\.tsv:3: conceptUri .*28cb374e.* is not in the loaded ESCO"):
        parse_local_additions(text, "x.tsv", known_uris={TEAMS})


def test_duplicate_label_is_an_error_naming_both_lines() -> None:
    text = f"{HEADER}{TEAMS}\tda\tSamarbejde\t\n{FORKLIFT}\tda\tsamarbejde\t\n"
    with pytest.raises(LocalAdditionsError, match=r"x\.tsv:3: label 'samarbejde' \(da\) is mapped to two concepts: \S+ on line 2"):
        parse_local_additions(text, "x.tsv")


def test_same_label_in_two_languages_is_fine() -> None:
    text = f"{HEADER}{TEAMS}\tda\tteamwork\t\n{TEAMS}\ten\tteamwork\t\n"
    assert len(parse_local_additions(text)) == 2


@pytest.mark.parametrize(("row", "message"), [
    ("http://example.org/x\tda\tsamarbejde\t", "malformed conceptUri"),
    (f"{TEAMS}\tdanish\tsamarbejde\t", "bad language code"),
    (f"{TEAMS}\tda\t \t", "empty label"),
])
def test_bad_rows_are_errors(row: str, message: str) -> None:
    with pytest.raises(LocalAdditionsError, match=rf"x\.tsv:2: {message}"):
        parse_local_additions(f"{HEADER}{row}\n", "x.tsv")


def test_missing_column_is_an_error() -> None:
    with pytest.raises(LocalAdditionsError, match="missing column.*lang"):
        parse_local_additions("conceptUri\tlabel\n", "x.tsv")


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LocalAdditionsError, match="not found"):
        read_local_additions(tmp_path / "nope.tsv")


def test_packaged_file_is_valid_and_covers_common_danish_skills() -> None:
    rows = packaged_local_additions()
    labels = {r.label.casefold() for r in rows}
    assert len(rows) >= 1500
    assert {r.lang for r in rows} == {"da", "en"}  # English: a few titles ESCO holds only in longer labels
    for word in ("kontraktret", "persondataret", "cand.jur.", "cand.psych", "ac-fuldmægtig", "sårpleje"):
        assert word in labels, word
    for word in ("samarbejde", "kommunikation", "selvstændig", "rengøring", "kundeservice", "truckkørsel",
                 "pædagogik", "madlavning", "regnskab", "omsorg", "personlig pleje", "truckcertifikat"):
        assert word in labels, word


def test_packaged_rows_for_concepts_not_loaded_are_left_out() -> None:
    assert [r.label for r in packaged_local_additions(known_uris={FORKLIFT})][:2] == ["truckcertifikat", "truckkort"]
    with pytest.raises(LocalAdditionsError, match=r"local_additions_da\.tsv:\d+: conceptUri"):
        packaged_local_additions(known_uris={FORKLIFT}, strict=True)


def test_packaged_file_ships_with_the_package() -> None:
    assert resources.files("loaders").joinpath("data/local_additions_da.tsv").is_file()


@pytest.mark.esco
def test_every_packaged_uri_exists_in_esco_1_1_1(shared_dir: Path) -> None:
    notes: dict[str, str] = {}
    for name in ("skills_en", "occupations_en"):  # skill synonyms, and degree and job titles
        with gzip.open(shared_dir / f"esco/1.1.1/en/{name}.csv.gz", "rt", encoding="utf-8", newline="") as f:
            notes.update({r["conceptUri"]: r["preferredLabel"] for r in csv.DictReader(f)})
    rows = packaged_local_additions(known_uris=notes, strict=True)  # raises, naming the line, if unknown
    # The note names the English label the URI was looked up by: it must be that concept's label.
    for r in rows:
        assert r.note == f"ESCO: {notes[r.uri].strip()}", (r.line, r.label)
