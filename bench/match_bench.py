"""Match latency for one CV against N generated postings, alternatives latency, nightly batch.

Usage: python bench/match_bench.py [--postings 100000] [--cvs 1000] [--batch 100000] [--store memory|neo4j|both]
Prints p50/p99 per CV for the graph strategy, automatch and alternatives, and the nightly batch time
(all --batch CVs matched one after another on one core).

``--store both`` loads the same generated data into the embedded store and Neo4j (NEO4J_URI,
NEO4J_PASSWORD; e.g. started by ``scripts/neo4j-local start``), times the same CVs on each, one store
after the other, and prints them side by side with the ratio and the arithmetic limit: gathering the
CV's skills' postings from the posting index, the box and validity filter, a bincount and a top 10 —
what a match costs when nothing but arrays is touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import Timer, esco_111, gazetteer, machine, percentile  # noqa: E402
from graph.accountability.batch import run_batch  # noqa: E402
from graph.accountability.serving import ListServer, ServingPolicy  # noqa: E402
from graph.backends.memory.graph_store import MemoryStore  # noqa: E402
from graph.backends.memory.snapshot import embedded_snapshot  # noqa: E402
from graph.days import day_number  # noqa: E402
from graph.learning.model import RankingModel  # noqa: E402
from graph.learning.rank import learned_match  # noqa: E402
from graph.matching.alternatives import find_alternatives  # noqa: E402
from graph.matching.automatch import automatch  # noqa: E402
from graph.matching.explain import MatchResult  # noqa: E402
from graph.matching.geo import bbox_around  # noqa: E402
from graph.matching.match import center_of, cv_skill_map, match_postings, skill_credits  # noqa: E402
from graph.matching.scoring import MatchSettings  # noqa: E402
from graph.matching.vocabulary import FEATURE_NAMES  # noqa: E402
from graph.records import CvRecord, PostingRecord  # noqa: E402
from graph.store import Store  # noqa: E402
from loaders.synthetic import Generator  # noqa: E402
from ontology.model import Taxonomy  # noqa: E402


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
    ap.add_argument("--store", default="memory", choices=["memory", "neo4j", "both"])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--data-dir", help="memory store: journal and audit trail on disk here, as in production "
                                       "(default: all in memory)")
    ap.add_argument("--no-audit", action="store_true", help="batch without recording audit records")
    ap.add_argument("--snapshot", action="store_true",
                    help="batch on an in-process snapshot of the store (how the batch computed on Neo4j before it used the posting index)")
    ap.add_argument("--reuse", action="store_true",
                    help="skip loading when the store already holds the taxonomy and --postings postings "
                         "(same seed: the data would be identical)")
    ap.add_argument("--cold", action="store_true",
                    help="time each CV's first match in the process (the taxonomy not yet remembered)")
    args = ap.parse_args()
    if args.store == "both":
        side_by_side(args)
        return

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

    for name, fn in STRATEGY_FNS:
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


WARM_UP = 20  # CVs per strategy run untimed before the timed ones
# The learned strategy with a fixed model (every feature alike, employer counts for the generator's
# employers): its cost does not depend on the weights' values.
BENCH_MODEL = RankingModel(FEATURE_NAMES, tuple(1.0 / len(FEATURE_NAMES) for _ in FEATURE_NAMES), 1.0,
                           {"window": "bench"}, employers={"Novo Nordisk": [10, 6], "Rigshospitalet": [10, 3]})
STRATEGY_FNS: tuple[tuple[str, Callable[..., MatchResult]], ...] = (
    ("graph", match_postings), ("learned", partial(learned_match, model=BENCH_MODEL)), ("automatch", automatch),
    ("alternatives", find_alternatives))


def _load(store: Store, tax: Taxonomy, postings: list[PostingRecord]) -> float:
    with Timer() as t:
        store.upsert_taxonomy(tax)
        for i in range(0, len(postings), 5000):
            store.upsert_postings(postings[i:i + 5000])
    return t.seconds


def _times(store: Store, cvs: list[CvRecord], valid_on: str, *, cold: bool = False) -> dict[str, list[float]]:
    # The first match copies the postings and builds the posting index (Neo4j: streamed from the server).
    with Timer() as t:
        match_postings(store, cvs[0], valid_on=valid_on)
    print(f"  {type(store).__name__}: first match (posting index built) {t.seconds:.1f} s")
    # Warm-up, untimed: query plans, the page cache, the driver's pool. Then, unless --cold, one untimed
    # pass over every CV, so the timed pass is a process's steady state: the Neo4j store remembers what
    # it read of the taxonomy (graph/backends/neo4j/taxonomy_memo.py), as a serving process does from its
    # start (Store.warm reads it all ahead).
    for _name, fn in STRATEGY_FNS:
        for cv in cvs[:WARM_UP] if cold else cvs:
            fn(store, cv, valid_on=valid_on)
    out: dict[str, list[float]] = {}
    for name, fn in STRATEGY_FNS:
        lat = out.setdefault(name, [])
        for cv in cvs:
            t0 = time.perf_counter()
            fn(store, cv, valid_on=valid_on)
            lat.append((time.perf_counter() - t0) * 1000)
    return out


def arithmetic_limit(store: MemoryStore, cvs: list[CvRecord], valid_on: str) -> list[float]:
    """Per CV: gather the postings requiring the CV's (and near) skills from the posting index, filter by
    box and validity, bincount the credits and take a top 10. The floor under any store's match."""
    ix = store._posting_index()  # noqa: SLF001 - the bench measures the index itself
    settings = MatchSettings()
    day = day_number(valid_on)
    out = []
    for cv in cvs:
        credits = skill_credits(store, cv_skill_map(cv), settings)
        lat, lon = center_of(cv)
        box = bbox_around(lat, lon, cv.max_km or settings.default_radius_km)
        t0 = time.perf_counter()
        spans = [(ix.skill_start[s], credits[s].credit) for s in credits if s in ix.skill_start]
        pos = np.concatenate([ix.req_posting[a:b] for (a, b), _ in spans]) if spans else np.zeros(0, np.int64)
        w = np.concatenate([np.full(b - a, c) for (a, b), c in spans]) if spans else np.zeros(0)
        keep = ((ix.lat[pos] >= box.south) & (ix.lat[pos] <= box.north) & (ix.lon[pos] >= box.west)
                & (ix.lon[pos] <= box.east) & (ix.published[pos] <= day) & (ix.valid_through[pos] >= day))
        score = np.bincount(pos[keep], weights=w[keep], minlength=len(ix.ids))
        top = np.argpartition(-score, 10)[:10] if len(score) > 10 else np.arange(len(score))
        _best_first = top[np.argsort(-score[top])]  # timed as part of the floor; the order is not used
        out.append((time.perf_counter() - t0) * 1000)
    return out


