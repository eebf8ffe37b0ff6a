"""Out-of-sample views: a temporal split at a date, or a seeded random split.

The hand weights are fixed settings; the ``learned`` strategy is fitted on the first part only (the
earlier period, or the first sample), drawn from the cases before the replay, and judged on the other
part. The split also shows drift over time.
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


def temporal_cut(days: Sequence[str], share: float = FIRST_SHARE) -> str:
    """The hiring date by which ``share`` of the cases had been hired (whole days stay on one side)."""
    ordered = sorted(days)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else ""


def random_first(case_ids: Sequence[str], seed: int, share: float = FIRST_SHARE) -> set[str]:
    """The case ids of a seeded random ``share`` (by case id order, so file order does not matter)."""
    ordered = sorted(case_ids)
    perm = np.random.default_rng(seed).permutation(len(ordered))
    return {ordered[i] for i in perm[:round(share * len(ordered))].tolist()}


def temporal_split(outcomes: Sequence[Outcome], cut: str | None = None, share: float = FIRST_SHARE) -> Split:
    """Earlier = hired on or before ``cut``; later = after it. Without ``cut``, the hiring date by which
    ``share`` of the cases had been hired (whole days stay on one side)."""
    if cut is None:
        cut = temporal_cut([o.hired_on for o in outcomes], share)
    first = [o for o in outcomes if o.hired_on <= cut]
    second = [o for o in outcomes if o.hired_on > cut]
    return Split("temporal", "earlier", "later", first, second, f"earlier: hired on or before {cut}; later: after")


def random_split(outcomes: Sequence[Outcome], seed: int, share: float = FIRST_SHARE,
                 first_ids: set[str] | None = None) -> Split:
    """A seeded random ``share`` of the cases (by case id order, so file order does not matter) and the rest.
    ``first_ids`` fixes the first sample instead (drawn before the replay, when a model is trained on it)."""
    ordered = sorted(outcomes, key=lambda o: o.case_id)
    chosen = first_ids if first_ids is not None else random_first([o.case_id for o in outcomes], seed, share)
    first = [o for o in ordered if o.case_id in chosen]
    second = [o for o in ordered if o.case_id not in chosen]
    return Split("random", "sample", "held_out", first, second,
                 f"seeded random {share:.0%} / {1 - share:.0%} of cases (seed {seed})")


def split(kind: str, outcomes: Sequence[Outcome], *, seed: int, cut: str | None = None,
          first_ids: set[str] | None = None) -> Split:
    """:raise ValidationError: for an unknown kind (field ``split``)."""
    if kind == "temporal":
        return temporal_split(outcomes, cut)
    if kind == "random":
        return random_split(outcomes, seed, first_ids=first_ids)
    raise ValidationError(f"split must be one of {', '.join(SPLITS)}", field="split")
