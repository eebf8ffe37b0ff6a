"""The context prior: a competence the document's own occupations require is a likelier reading.

A phrase read by meaning often lands between near concepts: "observation af patienter" is near both
*observe healthcare users* and *monitor patient's health condition*, "udkast til kontrakter" near *draft
contracts* and *draft loan contracts*. The document says which world it is in: the occupations it names
(a title, a degree, a past job: "Sygeplejerske", "cand.jur.") and the competences already read from it
by label. A candidate in the ESCO profile of a named occupation, or of the occupations whose profiles
hold most of what was already read (the profile neighbourhood), gets :data:`CONTEXT_WEIGHT` added to
its log-odds before the thresholds; nothing outside the context is lowered.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

# Added to a semantic link's log-odds when its concept is in the document's context. Swept 0-2 on the dev
# sets (bench/eval_extract.py): at 0.5 Danish posting phrases in their right ESCO group 0.413 -> 0.428 (any
# skill 0.746 -> 0.804), Kompetencer span recall 0.711 -> 0.719, English CV fixtures F1 0.762 -> 0.776,
# English skill F1 tech 0.419 -> 0.417, house 0.433 -> 0.437; the Danish CV fixtures lose a little (F1
# 0.720 -> 0.716: their links by meaning are held back by the CV bars, not by a lack of context). Higher
# weights read more in Danish postings but cost English precision (at 1.5, house P 0.611 -> 0.529).
CONTEXT_WEIGHT = 0.5
# The profile neighbourhood: the occupations whose profiles hold most of the skills already read, at most
# this many, each holding at least NEIGHBOUR_MIN_SHARED of them (two shared skills say little: *work in
# teams* and *Danish* are in hundreds of profiles).
NEIGHBOUR_OCCUPATIONS = 3
NEIGHBOUR_MIN_SHARED = 3


class ProfileContext:
    """Occupation profiles (occupation → the skills it requires, essential or optional), asked which
    skills surround a document."""

    def __init__(self, profiles: Mapping[str, Iterable[str]]) -> None:
        self._profiles = {o: frozenset(skills) for o, skills in profiles.items()}
        requirers: defaultdict[str, list[str]] = defaultdict(list)
        for occupation, skills in self._profiles.items():
            for s in skills:
                requirers[s].append(occupation)
        self._requirers = dict(requirers)

    def support(self, occupations: Iterable[str], read: Iterable[str]) -> dict[str, str]:
        """The skills around a document, each → the occupation whose profile puts it there (the explanation
        names it): the profiles of ``occupations`` (the document's own) first, in their order, then those
        of the occupations whose profiles hold most of the ``read`` skills, nearest first."""
        out: dict[str, str] = {}
        for o in occupations:
            for s in sorted(self._profiles.get(o, frozenset())):
                out.setdefault(s, o)
        shared = Counter(o for s in set(read) for o in self._requirers.get(s, ()))
        nearest = sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:NEIGHBOUR_OCCUPATIONS]
        for o, n in nearest:
            if n >= NEIGHBOUR_MIN_SHARED:
                for s in sorted(self._profiles[o]):
                    out.setdefault(s, o)
        return out


def in_context(probability: float, weight: float | None = None) -> float:
    """``probability`` with ``weight`` (:data:`CONTEXT_WEIGHT` by default) added to its log-odds."""
    p = min(max(probability, 1e-6), 1 - 1e-6)
    w = CONTEXT_WEIGHT if weight is None else weight
    return 1.0 / (1.0 + math.exp(-(math.log(p / (1 - p)) + w)))
