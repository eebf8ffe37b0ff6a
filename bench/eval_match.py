"""Matching quality on generated data where the truth is known: graph strategy vs automatch.

Each CV is written from occupation A's profile; a suggestion is relevant when the posting was written
from A's profile too. Prints precision@10 (relevant share of the top 10 actually shown), hit@1 and
coverage for both strategies side by side.

Usage: python bench/eval_match.py [--postings 20000] [--cvs 500] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import Timer, esco_111, gazetteer, machine  # noqa: E402
from graph.backends.memory.graph_store import MemoryStore  # noqa: E402
from graph.matching.automatch import automatch  # noqa: E402
from graph.matching.match import match_postings  # noqa: E402
from loaders.synthetic import Generator  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postings", type=int, default=20_000)
    ap.add_argument("--cvs", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--k", type=int, default=10)
    args = ap.parse_args()
    as_of = date(2026, 11, 21)
    tax = esco_111()
    store = MemoryStore(None).open()
    store.upsert_taxonomy(tax)
    gen = Generator(tax, gazetteer(), seed=args.seed, as_of=as_of)
    truth: dict[str, str] = {}
    recs = []
    for rec, doc in gen.postings(args.postings):
        truth[rec.id] = doc["_truth"]["occupation"]
        recs.append(rec)
    store.upsert_postings(recs)
    cvs = [(rec, doc["_truth"]["occupation"]) for rec, doc in gen.cvs(args.cvs)]
    print(f"machine: {machine()}; {args.postings:,} postings, {args.cvs:,} CVs, k={args.k}")
    for name, fn in (("graph", match_postings), ("automatch", automatch)):
        shown = relevant = hit1 = covered = 0
        with Timer() as t:
            for cv, occ in cvs:
                res = fn(store, cv, valid_on=as_of.isoformat(), limit=args.k)
                ids = [s.posting.id for s in res.suggestions]
                covered += bool(ids)
                shown += len(ids)
                relevant += sum(1 for i in ids if truth[i] == occ)
                hit1 += bool(ids) and truth[ids[0]] == occ
        p = relevant / shown if shown else 0.0
        print(f"{name:>10}: precision@{args.k}={p:.3f} (relevant {relevant} of {shown} shown)  "
              f"hit@1={hit1 / len(cvs):.3f}  coverage={covered / len(cvs):.3f}  [{t.seconds:.1f} s]")


if __name__ == "__main__":
    main()
