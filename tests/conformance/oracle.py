"""The answers the taxonomy questions must have, computed straight from a :class:`Taxonomy`.

A deliberately naive second reading of the store protocol's docstrings, over the taxonomy's own
lists (no graph library, no database), so that both backends are held to an answer neither produced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from graph.records import ConceptRelation, LabelEntry, OccupationOverlap, ProfileSkill, SkillLink
from ontology.model import Taxonomy

_ROLE = {"preferred": 0, "alt": 1, "hidden": 2}


def _kind(tax: Taxonomy, uri: str) -> str | None:
    c = tax.concepts.get(uri)
    return c.kind if c is not None else None


def profile(tax: Taxonomy, occupation: str) -> list[ProfileSkill] | None:
    if _kind(tax, occupation) != "Occupation":
        return None
    last: dict[str, ProfileSkill] = {}
    for r in tax.occupation_skills:
        if r.occupation == occupation:
            last[r.skill] = ProfileSkill(r.skill, r.kind)
    return sorted(last.values(), key=lambda p: p.skill)


def sharing(tax: Taxonomy, skills: Iterable[str], min_shared: int = 1) -> list[OccupationOverlap]:
    asked = set(skills)
    by_occ: dict[str, dict[str, str]] = defaultdict(dict)
    for r in tax.occupation_skills:
        by_occ[r.occupation][r.skill] = r.kind
    out = []
    for occ in sorted(by_occ):
        shared = [ProfileSkill(s, k) for s, k in sorted(by_occ[occ].items()) if s in asked]  # type: ignore[arg-type]
        if shared and len(shared) >= min_shared:
            n_ess = sum(1 for k in by_occ[occ].values() if k == "essential")
            out.append(OccupationOverlap(occ, tuple(shared), n_ess, len(by_occ[occ]) - n_ess))
    return out


def neighbours(tax: Taxonomy, skills: Iterable[str]) -> list[SkillLink]:
    asked = set(skills)
    parents: dict[str, set[str]] = defaultdict(set)
    children: dict[str, set[str]] = defaultdict(set)
    for b in tax.broader:
        parents[b.child].add(b.parent)
        children[b.parent].add(b.child)

    def is_skill(u: str) -> bool:
        return _kind(tax, u) == "Skill"

    out: set[SkillLink] = set()
    for s in asked:
        if not is_skill(s):
            continue
        for p in parents[s]:
            if not is_skill(p):
                continue
            if p not in asked:
                out.add(SkillLink(s, "broader", p))
            out |= {SkillLink(s, "sibling", sib, p) for sib in children[p]
                    if sib != s and sib not in asked and is_skill(sib)}
        out |= {SkillLink(s, "narrower", c) for c in children[s] if c not in asked and is_skill(c)}
    return sorted(out, key=lambda x: (x.source, x.relation, x.target, x.via))


def collections(tax: Taxonomy, uri: str) -> tuple[str, ...]:
    return tuple(sorted({m.collection for m in tax.collections if m.concept == uri}))


def relations(tax: Taxonomy, uri: str) -> list[ConceptRelation]:
    out: set[ConceptRelation] = set()
    for r in tax.occupation_skills:
        if r.occupation == uri:
            out.add(ConceptRelation("REQUIRES", r.kind, r.skill))
        if r.skill == uri:
            out.add(ConceptRelation("REQUIRED_BY", r.kind, r.occupation))
    for b in tax.broader:
        if b.child == uri:
            out.add(ConceptRelation("BROADER", "", b.parent))
        if b.parent == uri:
            out.add(ConceptRelation("NARROWER", "", b.child))
    for s in tax.skill_skills:
        if s.source == uri:
            out.add(ConceptRelation("RELATED", s.kind, s.target))
        if s.target == uri:
            out.add(ConceptRelation("RELATED_FROM", s.kind, s.source))
    out |= {ConceptRelation("IN_COLLECTION", m.collection, "") for m in tax.collections if m.concept == uri}
    return sorted(out, key=lambda r: (r.relation, r.kind, r.other))


def labels(tax: Taxonomy, kinds: Sequence[str], langs: Sequence[str] | None = None) -> list[LabelEntry]:
    out: list[LabelEntry] = []
    for uri in sorted(tax.concepts):
        c = tax.concepts[uri]
        if c.kind not in kinds:
            continue
        entries = []
        for lang, ls in c.labels.items():
            if langs is not None and lang not in langs:
                continue
            if ls.preferred:
                entries.append(LabelEntry(uri, c.kind, lang, ls.preferred, "preferred"))
            entries += [LabelEntry(uri, c.kind, lang, a, "alt") for a in ls.alt]
            entries += [LabelEntry(uri, c.kind, lang, h, "hidden") for h in ls.hidden]
        out += sorted(entries, key=lambda e: (e.lang, _ROLE[e.role], e.label))
    return out
