"""Fixtures shared by every test folder. Store fixtures live in tests/conformance/conftest.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph.backends.memory.graph_store import MemoryStore
from ontology.model import Taxonomy
from ontology.package import read_taxonomy

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
MINI_ESCO = FIXTURES / "esco" / "esco-mini-1.1.0"
MINI_ESCO_12 = FIXTURES / "esco" / "esco-mini-1.2.0"
MINI_DA_LABELS = FIXTURES / "esco" / "occupation_labels_da.tsv"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ../shared folder (real ESCO, geo, eval sets). CI has it; its absence is an error."""
    path = Path(os.environ.get("JOBMATCH_SHARED", REPO.parent / "shared"))
    if not (path / "esco").is_dir():
        pytest.fail(f"shared data folder not found at {path} (set JOBMATCH_SHARED)")
    return path


@pytest.fixture
def postings_store(tmp_path: Path, mini_taxonomy: Taxonomy) -> MemoryStore:
    """An embedded store with the mini ESCO fixture and the matching tests' postings."""
    from tests.matching_data import POSTINGS

    s = MemoryStore(tmp_path).open()
    s.upsert_taxonomy(mini_taxonomy)
    s.upsert_postings(POSTINGS)
    return s


@pytest.fixture(scope="session")
def mini_taxonomy() -> Taxonomy:
    """The hand-made ESCO fixture in the 1.1 layout, English + Danish package + Danish label file."""
    return read_taxonomy(MINI_ESCO, ("en", "da"), [MINI_DA_LABELS])


@pytest.fixture(scope="session")
def esco_111(shared_dir: Path) -> Taxonomy:
    """The real ESCO 1.1.1 package with the Danish occupation labels (read once per session)."""
    return read_taxonomy(shared_dir / "esco" / "1.1.1", ("en", "da"),
                         [shared_dir / "esco" / "da" / "occupation_labels_da.tsv.gz"])
