"""What changed between two taxonomy versions: concepts, labels, attributes and relations.

Pure: two :class:`~ontology.model.Taxonomy` objects in, one :class:`TaxonomyDiff` out; no store, no I/O.
The diff compares the graphs the loader builds, which is what an upgrade changes in the store:

* concepts are counted **per kind** (a URI that was a skill group and is now a skill counts as a skill
  added and a skill group removed, and is listed under attribute ``kind``), so the figures agree with
  counting each ESCO concept file on its own;
* a relation whose endpoint no longer exists is reported as ``dropped`` (gone with its concept), not as
  ``removed``: ESCO 1.1.1 still lists 67 relations of an occupation it removed, and counting them as
  removed would report the occupation's removal twice;
* relation kinds that change (essential ↔ optional) are ``changed``, not a removal plus an addition;
* stubs (concepts a package uses but does not list) are placeholders, never added or removed concepts;
  the summary counts them per version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ontology.model import CONCEPT_KINDS, Concept, ConceptKind, LabelSet, Taxonomy

RelationName = Literal["REQUIRES", "RELATED", "BROADER", "IN_COLLECTION"]
RELATIONS: tuple[RelationName, ...] = ("REQUIRES", "RELATED", "BROADER", "IN_COLLECTION")
RELATION_TITLES: Mapping[RelationName, str] = {
    "REQUIRES": "occupation-skill (REQUIRES)",
    "RELATED": "skill-skill (RELATED)",
    "BROADER": "hierarchy (BROADER)",
    "IN_COLLECTION": "collections (IN_COLLECTION)",
}
Change = Literal["added", "removed", "changed", "dropped"]
CHANGES: tuple[Change, ...] = ("added", "removed", "changed", "dropped")
# Concept attributes compared, in report order. ``kind`` changes are real (1.1.1 turned 5 skill groups
# into skills); descriptions are left out on purpose: they change wording often and affect no match.
ATTRIBUTES: tuple[str, ...] = ("kind", "status", "skill_type", "reuse_level", "isco_group", "code")
# Why a URI is affected, as the impact report shows it.
REASONS: tuple[str, ...] = ("removed", "kind", "relabelled", "attributes", "requires", "broader", "related",
                            "collection")
_REASON_OF: Mapping[RelationName, str] = {
    "REQUIRES": "requires", "RELATED": "related", "BROADER": "broader", "IN_COLLECTION": "collection",
}


@dataclass(frozen=True, slots=True)
class ConceptRef:
    """A concept added to or removed from one kind. ``other_kind`` is the kind the URI has in the other
    version ("" when the URI does not exist there at all)."""

    uri: str
    kind: ConceptKind
    label: str
    other_kind: str = ""


@dataclass(frozen=True, slots=True)
class LabelChange:
    """The label changes of one concept in one language (alternative and hidden labels as sets)."""

    uri: str
    kind: str
    lang: str
    old_preferred: str
    new_preferred: str
    alt_added: tuple[str, ...] = ()
    alt_removed: tuple[str, ...] = ()
    hidden_added: tuple[str, ...] = ()
    hidden_removed: tuple[str, ...] = ()

    @property
    def preferred_changed(self) -> bool:
        return self.old_preferred != self.new_preferred

    @property
    def alt_changed(self) -> bool:
        return bool(self.alt_added or self.alt_removed)

    @property
    def hidden_changed(self) -> bool:
        return bool(self.hidden_added or self.hidden_removed)


@dataclass(frozen=True, slots=True)
class AttributeChange:
    uri: str
    kind: str
    attribute: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class RelationChange:
    """One edge that differs. ``source``/``target``: occupation/skill (REQUIRES), original/related skill
    (RELATED), child/parent (BROADER), concept/collection name (IN_COLLECTION). ``old_kind``/``new_kind``
    carry essential/optional where the relation has a kind."""

    relation: RelationName
    change: Change
    source: str
    target: str
    old_kind: str = ""
    new_kind: str = ""


@dataclass(frozen=True)
class TaxonomyDiff:
    """The changes from ``old_version`` to ``new_version``; every tuple in a deterministic order.

    ``names`` holds a display label for every URI the diff mentions (new version first, else old).
    """

    old_version: str
    new_version: str
    languages: tuple[str, ...]
    added: tuple[ConceptRef, ...] = ()
    removed: tuple[ConceptRef, ...] = ()
    relabelled: tuple[LabelChange, ...] = ()
    attributes: tuple[AttributeChange, ...] = ()
    relations: tuple[RelationChange, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    stubs: tuple[int, int] = (0, 0)  # stub concepts in the old and in the new version

    def name(self, uri: str) -> str:
        return self.names.get(uri, uri)

    def removed_uris(self) -> frozenset[str]:
        """URIs the old version lists and the new one lists as no kind at all (links to them break)."""
        return frozenset(r.uri for r in self.removed if not r.other_kind)

    def affected(self) -> dict[str, tuple[str, ...]]:
        """Every URI the diff touches, with why (reasons in :data:`REASONS` order)."""
        why: dict[str, set[str]] = {}
        for a in self.attributes:
            why.setdefault(a.uri, set()).add("kind" if a.attribute == "kind" else "attributes")
        for lc in self.relabelled:
            why.setdefault(lc.uri, set()).add("relabelled")
        for r in self.relations:
            for uri in (r.source, r.target) if r.relation != "IN_COLLECTION" else (r.source,):
                why.setdefault(uri, set()).add(_REASON_OF[r.relation])
        for uri in self.removed_uris():
            # A removed concept's own relations go with it; "removed" says all there is to say.
            why[uri] = {"removed"}
        order = {reason: i for i, reason in enumerate(REASONS)}
        return {uri: tuple(sorted(rs, key=order.__getitem__)) for uri, rs in sorted(why.items())}

    def counts(self) -> dict[str, Any]:
        """The figures of the report: concepts added/removed per kind, label changes per language and
        kind, attribute changes per attribute, relation changes per relation and change."""
        concepts: dict[str, dict[str, int]] = {k: {"added": 0, "removed": 0} for k in CONCEPT_KINDS}
        for ref in self.added:
            concepts[ref.kind]["added"] += 1
        for ref in self.removed:
            concepts[ref.kind]["removed"] += 1
        labels: dict[str, dict[str, dict[str, int]]] = {}
        for lc in self.relabelled:
            per = labels.setdefault(lc.lang, {}).setdefault(
                lc.kind, {"concepts": 0, "preferred": 0, "alt": 0, "hidden": 0})
            per["concepts"] += 1
            per["preferred"] += lc.preferred_changed
            per["alt"] += lc.alt_changed
            per["hidden"] += lc.hidden_changed
        attributes = Counter(a.attribute for a in self.attributes)
        relations = {r: dict.fromkeys(CHANGES, 0) for r in RELATIONS}
        for rc in self.relations:
            relations[rc.relation][rc.change] += 1
        return {
            "concepts": concepts,
            "stubs": {"old": self.stubs[0], "new": self.stubs[1]},
            "labels": labels,
            "attributes": {a: attributes[a] for a in ATTRIBUTES if attributes[a]},
            "relations": relations,
        }

    def as_json(self) -> dict[str, Any]:
        """Counts plus every change, with display labels; the shape ``taxonomy diff --json`` prints."""
        def concept(ref: ConceptRef) -> dict[str, str]:
            out = {"uri": ref.uri, "kind": ref.kind, "label": ref.label}
            if ref.other_kind:
                out["other_kind"] = ref.other_kind
            return out

        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "languages": list(self.languages),
            "counts": self.counts(),
            "added": [concept(r) for r in self.added],
            "removed": [concept(r) for r in self.removed],
            "relabelled": [
                {"uri": lc.uri, "kind": lc.kind, "lang": lc.lang, "label": self.name(lc.uri),
                 "old_preferred": lc.old_preferred, "new_preferred": lc.new_preferred,
                 "alt_added": list(lc.alt_added), "alt_removed": list(lc.alt_removed),
                 "hidden_added": list(lc.hidden_added), "hidden_removed": list(lc.hidden_removed)}
                for lc in self.relabelled
            ],
            "attributes": [
                {"uri": a.uri, "kind": a.kind, "label": self.name(a.uri), "attribute": a.attribute,
                 "old": a.old, "new": a.new}
                for a in self.attributes
            ],
            "relations": [
                {"relation": r.relation, "change": r.change, "source": r.source, "target": r.target,
                 "source_label": self.name(r.source),
                 "target_label": r.target if r.relation == "IN_COLLECTION" else self.name(r.target),
                 "old_kind": r.old_kind, "new_kind": r.new_kind}
                for r in self.relations
            ],
        }


def diff_taxonomies(old: Taxonomy, new: Taxonomy, languages: Sequence[str] | None = None) -> TaxonomyDiff:
    """Compare ``old`` with ``new``.

    ``languages`` are the label languages compared (default: those both taxonomies were read in); the
    first one gives the display labels.
    """
    langs = tuple(languages) if languages is not None else tuple(x for x in old.languages if x in new.languages)
    display = langs[0] if langs else "en"
    added, removed = _concept_changes(old.concepts, new.concepts, display)
    relabelled: list[LabelChange] = []
    attributes: list[AttributeChange] = []
    for uri in sorted(old.concepts.keys() & new.concepts.keys()):
        a, b = old.concepts[uri], new.concepts[uri]
        relabelled += _label_changes(a, b, langs)
        attributes += _attribute_changes(a, b)
    gone = old.concepts.keys() - new.concepts.keys()
    relations = _relation_changes(old, new, gone)
    mentioned = {*(r.uri for r in (*added, *removed)), *(x.uri for x in relabelled), *(x.uri for x in attributes)}
    for rc in relations:
        mentioned.add(rc.source)
        if rc.relation != "IN_COLLECTION":
            mentioned.add(rc.target)
    names = {u: _display(new.concepts.get(u) or old.concepts.get(u), u, display) for u in sorted(mentioned)}
    return TaxonomyDiff(
        old_version=old.version, new_version=new.version, languages=langs, added=tuple(added),
        removed=tuple(removed), relabelled=tuple(relabelled), attributes=tuple(attributes),
        relations=tuple(relations), names=names,
        stubs=(sum(c.stub for c in old.concepts.values()), sum(c.stub for c in new.concepts.values())),
    )


def _display(concept: Concept | None, uri: str, lang: str) -> str:
    return concept.label(lang) if concept is not None else uri


def _concept_changes(
    old: Mapping[str, Concept], new: Mapping[str, Concept], lang: str
) -> tuple[list[ConceptRef], list[ConceptRef]]:
    def key(c: Concept) -> tuple[int, str]:
        return CONCEPT_KINDS.index(c.kind), c.uri

    def listed(concepts: Mapping[str, Concept]) -> dict[str, Concept]:
        # Stubs (referenced by a package but not listed in it) are placeholders, not concepts of the
        # version: they neither appear nor disappear; the summary counts them on their own.
        return {u: c for u, c in concepts.items() if not c.stub}

    a, b = listed(old), listed(new)
    added = [ConceptRef(c.uri, c.kind, c.label(lang), a[c.uri].kind if c.uri in a else "")
             for c in sorted(b.values(), key=key) if c.uri not in a or a[c.uri].kind != c.kind]
    removed = [ConceptRef(c.uri, c.kind, c.label(lang), b[c.uri].kind if c.uri in b else "")
               for c in sorted(a.values(), key=key) if c.uri not in b or b[c.uri].kind != c.kind]
    return added, removed


def _label_changes(a: Concept, b: Concept, langs: Iterable[str]) -> list[LabelChange]:
    out = []
    empty = LabelSet(preferred="")
    for lang in langs:
        la, lb = a.labels.get(lang, empty), b.labels.get(lang, empty)
        alt_a, alt_b = set(la.alt), set(lb.alt)
        hid_a, hid_b = set(la.hidden), set(lb.hidden)
        if la.preferred == lb.preferred and alt_a == alt_b and hid_a == hid_b:
            continue
        out.append(LabelChange(
            uri=a.uri, kind=b.kind, lang=lang, old_preferred=la.preferred, new_preferred=lb.preferred,
            alt_added=tuple(sorted(alt_b - alt_a)), alt_removed=tuple(sorted(alt_a - alt_b)),
            hidden_added=tuple(sorted(hid_b - hid_a)), hidden_removed=tuple(sorted(hid_a - hid_b)),
        ))
    return out


def _attribute_changes(a: Concept, b: Concept) -> list[AttributeChange]:
    out = []
    for attr in ATTRIBUTES:
        old, new = str(getattr(a, attr)), str(getattr(b, attr))
        if old != new:
            out.append(AttributeChange(uri=a.uri, kind=b.kind, attribute=attr, old=old, new=new))
    return out


def _edges(tax: Taxonomy) -> dict[RelationName, dict[tuple[str, str], str]]:
    """Every edge keyed by (relation, source, target) -> kind ("" where edges have none)."""
    return {
        "REQUIRES": {(r.occupation, r.skill): r.kind for r in tax.occupation_skills},
        "RELATED": {(r.source, r.target): r.kind for r in tax.skill_skills},
        "BROADER": {(r.child, r.parent): "" for r in tax.broader},
        "IN_COLLECTION": {(m.concept, m.collection): "" for m in tax.collections},
    }


def _relation_changes(old: Taxonomy, new: Taxonomy, gone: set[str]) -> list[RelationChange]:
    out: list[RelationChange] = []
    old_edges, new_edges = _edges(old), _edges(new)
    for rel in RELATIONS:
        a, b = old_edges[rel], new_edges[rel]
        for src, dst in sorted(b.keys() - a.keys()):
            out.append(RelationChange(rel, "added", src, dst, "", b[(src, dst)]))
        for src, dst in sorted(a.keys() - b.keys()):
            change: Change = "dropped" if src in gone or dst in gone else "removed"
            out.append(RelationChange(rel, change, src, dst, a[(src, dst)], ""))
        for src, dst in sorted(a.keys() & b.keys()):
            if a[(src, dst)] != b[(src, dst)]:
                out.append(RelationChange(rel, "changed", src, dst, a[(src, dst)], b[(src, dst)]))
    order = {c: i for i, c in enumerate(CHANGES)}
    out.sort(key=lambda r: (RELATIONS.index(r.relation), order[r.change], r.source, r.target))
    return out


# -- the readable report --------------------------------------------------------------------------
_SIGN: Mapping[Change, str] = {"added": "+", "removed": "-", "changed": "~", "dropped": "x"}


def render_diff(diff: TaxonomyDiff, limit: int = 50) -> str:
    """The diff as a text report: a summary table, then each change (at most ``limit`` lines per
    section, 0 = all)."""
    c = diff.counts()
    langs = ", ".join(diff.languages) or "none"
    out = [f"ESCO {diff.old_version} → {diff.new_version} (labels compared in: {langs})", "",
           f"{'Concepts':<30}{'added':>8}{'removed':>9}"]
    out += [f"  {kind:<28}{n['added']:>8,}{n['removed']:>9,}" for kind, n in c["concepts"].items()]
    if diff.stubs[0] != diff.stubs[1]:
        out.append(f"  (stubs, referenced but not listed: {diff.stubs[0]:,} in {diff.old_version}, "
                   f"{diff.stubs[1]:,} in {diff.new_version})")
    for lang, per in sorted(c["labels"].items()):
        parts = [f"{kind} {n['concepts']:,} (preferred {n['preferred']:,}, alternative {n['alt']:,}, "
                 f"hidden {n['hidden']:,})" for kind, n in sorted(per.items())]
        out.append(f"Labels changed [{lang}]: " + "; ".join(parts))
    if not c["labels"]:
        out.append("Labels changed: none")
    attrs = ", ".join(f"{a} {n:,}" for a, n in c["attributes"].items()) or "none"
    out += [f"Attributes changed: {attrs}", "",
            f"{'Relations':<30}{'added':>8}{'removed':>9}{'changed':>9}{'dropped':>9}"]
    for rel, n in c["relations"].items():
        out.append(f"  {RELATION_TITLES[rel]:<28}" + "".join(
            f"{n[ch]:>{8 if ch == 'added' else 9},}" for ch in CHANGES))
    out.append('  (changed = essential ↔ optional; dropped = gone with a removed concept)')

    def section(title: str, lines: list[str]) -> None:
        if not lines:
            return
        out.extend(["", f"{title} ({len(lines):,})"])
        shown = lines if limit <= 0 else lines[:limit]
        out.extend(shown)
        if len(shown) < len(lines):
            out.append(f"  … and {len(lines) - len(shown):,} more (--json lists all)")

    def ref(sign: str, r: ConceptRef, other: str) -> str:
        note = f"  ({other} {r.other_kind})" if r.other_kind else ""
        return f"  {sign} {r.kind}  {r.label}  <{r.uri}>{note}"

    section("Removed concepts", [ref("-", r, "now") for r in diff.removed])
    section("Added concepts", [ref("+", r, "was") for r in diff.added])
    section("Label changes", [_label_line(diff, lc) for lc in diff.relabelled])
    section("Attribute changes", [f"  ~ {a.kind}  {diff.name(a.uri)}  {a.attribute}: {a.old or '∅'} → {a.new or '∅'}"
                                  for a in diff.attributes])
    for rel in RELATIONS:
        section(f"Relation changes: {RELATION_TITLES[rel]}",
                [_relation_line(diff, rc) for rc in diff.relations if rc.relation == rel])
    return "\n".join(out) + "\n"


def _quoted(labels: Iterable[str], sign: str) -> list[str]:
    return [f'{sign}"{x}"' for x in labels]


def _label_line(diff: TaxonomyDiff, lc: LabelChange) -> str:
    parts = []
    if lc.preferred_changed:
        parts.append(f'preferred "{lc.old_preferred}" → "{lc.new_preferred}"')
    if lc.alt_changed:
        parts.append("alt " + " ".join(_quoted(lc.alt_added, "+") + _quoted(lc.alt_removed, "-")))
    if lc.hidden_changed:
        parts.append("hidden " + " ".join(_quoted(lc.hidden_added, "+") + _quoted(lc.hidden_removed, "-")))
    return f"  ~ [{lc.lang}] {lc.kind}  {diff.name(lc.uri)}: " + "; ".join(parts)


def _relation_line(diff: TaxonomyDiff, rc: RelationChange) -> str:
    target = rc.target if rc.relation == "IN_COLLECTION" else diff.name(rc.target)
    line = f"  {_SIGN[rc.change]} {diff.name(rc.source)} → {target}"
    if rc.change == "changed":
        return f"{line}  ({rc.old_kind} → {rc.new_kind})"
    kind = rc.new_kind or rc.old_kind
    if rc.change == "dropped":
        return f"{line}  ({kind + '; ' if kind else ''}gone with a removed concept)"
    return f"{line}  ({kind})" if kind else line
