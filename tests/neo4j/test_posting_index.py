"""The Neo4j store's in-process copies on the real server: the posting index (posting_cache.py) — another
process's writes and removals reach this one's matching, a reader never sees half of a write, a database
replaced under the process is copied again — and the remembered taxonomy answers (taxonomy_memo.py),
forgotten when any process loads a taxonomy."""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from neo4j import Driver

from graph.backends.neo4j import Neo4jStore
from graph.matching.geo import bbox_around
from graph.records import BBox
from ontology.model import Taxonomy
from tests.conformance import neo4j_server
from tests.matching_data import FRB, POSTINGS, TODAY, O, S, posting

pytestmark = pytest.mark.neo4j

BOX = bbox_around(FRB[0], FRB[1], 30.0)
# Long enough never to fail a correct build on a loaded machine; a wrong one never gets there at all.
PATIENCE_SECONDS = 60.0

# Another process: connects with the same settings, writes or removes one posting, prints its id.
OTHER = """
import json, sys
from graph.backends.neo4j import Neo4jStore
from graph.codec import posting_from_dict
uri, user, password, action, payload = sys.argv[1:6]
store = Neo4jStore.connect(uri, (user, password))
if action == "write":
    store.upsert_postings([posting_from_dict(json.loads(payload))])
else:
    if action == "delete-keeping-no-markers":  # every removal marker counts as old, this one's too
        import graph.backends.neo4j.graph_store as gs
        gs.REMOVAL_MARKER_SECONDS = -3600.0
    store.delete_postings([payload])
store.close()
"""


def _ids(store: Neo4jStore, box: BBox = BOX) -> set[str]:
    return {m.id for m in store.postings_in(box, TODAY)}


