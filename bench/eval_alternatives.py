"""How well the alternatives match what a career counsellor would name, against plain skill overlap.

For each profile in ``tests/fixtures/alternatives/expert.tsv`` (a citizen of the target group: the gold
skills of one of the reading fixtures' CVs, seeking one ESCO occupation) the alternatives are scored
with nDCG@8 at the ISCO-08 unit-group level (an alternative is relevant when its unit group is on the
profile's list), next to two baselines over the same candidate occupations: Jaccard overlap of the
CV's skills with each occupation's profile, and random order.

    python bench/eval_alternatives.py                    # ESCO 1.1.1 from ../shared, in memory
    python bench/eval_alternatives.py --data /tmp/jmdata # a data dir with full ESCO loaded

The description part needs the reading model's occupation vectors: built (about 100 s, once) or found
under ``--reading-dir`` (default: the tests' cache, ``~/.cache/jobmatch/reading``); ``--no-vectors`` skips.

The expert lists were written before any tuning and by this project's engineers; they guard against
obviously wrong alternatives, not against our own blind spots (the independent evaluation has its own).
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import esco_111  # noqa: E402
from graph.accountability.serving import active_ontology_version  # noqa: E402
from graph.backends.memory.graph_store import MemoryStore  # noqa: E402
from graph.evaluation.related import K, ndcg, read_profiles  # noqa: E402
from graph.matching.alternatives import find_alternatives  # noqa: E402
from graph.matching.scoring import MatchSettings  # noqa: E402
from graph.records import CvRecord  # noqa: E402
from graph.store import Store  # noqa: E402
from loaders.extract.descriptions import build_occupation_vectors  # noqa: E402
from loaders.extract.reading import ReadingConfig  # noqa: E402

EXPERT = ROOT / "tests" / "fixtures" / "alternatives" / "expert.tsv"
CVS = ROOT / "tests" / "fixtures" / "reading" / "cvs.jsonl"


def candidates(store: Store, cv: CvRecord, settings: MatchSettings) -> list[tuple[str, str, float]]:
    """(occupation, unit group, Jaccard) for every occupation the alternatives could pick from."""
    skills = {s.skill for s in cv.skills}
    focus = set(cv.seeks)
    overlaps = store.occupations_sharing(sorted(skills), settings.alt_min_shared)
    concepts = store.concepts({o.occupation for o in overlaps} | focus)
    focus_groups = {concepts[o].isco_group for o in focus if o in concepts}
    pool = [o for o in overlaps if o.occupation not in focus and o.occupation in concepts
            and concepts[o.occupation].isco_group not in focus_groups and o.n_essential >= settings.alt_min_essential]
    prof = store.occupation_profiles([o.occupation for o in pool])
    out = []
    for o in pool:
        mine = {p.skill for p in prof.get(o.occupation, ())}
        out.append((o.occupation, concepts[o.occupation].isco_group, len(mine & skills) / len(mine | skills)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None, help="data dir of an embedded store with ESCO loaded "
                                                  "(default: ESCO 1.1.1 from ../shared, in memory)")
    ap.add_argument("--reading-dir", default=str(Path.home() / ".cache" / "jobmatch" / "reading"))
    ap.add_argument("--no-vectors", action="store_true", help="leave the description part out")
    ap.add_argument("--show", action="store_true", help="print each profile's alternatives")
    args = ap.parse_args()
    if args.data:
        store = MemoryStore(Path(args.data)).open()
    else:
        store = MemoryStore().open()
        store.upsert_taxonomy(esco_111())
    vectors = None if args.no_vectors else build_occupation_vectors(
        store, ReadingConfig("e5-small", Path(args.reading_dir)), active_ontology_version(store))
    settings = MatchSettings()
    variants = {"alternatives (default settings)": settings,
                "  without the description part": replace(settings, alt_w_description=0.0),
                "  description weight 0.5": replace(settings, alt_w_description=0.5),
                "  description scale 400": replace(settings, alt_description_scale=400.0),
                "alternatives, specificity 1.0": replace(settings, alt_specificity=1.0),
                "first release (0.6/0.1/0.3, decay 0.6)": replace(
                    settings, alt_w_essential=0.6, alt_w_optional=0.1, alt_w_closeness=0.3, alt_diversity_decay=0.6)}
    rnd = random.Random(7)
    totals: dict[str, list[float]] = {name: [] for name in [*variants, "jaccard", "random"]}
    for profile in read_profiles(store, EXPERT, CVS):
        cv, related = profile.cv, profile.related
        cv_id = cv.id
        pool = candidates(store, cv, settings)
        for name, s in variants.items():
            res = find_alternatives(store, cv, settings=s, limit=K, valid_on="2026-12-01", lang="en",
                                    vectors=vectors)
            groups = [a.isco_group for a in res.alternatives]
            totals[name].append(ndcg(groups, related))
            if args.show and s is settings:
                print(f"{cv_id}: " + "; ".join(f"{a.occupation.label} ({a.isco_group})" for a in res.alternatives))
        jac = sorted(pool, key=lambda t: (-t[2], t[0]))
        totals["jaccard"].append(ndcg([g for _, g, _ in jac], related))
        shuffled = pool[:]
        rnd.shuffle(shuffled)
        totals["random"].append(ndcg([g for _, g, _ in shuffled], related))
    print(f"{len(totals['jaccard'])} profiles, nDCG@{K} at ISCO unit-group level (tests/fixtures/alternatives); "
          f"occupation vectors: {vectors.key if vectors else 'none'}")
    for name, values in totals.items():
        print(f"  {name:<40} {sum(values) / len(values):.3f}   " + " ".join(f"{v:.2f}" for v in values))
    store.close()


if __name__ == "__main__":
    main()
