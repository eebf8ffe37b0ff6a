"""PROFILE the Neo4j store's hot-path reads on generated data: the plan of each query, operator by operator,
with rows and database hits, and the time of each call (issue 17: "measure each query with PROFILE").

Usage: scripts/neo4j-local start; python bench/profile_queries.py [--postings 100000] [--cvs 20] [--load]
(NEO4J_URI, NEO4J_PASSWORD as for the tests). ``--load`` writes ESCO 1.1.1 and the generated postings
first (the same seed as bench/match_bench.py gives the same data). Prints, per query, the plan of the
first CV and the median time and db hits over ``--cvs`` CVs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import queries  # noqa: E402
from bench.common import esco_111, gazetteer, machine  # noqa: E402
from graph.backends.neo4j import Neo4jStore  # noqa: E402
from graph.matching.match import cv_skill_map, focus_of, skill_credits  # noqa: E402
from graph.matching.scoring import MatchSettings  # noqa: E402
from loaders.synthetic import Generator  # noqa: E402


def _plan_lines(plan: Any, depth: int = 0) -> list[str]:
    args = plan.get("args", {})
    detail = str(args.get("Details", ""))[:90]
    out = [f"{'  ' * depth}{plan['operatorType']:<28} rows={plan.get('rows', 0):>8} "
           f"dbHits={plan.get('dbHits', 0):>9}  {detail}"]
    for child in plan.get("children", []):
        out += _plan_lines(child, depth + 1)
    return out


def _hits(plan: Any) -> int:
    return int(plan.get("dbHits", 0)) + sum(_hits(c) for c in plan.get("children", []))


def _profile(driver: Any, database: str, name: str, params: dict[str, Any]) -> tuple[Any, float]:
    text = "PROFILE " + queries.load(name)  # a diagnostic prefix on packaged source, never on input
    with driver.session(database=database) as session:
        t0 = time.perf_counter()
        summary = session.run(text, params).consume()  # type: ignore[arg-type]
        return summary.profile, (time.perf_counter() - t0) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postings", type=int, default=100_000)
    ap.add_argument("--cvs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--load", action="store_true")
    args = ap.parse_args()
    as_of = date(2026, 11, 21)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    tax = esco_111()
    gen = Generator(tax, gazetteer(), seed=args.seed, as_of=as_of)
    postings = [rec for rec, _ in gen.postings(args.postings)]
    cvs = [rec for rec, _ in gen.cvs(args.cvs)]
    store = Neo4jStore.connect(os.environ["NEO4J_URI"], (os.environ.get("NEO4J_USER", "neo4j"),
                                                         os.environ["NEO4J_PASSWORD"]))
    if args.load:
        store.upsert_taxonomy(tax)
        for i in range(0, len(postings), 5000):
            store.upsert_postings(postings[i:i + 5000])
    print(f"{store.posting_count():,} postings in Neo4j")
    settings = MatchSettings()
    driver, database = store._driver, store._database  # noqa: SLF001 - the bench profiles the store's own session
    calls: dict[str, list[dict[str, Any]]] = {}
    # The posting questions are answered in the process (graph/backends/neo4j/posting_cache.py): what stays
    # on Neo4j per CV is the CV itself, a look at the write sequence, the catch-up after a write, and the
    # taxonomy reads a process has not remembered yet (taxonomy_memo.py).
    [seq] = store._read("find_posting_sequence")  # noqa: SLF001 - the bench profiles the store's own reads
    since = max(int(seq["seq"]) - 1, 0)  # one write behind: the catch-up after one posting batch
    for cv in cvs:
        skills = sorted(cv_skill_map(cv))
        credits = sorted(skill_credits(store, skills, settings))
        seeks, past = focus_of(cv)
        calls.setdefault("find_cvs", []).append({"ids": [cv.id]})
        calls.setdefault("find_posting_sequence", []).append({})
        calls.setdefault("find_skill_neighbours", []).append({"skill_uris": skills})
        calls.setdefault("find_concepts", []).append({"uris": sorted(set(credits) | seeks | past)})
        calls.setdefault("find_collections", []).append({"uris": credits})
        calls.setdefault("find_skill_requirers", []).append({"skill_uris": skills})
    calls["find_posting_changes"] = [{"since": since}]
    calls["find_posting_removals"] = [{"since": since}]
    for name, params_list in calls.items():
        times, hits = [], []
        first_plan = None
        for params in params_list:
            try:
                plan, ms = _profile(driver, database, name, params)
            except Exception as e:  # noqa: BLE001 - a parameter name this bench guessed wrong: say so, go on
                print(f"\n{name}: not profiled ({type(e).__name__}: {str(e)[:120]})")
                break
            first_plan = first_plan or plan
            times.append(ms)
            hits.append(_hits(plan))
        if first_plan is None:
            continue
        print(f"\n{name}: {len(times)} calls, median {statistics.median(times):.1f} ms, "
              f"median db hits {statistics.median(hits):,.0f}")
        print("\n".join(_plan_lines(first_plan)))
    store.close()


if __name__ == "__main__":
    main()