def side_by_side(args: argparse.Namespace) -> None:
    from graph.backends.neo4j import Neo4jStore

    as_of = date(2026, 11, 21)
    valid_on = as_of.isoformat()
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    tax = esco_111()
    gen = Generator(tax, gazetteer(), seed=args.seed, as_of=as_of)
    postings = [rec for rec, _ in gen.postings(args.postings)]
    cvs = [rec for rec, _ in gen.cvs(args.cvs)]
    memory = MemoryStore(None).open()
    print(f"memory: ESCO {tax.version} and {len(postings):,} postings loaded in {_load(memory, tax, postings):.1f} s")
    neo4j = Neo4jStore.connect(os.environ["NEO4J_URI"], (os.environ.get("NEO4J_USER", "neo4j"),
                                                         os.environ["NEO4J_PASSWORD"]))
    if args.reuse and neo4j.taxonomy_summary() is not None and neo4j.posting_count() == args.postings:
        print("neo4j: reusing the stored taxonomy and postings (same seed: the same data)")
    else:
        print(f"neo4j: loaded in {_load(neo4j, tax, postings):.1f} s")
    figures = {"memory": _times(memory, cvs, valid_on, cold=args.cold)}
    figures["neo4j"] = _times(neo4j, cvs, valid_on, cold=args.cold)
    limit = arithmetic_limit(memory, cvs, valid_on)
    neo4j.close()
    memory.close()
    print(f"\n{len(cvs)} CVs, {args.postings:,} postings, one store after the other (ms; ratio = neo4j / memory)")
    print(f"{'':>12} {'memory p50':>11} {'p99':>7} {'neo4j p50':>10} {'p99':>7} {'ratio p50':>10} {'p99':>6}")
    for name, _fn in STRATEGY_FNS:
        m, n = figures["memory"][name], figures["neo4j"][name]
        mp50, mp99, np50, np99 = (percentile(m, 50), percentile(m, 99), percentile(n, 50), percentile(n, 99))
        print(f"{name:>12} {mp50:>11.1f} {mp99:>7.1f} {np50:>10.1f} {np99:>7.1f} {np50 / mp50:>10.1f} "
              f"{np99 / mp99:>6.1f}")
    print(f"{'limit':>12} {percentile(limit, 50):>11.2f} {percentile(limit, 99):>7.2f}   (gather + filter + "
          "bincount + top 10 over the posting index)")


if __name__ == "__main__":
    main()
