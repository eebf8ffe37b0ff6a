"""Moves between occupations seen in the history: from the citizen's occupations to the one they were hired in.

Counted at the ISCO-08 unit-group level (4 digits), where counsellors' lists of related occupations are
scored and where counts stay large enough to mean something: for each unit group of a citizen's
desired or past occupations, how many citizens had it and how many of them were hired into each other
unit group. The alternatives use the share as one more named part (``observed_moves``), with the counts
shown, so a suggestion can say "of 120 citizens from your field, 14 were hired here".

Cells under :data:`MIN_CELL` citizens are left out (and their citizens still count in the total), so a
published model never reveals one person's move.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from ontology.errors import ValidationError

MIN_CELL = 5

# {from unit group: {"citizens": n, "to": {to unit group: hires}}}
Moves = dict[str, dict[str, Any]]


def count_moves(cases: Iterable[tuple[set[str], str]]) -> Moves:
    """``cases``: (the citizen's focus unit groups, the hired unit group) per case with both known."""
    citizens: Counter[str] = Counter()
    to: dict[str, Counter[str]] = {}
    for focus, hired in cases:
        if not focus or not hired:
            continue
        for f in focus:
            citizens[f] += 1
            if hired not in focus:
                to.setdefault(f, Counter())[hired] += 1
    out: Moves = {}
    for f in sorted(citizens):
        kept = {g: n for g, n in sorted(to.get(f, Counter()).items()) if n >= MIN_CELL}
        if kept:
            out[f] = {"citizens": citizens[f], "to": kept}
    return out


def move_share(moves: Mapping[str, Mapping[str, Any]], focus: Iterable[str], group: str) -> tuple[float, str]:
    """The largest share of citizens from one of ``focus`` hired into ``group``, and that focus group."""
    best, via = 0.0, ""
    for f in sorted(focus):
        row = moves.get(f)
        if row is None or not row["citizens"]:
            continue
        share = row["to"].get(group, 0) / row["citizens"]
        if share > best:
            best, via = share, f
    return best, via


def check_moves(data: Any) -> Moves:
    """:raise ValidationError: (field ``moves``) unless ``data`` has the shape of :data:`Moves`."""
    if not isinstance(data, dict):
        raise ValidationError("moves must be an object of ISCO unit groups", field="moves")
    for f, row in data.items():
        ok = (isinstance(f, str) and isinstance(row, dict) and isinstance(row.get("citizens"), int)
              and row["citizens"] > 0 and isinstance(row.get("to"), dict)
              and all(isinstance(g, str) and isinstance(n, int) and 0 < n <= row["citizens"]
                      for g, n in row["to"].items()))
        if not ok:
            raise ValidationError(f"moves[{f!r}]: needs citizens (a count) and to (counts per unit group)",
                                  field="moves")
    return data
