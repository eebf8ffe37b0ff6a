"""ESCO 1.1.1 (+ Danish occupation labels) into the embedded store: load time and peak memory.

Usage: python bench/load_bench.py [--runs 3]
Each run is a fresh process (peak RSS is per process) reading the package and storing it in a
temporary data directory, as `jobmatch ontology load` does.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import REPO, SHARED, machine, percentile  # noqa: E402

CHILD = """
import json, resource, sys, time
from pathlib import Path
from graph.backends.memory.graph_store import MemoryStore
from ontology.package import read_taxonomy
shared, data = Path(sys.argv[1]), Path(sys.argv[2])
t0 = time.perf_counter()
tax = read_taxonomy(shared / "esco/1.1.1", ("en", "da"), [shared / "esco/da/occupation_labels_da.tsv.gz"])
t1 = time.perf_counter()
store = MemoryStore(data).open()
summary = store.upsert_taxonomy(tax)
store.close()
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"read": t1 - t0, "store": t2 - t1, "total": t2 - t0, "peak_mib": peak,
                  "occupations": summary.occupations, "skills": summary.skills}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    totals, peaks = [], []
    print(f"machine: {machine()}")
    for i in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run([str(REPO / ".venv/bin/python"), "-c", CHILD, str(SHARED), tmp], cwd=REPO,
                                 capture_output=True, text=True, check=True).stdout
        r = json.loads(out)
        totals.append(r["total"])
        peaks.append(r["peak_mib"])
        print(f"run {i + 1}: read {r['read']:.1f} s + store {r['store']:.1f} s = {r['total']:.1f} s; "
              f"peak RSS {r['peak_mib']:.0f} MiB ({r['occupations']:,} occupations, {r['skills']:,} skills)")
    print(f"median load {percentile(totals, 50):.1f} s, max peak RSS {max(peaks):.0f} MiB")


if __name__ == "__main__":
    main()
