"""The accountability commands end to end on an embedded store in a temporary data directory."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from api.cli import main
from graph.accountability.audit import Actor
from graph.accountability.serving import ListServer, ServeRequest, ServingPolicy
from graph.backends.memory.graph_store import JOURNAL, MemoryStore
from graph.ledger import AuditQuery, Feedback
from ontology.model import Taxonomy
from tests.matching_data import POSTINGS, TODAY, O, cv


@pytest.fixture
def data_dir(tmp_path: Path, mini_taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch) -> Path:
    store = MemoryStore(tmp_path).open()
    store.upsert_taxonomy(mini_taxonomy)
    store.upsert_postings(POSTINGS)
    store.upsert_cvs([cv("cook-1", ["dishes", "meat", "foodsafety", "teamwork"], seeks=(O("cook"),)),
                      cv("dev-1", ["python", "sql", "teamwork"], seeks=(O("softdev"),))])
    store.close()
    monkeypatch.setenv("JOBMATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JOBMATCH_STORE", "memory")
    return tmp_path


def _match(capsys: pytest.CaptureFixture[str], cv_id: str, *extra: str) -> dict[str, object]:
    assert main(["match", cv_id, "--valid-on", TODAY, "--json", *extra]) == 0
    out: dict[str, object] = json.loads(capsys.readouterr().out)
    return out


def test_verify_export_and_tamper(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = _match(capsys, "cook-1")
    _match(capsys, "dev-1")
    assert main(["audit", "verify"]) == 0
    assert "2 records checked" in capsys.readouterr().out
    assert main(["audit", "export", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["id"] == first["recommendation_id"] and rows[0]["item"] == "p-cook-1"
    assert json.loads(rows[0]["paths"])[0][0][1] == "HAS_SKILL"
    assert main(["audit", "export", "--cv", "dev-1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["cv_id"] == "dev-1"
    db = sqlite3.connect(data_dir / JOURNAL)
    db.execute("UPDATE audit SET municipality = 'x' WHERE seq = 1")
    db.commit()
    db.close()
    assert main(["audit", "verify"]) == 1
    assert "BROKEN at record seq 1" in capsys.readouterr().out


def test_replay_identical_then_differs(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rec = _match(capsys, "cook-1")
    assert main(["audit", "replay", str(rec["recommendation_id"])]) == 0
    assert "IDENTICAL" in capsys.readouterr().out
    store = MemoryStore(data_dir).open()
    cook = next(p for p in POSTINGS if p.id == "p-cook-1")
    store.upsert_postings([replace(cook, requirements=cook.requirements[:1])])
    store.close()
    assert main(["audit", "replay", str(rec["recommendation_id"])]) == 1
    out = capsys.readouterr().out
    assert "DIFFERS" in out and "p-cook-1" in out
    assert main(["audit", "replay", "no-such-record"]) == 2


def test_citizen_explanation_is_danish_and_grounded(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rec = _match(capsys, "cook-1")
    assert main(["citizen", "explain", str(rec["recommendation_id"])]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Dette job som «Cook for busy restaurant» er foreslået, fordi du har erfaring med")
    assert "prepare meat dishes" in text and "km fra din bopæl" in text and "din rådgiver" in text
    assert main(["citizen", "export", "cook-1"]) == 0
    export = json.loads(capsys.readouterr().out)
    assert export["cv"]["id"] == "cook-1" and len(export["recommendations"]) == 1


def test_feedback_summary_and_fairness(data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = MemoryStore(data_dir).open()
    day = date.fromisoformat(TODAY)
    actor = Actor("tok", "consultant", "0101")
    server = ListServer(store, store, ServingPolicy())
    a = server.serve(store.get_cvs(["cook-1"])["cook-1"], actor, ServeRequest(valid_on=TODAY), today=day)
    server.serve(store.get_cvs(["dev-1"])["dev-1"], actor, ServeRequest(kind="alternatives", valid_on=TODAY), today=day)
    for i, verdict in enumerate(["useful", "applied", "not_useful"]):
        store.add_feedback(Feedback(f"f{i}", f"2026-11-21T10:0{i}:00", a.record.id, "cook-1", "p-cook-1",
                                    verdict, "", "tok", "0101", "graph"))
    store.close()
    assert main(["feedback", "summary"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["per_strategy"]["graph"] == {"useful": 1, "not_useful": 1, "applied": 1, "discussed": 0,
                                                "dismissed": 0, "flagged": 0, "total": 3,
                                                "useful_or_applied_share": 0.6667}
    assert summary["per_strategy_and_isco_major_group"][0]["isco_major_group"] == "5"
    groups = tmp_path / "groups.csv"
    groups.write_text("cv_id,band\ncook-1,A\ndev-1,B\n", encoding="utf-8")
    assert main(["fairness", "report", "--groups", str(groups)]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["by"]["band"]["A"] == {"citizens": 1, "suppressed": True}  # one citizen: count only
    html = tmp_path / "fairness.html"
    assert main(["fairness", "report", "--groups", str(groups), "--min-group", "1", "--html", str(html)]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["by"]["band"]["A"]["shown_direct_matches"]["graph"]["share"] == 1.0
    assert rep["by"]["band"]["B"]["shown_alternatives"]["n"] == 1
    assert "<table>" in html.read_text("utf-8") and "Lighedsrapport" in html.read_text("utf-8")
    assert main(["fairness", "report", "--groups", str(groups), "--min-group", "0"]) == 2


def test_trial_assign_and_export(data_dir: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["trial", "assign"]) == 2  # no trial configured: a clear error, not a crash
    monkeypatch.setenv("JOBMATCH_TRIAL_SEED", "seed-for-test")
    assert main(["trial", "assign"]) == 0
    first = capsys.readouterr().out
    assert main(["trial", "assign"]) == 0
    assert capsys.readouterr().out == first  # stable
    assert main(["trial", "export"]) == 0
    out, err = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sorted(r["cv_id"] for r in rows) == ["cook-1", "dev-1"]
    assert {r["arm"] for r in rows} <= {"treatment", "control"}
    assert {r["block_size"] for r in rows} == {"4"} and sorted(r["position"] for r in rows) in (["0", "1"], ["0", "0"])
    assert "permuted blocks of 4" in err and "treatment /" in err


def test_batch_command_records_every_cv(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", "--valid-on", TODAY, "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "batch: 2 CVs" in out and "2 with direct matches" in out
    store = MemoryStore(data_dir).open()
    try:
        records = store.audit_records(AuditQuery())
        assert [(r.cv_id, r.strategy, r.actor) for r in records] == [
            ("cook-1", "graph", "batch"), ("cook-1", "alternatives", "batch"),
            ("dev-1", "graph", "batch"), ("dev-1", "alternatives", "batch")]
    finally:
        store.close()
    assert main(["audit", "verify"]) == 0


def test_long_commands_say_how_far_they_got_without_a_terminal(data_dir: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", "--valid-on", TODAY, "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "batch: 2/2 CVs after" in err and "\r" not in err  # plain lines, not a bar, when not on a terminal
