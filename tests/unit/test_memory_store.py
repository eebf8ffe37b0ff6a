"""The embedded store: what is ingested survives a restart; the taxonomy reopens from its snapshot."""

from __future__ import annotations

from pathlib import Path

from graph.backends.memory import MemoryStore
from graph.records import CvRecord, CvSkill, Evidence, PostingRecord, PostingRequirement
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
