"""Occupations close in meaning (graph/matching/similarity.py): the place-based closeness, the vectors'
file, the shelf serving reads them from, the alternatives' description part, and the build with the
packaged reading model (real, on the mini ESCO fixture)."""

from __future__ import annotations

import math
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from graph.accountability.audit import Actor, body_of
from graph.accountability.replay import REASON_VECTORS, replay
from graph.accountability.serving import ListServer, ServeRequest, ServingPolicy
from graph.backends.memory.graph_store import MemoryStore
from graph.matching.alternatives import find_alternatives
from graph.matching.scoring import MatchSettings
from graph.matching.similarity import OccupationVectors, VectorShelf, find_vectors, open_vectors, vectors_key
from graph.matching.vocabulary import PART
from loaders.extract.descriptions import build_occupation_vectors, occupation_texts
from loaders.extract.reading import ReadingConfig
from tests.matching_data import ROSKILDE, TODAY, O, cv

OCCUPATIONS = ("bus", "childcare", "cook", "kitchen", "nurse", "shop", "softdev", "warehouse", "webdev")
CONSULTANT = Actor(id="u-1", role="consultant", municipality="0101")


def _vectors(close_to_cook: str, key: str = "k1", setting: str = "e5-small", version: str = "1.1.0"
             ) -> OccupationVectors:
    """One axis per occupation, except that ``close_to_cook`` leans towards the cook's."""
    uris = tuple(O(n) for n in OCCUPATIONS)
    m = np.eye(len(uris), dtype=np.float32)
    i, cook = OCCUPATIONS.index(close_to_cook), OCCUPATIONS.index("cook")
    m[i, cook] = 2.0
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    return OccupationVectors(key, "model-x", setting, version, uris, m)


@pytest.fixture
def store(postings_store: MemoryStore) -> MemoryStore:
    return postings_store


def test_closeness_is_the_place_in_the_focus_order() -> None:
    v = _vectors("shop")
    near = v.closeness([O("cook")], [O("shop"), O("bus"), O("cook"), "no-such-occupation"], scale=2.0)
    assert near[O("cook")] == 1.0  # itself: place 0
    assert near[O("shop")] == pytest.approx(math.exp(-1 / 2))  # the next closest: place 1
    assert near[O("bus")] < near[O("shop")]
    assert near["no-such-occupation"] == 0.0
    assert set(v.closeness(["unknown focus"], [O("shop")], 2.0).values()) == {0.0}
    # With two focus occupations each candidate keeps its best place.
    both = v.closeness([O("cook"), O("bus")], [O("bus"), O("shop")], 2.0)
    assert both[O("bus")] == 1.0 and both[O("shop")] == near[O("shop")]


def test_vectors_file_round_trip_and_lookup(tmp_path: Path) -> None:
    v = _vectors("shop")
    v.save(tmp_path)
    back = open_vectors(tmp_path, "k1")
    assert back is not None and back.uris == v.uris and back.setting == "e5-small"
    assert np.allclose(back.vectors, v.vectors, atol=1e-3)
    assert open_vectors(tmp_path, "absent") is None
    assert find_vectors(tmp_path, "e5-small", "1.1.0") is not None
    assert find_vectors(tmp_path, "e5-small", "1.2.0") is None  # another ESCO version: not these
    assert find_vectors(tmp_path, "local:/m", "1.1.0") is None  # another model: not these
    (tmp_path / "occupations-bad.npz").write_bytes(b"not a numpy file")
    with pytest.raises(OSError, match="unreadable"):
        open_vectors(tmp_path, "bad")
    shelf = VectorShelf(tmp_path, "e5-small")
    assert shelf.current("1.1.0") is not None and shelf.by_key("k1") is not None
    assert VectorShelf(tmp_path, "lexical").current("1.1.0") is None  # lexical reading: no vectors


