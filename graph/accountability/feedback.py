"""Consultants' feedback aggregated per strategy and per occupation group (ISCO major group)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from graph.ledger import Feedback
from graph.matching.vocabulary import POSITIVE_VERDICTS, VERDICT_NAMES
from graph.store import Store

UNKNOWN_GROUP = "?"


def _group_of(store: Store, items: Sequence[Feedback]) -> dict[str, str]:
    """ISCO major group (first digit) of each feedback target: a posting's occupation or an occupation."""
    postings = store.get_postings([f.target for f in items])
    occ_of = {f.target: postings[f.target].occupation if f.target in postings else f.target for f in items}
    concepts = store.concepts(set(occ_of.values()))
    return {t: (concepts[o].isco_group[:1] if o in concepts and concepts[o].isco_group else UNKNOWN_GROUP)
            for t, o in occ_of.items()}


def summarise_feedback(items: Sequence[Feedback], store: Store) -> dict[str, Any]:
    """Counts and useful share of ``items`` per strategy and per (strategy, ISCO major group); ``store``
    names each target's occupation group."""
    groups = _group_of(store, items) if items else {}
    per_strategy: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(VERDICT_NAMES, 0))
    per_group: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(VERDICT_NAMES, 0))
    for f in items:
        per_strategy[f.strategy][f.verdict] = per_strategy[f.strategy].get(f.verdict, 0) + 1
        key = (f.strategy, groups.get(f.target, UNKNOWN_GROUP))
        per_group[key][f.verdict] = per_group[key].get(f.verdict, 0) + 1

    def with_share(c: dict[str, int]) -> dict[str, Any]:
        n = sum(c.values())
        positive = sum(v for k, v in c.items() if k in POSITIVE_VERDICTS)
        return {**c, "total": n, "useful_or_applied_share": round(positive / n, 4) if n else None}

    return {
        "total": len(items),
        "per_strategy": {s: with_share(c) for s, c in sorted(per_strategy.items())},
        "per_strategy_and_isco_major_group": [
            {"strategy": s, "isco_major_group": g, **with_share(c)} for (s, g), c in sorted(per_group.items())
        ],
    }
