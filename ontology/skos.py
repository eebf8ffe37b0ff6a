# RDF term names are camelCase by the vocabularies' own definition (skos:prefLabel, esco:skillType).
# ruff: noqa: N815
"""A taxonomy as SKOS/RDF, and back: the project's only rdflib code.

:func:`export_skos` writes a :class:`~ontology.model.Taxonomy` as Turtle or N-Triples; :func:`read_skos`
reads such a file back into an equal taxonomy. What is written:

* every concept is a ``skos:Concept`` with ``skos:prefLabel`` / ``skos:altLabel`` / ``skos:hiddenLabel``
  (language-tagged), ``dct:description`` (language-tagged), ``skos:notation`` (the ESCO code),
  ``iso-thes:status`` and ``skos:inScheme`` the ESCO concept schemes its kind belongs to;
* occupations and skills also carry ESCO's own classes (``esco:Occupation`` / ``esco:Skill`` and
  ``esco:MemberConcept``), ``esco:memberOfISCOGroup`` (the ISCO-08 unit group), ``esco:skillType`` and
  ``esco:skillReuseLevel`` (pointing at ESCO's skill-type and reuse-level concepts);
* occupation → skill requirements and skill → skill relations are ``esco:relatedEssentialSkill`` /
  ``esco:relatedOptionalSkill`` (ESCO's model defines both for "the subject occupation or skill");
  a skill relation of any other kind becomes an ``esco:AssociationObject`` carrying the kind;
* hierarchy is ``skos:broader``; the service's collections (transversal, digital …) are
  ``skos:Collection`` resources with ``skos:member``;
* what ESCO's vocabulary has no term for (ISCO/skill group kinds, the stub flag, the taxonomy's
  version, languages, source, checksum, skipped-row and stub counts, notes) uses the small
  ``jobmatch:`` vocabulary below.

The ESCO terms were checked against the ESCO ontology (``http://data.europa.eu/esco/model#``) and
against excerpts of the official ESCO RDF dump; the concept-scheme, skill-type and reuse-level URIs come
from ESCO 1.1.1's ``conceptSchemes_en.csv`` and the ``inScheme`` columns of the CSV package.

Differences from the official ESCO dump, on purpose: labels are plain SKOS labels (ESCO also publishes
SKOS-XL label resources), descriptions are language-tagged literals (ESCO uses ``esco:NodeLiteral``
resources), and relations are direct properties (ESCO also publishes one association resource per
relation). :func:`read_skos` reads what :func:`export_skos` writes; it is not a reader for the official
ESCO RDF dump.

SKOS labels are unordered: alternative and hidden labels come back sorted, not in the package's order.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast
from urllib.parse import quote, unquote

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.exceptions import ParserError
from rdflib.namespace import DCTERMS, OWL, SKOS, DefinedNamespace, Namespace
from rdflib.term import Node

from ontology.errors import EscoPackageError
from ontology.model import (
    Broader,
    CollectionMember,
    Concept,
    ConceptKind,
    LabelSet,
    OccupationSkill,
    SkillSkill,
    Taxonomy,
)

log = logging.getLogger(__name__)

FORMATS: tuple[str, ...] = ("turtle", "nt")
# Our format names → rdflib's. "nt11" is N-Triples 1.1: UTF-8, as the W3C recommendation has it.
_RDFLIB_FORMAT = {"turtle": "turtle", "ttl": "turtle", "nt": "nt11", "ntriples": "nt11", "nt11": "nt11"}
_SUFFIX_FORMAT = {".ttl": "turtle", ".turtle": "turtle", ".nt": "nt"}


class ESCO(DefinedNamespace):
    """The ESCO ontology terms this module uses (http://data.europa.eu/esco/model#).

    Checked against the ESCO model and the official RDF dump; a term not listed here is an error.
    """

    _fail = True
    _NS = Namespace("http://data.europa.eu/esco/model#")

    Occupation: URIRef  # an ESCO occupation concept
    Skill: URIRef  # an ESCO skill, competence or knowledge concept
    MemberConcept: URIRef  # a concept used to annotate CVs and postings (not a grouping concept)
    AssociationObject: URIRef  # one typed relation between two ESCO concepts
    isAssociationFor: URIRef  # the concept an association object starts from
    target: URIRef  # the concept an association object points at
    relatedEssentialSkill: URIRef  # the skill is essential for the subject occupation or skill
    relatedOptionalSkill: URIRef  # the skill is optional for the subject occupation or skill
    memberOfISCOGroup: URIRef  # the ISCO-08 unit group of an occupation
    skillType: URIRef  # skill/competence or knowledge (a tagging concept)
    skillReuseLevel: URIRef  # transversal, cross-sector, sector-specific or occupation-specific


class ISOTHES(DefinedNamespace):
    """ISO 25964 SKOS extension; ESCO publishes a concept's release status with ``iso-thes:status``."""

    _fail = True
    _NS = Namespace("http://purl.org/iso25964/skos-thes#")

    status: URIRef


class JOBMATCH(DefinedNamespace):
    """What ESCO's vocabulary does not express. The ``.invalid`` host (RFC 2606) never resolves."""

    _fail = True
    _NS = Namespace("https://jobmatch.invalid/model#")

    Taxonomy: URIRef  # one exported taxonomy: an ESCO version plus label packages merged on top
    IscoGroup: URIRef  # an ISCO-08 group as ESCO lists it (ISCOGroups_<lang>.csv)
    SkillGroup: URIRef  # a group of the ESCO skills hierarchy (skillGroups_<lang>.csv)
    stub: URIRef  # true: the package references the concept without listing it
    conceptVersion: URIRef  # the concept's version, written only when it differs from the taxonomy's
    iscoGroupCode: URIRef  # an ISCO group code that is not a plain ISCO-08 number
    skillTypeText: URIRef  # a skill type ESCO has no concept for (kept verbatim)
    reuseLevelText: URIRef  # a reuse level ESCO has no concept for (kept verbatim)
    relationKind: URIRef  # the kind of a skill relation that is neither essential nor optional
    languages: URIRef  # rdf:List of the taxonomy's label languages, primary first
    source: URIRef  # where the taxonomy was read from (folder names, as given)
    checksum: URIRef  # sha256 over the package files that were read
    notes: URIRef  # rdf:List of the reader's notes, in order
    skipped: URIRef  # a count of rows not loaded, by reason
    stubs: URIRef  # a count of stub concepts created, by reason
    reason: URIRef
    count: URIRef


ESCO_DATA = "http://data.europa.eu/esco/"
_BASE = "https://jobmatch.invalid/"
_ISCO_URI = re.compile(r"^http://data\.europa\.eu/esco/isco/C(\d{1,4})$")

# ESCO's concept schemes per kind, as the 1.1.1 CSV package's inScheme columns list them.
_SCHEMES: dict[ConceptKind, tuple[str, ...]] = {
    "Occupation": ("occupations", "member-occupations"),
    "Skill": ("skills", "member-skills"),
    "IscoGroup": ("occupations", "isco"),
    "SkillGroup": ("skills", "skills-hierarchy"),
}
_KIND_TYPES: dict[ConceptKind, tuple[URIRef, ...]] = {
    "Occupation": (SKOS.Concept, ESCO.MemberConcept, ESCO.Occupation),
    "Skill": (SKOS.Concept, ESCO.MemberConcept, ESCO.Skill),
    "IscoGroup": (SKOS.Concept, JOBMATCH.IscoGroup),
    "SkillGroup": (SKOS.Concept, JOBMATCH.SkillGroup),
}
_TYPE_KIND: dict[URIRef, ConceptKind] = {
    ESCO.Occupation: "Occupation",
    ESCO.Skill: "Skill",
    JOBMATCH.IscoGroup: "IscoGroup",
    JOBMATCH.SkillGroup: "SkillGroup",
}
# CSV values → ESCO's tagging concepts (conceptSchemes_en.csv: skill-competence-type, skill-reuse-level).
_SKILL_TYPES = {
    "skill/competence": URIRef(ESCO_DATA + "skill-type/skill"),
    "knowledge": URIRef(ESCO_DATA + "skill-type/knowledge"),
}
_REUSE_LEVELS = {
    level: URIRef(f"{ESCO_DATA}skill-reuse-level/{level}")
    for level in ("transversal", "cross-sector", "sector-specific", "occupation-specific")
}
_REQUIREMENT = {"essential": ESCO.relatedEssentialSkill, "optional": ESCO.relatedOptionalSkill}

Triple = tuple[Node, Node, Node]


def _scheme(name: str) -> URIRef:
    return URIRef(f"{ESCO_DATA}concept-scheme/{name}")


def _taxonomy_uri(version: str) -> URIRef:
    return URIRef(f"{_BASE}taxonomy/{quote(version, safe='')}")


def _collection_uri(name: str) -> URIRef:
    return URIRef(f"{_BASE}collection/{quote(name, safe='')}")


def _rdf_list(head: BNode, items: Iterable[Literal]) -> Iterator[Triple]:
    """The triples of an rdf:List starting at ``head``; none for no items (callers then omit the list)."""
    node: Node = head
    values = list(items)
    if not values:
        return
    for i, item in enumerate(values):
        yield node, RDF.first, item
        nxt: Node = BNode() if i + 1 < len(values) else RDF.nil
        yield node, RDF.rest, nxt
        node = nxt


class _Uris(dict[str, URIRef]):
    """One URIRef per string: a concept's URI is the subject or object of dozens of triples."""

    def __missing__(self, key: str) -> URIRef:
        value = self[key] = URIRef(key)
        return value


def taxonomy_triples(tax: Taxonomy) -> Iterator[Triple]:
    """Yield the RDF triples of ``tax`` (see the module docstring for the vocabulary)."""
    uri = _Uris()
    root = _taxonomy_uri(tax.version)
    yield root, RDF.type, JOBMATCH.Taxonomy
    yield root, OWL.versionInfo, Literal(tax.version)
    if tax.source:
        yield root, JOBMATCH.source, Literal(tax.source)
    if tax.checksum:
        yield root, JOBMATCH.checksum, Literal(tax.checksum)
    for prop, items in ((JOBMATCH.languages, tax.languages), (JOBMATCH.notes, tax.notes)):
        if items:
            head = BNode()
            yield root, prop, head
            yield from _rdf_list(head, (Literal(x) for x in items))
    for prop, counts in ((JOBMATCH.skipped, tax.skipped), (JOBMATCH.stubs, tax.stubs)):
        for reason, n in sorted(counts.items()):
            node = BNode()
            yield root, prop, node
            yield node, JOBMATCH.reason, Literal(reason)
            yield node, JOBMATCH.count, Literal(n)

    for concept in tax.concepts.values():
        yield from _concept_triples(uri[concept.uri], concept, tax.version)

    for r in tax.occupation_skills:
        yield uri[r.occupation], _REQUIREMENT[r.kind], uri[r.skill]
    for s in tax.skill_skills:
        related = _REQUIREMENT.get(s.kind)
        source = tax.concepts.get(s.source)
        if related is not None and (source is None or source.kind != "Occupation"):
            yield uri[s.source], related, uri[s.target]
        else:
            # An unusual kind, or a relation read back as an occupation requirement otherwise.
            node = BNode()
            yield node, RDF.type, ESCO.AssociationObject
            yield node, ESCO.isAssociationFor, uri[s.source]
            yield node, ESCO.target, uri[s.target]
            yield node, JOBMATCH.relationKind, Literal(s.kind)
    for b in tax.broader:
        yield uri[b.child], SKOS.broader, uri[b.parent]
    collections = {name: _collection_uri(name) for name in sorted({m.collection for m in tax.collections})}
    for name, coll in collections.items():
        yield coll, RDF.type, SKOS.Collection
        yield coll, SKOS.notation, Literal(name)
    for m in tax.collections:
        yield collections[m.collection], SKOS.member, uri[m.concept]


def _concept_triples(s: URIRef, c: Concept, version: str) -> Iterator[Triple]:
    for t in _KIND_TYPES[c.kind]:
        yield s, RDF.type, t
    for name in _SCHEMES[c.kind]:
        yield s, SKOS.inScheme, _scheme(name)
    for lang, ls in c.labels.items():
        if ls.preferred or not (ls.alt or ls.hidden):
            # An all-empty label set is kept as an empty prefLabel so the language is not lost.
            yield s, SKOS.prefLabel, Literal(ls.preferred, lang=lang)
        for alt in ls.alt:
            yield s, SKOS.altLabel, Literal(alt, lang=lang)
        for hidden in ls.hidden:
            yield s, SKOS.hiddenLabel, Literal(hidden, lang=lang)
    for lang, text in c.descriptions.items():
        yield s, DCTERMS.description, Literal(text, lang=lang)
    if c.code:
        yield s, SKOS.notation, Literal(c.code)
    yield s, ISOTHES.status, Literal(c.status)
    if c.version != version:
        yield s, JOBMATCH.conceptVersion, Literal(c.version)
    if c.isco_group:
        m = re.fullmatch(r"\d{1,4}", c.isco_group)
        if m:
            yield s, ESCO.memberOfISCOGroup, URIRef(f"{ESCO_DATA}isco/C{c.isco_group}")
        else:
            yield s, JOBMATCH.iscoGroupCode, Literal(c.isco_group)
    if c.skill_type:
        if c.skill_type in _SKILL_TYPES:
            yield s, ESCO.skillType, _SKILL_TYPES[c.skill_type]
        else:
            yield s, JOBMATCH.skillTypeText, Literal(c.skill_type)
    if c.reuse_level:
        if c.reuse_level in _REUSE_LEVELS:
            yield s, ESCO.skillReuseLevel, _REUSE_LEVELS[c.reuse_level]
        else:
            yield s, JOBMATCH.reuseLevelText, Literal(c.reuse_level)
    if c.stub:
        yield s, JOBMATCH.stub, Literal(True)


def to_graph(tax: Taxonomy) -> Graph:
    """Return ``tax`` as an rdflib graph with the usual prefixes bound."""
    # SimpleMemory: no named-graph bookkeeping; a third faster than the default store on full ESCO.
    g = Graph(store="SimpleMemory", bind_namespaces="core")
    g.bind("skos", SKOS)
    g.bind("dct", DCTERMS)
    g.bind("owl", OWL)
    g.bind("esco", ESCO._NS)
    g.bind("iso-thes", ISOTHES._NS)
    g.bind("jobmatch", JOBMATCH._NS)
    for triple in taxonomy_triples(tax):
        g.add(triple)
    return g


def _rdflib_format(fmt: str) -> str:
    try:
        return _RDFLIB_FORMAT[fmt]
    except KeyError:
        raise EscoPackageError(f"unknown RDF format {fmt!r} (use one of {', '.join(FORMATS)})",
                               field="format") from None


def export_skos(tax: Taxonomy, path_or_stream: str | Path | IO[bytes], format: str | None = None) -> int:
    """Write ``tax`` as SKOS/RDF to a file path or a binary stream; return the number of triples.

    ``format`` is "turtle" or "nt"; by default it follows the path's suffix (``.nt`` → N-Triples),
    and is Turtle for streams and other suffixes.

    :raise EscoPackageError: if the format is unknown.
    """
    is_path = isinstance(path_or_stream, str | Path)
    fmt = format or (guess_format(Path(path_or_stream)) if isinstance(path_or_stream, str | Path) else "turtle")
    rdf_format = _rdflib_format(fmt)  # before the graph: a bad format fails fast
    graph = to_graph(tax)
    destination = str(path_or_stream) if is_path else path_or_stream
    graph.serialize(destination=destination, format=rdf_format, encoding="utf-8")
    log.info("SKOS export of ESCO %s: %d triples (%s)", tax.version, len(graph), fmt)
    return len(graph)


def guess_format(path: Path) -> str:
    """Return "turtle" or "nt" from the file name (``.ttl``, ``.nt``); Turtle when unsure."""
    return _SUFFIX_FORMAT.get(path.suffix.lower(), "turtle")


def read_skos(path: str | Path, format: str | None = None) -> Taxonomy:
    """Read a taxonomy written by :func:`export_skos`; the format comes from the suffix unless given.

    :raise EscoPackageError: if the file is missing, is not valid RDF, or does not hold exactly one
        exported taxonomy.
    """
    p = Path(path)
    if not p.is_file():
        raise EscoPackageError(f"SKOS file not found: {p}", field="skos")
    graph = Graph(store="SimpleMemory")
    try:
        graph.parse(str(p), format=_rdflib_format(format or guess_format(p)))
    except (ParserError, SyntaxError, ValueError, UnicodeDecodeError, OSError) as e:
        # ParserError: N-Triples; SyntaxError: the Turtle parser's BadSyntax.
        raise EscoPackageError(f"{p.name}: not valid RDF: {e}", field="skos") from e
    return from_graph(graph, source_name=p.name)


@dataclass
class _Parts:
    kinds: dict[str, ConceptKind] = field(default_factory=dict)
    pref: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    alt: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    hidden: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    descriptions: dict[str, dict[str, str]] = field(default_factory=dict)
    single: dict[URIRef, dict[str, str]] = field(default_factory=dict)


def from_graph(graph: Graph, *, source_name: str = "graph") -> Taxonomy:
    """Rebuild the taxonomy that :func:`taxonomy_triples` wrote into ``graph``.

    :raise EscoPackageError: if the graph does not hold exactly one ``jobmatch:Taxonomy``, or a concept
        has two preferred labels in one language.
    """
    roots = list(graph.subjects(RDF.type, JOBMATCH.Taxonomy))
    if len(roots) != 1:
        raise EscoPackageError(
            f"{source_name}: expected one jobmatch:Taxonomy, found {len(roots)} "
            "(read_skos reads files written by `jobmatch ontology export`)",
            field="skos",
        )
    root = roots[0]
    version = _one(graph, root, OWL.versionInfo) or "unknown"
    tax = Taxonomy(
        version=version,
        languages=tuple(_list(graph, graph.value(root, JOBMATCH.languages))),
        source=_one(graph, root, JOBMATCH.source),
        checksum=_one(graph, root, JOBMATCH.checksum),
        notes=_list(graph, graph.value(root, JOBMATCH.notes)),
        skipped=_counts(graph, root, JOBMATCH.skipped),
        stubs=_counts(graph, root, JOBMATCH.stubs),
    )

    parts = _Parts()
    for s, t in graph.subject_objects(RDF.type):
        kind = _TYPE_KIND.get(cast(URIRef, t))
        if kind is None or not isinstance(s, URIRef):
            continue
        previous = parts.kinds.setdefault(str(s), kind)
        if previous != kind:
            raise EscoPackageError(f"{source_name}: {s} is both {previous} and {kind}", field="skos")
    for prop, into in ((SKOS.prefLabel, parts.pref), (SKOS.altLabel, parts.alt), (SKOS.hiddenLabel, parts.hidden)):
        for s, o in graph.subject_objects(prop):
            if isinstance(o, Literal):
                into.setdefault(str(s), {}).setdefault(o.language or "", []).append(str(o))
    for s, o in graph.subject_objects(DCTERMS.description):
        if isinstance(o, Literal):
            parts.descriptions.setdefault(str(s), {})[o.language or ""] = str(o)
    for prop in (SKOS.notation, ISOTHES.status, JOBMATCH.conceptVersion, ESCO.memberOfISCOGroup,
                 JOBMATCH.iscoGroupCode, ESCO.skillType, JOBMATCH.skillTypeText, ESCO.skillReuseLevel,
                 JOBMATCH.reuseLevelText, JOBMATCH.stub):
        per = parts.single[prop] = {}
        for s, o in graph.subject_objects(prop):
            per[str(s)] = str(o)

    tax.concepts = {uri: _concept(uri, kind, parts, version, source_name)
                    for uri, kind in sorted(parts.kinds.items())}

    occupation_skills: set[OccupationSkill] = set()
    skill_skills: set[SkillSkill] = set()
    for kind_name, prop in _REQUIREMENT.items():
        for s, o in graph.subject_objects(prop):
            src = tax.concepts.get(str(s))
            if src is not None and src.kind == "Occupation":
                occupation_skills.add(OccupationSkill(occupation=str(s), skill=str(o), kind=kind_name))  # type: ignore[arg-type]
            else:
                skill_skills.add(SkillSkill(source=str(s), target=str(o), kind=kind_name))
    for node in graph.subjects(RDF.type, ESCO.AssociationObject):
        src_node, dst_node = graph.value(node, ESCO.isAssociationFor), graph.value(node, ESCO.target)
        if src_node is None or dst_node is None:
            tax.skipped[f"{source_name}: association without source or target"] += 1
            continue
        skill_skills.add(SkillSkill(source=str(src_node), target=str(dst_node),
                                    kind=_one(graph, node, JOBMATCH.relationKind)))
    tax.occupation_skills = sorted(occupation_skills, key=lambda r: (r.occupation, r.skill))
    tax.skill_skills = sorted(skill_skills, key=lambda r: (r.source, r.target, r.kind))
    tax.broader = sorted((Broader(child=str(s), parent=str(o)) for s, o in graph.subject_objects(SKOS.broader)),
                         key=lambda b: (b.child, b.parent))
    members: list[CollectionMember] = []
    for coll in graph.subjects(RDF.type, SKOS.Collection):
        name = _one(graph, coll, SKOS.notation) or unquote(str(coll).rsplit("/", 1)[-1])
        members.extend(CollectionMember(collection=name, concept=str(o)) for o in graph.objects(coll, SKOS.member))
    tax.collections = sorted(members, key=lambda m: (m.collection, m.concept))
    return tax


def _concept(uri: str, kind: ConceptKind, parts: _Parts, version: str, source_name: str) -> Concept:
    single = parts.single
    pref, alt, hidden = parts.pref.get(uri, {}), parts.alt.get(uri, {}), parts.hidden.get(uri, {})
    labels: dict[str, LabelSet] = {}
    for lang in sorted({*pref, *alt, *hidden}):
        preferred = pref.get(lang, [])
        if len(preferred) > 1:
            raise EscoPackageError(f"{source_name}: {uri} has {len(preferred)} prefLabels in '{lang}'",
                                   field="skos")
        labels[lang] = LabelSet(preferred=preferred[0] if preferred else "",
                                alt=tuple(sorted(alt.get(lang, ()))), hidden=tuple(sorted(hidden.get(lang, ()))))
    isco = single[ESCO.memberOfISCOGroup].get(uri, "")
    m = _ISCO_URI.match(isco)
    skill_type = single[ESCO.skillType].get(uri)
    reuse = single[ESCO.skillReuseLevel].get(uri)
    return Concept(
        uri=uri,
        kind=kind,
        labels=labels,
        version=single[JOBMATCH.conceptVersion].get(uri, version),
        code=single[SKOS.notation].get(uri, ""),
        status=single[ISOTHES.status].get(uri, "released"),
        descriptions=dict(sorted(parts.descriptions.get(uri, {}).items())),
        isco_group=m.group(1) if m else single[JOBMATCH.iscoGroupCode].get(uri, ""),
        skill_type=_reverse(_SKILL_TYPES, skill_type) if skill_type else single[JOBMATCH.skillTypeText].get(uri, ""),
        reuse_level=_reverse(_REUSE_LEVELS, reuse) if reuse else single[JOBMATCH.reuseLevelText].get(uri, ""),
        stub=single[JOBMATCH.stub].get(uri, "false") == "true",
    )


def _reverse(mapping: Mapping[str, URIRef], uri: str) -> str:
    for key, value in mapping.items():
        if str(value) == uri:
            return key
    return uri.rsplit("/", 1)[-1]


def _one(graph: Graph, subject: Node, prop: URIRef) -> str:
    value = graph.value(subject, prop)
    return "" if value is None else str(value)


def _list(graph: Graph, head: Node | None) -> list[str]:
    if head is None:
        return []
    return [str(x) for x in Collection(graph, head)]


def _counts(graph: Graph, root: Node, prop: URIRef) -> Counter[str]:
    out: Counter[str] = Counter()
    for node in graph.objects(root, prop):
        reason = _one(graph, node, JOBMATCH.reason)
        count = graph.value(node, JOBMATCH.count)
        if isinstance(count, Literal):
            out[reason] += int(count.toPython())
    return out
