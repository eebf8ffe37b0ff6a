"""Out-of-sample views: a temporal split at a date, or a seeded random split.

Nothing is tuned on the placements (the weights are fixed settings), so a split cannot leak a tuned
choice; it is reported anyway so that a later change that *does* tune on the earlier period or on
the first sample is judged on the other part only, and so that drift over time shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from graph.evaluation.history import Outcome
from ontology.errors import ValidationError

# Share of the cases in the earlier period / the first sample: the usual 70/30 development/hold-out
# split, leaving the held-out part large enough for intervals a few points wide at 10,000 cases.
FIRST_SHARE = 0.7
SPLITS = ("temporal", "random")


@dataclass(frozen=True)
class Split:
    kind: str  # temporal | random
    first_name: str  # earlier | sample
    second_name: str  # later | held_out
    first: list[Outcome]
    second: list[Outcome]
    rule: str  # how the cases were divided, in words

    def describe(self) -> dict[str, object]:
        return {"kind": self.kind, "rule": self.rule, "parts": {self.first_name: len(self.first),
                                                                  self.second_name: len(self.second)}}


def temporal_split(outcomes: Sequence[Outcome], cut: str | None = None, share: float = FIRST_SHARE) -> Split:
    """Earlier = hired on or before ``cut``; later = after it. Without ``cut``, the hiring date by which
    ``share`` of the cases had been hired (whole days stay on one side)."""
    days = sorted(o.hired_on for o in outcomes)
    if cut is None:
        cut = days[max(0, math.ceil(share * len(days)) - 1)] if days else ""
    first = [o for o in outcomes if o.hired_on <= cut]
    second = [o for o in outcomes if o.hired_on > cut]
    return Split("temporal", "earlier", "later", first, second, f"earlier: hired on or before {cut}; later: after")


def random_split(outcomes: Sequence[Outcome], seed: int, share: float = FIRST_SHARE) -> Split:
    """A seeded random ``share`` of the cases (by case id order, so file order does not matter) and the rest."""
    ordered = sorted(outcomes, key=lambda o: o.case_id)
    perm = np.random.default_rng(seed).permutation(len(ordered))
    cut = round(share * len(ordered))
    chosen = set(perm[:cut].tolist())
    first = [o for i, o in enumerate(ordered) if i in chosen]
    second = [o for i, o in enumerate(ordered) if i not in chosen]
    return Split("random", "sample", "held_out", first, second,
                 f"seeded random {share:.0%} / {1 - share:.0%} of cases (seed {seed})")


def split(kind: str, outcomes: Sequence[Outcome], *, seed: int, cut: str | None = None) -> Split:
    """:raise ValidationError: for an unknown kind (field ``split``)."""
    if kind == "temporal":
        return temporal_split(outcomes, cut)
    if kind == "random":
        return random_split(outcomes, seed)
    raise ValidationError(f"split must be one of {', '.join(SPLITS)}", field="split")
