"""Alternatives against counsellors' lists of related occupations (ISCO-08 unit groups).

A profile is a citizen of the target group — the skills they showed (ESCO URIs) and the occupation they
seek — and the unit groups a career counsellor would name as related, outside the sought one's. The
alternatives are scored with nDCG@k at unit-group level: an alternative is relevant when its unit group
is on the list. ``bench/eval_alternatives.py`` prints the figures; a test keeps a floor.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

from graph.records import CvRecord, CvSkill, Evidence
from graph.store import Store

K = 8
# Where the profiles' citizens live: central Copenhagen (alternatives do not depend on it).
KBH = (55.6761, 12.5683)


@dataclass(frozen=True)
class Profile:
    cv: CvRecord
    related: frozenset[str]  # ISCO-08 unit groups


def read_profiles(store: Store, expert_tsv: Path, cvs_jsonl: Path) -> list[Profile]:
    """Profiles from an expert list (``cv``, ``focus`` English preferred label, ``related`` unit groups)
    and CVs with gold skills (``tests/fixtures/reading`` format: ``id`` and ``skills[].uri``).

    :raise ValueError: if a focus label does not name exactly one occupation in ``store``.
    """
    gold: dict[str, list[str]] = {}
    for line in cvs_jsonl.read_text("utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            gold[d["id"]] = [s["uri"] for s in d["skills"] if s.get("uri")]
    lines = [line for line in expert_tsv.read_text("utf-8").splitlines() if line and not line.startswith("#")]
    out = []
    for row in list(csv.DictReader(lines, delimiter="\t")):
        label = row["focus"]
        found = {h.uri for h in store.match_labels(label, ["Occupation"])
                 if h.label == label and h.lang == "en" and h.role == "preferred"}
        if len(found) != 1:
            raise ValueError(f"{expert_tsv}: focus {label!r} names {len(found)} occupations")
        # The skills stand for what the citizen showed; evidence is not what is measured here.
        ev = Evidence(section="profile", start=0, end=0, text="", sentence="", label="")
        cv = CvRecord(id=row["cv"], municipality="0101", postcode="1000", lat=KBH[0], lon=KBH[1], max_km=25.0,
                      seeks=(found.pop(),),
                      skills=tuple(CvSkill(u, "text", (ev,), "en") for u in dict.fromkeys(gold[row["cv"]])))
        out.append(Profile(cv, frozenset(row["related"].split(","))))
    return out


def ndcg(groups: list[str], related: frozenset[str], k: int = K) -> float:
    """nDCG@k of a ranked list of unit groups against the related ones (binary relevance)."""
    dcg = sum(1 / math.log2(i + 2) for i, g in enumerate(groups[:k]) if g in related)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(related))))
    return dcg / ideal if ideal else 0.0
