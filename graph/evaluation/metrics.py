"""The figures: hit@k and MRR for the obtained posting, hit@k for its occupation and ISCO unit group,
coverage and the widened horizon, each with a 95 % interval; and paired comparisons of strategies.

Denominators differ on purpose and every figure carries its own ``n``: posting figures count only
cases whose obtained posting was current on the hiring date (otherwise no replay could suggest it);
occupation figures count every case whose hired occupation is known; coverage counts every case.
Ranks beyond the list depth are misses, so MRR is MRR@depth.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt

from graph.evaluation.history import Listing, Outcome
from graph.evaluation.stats import (
    BOOTSTRAP_RESAMPLES,
    PERMUTATIONS,
    bootstrap_mean,
    bootstrap_means,
    mcnemar_exact,
    percentile_interval,
    sign_flip_p,
    wilson,
)

Figure = dict[str, Any]


def share(count: int, n: int) -> Figure:
    """A share with its Wilson interval (value and interval None without cases)."""
    ci = wilson(count, n)
    return {"value": round(count / n, 6) if n else None, "count": count, "n": n,
            "ci": ci.as_list() if ci else None, "method": "wilson"}


def mean(values: npt.NDArray[np.float64], seed: int, resamples: int) -> Figure:
    """A mean with its percentile bootstrap interval."""
    ci = bootstrap_mean(values, seed=seed, resamples=resamples)
    return {"value": round(float(values.mean()), 6) if values.size else None, "n": int(values.size),
            "ci": ci.as_list() if ci else None, "method": "bootstrap percentile"}


def _ranks(outcomes: Sequence[Outcome], strategy: str, pick: Callable[[Listing], int]) -> npt.NDArray[np.int64]:
    return np.array([pick(o.listings[strategy]) for o in outcomes], dtype=np.int64)


def _hits(ranks: npt.NDArray[np.int64], k: int) -> npt.NDArray[np.float64]:
    return ((ranks > 0) & (ranks <= k)).astype(np.float64)


def _reciprocal(ranks: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    return np.divide(1.0, ranks, out=np.zeros(ranks.size), where=ranks > 0)


def posting_cases(outcomes: Sequence[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.posting_status == "open"]


def occupation_cases(outcomes: Sequence[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.occupation]


def strategy_figures(outcomes: Sequence[Outcome], strategy: str, ks: Sequence[int], *, seed: int,
                     resamples: int = BOOTSTRAP_RESAMPLES) -> dict[str, Any]:
    """Every figure of one strategy over ``outcomes``."""
    posting = posting_cases(outcomes)
    occ = occupation_cases(outcomes)
    p_ranks = _ranks(posting, strategy, lambda x: x.posting_rank)
    o_ranks = _ranks(occ, strategy, lambda x: x.occupation_rank)
    i_ranks = _ranks(occ, strategy, lambda x: x.isco_rank)
    covered = sum(1 for o in outcomes if o.listings[strategy].suggested)
    return {
        "coverage": share(covered, len(outcomes)),
        "posting": {
            **{f"hit@{k}": share(int(_hits(p_ranks, k).sum()), len(posting)) for k in ks},
            "mrr": mean(_reciprocal(p_ranks), seed, resamples),
        },
        "occupation": {f"hit@{k}": share(int(_hits(o_ranks, k).sum()), len(occ)) for k in ks},
        "isco_unit_group": {f"hit@{k}": share(int(_hits(i_ranks, k).sum()), len(occ)) for k in ks},
    }


def horizon_figures(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Hires outside the desired occupations, and how often the alternatives list named the job.

    ``outside_focus`` is the subset the alternatives can name at all: find_alternatives leaves out
    the desired and past occupations and their ISCO unit groups by design.
    """
    outside = [o for o in outcomes if o.outside_desired and o.alternatives is not None]
    focus_out = [o for o in outside if o.outside_focus]
    classified = [o for o in outcomes if o.outside_desired is not None]
    return {
        "hired_outside_desired": share(len(outside), len(classified)),
        "alternatives_named_hire": share(sum(1 for o in outside if o.alternatives_hit), len(outside)),
        "alternatives_named_hire_outside_focus": share(sum(1 for o in focus_out if o.alternatives_hit),
                                                       len(focus_out)),
        "no_desired_occupation_recorded": sum(1 for o in outcomes if o.outside_desired is None and o.occupation),
    }


def _binary_comparison(name: str, a: str, b: str, xa: npt.NDArray[np.float64], xb: npt.NDArray[np.float64],
                       boot: npt.NDArray[np.float64] | None) -> dict[str, Any]:
    a_only = int(np.count_nonzero((xa == 1) & (xb == 0)))
    b_only = int(np.count_nonzero((xa == 0) & (xb == 1)))
    ci = percentile_interval(boot) if boot is not None else None
    return {"metric": name, "a": a, "b": b, "n": int(xa.size),
            "a_value": round(float(xa.mean()), 6) if xa.size else None,
            "b_value": round(float(xb.mean()), 6) if xb.size else None,
            "difference": round(float((xa - xb).mean()), 6) if xa.size else None,
            "ci": ci.as_list() if ci else None, "a_only": a_only, "b_only": b_only,
            "test": "McNemar exact", "p": mcnemar_exact(a_only, b_only)}


