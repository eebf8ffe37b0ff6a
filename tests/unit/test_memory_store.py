"""The embedded store: what is ingested survives a restart; the taxonomy reopens from its snapshot."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from graph.backends.memory import graph_store
from graph.backends.memory.graph_store import MemoryStore
from graph.records import BBox, CvRecord, CvSkill, Evidence, PostingRecord, PostingRequirement
from ontology.model import Taxonomy, summarise


def _cv(i: str) -> CvRecord:
    ev = Evidence(section="profile", start=0, end=8, text="teamwork", sentence="I like teamwork.", label="teamwork")
    return CvRecord(id=i, municipality="0101", postcode="2100", lat=55.7, lon=12.57, max_km=20.0,
                    skills=(CvSkill("http://data.europa.eu/esco/skill/mini-teamwork", "text", (ev,), "en"),))


def _posting(i: str) -> PostingRecord:
    return PostingRecord(id=i, source="test", title="cook", employer="X", postcode="2100", lat=55.7, lon=12.57,
                         published="2026-01-01", valid_through="2026-12-31",
                         requirements=(PostingRequirement("http://data.europa.eu/esco/skill/mini-meat", "essential"),))


def test_documents_and_taxonomy_survive_restart(tmp_path: Path, mini_taxonomy: Taxonomy) -> None:
    store = MemoryStore(tmp_path).open()
    store.upsert_taxonomy(mini_taxonomy)
    store.upsert_cvs([_cv("a"), _cv("b")])
    store.upsert_postings([_posting("p1")])
    store.upsert_cvs([_cv("a")])  # re-ingest updates, never duplicates
    store.close()

    again = MemoryStore(tmp_path).open()
    assert again.cv_ids() == ["a", "b"]
    assert again.get_cvs(["a"])["a"] == _cv("a")
    assert again.get_postings(["p1"])["p1"] == _posting("p1")
    assert again.taxonomy_summary() == summarise(mini_taxonomy)
    assert [v.version for v in again.ontology_versions()] == ["1.1.0"]


def test_reloading_same_package_records_one_version(tmp_path: Path, mini_taxonomy: Taxonomy) -> None:
    store = MemoryStore(tmp_path).open()
    store.upsert_taxonomy(mini_taxonomy)
    store.upsert_taxonomy(mini_taxonomy)
    assert len(store.ontology_versions()) == 1 and store.ontology_versions()[0].active


def test_constructor_does_no_io(tmp_path: Path) -> None:
    MemoryStore(tmp_path / "not-yet")
    assert not (tmp_path / "not-yet").exists()


def test_a_store_takes_in_what_another_connection_wrote(tmp_path: Path, mini_taxonomy: Taxonomy,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph_store, "REFRESH_SECONDS", 0.0)  # look on every read (the default waits 0.5 s)
    server = MemoryStore(tmp_path).open()
    cli = MemoryStore(tmp_path).open()  # another connection, as another process has
    try:
        cli.upsert_taxonomy(mini_taxonomy)
        cli.upsert_cvs([_cv("a"), _cv("b")])
        cli.upsert_postings([_posting("p1")])
        assert server.cv_ids() == ["a", "b"]
        assert server.get_postings(["p1"])["p1"] == _posting("p1")
        assert server.taxonomy_summary() == summarise(mini_taxonomy)
        # The server's own writes and the other's interleave; deletions arrive too.
        server.upsert_cvs([_cv("c")])
        cli.delete_cvs(["a"])
        changed = replace(_posting("p1"), title="chef")
        cli.upsert_postings([changed])
        assert server.cv_ids() == ["b", "c"]
        assert server.get_postings(["p1"])["p1"].title == "chef"
        assert list(server.postings_requiring(
            ["http://data.europa.eu/esco/skill/mini-meat"], BBox(-90, -180, 90, 180), "2026-06-01").ids) == ["p1"]
        assert cli.cv_ids() == ["b", "c"]
    finally:
        server.close()
        cli.close()
