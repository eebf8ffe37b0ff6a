"""Store primitives on both backends: ESCO 1.1.1 load time, and latency of the questions matching asks.

Usage:
    NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_PASSWORD=… python bench/store_bench.py [--postings 10000]
        [--calls 300] [--reset]

Prints the ESCO 1.1.1 (+ Danish labels) load time into memory and into Neo4j (first load into an empty
database, then an idempotent reload), the time to store N generated postings, and p50/p99 latency per
call of the primitive queries on both backends, with the same inputs. Every answer is also compared
across the two backends (a bench that measured different answers would measure nothing).

The Neo4j database must be empty (the bench loads ESCO into it) unless --reset allows wiping it.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import Timer, esco_111, gazetteer, machine, percentile  # noqa: E402
from graph.backends.memory.graph_store import MemoryStore  # noqa: E402
from graph.backends.neo4j import Neo4jStore  # noqa: E402
from graph.records import BBox  # noqa: E402
from graph.store import Store  # noqa: E402
from loaders.synthetic import Generator  # noqa: E402
from ontology.model import Taxonomy  # noqa: E402

# Bench-only statements (the product never wipes or counts the whole database).
COUNT_NODES = "MATCH (n) RETURN count(n) AS n"
WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
AS_OF = date(2026, 11, 21)
# A commuting box around a place: ±0.45° latitude ≈ 50 km, ±0.75° longitude ≈ 50 km at 56° N.
BOX_LAT, BOX_LON = 0.45, 0.75
DENMARK = BBox(54.5, 8.0, 57.8, 15.2)


def connect_neo4j(reset: bool) -> Neo4jStore:
    from neo4j import GraphDatabase

    uri, auth = os.environ["NEO4J_URI"], (os.environ.get("NEO4J_USER", "neo4j"), os.environ["NEO4J_PASSWORD"])
    with GraphDatabase.driver(uri, auth=auth) as driver:
        records, _, _ = driver.execute_query(COUNT_NODES)
        if records[0]["n"]:
            if not reset:
                sys.exit(f"{uri} holds {records[0]['n']} nodes; pass --reset to wipe it")
            with driver.session() as session:
                session.run(WIPE).consume()
    return Neo4jStore.connect(uri, auth)


def load(store: Store, tax: Taxonomy, label: str) -> float:
    with Timer() as t:
        store.upsert_taxonomy(tax)
    print(f"  ESCO 1.1.1 into {label}: {t.seconds:.1f} s")
    return t.seconds


def cases(tax: Taxonomy, gen: Generator, rng: random.Random, calls: int, n_postings: int
          ) -> dict[str, list[Callable[[Store], Any]]]:
    """``calls`` inputs per primitive, the same for both stores (closures over fixed arguments)."""
    concepts = sorted(tax.concepts)
    occupations = sorted(u for u, c in tax.concepts.items() if c.kind == "Occupation")
    skills = sorted(u for u, c in tax.concepts.items() if c.kind == "Skill")
    valid_on = AS_OF.isoformat()
    out: dict[str, list[Callable[[Store], Any]]] = {k: [] for k in (
        "concepts(50)", "occupation_profiles(10)", "occupations_sharing(20 skills)", "skill_neighbours(20)",
        "postings_requiring(20 skills, 50 km)", "postings_requiring(20 skills, Denmark)",
        "postings_in(50 km)", "requirements_of(50)")}
    for _ in range(calls):
        profile = gen.pick_profile()
        cv_skills = [s.uri for s in (profile.essential + profile.optional)][:20]
        _code, lat, lon, _m = gen._place()
        box = BBox(lat - BOX_LAT, lon - BOX_LON, lat + BOX_LAT, lon + BOX_LON)
        some_concepts = rng.sample(concepts, 50)
        some_occupations = rng.sample(occupations, 10)
        some_skills = rng.sample(skills, 20)
        some_postings = [f"gen-{rng.randrange(n_postings):06d}" for _ in range(50)]
        out["concepts(50)"].append(lambda s, a=some_concepts: s.concepts(a))
        out["occupation_profiles(10)"].append(lambda s, a=some_occupations: s.occupation_profiles(a))
        out["occupations_sharing(20 skills)"].append(lambda s, a=cv_skills: s.occupations_sharing(a, 1))
        out["skill_neighbours(20)"].append(lambda s, a=some_skills: s.skill_neighbours(a))
        out["postings_requiring(20 skills, 50 km)"].append(
            lambda s, a=cv_skills, b=box: s.postings_requiring(a, b, valid_on))
        out["postings_requiring(20 skills, Denmark)"].append(
            lambda s, a=cv_skills: s.postings_requiring(a, DENMARK, valid_on))
        out["postings_in(50 km)"].append(lambda s, b=box: s.postings_in(b, valid_on))
        out["requirements_of(50)"].append(lambda s, a=some_postings: s.requirements_of(a))
    return out


def measure(stores: dict[str, Store], calls: dict[str, list[Callable[[Store], Any]]], warmup: int) -> None:
    print(f"\n{'query':<40} {'backend':<7} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}  answer size")
    for name, fns in calls.items():
        answers: dict[str, list[Any]] = {}
        for label, store in stores.items():
            for fn in fns[:warmup]:
                fn(store)
            lat: list[float] = []
            got: list[Any] = []
            for fn in fns:
                t0 = time.perf_counter()
                got.append(fn(store))
                lat.append((time.perf_counter() - t0) * 1000)
            answers[label] = got
            size = sum(_size(a) for a in got) / len(got)
            print(f"{name:<40} {label:<7} {percentile(lat, 50):8.2f} {percentile(lat, 99):8.2f} "
                  f"{sum(lat) / len(lat):8.2f}  {size:.0f}")
        first, *others = answers.values()
        for other in others:
            if other != first:
                raise SystemExit(f"{name}: the backends answered differently")


def _size(answer: Any) -> int:
    if hasattr(answer, "hit_posting"):
        return len(answer.hit_posting)
    return len(answer)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postings", type=int, default=10_000)
    ap.add_argument("--calls", type=int, default=300, help="timed calls per query and backend")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--reset", action="store_true", help="wipe a non-empty Neo4j database first")
    args = ap.parse_args()

    print(f"machine: {machine()}")
    with Timer() as t:
        tax = esco_111()
    print(f"ESCO 1.1.1 read in {t.seconds:.1f} s")
    memory = MemoryStore(None).open()
    neo4j = connect_neo4j(args.reset)
    print("taxonomy load:")
    load(memory, tax, "memory")
    load(neo4j, tax, "neo4j (empty database)")
    load(neo4j, tax, "neo4j (again: idempotent reload)")

    gen = Generator(tax, gazetteer(), seed=args.seed, as_of=AS_OF)
    postings = [rec for rec, _doc in gen.postings(args.postings)]
    print(f"{len(postings):,} generated postings, "
          f"{sum(len(p.requirements) for p in postings) / len(postings):.1f} requirements each:")
    for label, store in (("memory", memory), ("neo4j", neo4j)):
        with Timer() as t:
            store.upsert_postings(postings)
        print(f"  stored in {label}: {t.seconds:.1f} s")

    calls = cases(tax, gen, random.Random(args.seed), args.calls, len(postings))
    measure({"memory": memory, "neo4j": neo4j}, calls, args.warmup)
    memory.close()
    neo4j.close()


if __name__ == "__main__":
    main()
