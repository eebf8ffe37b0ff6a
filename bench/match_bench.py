"""Match latency for one CV against N generated postings, alternatives latency, nightly batch.

Usage: python bench/match_bench.py [--postings 100000] [--cvs 1000] [--batch 100000] [--store memory|neo4j]
Prints p50/p99 per CV for the graph strategy, automatch and alternatives, and the nightly batch time
(all --batch CVs matched one after another on one core).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import Timer, esco_111, gazetteer, machine, percentile  # noqa: E402
from graph.accountability.batch import run_batch  # noqa: E402
from graph.accountability.serving import ListServer, ServingPolicy  # noqa: E402
from graph.backends.memory.graph_store import MemoryStore  # noqa: E402
from graph.backends.memory.snapshot import embedded_snapshot  # noqa: E402
from graph.matching.alternatives import find_alternatives  # noqa: E402
from graph.matching.automatch import automatch  # noqa: E402
from graph.matching.match import match_postings  # noqa: E402
from graph.store import Store  # noqa: E402
from loaders.synthetic import Generator  # noqa: E402


def open_bench_store(kind: str, data_dir: str | None = None) -> Store:
    if kind == "memory":
        return MemoryStore(Path(data_dir) if data_dir else None).open()
    from graph.backends.neo4j import Neo4jStore

    return Neo4jStore.connect(os.environ["NEO4J_URI"], (os.environ.get("NEO4J_USER", "neo4j"),
                                                        os.environ["NEO4J_PASSWORD"]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postings", type=int, default=100_000)
    ap.add_argument("--cvs", type=int, default=500, help="CVs timed one by one for p50/p99")
    ap.add_argument("--batch", type=int, default=0, help="CVs matched in the nightly-batch measurement")
    ap.add_argument("--store", default="memory", choices=["memory", "neo4j"])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--data-dir", help="memory store: journal and audit trail on disk here, as in production "
                                       "(default: all in memory)")
    ap.add_argument("--no-audit", action="store_true", help="batch without recording audit records")
    ap.add_argument("--snapshot", action="store_true",
                    help="batch on an in-process snapshot of the store (as `jobmatch batch` does on Neo4j)")
    ap.add_argument("--reuse", action="store_true",
                    help="skip loading when the store already holds the taxonomy and --postings postings "
                         "(same seed: the data would be identical)")
    args = ap.parse_args()

    as_of = date(2026, 11, 21)
    with Timer() as t:
        tax = esco_111()
    print(f"machine: {machine()}; store: {args.store}")
    print(f"ESCO 1.1.1 read in {t.seconds:.1f} s")
    store = open_bench_store(args.store, args.data_dir)
    gen = Generator(tax, gazetteer(), seed=args.seed, as_of=as_of)
    reuse = args.reuse and store.taxonomy_summary() is not None and store.posting_count() == args.postings
    if reuse:
        for _ in gen.postings(args.postings):  # advance the generator to the same CVs
            pass
        print(f"reusing the stored taxonomy and {args.postings:,} postings")
    else:
        with Timer() as t:
            store.upsert_taxonomy(tax)
        print(f"taxonomy stored in {t.seconds:.1f} s")
    with Timer() as t:
        batch = []
        for rec, _doc in ([] if reuse else gen.postings(args.postings)):
            batch.append(rec)
            if len(batch) == 5000:
                store.upsert_postings(batch)
                batch = []
        if batch:
            store.upsert_postings(batch)
    if not reuse:
        print(f"{args.postings:,} postings generated and stored in {t.seconds:.1f} s")
    n_cvs = max(args.cvs, args.batch)
    cvs = [rec for rec, _ in gen.cvs(n_cvs)]
    valid_on = as_of.isoformat()
    # warm-up: first call builds the posting index
    with Timer() as t:
        match_postings(store, cvs[0], valid_on=valid_on)
    print(f"first match (builds indexes) {t.seconds * 1000:.0f} ms")

    for name, fn in (("graph", match_postings), ("automatch", automatch), ("alternatives", find_alternatives)):
        lat, cands = [], []
        for cv in cvs[: args.cvs]:
            t0 = time.perf_counter()
            res = fn(store, cv, valid_on=valid_on)
            lat.append((time.perf_counter() - t0) * 1000)
            cands.append(res.candidates)
        print(f"{name:>12}: n={len(lat)} p50={percentile(lat, 50):.1f} ms p99={percentile(lat, 99):.1f} ms "
              f"max={max(lat):.1f} ms; candidates/CV median={percentile([float(c) for c in cands], 50):.0f}")

    if args.batch:
        with Timer() as t:
            for start in range(0, args.batch, 5000):
                store.upsert_cvs(cvs[start:min(start + 5000, args.batch)])
        print(f"{args.batch:,} CVs stored in {t.seconds:.0f} s")
        for workers in (1, 2):
            if workers == 1 and args.batch > 5000:
                continue  # one core is measured on the per-CV figures above; the batch uses both
            ids = [c.id for c in cvs[: args.batch]]
            compute_on = None
            if args.snapshot:
                with Timer() as t:
                    compute_on = embedded_snapshot(store, ids)
                print(f"snapshot: taxonomy, {compute_on.posting_count():,} postings and {len(ids):,} CVs copied "
                      f"in {t.seconds:.0f} s")
            # The one serving use case, as `jobmatch batch` builds it (no trial configured here).
            server = ListServer(store, store, ServingPolicy())
            rep = run_batch(server, ids, valid_on=valid_on, workers=workers, record=not args.no_audit,
                            compute_on=compute_on)
            if compute_on is not None:
                compute_on.close()
            print(f"nightly batch: {rep.cvs:,} CVs (matches + alternatives{'' if args.no_audit else ', audited'}) "
                  f"with {workers} worker(s) in {rep.seconds:.0f} s ({rep.seconds / rep.cvs * 1000:.1f} ms/CV); "
                  f"{rep.with_matches:,} with matches, {rep.with_alternatives:,} with alternatives")
    store.close()


if __name__ == "__main__":
    main()
