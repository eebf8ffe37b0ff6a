"""``jobmatch ingest``: bad lines reported by number while good ones load; re-runs update; no PII in logs."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import api.cli.documents as documents_cli
from api.cli import main
from graph.accountability.audit import Actor
from graph.backends.memory.graph_store import MemoryStore
from graph.matching.geo import Gazetteer
from graph.store import Store
from loaders.documents import ingest_cvs, ingest_postings, read_documents
from loaders.mentions import Extraction, OccupationMention
from loaders.privacy import PseudonymKey, pseudonymise
from ontology.model import Taxonomy
from tests.fixtures.documents.keyword_extractor import KeywordExtractor

DOCS = Path(__file__).resolve().parent.parent / "fixtures" / "documents"
KEY_TEXT = "cli-test-key-0123456789abcdefghijklmnop"
KEY = PseudonymKey(KEY_TEXT.encode())
TODAY = date(2026, 1, 15)
PII = ("Mette", "Sørensen", "Kirstine", "mette.k.sorensen", "120370", "22 33 44 55", "0101-A4711", "John", "Smith",
       "0751-B0042", "Anne-Marie", "Østergaard", "0461-C777", "31415926")
CV_TEXT = ("truckkørsel", "kundeservice", "Hotel Royal", "prepare meat dishes", "structured query language")
# (line, field) of each bad line in cvs.jsonl: broken JSON, a gender field, a negative max_km, an
# unknown postcode, an array instead of an object. Line 6 is blank and not counted.
OPERATOR = Actor("cli:test", "admin", "")
CV_REJECTIONS = [(2, ""), (3, "/gender"), (4, "/max_km"), (7, "/postcode"), (9, "")]


@pytest.fixture
def store(tmp_path: Path, mini_taxonomy: Taxonomy) -> Iterator[MemoryStore]:
    s = MemoryStore(tmp_path / "data").open()
    s.upsert_taxonomy(mini_taxonomy)
    yield s
    s.close()


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load(DOCS / "geo")


def _ingest(store: MemoryStore, gazetteer: Gazetteer, path: Path = DOCS / "cvs.jsonl", **kw: Any) -> Any:
    extractor = kw.pop("extractor", None) or KeywordExtractor.from_store(store)
    return ingest_cvs(read_documents(path), store, extractor=extractor, gazetteer=gazetteer, key=KEY, today=TODAY,
                      ledger=store, actor=OPERATOR, **kw)


# -- the ingestion core ------------------------------------------------------------------------------
def test_bad_lines_are_reported_by_number_while_good_ones_load(store: MemoryStore, gazetteer: Gazetteer) -> None:
    report = _ingest(store, gazetteer)
    assert (report.read, report.loaded, report.rejected) == (8, 3, 5)
    assert [(e.line, e.field) for e in report.errors] == CV_REJECTIONS
    assert store.cv_ids() == sorted(pseudonymise(r, KEY) for r in ("0101-A4711", "0461-C777", "0751-B0042"))


def test_reingesting_updates_and_never_duplicates(store: MemoryStore, gazetteer: Gazetteer, tmp_path: Path) -> None:
    _ingest(store, gazetteer)
    _ingest(store, gazetteer)
    assert len(store.cv_ids()) == 3
    changed = json.loads((DOCS / "cv_en.json").read_text("utf-8")) | {"max_km": 80}
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(changed) + "\n", "utf-8")
    _ingest(store, gazetteer, path)
    pid = pseudonymise("0751-B0042", KEY)
    assert len(store.cv_ids()) == 3 and store.get_cvs([pid])[pid].max_km == 80.0


def test_the_same_id_twice_in_one_batch_keeps_the_later(store: MemoryStore, gazetteer: Gazetteer,
                                                        tmp_path: Path) -> None:
    doc = json.loads((DOCS / "cv_en.json").read_text("utf-8"))
    path = tmp_path / "twice.jsonl"
    path.write_text(json.dumps(doc) + "\n" + json.dumps(doc | {"max_km": 5}) + "\n", "utf-8")
    report = _ingest(store, gazetteer, path)
    assert report.loaded == 2 and store.cv_ids() == [pseudonymise("0751-B0042", KEY)]
    assert store.get_cvs(store.cv_ids())[store.cv_ids()[0]].max_km == 5.0


class _Crashing:
    """An extractor that fails on a chosen call, as a crash in the middle of a file would."""

    def __init__(self, inner: KeywordExtractor, fail_on: str) -> None:
        self.inner, self.fail_on = inner, fail_on

    def extract(self, text: str, *, lang: str = "auto", kind: str = "cv") -> Extraction:
        if self.fail_on in text:
            raise RuntimeError("extractor crashed")
        return self.inner.extract(text, lang=lang, kind=kind)

    def link_title(self, title: str, *, lang: str = "auto") -> list[OccupationMention]:
        return self.inner.link_title(title, lang=lang)


def test_a_crash_leaves_whole_batches_and_a_rerun_completes(store: MemoryStore, gazetteer: Gazetteer,
                                                            tmp_path: Path) -> None:
    crashing = _Crashing(KeywordExtractor.from_store(store), fail_on="structured query language")
    with pytest.raises(RuntimeError):
        _ingest(store, gazetteer, batch_size=1, extractor=crashing)  # crashes on the JSON Resume CV (line 5)
    assert store.cv_ids() == [pseudonymise("0101-A4711", KEY)]  # the batch before the crash, whole
    reopened = MemoryStore(tmp_path / "data").open()
    assert reopened.get_cvs(reopened.cv_ids()) == store.get_cvs(store.cv_ids())
    reopened.close()
    report = _ingest(store, gazetteer, batch_size=1)
    assert report.loaded == 3 and len(store.cv_ids()) == 3


def test_logs_hold_counts_and_pseudonyms_never_cv_text_or_names(store: MemoryStore, gazetteer: Gazetteer,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _ingest(store, gazetteer)
    logged = caplog.text
    assert pseudonymise("0101-A4711", KEY) in logged
    assert "read 8, loaded 3, rejected 5" in logged
    assert "line 3 rejected at /gender" in logged
    for secret in (*PII, *CV_TEXT, "female"):
        assert secret.lower() not in logged.lower(), secret


def test_expired_postings_load_and_bad_postings_are_reported(store: MemoryStore, gazetteer: Gazetteer) -> None:
    report = ingest_postings(read_documents(DOCS / "postings.jsonl"), store,
                             extractor=KeywordExtractor.from_store(store), gazetteer=gazetteer, ledger=store, actor=OPERATOR)
    assert (report.read, report.loaded, report.rejected) == (5, 3, 2)
    assert [(e.line, e.field) for e in report.errors] == [(3, "/title"), (5, "/valid_through")]
    assert sorted(store.get_postings(["jobnet:48213", "jobindex:r123", "jobnet:40001"])) == [
        "jobindex:r123", "jobnet:40001", "jobnet:48213"]


def test_dry_run_writes_nothing(store: MemoryStore, gazetteer: Gazetteer) -> None:
    report = _ingest(store, gazetteer, dry_run=True)
    assert report.loaded == 3 and store.cv_ids() == []


# -- the command -------------------------------------------------------------------------------------
@pytest.fixture
def cli_env(tmp_path: Path, mini_taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir holding the mini taxonomy, the environment the command reads, and the keyword
    extractor in place of the spaCy one (built from the same store's labels)."""
    data = tmp_path / "data"
    s = MemoryStore(data).open()
    s.upsert_taxonomy(mini_taxonomy)
    s.close()
    for name in ("JOBMATCH_PSEUDONYM_KEY", "JOBMATCH_GEO_DIR", "JOBMATCH_STORE", "JOBMATCH_DATA_DIR",
                 "JOBMATCH_LOCAL_ADDITIONS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JOBMATCH_PSEUDONYM_KEY", KEY_TEXT)
    monkeypatch.setenv("JOBMATCH_GEO_DIR", str(DOCS / "geo"))

    def keyword_extractor(store: Store, local_additions: Path | None = None, reading: object = None) -> KeywordExtractor:
        return KeywordExtractor.from_store(store)

    monkeypatch.setattr(documents_cli, "extractor_for", keyword_extractor)
    return data


