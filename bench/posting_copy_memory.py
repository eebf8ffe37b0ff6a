"""What one serving process's posting copy costs on Neo4j: time to copy and index, and resident memory.

Usage: scripts/neo4j-local start; python bench/posting_copy_memory.py [--load] [--postings 100000]
(NEO4J_URI, NEO4J_PASSWORD as for the tests). ``--load`` first writes ESCO 1.1.1 and the generated
postings (same seed as bench/match_bench.py); without it the postings already in Neo4j are copied.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import esco_111, gazetteer, machine  # noqa: E402
from graph.backends.neo4j import Neo4jStore  # noqa: E402
from graph.records import BBox  # noqa: E402
from loaders.synthetic import Generator  # noqa: E402


def resident_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--load", action="store_true")
    ap.add_argument("--postings", type=int, default=100_000)
    args = ap.parse_args()
    store = Neo4jStore.connect(os.environ["NEO4J_URI"], (os.environ.get("NEO4J_USER", "neo4j"),
                                                         os.environ["NEO4J_PASSWORD"]))
    if args.load:
        tax = esco_111()
        store.upsert_taxonomy(tax)
        recs = [r for r, _ in Generator(tax, gazetteer(), seed=7, as_of=date(2026, 11, 21)).postings(args.postings)]
        for i in range(0, len(recs), 5000):
            store.upsert_postings(recs[i:i + 5000])
        store.close()  # measured in a process that has not held the generated records
        os.execv(sys.executable, [sys.executable, __file__])
    gc.collect()
    before, t0 = resident_mb(), time.perf_counter()
    store.postings_in(BBox(0.0, 0.0, 0.0, 0.0), "2026-11-21")  # any posting question copies and indexes
    seconds = time.perf_counter() - t0
    gc.collect()
    after = resident_mb()
    print(f"machine: {machine()}; {store.posting_count():,} postings copied and indexed in {seconds:.1f} s; "
          f"resident {before:.0f} -> {after:.0f} MB (+{after - before:.0f} MB)")
    store.close()


if __name__ == "__main__":
    main()
