"""The house's architecture, checked: the import contracts of pyproject.toml (import-linter), and one
definition of each vocabulary that matching, the API and the pages read."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields
from pathlib import Path

from graph.matching.scoring import MatchSettings
from graph.matching.vocabulary import PART, PART_NAMES, SCORE_PARTS, STRATEGIES, vocabulary_json
from tests.conftest import REPO


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_score_parts_are_named_once() -> None:
    names = {k: v for k, v in vars(PART).items() if not k.startswith("_")}
    assert all(k == v for k, v in names.items())
    assert set(names) == set(PART_NAMES) and len(PART_NAMES) == len(set(PART_NAMES))
    weights = {f.name for f in fields(MatchSettings)}
    assert all(p.weight in weights for p in SCORE_PARTS if p.weight)
    assert {p.strategy for p in SCORE_PARTS} <= {s.name for s in STRATEGIES}


def test_each_strategy_has_its_own_algorithm_version() -> None:
    versions = [s.algorithm_version for s in STRATEGIES]
    assert len(set(versions)) == len(versions)
    assert {p["name"] for p in vocabulary_json()["score_parts"]} == set(PART_NAMES)
