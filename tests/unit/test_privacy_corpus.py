"""A fixed corpus of identifiers as people type them (each must go) and of text that must survive.

tests/fixtures/privacy/identifiers.tsv: ``kind``, ``text``, ``identifier``; tests/fixtures/privacy/
survivors.tsv: ``kind``, ``text``. Lines starting with ``#`` are comments; ``\\n`` in a text is a line
break. Add a row whenever a form turns up in real CVs that the scrubber missed or ate.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from loaders.privacy import Scrubber, scrub

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "privacy"
# The citizen whose CV the own_name rows come from (names as the CV's name field spells them).
CITIZEN = ["Søren Bæk Ågård", "Anne-Marie Østergaard"]
MIN_IDENTIFIERS, MIN_SURVIVORS = 200, 40


def _rows(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        row["text"] = row["text"].replace("\\n", "\n")
    return rows


IDENTIFIERS = _rows("identifiers.tsv")
SURVIVORS = _rows("survivors.tsv")


def test_the_corpora_are_large_enough_and_well_formed() -> None:
    assert len(IDENTIFIERS) >= MIN_IDENTIFIERS
    assert len(SURVIVORS) >= MIN_SURVIVORS
    for row in IDENTIFIERS:
        assert row["identifier"] and row["identifier"] in row["text"], row


@pytest.mark.parametrize("row", IDENTIFIERS, ids=lambda r: f"{r['kind']}:{r['text'][:40]}")
def test_no_identifier_survives(row: dict[str, str]) -> None:
    scrubber = Scrubber(names=CITIZEN if row["kind"] == "own_name" else ())
    out = scrubber.scrub(row["text"])
    assert row["identifier"] not in out
    assert sum(scrubber.counts.values()) >= 1


@pytest.mark.parametrize("row", SURVIVORS, ids=lambda r: f"{r['kind']}:{r['text'][:40]}")
def test_what_matching_needs_survives(row: dict[str, str]) -> None:
    assert scrub(row["text"]) == row["text"]
