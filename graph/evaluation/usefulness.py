"""Consultants' verdicts on served suggestions (``useful`` / ``not_useful`` / ``applied``) per strategy.

This is the service's own ledger, not the placements: it says what consultants thought of lists
they saw, which is a different question from whether the lists contained the job people got.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from graph.evaluation.metrics import share
from graph.ledger import Feedback
from graph.matching.vocabulary import POSITIVE_VERDICTS
from graph.matching.vocabulary import VERDICT_NAMES as VERDICTS


def summarise_feedback(records: Sequence[Feedback]) -> dict[str, Any] | None:
    """Counts and shares (Wilson intervals) of each verdict per strategy; None when there is none.

    ``useful_or_applied`` reads "applied" as a positive verdict: a citizen applying is the
    strongest sign a suggestion was worth showing.
    """
    if not records:
        return None
    by_strategy: dict[str, Counter[str]] = {}
    for r in records:
        by_strategy.setdefault(r.strategy or "(unknown)", Counter())[r.verdict] += 1
    days = sorted(r.at for r in records)
    out: dict[str, Any] = {"period": {"first": days[0][:10], "last": days[-1][:10]}, "records": len(records),
                           "strategies": {}}
    for strategy, counts in sorted(by_strategy.items()):
        n = sum(counts.values())
        out["strategies"][strategy] = {
            "n": n,
            "counts": {v: counts.get(v, 0) for v in (*VERDICTS, *sorted(set(counts) - set(VERDICTS)))},
            **{v: share(counts.get(v, 0), n) for v in VERDICTS},
            "useful_or_applied": share(sum(counts.get(v, 0) for v in POSITIVE_VERDICTS), n),
        }
    return out