def _stored_cvs(data: Path) -> list[str]:
    s = MemoryStore(data).open()
    try:
        return s.cv_ids()
    finally:
        s.close()


def test_cli_reports_bad_lines_and_exits_1(cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.json"
    rc = main(["--data-dir", str(cli_env), "ingest", "cvs", str(DOCS / "cvs.jsonl"), "--json",
               "--report", str(report), "--today", "2026-01-15"])
    out, err = capsys.readouterr()
    assert rc == 1
    summary = json.loads(out)
    assert set(summary) == {"read", "loaded", "rejected", "errors", "ids"}
    assert [i["line"] for i in summary["ids"]] == [1, 5, 8]  # the pseudonym of every loaded line
    assert (summary["read"], summary["loaded"], summary["rejected"]) == (8, 3, 5)
    assert [(e["line"], e["field"]) for e in summary["errors"]] == CV_REJECTIONS
    assert json.loads(report.read_text("utf-8")) == summary
    assert "cvs.jsonl: line 3: /gender: " in err and "line 7: /postcode: unknown Danish postcode" in err
    for secret in PII:
        assert secret not in out + err + report.read_text("utf-8"), secret
    assert len(_stored_cvs(cli_env)) == 3


def test_cli_rerun_is_idempotent_and_all_good_exits_0(cli_env: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--data-dir", str(cli_env), "ingest", "cvs", str(DOCS / "cv_jsonresume.json")]
    assert main(args) == 0
    assert main(args) == 0
    assert "cvs: read 1, loaded 1, rejected 0" in capsys.readouterr().out
    assert _stored_cvs(cli_env) == [pseudonymise("0461-C777", KEY)]


def test_cli_refuses_cvs_without_a_pseudonym_key(cli_env: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("JOBMATCH_PSEUDONYM_KEY")
    rc = main(["--data-dir", str(cli_env), "ingest", "cvs", str(DOCS / "cvs.jsonl")])
    assert rc == 2
    assert "JOBMATCH_PSEUDONYM_KEY" in capsys.readouterr().err
    assert _stored_cvs(cli_env) == []


@pytest.mark.parametrize("content", [b"", b"this is not json\nnor is this\n", b'[{"id": "a"},'])
def test_cli_exits_2_on_unusable_input(cli_env: Path, tmp_path: Path, content: bytes,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(content)
    assert main(["--data-dir", str(cli_env), "ingest", "cvs", str(path)]) == 2
    assert capsys.readouterr().err
    assert _stored_cvs(cli_env) == []


def test_cli_exits_2_on_a_missing_file(cli_env: Path, tmp_path: Path) -> None:
    assert main(["--data-dir", str(cli_env), "ingest", "postings", str(tmp_path / "nope.jsonl")]) == 2


def test_cli_ingests_postings_without_a_key(cli_env: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("JOBMATCH_PSEUDONYM_KEY")
    rc = main(["--data-dir", str(cli_env), "ingest", "postings", str(DOCS / "postings.jsonl"), "--json"])
    assert rc == 1
    assert json.loads(capsys.readouterr().out)["loaded"] == 3


@pytest.mark.slow
def test_cli_with_the_spacy_extractor(tmp_path: Path, mini_taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """End to end with the real extractor built from the store's labels: the port needs no adapter."""
    data = tmp_path / "data"
    s = MemoryStore(data).open()
    s.upsert_taxonomy(mini_taxonomy)
    s.close()
    monkeypatch.setenv("JOBMATCH_PSEUDONYM_KEY", KEY_TEXT)
    monkeypatch.setenv("JOBMATCH_GEO_DIR", str(DOCS / "geo"))
    monkeypatch.delenv("JOBMATCH_LOCAL_ADDITIONS", raising=False)
    shutil.copy(DOCS / "cvs.jsonl", tmp_path / "cvs.jsonl")
    # the default reading model (packaged e5-small): its index is built once, then ingestion reads with it
    assert main(["--data-dir", str(data), "reading", "build"]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(data), "ingest", "cvs", str(tmp_path / "cvs.jsonl"), "--json"]) == 1
    ids = json.loads(capsys.readouterr().out)["ids"]
    # every loaded line's pseudonym is listed: the job centre cannot compute it
    assert {"line": 1, "id": pseudonymise("0101-A4711", KEY)} in ids
    assert main(["--data-dir", str(data), "cvs", "lookup", "0101-A4711"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == pseudonymise("0101-A4711", KEY)
    assert main(["--data-dir", str(data), "cvs", "lookup", "0101-NOBODY"]) == 2
    assert main(["--data-dir", str(data), "ingest", "postings", str(DOCS / "postings.jsonl"), "--json"]) == 1
    capsys.readouterr()
    s = MemoryStore(data).open()
    try:
        mette = s.get_cvs([pseudonymise("0101-A4711", KEY)])[pseudonymise("0101-A4711", KEY)]
        skills = {sk.skill.rsplit("/", 1)[1]: sk.source for sk in mette.skills}
        assert skills["mini-forklift"] == "declared" and skills["mini-customers"] == "text"
        assert "http://data.europa.eu/esco/occupation/mini-warehouse" in mette.seeks
        stored = json.dumps([str(c) for c in s.get_cvs(s.cv_ids()).values()], ensure_ascii=False)
        for secret in PII:
            assert secret not in stored, secret
        kinds = {r.skill.rsplit("/", 1)[1]: r.kind for r in s.get_postings(["jobnet:48213"])["jobnet:48213"].requirements}
        assert kinds["mini-forklift"] == "essential" and kinds["mini-customers"] == "optional"
    finally:
        s.close()
    # the skills inferred from the occupation Mette seeks are settled from the command line too
    mette_id = pseudonymise("0101-A4711", KEY)
    s = MemoryStore(data).open()
    inferred = sorted(sk.skill for sk in s.get_cvs([mette_id])[mette_id].skills if sk.source == "inferred")
    s.close()
    assert inferred, "seeking an occupation infers its essential skills"
    capsys.readouterr()
    assert main(["--data-dir", str(data), "cvs", "reject", mette_id, "--skill", inferred[0]]) == 0
    assert json.loads(capsys.readouterr().out)["rejected"] == [inferred[0]]
    assert main(["--data-dir", str(data), "cvs", "confirm", mette_id, "--all"]) == 0
    assert json.loads(capsys.readouterr().out) == {"id": mette_id, "confirmed": inferred[1:], "inferred_left": 0}
    assert main(["--data-dir", str(data), "cvs", "confirm", mette_id, "--skill", "http://x/not-inferred"]) == 2
    s = MemoryStore(data).open()
    try:
        cv = s.get_cvs([mette_id])[mette_id]
        assert inferred[0] in cv.rejected
        assert all(next(e for e in sk.evidence).by.startswith("cli:") for sk in cv.skills if sk.skill in inferred[1:])
    finally:
        s.close()
