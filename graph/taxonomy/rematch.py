"""What a new taxonomy version does to the citizens' lists, measured: every CV matched before and after.

A link to a changed concept says little on its own (a relabelled skill changes no score; one new essential
relation of a sought occupation can reorder a whole list). So the impact report re-matches: each stored CV
against the same postings, once on the store as it is (the version in force) and once on a store that holds
the new version (the caller builds it: an embedded store with the new taxonomy and the postings as the
upgrade would leave them, links to replaced concepts migrated), and compares the top of the two lists. A CV is *affected* when its top ``limit`` changes — a posting enters,
leaves or moves — and the report says how, per municipality.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from graph.matching.match import match_postings
from graph.matching.scoring import MatchSettings
from graph.records import CvRecord
from graph.store import Store

TOP = 10  # the list a consultant looks at


@dataclass(frozen=True, slots=True)
class RankChange:
    """One CV's top postings before and after (ids, best first) and the change in its best score."""

    cv_id: str
    municipality: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    best_before: float
    best_after: float

    @property
    def entered(self) -> tuple[str, ...]:
        return tuple(p for p in self.after if p not in self.before)

    @property
    def left(self) -> tuple[str, ...]:
        return tuple(p for p in self.before if p not in self.after)

    @property
    def moved(self) -> int:
        """Postings in both lists at another rank."""
        return sum(1 for i, p in enumerate(self.after) if p in self.before and self.before.index(p) != i)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def as_json(self) -> dict[str, object]:
        return {"cv_id": self.cv_id, "municipality": self.municipality, "entered": list(self.entered),
                "left": list(self.left), "moved": self.moved, "best_before": self.best_before,
                "best_after": self.best_after}


def rematch(before: Store, after: Store, cvs: Iterable[CvRecord], *, migrated: Mapping[str, CvRecord] | None = None,
            settings: MatchSettings | None = None, limit: int = TOP, valid_on: date | None = None) -> list[RankChange]:
    """Each CV's top ``limit`` on ``before`` and on ``after`` (the same postings, another taxonomy); a CV the
    upgrade would migrate is matched on ``after`` as ``migrated`` holds it."""
    day = (valid_on or date.today()).isoformat()
    moved = migrated or {}
    out: list[RankChange] = []
    for cv in cvs:
        a = match_postings(before, cv, settings=settings, limit=limit, valid_on=day)
        b = match_postings(after, moved.get(cv.id, cv), settings=settings, limit=limit, valid_on=day)
        out.append(RankChange(
            cv.id, cv.municipality, tuple(s.posting.id for s in a.suggestions), tuple(s.posting.id for s in b.suggestions),
            round(a.suggestions[0].score, 4) if a.suggestions else 0.0,
            round(b.suggestions[0].score, 4) if b.suggestions else 0.0))
    return out


def by_municipality(changes: Sequence[RankChange]) -> dict[str, dict[str, int]]:
    """Per municipality: CVs re-matched, CVs whose list changed, postings that entered and left lists."""
    out: dict[str, dict[str, int]] = {}
    for c in changes:
        m = out.setdefault(c.municipality or "-", {"cvs": 0, "changed": 0, "entered": 0, "left": 0, "moved": 0})
        m["cvs"] += 1
        m["changed"] += c.changed
        m["entered"] += len(c.entered)
        m["left"] += len(c.left)
        m["moved"] += c.moved
    return dict(sorted(out.items()))
