"""The baseline: a re-implementation of Jobnet's "automatch", so comparisons are side by side.

Jobnet's automatch uses only distance from home, the desired job titles, and jobs that need no
qualifications. Here: current postings within the radius whose title matches a desired job title
(the citizen's free titles and the labels of the desired ESCO occupations, Danish and English), or
whose occupation is a desired one (Jobnet's ads carry an occupation code); then topped up with
postings needing no qualifications (ISCO major group 9, or no essential skill listed). Within each
group, nearest first. No skills are used: that is the point of the comparison.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from graph.matching.explain import MatchResult, SkillRef, Suggestion
from graph.matching.geo import bbox_around
from graph.matching.match import empty_result, frame_of, haversine_np, label_of
from graph.matching.scoring import MatchSettings
from graph.matching.vocabulary import PART
from graph.records import CvRecord
from graph.store import Store

# Score of a suggestion by reason: a title match outranks a no-qualification top-up.
_TITLE_SCORE = 1.0
_UNSKILLED_SCORE = 0.5


def _title_pattern(titles: set[str]) -> re.Pattern[str] | None:
    """One alternation over all titles. Whole words only: "kok" must not match "kokkeelev"; but Danish
    compounds end in the title ("sygeplejerske" in "hjemmesygeplejerske"), so a title may close a word."""
    alts = [re.escape(t.lower()) for t in sorted(titles, key=lambda t: (-len(t), t)) if t]
    if not alts:
        return None
    return re.compile(r"(?<![\w])\w*(?:" + "|".join(alts) + r")(?![\w])")


def automatch(
    store: Store,
    cv: CvRecord,
    *,
    settings: MatchSettings | None = None,
    radius_km: float | None = None,
    limit: int | None = None,
    valid_on: str | None = None,
    lang: str = "da",
    ontology_version: str = "",
) -> MatchResult:
    """Jobnet-style automatch for ``cv``: title matches nearest first, then unskilled jobs nearest first.

    :raise ValidationError: if the CV has no location or the radius/limit is out of range.
    """
    settings = settings or MatchSettings()
    f = frame_of(cv, settings, radius_km, limit, valid_on)
    lat, lon, radius, k, valid_on = f.lat, f.lon, f.radius, f.limit, f.valid_on
    base = empty_result(cv, settings, radius, valid_on, ontology_version, "automatch")

    postings = store.postings_in(bbox_around(lat, lon, radius), valid_on)
    if not postings:
        return replace(base, notes=("no current postings within the radius",))
    dist = haversine_np(lat, lon, np.array([p.lat for p in postings]), np.array([p.lon for p in postings]))

    seeks = set(cv.seeks)
    within: list[int] = np.flatnonzero(dist <= radius).tolist()
    concepts = store.concepts(seeks | {postings[i].occupation for i in within if postings[i].occupation})
    titles = {t.strip().lower() for t in cv.desired_titles if t.strip()}
    for uri in seeks:
        c = concepts.get(uri)
        if c is not None:
            for ls in c.labels.values():
                titles.update(x.lower() for x in (ls.preferred, *ls.alt) if x)
    pattern = _title_pattern(titles)

    ranked: list[tuple[int, float, str, int, str]] = []
    for i in within:
        p = postings[i]
        d = float(dist[i])
        if p.occupation in seeks or (pattern is not None and pattern.search(p.title.lower())):
            ranked.append((0, round(d, 3), p.id, i, PART.title))
            continue
        occ = concepts.get(p.occupation)
        if p.n_essential == 0 or (occ is not None and occ.isco_group.startswith(settings.automatch_unskilled_major_group)):
            ranked.append((1, round(d, 3), p.id, i, PART.unskilled))
    ranked.sort()

    out = []
    for rank, (_group, d, _pid, i, reason) in enumerate(ranked[:k], start=1):
        p = postings[i]
        score = _TITLE_SCORE if reason == PART.title else _UNSKILLED_SCORE
        out.append(Suggestion(
            rank=rank, posting=p, score=score, parts={reason: score}, distance_km=d,
            occupation=SkillRef(p.occupation, label_of(concepts, p.occupation, lang)) if p.occupation else None,
            occupation_fit="desired" if p.occupation in seeks else "none",
            matched=(), missing_essential=(), reason=reason,
        ))
    return replace(base, suggestions=tuple(out), candidates=len(ranked))
