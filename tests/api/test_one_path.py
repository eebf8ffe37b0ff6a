"""One path for every served list: the API, the CLI and the nightly batch serve the same CV through the
same use case, so with a trial configured they give the same arm behaviour and file records with the
same metadata (municipality, versions, reading model) — and the crowding guard acts in the batch too."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from api.app import create_app
from api.cli import main
from api.settings import Settings
from graph.accountability.trial import CONTROL
from graph.backends.memory.graph_store import MemoryStore
from graph.ledger import AuditQuery, AuditRecord
from graph.matching.vocabulary import AUDIT_EVENT_NAMES
from tests.api.conftest import Tokens, ValidatingClient, bearer, sample_cvs

SHARE = 0.5
CVS_0101 = [c for c in sample_cvs() if c.municipality == "0101"]


# Permuted blocks of 4 (2 treatment, 2 control): the first three 0101 citizens always include both arms.
SEED = "one-path"
EVENTS = tuple(sorted(AUDIT_EVENT_NAMES))  # trial assignments and reads: not served lists


@pytest.fixture
def trial_settings(settings: Settings) -> Settings:
    return replace(settings, trial_seed=SEED, trial_treatment_share=SHARE, crowding_cap_per_week=50)


@pytest.fixture
def trial_client(trial_settings: Settings, store: MemoryStore) -> FlaskClient:
    app = create_app(trial_settings, store=store)
    app.test_client_class = ValidatingClient
    return app.test_client()


@pytest.fixture
def cli_env(trial_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's settings come from the environment: the same ones the API was built with."""
    env = {"JOBMATCH_STORE": "memory", "JOBMATCH_DATA_DIR": str(trial_settings.data_dir),
           "JOBMATCH_TRIAL_SEED": SEED, "JOBMATCH_TRIAL_TREATMENT_SHARE": str(SHARE),
           "JOBMATCH_CROWDING_CAP_PER_WEEK": str(trial_settings.crowding_cap_per_week),
           "JOBMATCH_READING_MODEL": trial_settings.reading_model,
           "JOBMATCH_PSEUDONYM_KEY": trial_settings.pseudonym_key or ""}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("JOBMATCH_TRIAL_NAME", "JOBMATCH_LOCAL_ADDITIONS"):
        monkeypatch.delenv(key, raising=False)


def _metadata(rec: AuditRecord) -> dict[str, Any]:
    body = json.loads(rec.body)
    return {"municipality": rec.municipality, "strategy": rec.strategy, "algorithm": rec.algorithm_version,
            "settings": rec.settings_hash, "ontology": rec.ontology_version,
            "local_additions": rec.local_additions_version, "arm": body["trial_arm"], "trial": body["trial"],
            "reading_model": body["reading_model"], "effective": body["effective_request"]["strategy"],
            "notes": body["result"]["notes"]}


def _records(store: MemoryStore, actor: str) -> dict[tuple[str, str], AuditRecord]:
    """The latest record per (CV, kind) filed by ``actor``."""
    out = {}
    for rec in store.audit_records(AuditQuery(actor=actor, limit=10_000, exclude_kinds=EVENTS)):
        kind = json.loads(rec.body)["request"]["kind"]
        out[(rec.cv_id, kind)] = rec
    return out


@pytest.mark.usefixtures("cli_env")
def test_api_cli_and_batch_serve_alike(trial_client: FlaskClient, tokens: Tokens, store: MemoryStore,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    for c in CVS_0101:
        for kind in ("matches", "alternatives"):
            resp = trial_client.get(f"/api/v1/cvs/{c.id}/{kind}", headers=bearer(tokens.consultant))
            assert resp.status_code == 200, resp.get_json()
            assert main(["alternatives" if kind == "alternatives" else "match", c.id, "--json"]) == 0
    assert main(["batch", "--workers", "1"]) == 0
    capsys.readouterr()

    api = _records(store, tokens.consultant_id)
    cli = {}  # the CLI files as cli:<user>
    for rec in store.audit_records(AuditQuery(limit=10_000)):
        if rec.actor.startswith("cli:"):
            cli[(rec.cv_id, json.loads(rec.body)["request"]["kind"])] = rec
    batch = _records(store, "batch")
    keys = {(c.id, kind) for c in CVS_0101 for kind in ("matches", "alternatives")}
    assert keys <= set(api) and keys <= set(cli) and keys <= set(batch)

    arms = set()
    for key in sorted(keys):
        a, c, b = _metadata(api[key]), _metadata(cli[key]), _metadata(batch[key])
        assert a == c == b, key
        assert a["municipality"] == "0101"  # filed under the citizen's municipality, whoever asked
        assert a["local_additions"] and a["ontology"] and a["reading_model"] == "lexical"
        arms.add(a["arm"])
        if a["arm"] == CONTROL:
            # Control citizens never get graph suggestions, from any path.
            assert a["strategy"] in ("automatch", "alternatives")
            for rec in (api[key], cli[key], batch[key]):
                result = json.loads(rec.body)["result"]
                assert result["strategy"] != "graph" and result["alternatives"] == []
    assert arms == {"control", "treatment"}
    # Each strategy cites its own algorithm version.
    versions = {_metadata(r)["strategy"]: _metadata(r)["algorithm"] for r in api.values()}
    assert len(set(versions.values())) == len(versions)


@pytest.mark.usefixtures("cli_env")
def test_the_batch_applies_the_crowding_guard(trial_settings: Settings, store: MemoryStore, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    cooks = [replace(CVS_0101[0], id=f"cv-cook-{i}") for i in range(4)]
    store.upsert_cvs(cooks)
    monkeypatch.setenv("JOBMATCH_TRIAL_TREATMENT_SHARE", "1.0")  # everyone treated
    monkeypatch.setenv("JOBMATCH_CROWDING_CAP_PER_WEEK", "1")
    store.close()
    assert main(["batch", "--workers", "1"]) == 0
    assert "held back by the crowding guard" in capsys.readouterr().out
    again = MemoryStore(trial_settings.data_dir).open()
    try:
        shown: dict[str, int] = {}
        held = 0
        for rec in again.audit_records(AuditQuery(actor="batch", limit=10_000, exclude_kinds=EVENTS)):
            body = json.loads(rec.body)
            held += len(body["held_back"])
            for s in body["result"]["suggestions"]:
                shown[s["posting"]["id"]] = shown.get(s["posting"]["id"], 0) + 1
    finally:
        again.close()
    assert held > 0
    assert max(shown.values()) == 1  # no posting shown to more than the cap of treated citizens this week
