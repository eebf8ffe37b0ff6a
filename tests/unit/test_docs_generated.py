"""``jobmatch docs technical`` writes the Annex IV documentation, a model card and a DPIA worksheet in Danish
and English from the running system: its versions, every setting with its reason, the audit trail's state."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from api.cli import main
from api.cli.docs import setting_reasons
from graph.backends.memory.graph_store import MemoryStore
from graph.matching.scoring import MatchSettings
from ontology.model import Taxonomy


def test_documents_are_written_from_the_system(tmp_path: Path, mini_taxonomy: Taxonomy,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    store = MemoryStore(tmp_path / "data").open()
    store.upsert_taxonomy(mini_taxonomy)
    store.close()
    monkeypatch.setenv("JOBMATCH_STORE", "memory")
    monkeypatch.setenv("JOBMATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JOBMATCH_READING_MODEL", "lexical")
    out = tmp_path / "docs"
    assert main(["docs", "technical", "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"{n}.{lang}.md" for n in ("dpia-worksheet", "model-card", "technical-documentation")
                     for lang in ("da", "en")]
    da = (out / "technical-documentation.da.md").read_text("utf-8")
    en = (out / "technical-documentation.en.md").read_text("utf-8")
    assert "Teknisk dokumentation" in da and "ESCO: 1.1.0" in da and "Menneskeligt tilsyn" in da
    assert "Technical documentation" in en and "graph-match/" in en
    for f in fields(MatchSettings):  # every setting, with its value
        assert f"`{f.name}`" in en
    assert "hash-chained audit trail" in en
    assert "CVs 365 days after their last update" in en and "CV'er 365 dage efter sidste opdatering" in da


def test_every_weight_has_its_reason() -> None:
    reasons = setting_reasons()
    for f in fields(MatchSettings):
        if f.name.startswith(("w_", "alt_w_", "near_", "fit_")):
            assert len(reasons.get(f.name, "")) > 10, f.name


def test_the_model_card_describes_the_configured_ranking_model(tmp_path: Path, mini_taxonomy: Taxonomy,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.learning.model import RankingModel
    from graph.matching.vocabulary import FEATURE_NAMES

    store = MemoryStore(tmp_path / "data").open()
    store.upsert_taxonomy(mini_taxonomy)
    store.close()
    model = RankingModel(FEATURE_NAMES, tuple(1.0 / len(FEATURE_NAMES) for _ in FEATURE_NAMES), 4.0,
                         {"window": "cases hired on or before 2025-09-14", "cases_used": 812},
                         {"2422": {"citizens": 40, "to": {"2631": 6}}})
    model.save(tmp_path / "model.json")
    for name, value in (("JOBMATCH_STORE", "memory"), ("JOBMATCH_DATA_DIR", str(tmp_path / "data")),
                        ("JOBMATCH_READING_MODEL", "lexical"), ("JOBMATCH_RANKING_MODEL", str(tmp_path / "model.json"))):
        monkeypatch.setenv(name, value)
    out = tmp_path / "docs"
    assert main(["docs", "technical", "--out", str(out)]) == 0
    card = (out / "model-card.en.md").read_text("utf-8")
    assert model.id in card and "cases hired on or before 2025-09-14: 812 cases" in card
    assert all(f"`{f}`" in card for f in FEATURE_NAMES) and "1 ISCO unit groups" in card
    assert model.id in (out / "technical-documentation.da.md").read_text("utf-8")
