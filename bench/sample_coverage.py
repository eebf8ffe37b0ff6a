"""How well `make run`'s sample serves its citizens: the share with at least 3 suggestions within their
radius, and with an alternative that has a current posting nearby.

    JOBMATCH_DATA_DIR=data python bench/sample_coverage.py        # after `make run` (or ontology load + sample load)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from graph.backends.memory.graph_store import MemoryStore  # noqa: E402
from graph.matching.alternatives import find_alternatives  # noqa: E402
from graph.matching.match import match_postings  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("JOBMATCH_DATA_DIR", "data"))
    args = ap.parse_args()
    store = MemoryStore(Path(args.data)).open()
    ids = store.cv_ids()
    cvs = store.get_cvs(ids)
    counts: Counter[int] = Counter()
    three = with_nearby = alternatives = alternatives_nearby = 0
    for cid in ids:
        k = len(match_postings(store, cvs[cid]).suggestions)
        counts[min(k, 10)] += 1
        three += k >= 3
        alts = find_alternatives(store, cvs[cid]).alternatives
        alternatives += len(alts)
        near = sum(1 for a in alts if a.postings_nearby)
        alternatives_nearby += near
        with_nearby += near > 0
    n = max(len(ids), 1)
    print(f"{len(ids)} CVs, {store.posting_count():,} postings")
    print(f"  at least 3 suggestions within their radius: {three} ({three / n:.0%})")
    print(f"  suggestions per CV (10 = 10 or more): {sorted(counts.items())}")
    print(f"  with an alternative that has a posting nearby: {with_nearby} ({with_nearby / n:.0%}); "
          f"alternatives with a posting nearby {alternatives_nearby} of {alternatives}")
    store.close()


if __name__ == "__main__":
    main()
