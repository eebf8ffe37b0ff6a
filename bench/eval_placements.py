"""Placement replay end to end on generated data: 10,000 cases against 100,000 postings.

Generates placements over ESCO 1.1.1 — by default from the hiring process of loaders/hiring.py, which
is not any strategy's formula (``--generator profile``: the older generator of loaders/placements.py,
which writes each hire from the CV's own profile and so flatters the graph strategy) — writes them as the files a job centre
would hand over (placements.jsonl, postings.jsonl, groups.csv), loads ESCO into an embedded store,
and runs ``jobmatch evaluate placements`` on them exactly as a user would. Prints the machine, data
sizes, the time of each phase and the headline figures with their 95 % intervals.

Usage: python bench/eval_placements.py [--cases 10000] [--postings 100000] [--seed 7] [--out DIR]
       [--generator history|profile] [--strategy graph,learned,automatch]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from api.cli import main as cli  # noqa: E402
from bench.common import Timer, esco_111, gazetteer, machine  # noqa: E402
from graph.backends.memory.graph_store import MemoryStore  # noqa: E402
from loaders.hiring import generate_history  # noqa: E402
from loaders.placements import generate_placements, write_generated  # noqa: E402
from loaders.synthetic import Generator  # noqa: E402

START = date(2025, 1, 1)  # first hiring date; hires run through the year


def _fmt(fig: dict[str, Any]) -> str:
    if fig.get("value") is None:
        return "n/a"
    lo, hi = fig["ci"]
    return f"{fig['value'] * 100:5.1f} % [{lo * 100:.1f}, {hi * 100:.1f}] (n={fig['n']})"


def _mrr(fig: dict[str, Any]) -> str:
    lo, hi = fig["ci"]
    return f"{fig['value']:.3f} [{lo:.3f}, {hi:.3f}]"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--postings", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, help="folder for the generated files and the report (default: a temp dir)")
    ap.add_argument("--k", default="5,10,20")
    ap.add_argument("--generator", choices=("history", "profile"), default="history")
    ap.add_argument("--strategy", default="graph,learned,automatch")
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="jobmatch-eval-"))
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s")
    print(f"machine: {machine()}")

    with Timer() as t:
        tax = esco_111()
        store = MemoryStore(out / "store").open()
        store.upsert_taxonomy(tax)
        store.close()
    print(f"ESCO {tax.version} read and stored in {t.seconds:.1f} s")
    with Timer() as t:
        gen = Generator(tax, gazetteer(), seed=args.seed, as_of=START)
        make = generate_history if args.generator == "history" else generate_placements
        data = make(gen, cases=args.cases, postings=args.postings, start=START)
        paths = write_generated(data, out / "input")
    kinds: dict[str, int] = {}
    for g in data.groups:
        key = f"{g['hire']}, posted={g['posted']}"
        kinds[key] = kinds.get(key, 0) + 1
    print(f"generated {len(data.cases):,} cases and {len(data.postings):,} postings in {t.seconds:.1f} s "
          f"(into {paths['placements'].parent})")
    print("  hires: " + "; ".join(f"{k}: {v:,}" for k, v in sorted(kinds.items())))

    with Timer() as t:
        code = cli(["--data-dir", str(out / "store"), "evaluate", "placements", str(paths["placements"]),
                    "--postings", str(paths["postings"]), "--groups", str(paths["groups"]), "--k", args.k, "--strategy", args.strategy,
                    "--seed", str(args.seed), "--out", str(out / "report"),
                    "--title", f"Generated placements (seed {args.seed}): {args.cases:,} cases, "
                               f"{args.postings:,} postings"])
    print(f"jobmatch evaluate placements: exit {code}, {t.seconds:.0f} s end to end "
          f"({t.seconds / max(args.cases, 1) * 1000:.1f} ms per case)")

    report = json.loads((out / "report" / "report.json").read_text("utf-8"))
    if report.get("learned"):
        m = report["learned"]["model"]
        print(f"learned model {m['id']}: {report['learned'].get('statement', '')}")
        print("  weights: " + ", ".join(f"{f} {w:.3f}" for f, w in zip(m["features"], m["weights"], strict=True)))
        print(f"  fit: {m['trained'].get('fit')}; training {report['timings'].get('train_seconds')} s")
    k = report["headline"]["k"]
    for name in ("all", report["headline"]["population"]):
        pop = report["populations"][name]
        print(f"\n{name}: {pop['cases']:,} cases hired {pop['period']['first']} to {pop['period']['last']}; "
              f"{pop['posting_cases']:,} with the obtained posting open on the hiring date")
        for s, f in pop["strategies"].items():
            print(f"  {s:>10}: posting hit@{k} {_fmt(f['posting'][f'hit@{k}'])}  MRR@{max(report['options']['ks'])} "
                  f"{_mrr(f['posting']['mrr'])}")
            print(f"  {'':>10}  occupation hit@{k} {_fmt(f['occupation'][f'hit@{k}'])}  "
                  f"ISCO unit group hit@{k} {_fmt(f['isco_unit_group'][f'hit@{k}'])}  coverage {_fmt(f['coverage'])}")
        for c in pop["comparisons"]:
            if c["metric"] in (f"posting hit@{k}", f"occupation hit@{k}", "posting mrr"):
                lo, hi = c["ci"]
                print(f"  {c['a']} − {c['b']} {c['metric']}: {c['difference']:+.4f} [{lo:+.4f}, {hi:+.4f}] "
                      f"{c['test']} p={c['p']:.4g}")
        hz = pop["horizon"]
        print(f"  widened horizon: hired outside desired {_fmt(hz['hired_outside_desired'])}; alternatives named "
              f"the hire {_fmt(hz['alternatives_named_hire'])}; outside focus "
              f"{_fmt(hz['alternatives_named_hire_outside_focus'])}")
    print(f"\nreport: {out / 'report' / 'report.md'}")


if __name__ == "__main__":
    main()