def _eventually(check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def _other_process(target: neo4j_server.Neo4jTarget, action: str, payload: str) -> None:
    subprocess.run([sys.executable, "-c", OTHER, target.uri, target.user, target.password, action, payload],
                   check=True, timeout=120, env={**os.environ, "PYTHONPATH": os.getcwd()})


def test_a_write_in_another_process_reaches_matching_here(neo4j_store: Neo4jStore,
                                                          target: neo4j_server.Neo4jTarget) -> None:
    from graph.codec import posting_to_dict

    neo4j_store.upsert_postings(POSTINGS)
    before = _ids(neo4j_store)  # this process has copied the postings and built its index
    assert "p-cook-1" in before and "p-new" not in before
    new = posting("p-new", "Cook, new", "cook", ["dishes", "meat"])
    _other_process(target, "write", json.dumps(posting_to_dict(new)))
    assert _eventually(lambda: "p-new" in _ids(neo4j_store))
    cands = neo4j_store.postings_requiring([S("dishes")], BOX, TODAY)
    assert "p-new" in cands.ids
    _other_process(target, "delete", "p-cook-1")
    assert _eventually(lambda: "p-cook-1" not in _ids(neo4j_store))
    assert _ids(neo4j_store) == (before - {"p-cook-1"}) | {"p-new"}


def test_own_writes_are_read_at_once(neo4j_store: Neo4jStore) -> None:
    neo4j_store.upsert_postings(POSTINGS)
    assert "p-cook-1" in _ids(neo4j_store)
    neo4j_store.upsert_postings([replace(POSTINGS[0], lat=56.1567, lon=10.2108)])  # moved to Aarhus
    assert "p-cook-1" not in _ids(neo4j_store)
    neo4j_store.delete_postings(["p-kitchen"])
    assert "p-kitchen" not in _ids(neo4j_store)
    assert neo4j_store.posting_metas(["p-kitchen", "p-web"]).keys() == {"p-web"}


def test_a_reader_never_sees_half_of_a_write(neo4j_store: Neo4jStore, target: neo4j_server.Neo4jTarget) -> None:
    """Two postings rewritten together, round after round, by another store (its own driver and copy):
    each round gives both the same requirements, A (two essentials) or B (one optional). The reader
    here must see both postings at the same round, each whole."""
    a = [posting(f"p-pair-{i}", "Pair", "cook", ["dishes", "meat"]) for i in (1, 2)]
    b = [posting(f"p-pair-{i}", "Pair", "cook", [], ["teamwork"]) for i in (1, 2)]
    neo4j_store.upsert_postings(a)
    writer = Neo4jStore.connect(target.uri, target.auth)
    stop = threading.Event()
    looks = 0
    broken: list[str] = []

    def write() -> None:
        try:
            for n in range(40):
                writer.upsert_postings(b if n % 2 == 0 else a)  # one transaction: both postings
        finally:
            stop.set()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while not stop.is_set():
            looks += 1
            c = neo4j_store.postings_requiring([S("dishes"), S("meat"), S("teamwork")], BOX, TODAY)
            shapes = set()
            for k, pid in enumerate(c.ids):
                hits = sorted((c.skills[c.hit_skill[i]], c.hit_essential[i])
                              for i in range(len(c.hit_posting)) if c.hit_posting[i] == k)
                shape = ("A" if hits == [(S("dishes"), True), (S("meat"), True)] and c.n_essential[k] == 2
                         else "B" if hits == [(S("teamwork"), False)] and c.n_optional[k] == 1 else "half")
                shapes.add(shape)
                if shape == "half":
                    broken.append(f"{pid}: {hits}")
            if len(c.ids) != 2 or len(shapes) != 1:
                broken.append(f"{c.ids} {shapes}")
    finally:
        thread.join()
        writer.close()
    assert broken == [] and looks > 0
    # The last round wrote A: this process gets there.
    assert _eventually(lambda: set(neo4j_store.postings_requiring([S("dishes")], BOX, TODAY).ids)
                       == {"p-pair-1", "p-pair-2"})


def test_removal_markers_are_deleted_and_a_copy_that_missed_them_is_copied_again(
        neo4j_store: Neo4jStore, admin: Driver, target: neo4j_server.Neo4jTarget) -> None:
    neo4j_store.upsert_postings(POSTINGS)
    assert {"p-cook-1", "p-kitchen"} <= _ids(neo4j_store)  # copied; this process now looks away

    def markers() -> int:
        with admin.session(database="neo4j") as session:
            return int(session.run("MATCH (t:PostingRemoved) RETURN count(t) AS n").single(strict=True)["n"])

    _other_process(target, "delete", "p-cook-1")
    assert markers() == 1  # kept: recent
    _other_process(target, "delete-keeping-no-markers", "p-kitchen")
    assert markers() == 0  # both deleted: old by the other process's measure
    # This process never saw either marker; the sequence says markers up to the second removal may be gone,
    # so it copies everything again instead of keeping what was removed.
    assert _eventually(lambda: not ({"p-cook-1", "p-kitchen"} & _ids(neo4j_store)))
    assert "p-dev-py" in _ids(neo4j_store)


def test_a_replaced_database_is_copied_again(neo4j_store: Neo4jStore, admin: Driver,
                                             target: neo4j_server.Neo4jTarget) -> None:
    neo4j_store.upsert_postings(POSTINGS)
    assert "p-cook-1" in _ids(neo4j_store)
    with admin.session(database="neo4j") as session:
        session.run(neo4j_server.WIPE).consume()  # a restore from another backup, say
    other = Neo4jStore.connect(target.uri, target.auth)
    try:
        other.upsert_postings([posting("p-restored", "Restored", "cook", ["dishes"])])
    finally:
        other.close()
    # A new epoch of the write sequence: this process copies everything again, without being told.
    assert _eventually(lambda: _ids(neo4j_store) == {"p-restored"})


def test_a_taxonomy_load_elsewhere_is_seen_here(neo4j_store: Neo4jStore, target: neo4j_server.Neo4jTarget,
                                                mini_taxonomy: Taxonomy) -> None:
    """Taxonomy answers are remembered per concept (taxonomy_memo.py) until any process loads a taxonomy."""
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    cook = O("cook")
    assert neo4j_store.concepts([cook])[cook].label("en") == "cook"
    profile = neo4j_store.occupation_profiles([cook])[cook]
    renamed = copy.deepcopy(mini_taxonomy)
    c = renamed.concepts[cook]
    renamed.concepts[cook] = replace(c, labels={**c.labels, "en": replace(c.labels["en"], preferred="chef de partie")})
    renamed.occupation_skills = [r for r in renamed.occupation_skills
                                 if not (r.occupation == cook and r.skill == profile[0].skill)]
    other = Neo4jStore.connect(target.uri, target.auth)
    try:
        other.upsert_taxonomy(renamed)
    finally:
        other.close()
    assert _eventually(lambda: neo4j_store.concepts([cook])[cook].label("en") == "chef de partie")
    assert neo4j_store.occupation_profiles([cook])[cook] == profile[1:]


def test_warm_reads_the_taxonomy_ahead(neo4j_store: Neo4jStore, target: neo4j_server.Neo4jTarget,
                                       mini_taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch) -> None:
    """After ``warm`` the taxonomy questions of matching are answered without a round trip, and alike."""
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    neo4j_store.upsert_postings(POSTINGS)
    skills = sorted(u for u, c in mini_taxonomy.concepts.items() if c.kind == "Skill")
    occupations = sorted(u for u, c in mini_taxonomy.concepts.items() if c.kind == "Occupation")
    warm = Neo4jStore.connect(target.uri, target.auth)
    try:
        warm.warm()
        asked: list[str] = []
        read = warm._read

        def counted(name: str, **params: object) -> list[Any]:
            asked.append(name)
            return read(name, **params)

        monkeypatch.setattr(warm, "_read", counted)
        seen = (warm.concepts(skills + occupations), warm.collections_of(skills), [warm.skill_neighbours([s]) for s in skills],
                warm.skill_profile_counts(skills), warm.occupation_profiles(occupations),
                _ids(warm), warm.occupations_sharing(skills[:4], 1))
        # Only the taxonomy's and the postings' write sequences are looked at (have they moved?).
        assert set(asked) <= {"find_taxonomy_sequence", "find_posting_sequence"}
    finally:
        warm.close()
    cold = (neo4j_store.concepts(skills + occupations), neo4j_store.collections_of(skills),
            [neo4j_store.skill_neighbours([s]) for s in skills], neo4j_store.skill_profile_counts(skills),
            neo4j_store.occupation_profiles(occupations), _ids(neo4j_store), neo4j_store.occupations_sharing(skills[:4], 1))
    assert seen == cold
    assert seen[0] and any(seen[2]) and seen[4] and seen[5] and seen[6]  # the fixture has something of each


def _in_child(store: Neo4jStore, out: Any) -> None:
    store.after_fork()
    out.put(sorted(_ids(store)))
    store.close()  # closes the child's own driver only


def test_a_forked_worker_reads_with_its_own_connections(neo4j_store: Neo4jStore, mini_taxonomy: Taxonomy) -> None:
    """What the nightly batch's workers do: inherit the read-ahead index, connect anew; the parent's
    connections are still good afterwards."""
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    neo4j_store.upsert_postings(POSTINGS)
    neo4j_store.warm()
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_in_child, args=(neo4j_store, out))
    child.start()
    seen = out.get(timeout=PATIENCE_SECONDS)
    child.join(PATIENCE_SECONDS)
    assert child.exitcode == 0 and seen == sorted(_ids(neo4j_store)) and seen
    neo4j_store.upsert_postings([posting("p-after-fork", "Cook", "cook", ["dishes"])])
    assert "p-after-fork" in _ids(neo4j_store)
