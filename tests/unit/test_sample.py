"""The sample for `make run` looks like the pilot: a job centre's citizens live in its municipality."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graph.matching.geo import Gazetteer
from loaders.synthetic import Generator
from ontology.model import Taxonomy

pytestmark = [pytest.mark.esco]


def test_citizens_live_in_the_municipality_of_their_job_centre(esco_111: Taxonomy, shared_dir: Path) -> None:
    geo = Gazetteer.load(shared_dir / "geo")
    gen = Generator(esco_111, geo, seed=3, as_of=date(2026, 12, 6))
    cvs = [rec for rec, _ in gen.cvs(60, ["0101", "0147", "0751"])]
    assert {c.municipality for c in cvs} == {"0101", "0147", "0751"}
    for c in cvs:
        assert geo.places[c.postcode].municipality_code == c.municipality, (c.id, c.postcode)