def test_vectors_built_while_the_service_runs_are_found_later(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    shelf = VectorShelf(tmp_path, "e5-small")
    assert shelf.current("1.1.0") is None
    _vectors("shop").save(tmp_path)  # `reading build` in another process
    assert shelf.current("1.1.0") is None  # not looked for again at once
    monkeypatch.setattr("graph.matching.similarity.MISSING_RETRY_SECONDS", 0.0)
    found = shelf.current("1.1.0")
    assert found is not None and found.key == "k1"


def test_the_key_names_model_setting_version_and_texts() -> None:
    texts = {O("cook"): "cook: prepares food"}
    key = vectors_key("m", "e5-small", "1.1.1", texts)
    assert key != vectors_key("m2", "e5-small", "1.1.1", texts)
    assert key != vectors_key("m", "e5-small", "1.2.0", texts)
    assert key != vectors_key("m", "e5-small", "1.1.1", {O("cook"): "cook: cooks"})


def test_alternatives_gain_a_description_part(store: MemoryStore) -> None:
    c = cv("c7", ["dishes", "meat", "veg", "foodsafety", "teamwork", "cleankitchen", "customers", "danish"],
           seeks=(O("cook"),), at=ROSKILDE, max_km=50)
    settings = MatchSettings(alt_min_essential=2, alt_description_scale=1.0)
    plain = find_alternatives(store, c, valid_on=TODAY, settings=settings)
    assert all(PART.description_similarity not in a.parts for a in plain.alternatives)
    described = find_alternatives(store, c, valid_on=TODAY, settings=settings, vectors=_vectors("shop"))
    parts = {a.occupation.uri: a.parts for a in described.alternatives}
    assert parts[O("shop")][PART.description_similarity] > parts[O("kitchen")][PART.description_similarity]
    for a in described.alternatives:
        assert a.score == pytest.approx(sum(a.parts.values()), abs=1e-5)
    # Described like a cook's work, the shop assistant rises; weighed heavily, it comes first.
    heavy = find_alternatives(store, c, valid_on=TODAY, settings=replace(settings, alt_w_description=2.0),
                              vectors=_vectors("shop"))
    assert heavy.alternatives[0].occupation.uri == O("shop")
    assert plain.alternatives[0].occupation.uri != O("shop")
    off = find_alternatives(store, c, valid_on=TODAY, settings=replace(settings, alt_w_description=0.0),
                            vectors=_vectors("shop"))
    assert off.alternatives == plain.alternatives


def test_records_cite_the_vectors_and_replay_opens_them(store: MemoryStore, tmp_path: Path) -> None:
    folder = tmp_path / "reading"
    _vectors("shop").save(folder)
    settings = MatchSettings(alt_min_essential=2, alt_w_description=2.0, alt_description_scale=1.0)
    shelf = VectorShelf(folder, "e5-small")
    server = ListServer(store, store, ServingPolicy(settings=settings, vectors=shelf))
    c = cv("c7", ["dishes", "meat", "veg", "foodsafety", "teamwork", "cleankitchen", "customers", "danish"],
           seeks=(O("cook"),), at=ROSKILDE, max_km=50)
    store.upsert_cvs([c])
    served = server.serve(c, CONSULTANT, ServeRequest(kind="alternatives", valid_on=TODAY))
    assert served.result.alternatives[0].occupation.uri == O("shop")
    body = body_of(served.record)
    assert body["occupation_vectors"] == "k1"
    rep = replay(store, store, served.record, vectors=VectorShelf(folder, "e5-small"))
    assert rep.identical and rep.recorded_versions["occupation_vectors"] == rep.current_versions["occupation_vectors"] == "k1"
    # Without the file replay still runs, says so, and names the missing vectors as the reason.
    os.remove(folder / "occupations-k1.npz")
    gone = replay(store, store, served.record, vectors=VectorShelf(folder, "e5-small"))
    assert not gone.identical and any("k1" in n for n in gone.notes)
    assert {d.get("reason") for d in gone.differences} == {REASON_VECTORS}
    # A list of matches cites none.
    matches = server.serve(c, CONSULTANT, ServeRequest(valid_on=TODAY))
    assert "occupation_vectors" not in body_of(matches.record)


@pytest.mark.slow
def test_built_with_the_packaged_model_once(store: MemoryStore, tmp_path: Path) -> None:
    config = ReadingConfig("e5-small", tmp_path)
    built = build_occupation_vectors(store, config, "1.1.0")
    assert built is not None and set(built.uris) == {O(n) for n in OCCUPATIONS}
    assert built.uris == tuple(occupation_texts(store.concepts(built.uris)))
    path = tmp_path / f"occupations-{built.key}.npz"
    stamp = path.stat().st_mtime_ns
    again = build_occupation_vectors(store, config, "1.1.0")
    assert again is not None and again.key == built.key and path.stat().st_mtime_ns == stamp  # found, not rebuilt
    # The model reads the work: a web developer lies closer to a software developer than a cook does.
    near = built.closeness([O("softdev")], [O("webdev"), O("cook"), O("bus")], scale=2.0)
    assert near[O("webdev")] > near[O("cook")] and near[O("webdev")] > near[O("bus")]
    assert build_occupation_vectors(store, ReadingConfig("lexical", tmp_path), "1.1.0") is None