def compare(outcomes: Sequence[Outcome], strategies: Sequence[str], ks: Sequence[int], *, seed: int,
            resamples: int = BOOTSTRAP_RESAMPLES, permutations: int = PERMUTATIONS) -> list[dict[str, Any]]:
    """Paired comparisons (A − B) of every pair of strategies on the same cases.

    Shares: the difference, its paired bootstrap interval and the exact McNemar test on the
    discordant cases. Reciprocal ranks: the mean difference, its paired bootstrap interval and a
    sign-flip permutation test. All seeded: the same seed gives the same figures.
    """
    out: list[dict[str, Any]] = []
    posting, occ = posting_cases(outcomes), occupation_cases(outcomes)
    for a, b in combinations(strategies, 2):
        rows: list[tuple[str, npt.NDArray[np.float64], npt.NDArray[np.float64], str]] = []
        cov = [np.array([bool(o.listings[s].suggested) for o in outcomes], dtype=np.float64) for s in (a, b)]
        rows.append(("coverage", cov[0], cov[1], "all"))
        pr = [_ranks(posting, s, lambda x: x.posting_rank) for s in (a, b)]
        orr = [_ranks(occ, s, lambda x: x.occupation_rank) for s in (a, b)]
        ir = [_ranks(occ, s, lambda x: x.isco_rank) for s in (a, b)]
        for k in ks:
            rows.append((f"posting hit@{k}", _hits(pr[0], k), _hits(pr[1], k), "posting"))
        for k in ks:
            rows.append((f"occupation hit@{k}", _hits(orr[0], k), _hits(orr[1], k), "occupation"))
        for k in ks:
            rows.append((f"isco_unit_group hit@{k}", _hits(ir[0], k), _hits(ir[1], k), "occupation"))
        rr = (_reciprocal(pr[0]), _reciprocal(pr[1]))
        # One bootstrap per case population, all its metrics on the same resamples (paired).
        boots: dict[str, npt.NDArray[np.float64]] = {}
        for pop in ("all", "posting", "occupation"):
            diffs = [xa - xb for _, xa, xb, p in rows if p == pop]
            if pop == "posting":
                diffs.append(rr[0] - rr[1])
            if diffs and diffs[0].size:
                boots[pop] = bootstrap_means(np.vstack(diffs), seed=seed, resamples=resamples)
        seen: dict[str, int] = {}
        for name, xa, xb, pop in rows:
            i = seen.get(pop, 0)
            seen[pop] = i + 1
            out.append(_binary_comparison(name, a, b, xa, xb, boots[pop][i] if pop in boots else None))
        d = rr[0] - rr[1]
        ci = percentile_interval(boots["posting"][seen.get("posting", 0)]) if "posting" in boots else None
        out.append({"metric": "posting mrr", "a": a, "b": b, "n": int(d.size),
                    "a_value": round(float(rr[0].mean()), 6) if d.size else None,
                    "b_value": round(float(rr[1].mean()), 6) if d.size else None,
                    "difference": round(float(d.mean()), 6) if d.size else None,
                    "ci": ci.as_list() if ci else None, "test": "sign-flip permutation",
                    "permutations": permutations,
                    "p": sign_flip_p(d, seed=seed, permutations=permutations)})
    return out


def period(outcomes: Sequence[Outcome]) -> dict[str, str | None]:
    days = sorted(o.hired_on for o in outcomes)
    return {"first": days[0] if days else None, "last": days[-1] if days else None}


def population_figures(outcomes: Sequence[Outcome], strategies: Sequence[str], ks: Sequence[int], *, seed: int,
                       resamples: int = BOOTSTRAP_RESAMPLES, permutations: int = PERMUTATIONS,
                       comparisons: bool = True) -> dict[str, Any]:
    """Every figure for one set of cases: counts, per strategy, the horizon, and the comparisons."""
    statuses: dict[str, int] = {}
    for o in outcomes:
        key = o.posting_status or "no_posting"
        statuses[key] = statuses.get(key, 0) + 1
    return {
        "period": period(outcomes),
        "cases": len(outcomes),
        "posting_hires": {k: statuses[k] for k in sorted(statuses)},
        "posting_cases": len(posting_cases(outcomes)),
        "occupation_cases": len(occupation_cases(outcomes)),
        "strategies": {s: strategy_figures(outcomes, s, ks, seed=seed, resamples=resamples) for s in strategies},
        "horizon": horizon_figures(outcomes),
        **({"comparisons": compare(outcomes, strategies, ks, seed=seed, resamples=resamples,
                                   permutations=permutations)} if comparisons else {}),
    }
