"""The Neo4j store: the ESCO graph, CVs and postings in one Neo4j 5 database, over the official driver.

It answers every :class:`graph.store.Store` question exactly as :class:`graph.backends.memory.graph_store.MemoryStore`
does (``tests/conformance`` holds both to it). How the graph is laid out, and why:

* Every concept is one ``:Concept`` node (unique ``uri``) with one kind label (``:Occupation``,
  ``:Skill``, ``:IscoGroup``, ``:SkillGroup``) and a ``kind`` property. Only nodes loaded from a
  package have ``kind``: a CV or posting that names a skill the taxonomy does not hold links to a
  bare ``:Concept:Skill {uri}`` node, so the document answers stay exact (they come from the
  documents, as in the embedded store) while taxonomy reads filter on ``kind`` and never see it.
* Labels are kept as JSON (``labelsJson``, read back into :class:`ontology.model.LabelSet`), lower-cased
  one a line (``labelSearch``: a TEXT index for ``CONTAINS`` and the full-text index for word search)
  and, for people browsing the graph, the preferred label per language (``prefLabel_en`` …).
* A CV or posting keeps its whole record as JSON (``bodyJson``, :mod:`graph.codec`) so reads return
  exactly what was stored; its relationships (``HAS_SKILL``, ``REQUIRES_SKILL`` …) carry what
  traversals need. Dates are also kept as day numbers so the "current on" filter is the embedded
  store's, not a string comparison.
* A taxonomy load stamps every node and edge it writes with a fresh ``loadToken``, then sweeps what
  carries an older one. Loading the same package twice, or again after a load was killed half-way,
  therefore ends with the same graph; loading another version replaces the taxonomy as the embedded
  store does. The load report (the :class:`~ontology.model.TaxonomySummary`) is stored as JSON on the
  ``:OntologyVersion`` node, written last: a killed load leaves the previous version active.
* What matching asks of the taxonomy is remembered per concept by each process until the next load
  (:mod:`.taxonomy_memo`), and read ahead at start (``warm``): occupations sharing skills, for one,
  are answered from the remembered requirers of each skill, as the embedded store answers them.
* Answers come back as one record of columns where they can be long: the driver decodes a few large
  lists far faster than thousands of small records.

Reads go through ``execute_query`` with read routing; writes are ``UNWIND $rows`` batches inside
``session.execute_write``. Driver connection errors become :class:`StoreUnavailableError`; the driver
reconnects on the next call, and no broken state is cached here.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import uuid4

from neo4j import Driver, ManagedTransaction, Record

import queries
from graph.backends.neo4j.connection import (
    Neo4jConnection,
    _chunks,
    _evidence_json,
    _has_point,
)
from graph.backends.neo4j.posting_cache import REMOVAL_MARKER_SECONDS, PostingCache
from graph.backends.neo4j.taxonomy_memo import TaxonomyMemo
from graph.backends.posting_index import PostingRow, row_of
from graph.codec import (
    concept_from_dict,
    cv_from_dict,
    cv_to_dict,
    labels_from_dict,
    labels_to_dict,
    posting_from_dict,
    posting_to_dict,
)
from graph.records import (
    BBox,
    Candidates,
    ConceptRelation,
    CvRecord,
    LabelEntry,
    OccupationOverlap,
    OntologyVersion,
    PostingMeta,
    PostingRecord,
    ProfileSkill,
    SkillLink,
    links_around,
)
from ontology.errors import ValidationError
from ontology.model import (
    Broader,
    CollectionMember,
    Concept,
    ConceptKind,
    OccupationSkill,
    RequirementKind,
    SkillSkill,
    Taxonomy,
    TaxonomySummary,
    summarise,
)

log = logging.getLogger(__name__)

# Rows per write transaction. Concept rows carry labels and descriptions (~1 kB each); relationship
# rows are three short strings; a document batch expands to ~10 link rows per document.
CONCEPT_BATCH = 2_000
RELATION_BATCH = 10_000
DOCUMENT_BATCH = 1_000
_MERGE_CONCEPTS: dict[ConceptKind, str] = {
    "Occupation": "merge_occupations",
    "Skill": "merge_skills",
    "IscoGroup": "merge_isco_groups",
    "SkillGroup": "merge_skill_groups",
}
_ROLE_ORDER = {"preferred": 0, "alt": 1, "hidden": 2}
# Keys per read when a process reads the taxonomy ahead (warm): large reads, none of them huge.
_WARM_BATCH = 2000
V = TypeVar("V")


class Neo4jGraphStore(Neo4jConnection):
    """The :class:`graph.store.Store` questions over Neo4j (the ledger is :mod:`.ledger`). The posting
    questions of matching are answered from the process's posting index (:mod:`.posting_cache`)."""

    def __init__(self, driver: Driver, *, uri: str, database: str = "neo4j",
                 reconnect: Callable[[], Driver] | None = None) -> None:
        super().__init__(driver, uri=uri, database=database, reconnect=reconnect)
        # Made here, not on first use: the start-up warm-up and the first request would race to make two.
        # Neither does any I/O until it is first asked.
        self._postings = PostingCache(lambda name, params: self._read(name, **params))
        self._memo = TaxonomyMemo(self._taxonomy_sequence)

    def _taxonomy_sequence(self) -> tuple[int, str]:
        found = self._read("find_taxonomy_sequence")
        return (int(found[0]["seq"]), str(found[0]["epoch"])) if found else (0, "")

    def reload_copies(self) -> None:
        """Copy every posting and forget the remembered taxonomy on the next read (after the database was
        replaced under this process; a new epoch of the write sequence is noticed by itself within a check)."""
        self._postings.forget()
        self._memo.forget()

    # -- taxonomy writes and summary -------------------------------------------------------------
    def upsert_taxonomy(self, tax: Taxonomy) -> TaxonomySummary:
        summary = summarise(tax)
        token = uuid4().hex
        t0 = time.perf_counter()
        for kind, name in _MERGE_CONCEPTS.items():
            rows = [_concept_row(c, token) for c in tax.concepts.values() if c.kind == kind]
            self._write_rows(name, rows, CONCEPT_BATCH)
        self._write_rows("merge_occupation_skills",
                         [{"occupation": r.occupation, "skill": r.skill, "kind": r.kind}
                          for r in tax.occupation_skills], RELATION_BATCH, load_token=token)
        self._write_rows("merge_skill_relations",
                         [{"source": r.source, "target": r.target, "kind": r.kind} for r in tax.skill_skills],
                         RELATION_BATCH, load_token=token)
        self._write_rows("merge_broader", [{"child": r.child, "parent": r.parent} for r in tax.broader],
                         RELATION_BATCH, load_token=token)
        self._write_rows("merge_collection_members",
                         [{"collection": r.collection, "concept": r.concept} for r in tax.collections],
                         RELATION_BATCH, load_token=token)
        swept = (self._write_until_done("delete_stale_taxonomy_relations", load_token=token),
                 self._write_until_done("retire_stale_concepts", load_token=token),
                 self._write_until_done("delete_orphan_concepts"))
        self._record_version(tax, summary)
        log.info("taxonomy %s loaded into neo4j in %.1f s (swept %d edges, %d concepts, %d orphans)",
                 tax.version, time.perf_counter() - t0, *swept)
        return summary

    def _record_version(self, tax: Taxonomy, summary: TaxonomySummary) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        # Languages round-trip as in the embedded store's journal (joined by commas, empties dropped).
        languages = [x for x in ",".join(tax.languages).split(",") if x]
        summary_json = json.dumps(summary.as_json(), ensure_ascii=False)

        def work(tx: ManagedTransaction) -> None:
            last = tx.run(queries.load("find_latest_ontology_version")).single()
            if last is not None and (last["version"], last["checksum"]) == (tax.version, tax.checksum):
                seq = int(last["seq"])
            else:
                seq = (int(last["seq"]) if last is not None else 0) + 1
                tx.run(queries.load("record_ontology_version"), seq=seq, version=tax.version,
                       languages=languages, source=tax.source, checksum=tax.checksum, loaded_at=now).consume()
            tx.run(queries.load("activate_ontology_version"), seq=seq, summary_json=summary_json).consume()
            # Every process forgets what it remembered of the taxonomy (taxonomy_memo.py).
            tx.run(queries.load("update_taxonomy_sequence")).consume()

        self._write("record_ontology_version", work)
        self._memo.forget()

    # Both change only with a taxonomy load, which moves the taxonomy sequence in the same transaction:
    # remembered like the concepts (every served list asks for the active version).
    def taxonomy_summary(self) -> TaxonomySummary | None:
        return self._memo.get("summary", [""], lambda _: {"": self._read_summary()}).get("")

    def _read_summary(self) -> TaxonomySummary | None:
        records = self._read("find_active_ontology_summary")
        if not records or records[0]["summaryJson"] is None:
            return None
        d = json.loads(records[0]["summaryJson"])
        return TaxonomySummary(
            version=d["version"], languages=tuple(d["languages"]), occupations=d["occupations"],
            skills=d["skills"], isco_groups=d["isco_groups"], skill_groups=d["skill_groups"],
            occupation_skill_relations=d["occupation_skill_relations"],
            skill_skill_relations=d["skill_skill_relations"], broader_relations=d["broader_relations"],
            collection_memberships=d["collection_memberships"], labels_by_language=d["labels_by_language"],
            stubs=d["stubs"], skipped=d["skipped"],
        )

    def ontology_versions(self) -> list[OntologyVersion]:
        return list(self._memo.get("versions", [""], lambda _: {"": self._read_versions()})[""])

    def _read_versions(self) -> list[OntologyVersion]:
        records = self._read("find_ontology_versions")
        return [
            OntologyVersion(version=r["version"], languages=tuple(r["languages"] or ()), source=r["source"],
                            checksum=r["checksum"], loaded_at=r["loadedAt"], active=i == len(records) - 1)
            for i, r in enumerate(records)
        ]

    def export_taxonomy(self) -> Taxonomy | None:
        versions = self.ontology_versions()
        summary = self.taxonomy_summary()
        if not versions or summary is None:
            return None
        active = versions[-1]
        concepts = _concepts(self._read("find_all_concepts")[0])
        tax = Taxonomy(version=active.version, languages=active.languages, source=active.source,
                       checksum=active.checksum, concepts=dict(sorted(concepts.items())),
                       skipped=Counter(summary.skipped), stubs=Counter(summary.stubs))
        [r] = self._read("find_all_taxonomy_relations")
        # Sorted, so a snapshot does not depend on the order the server walks its edges.
        for kind, a, b, k in sorted(zip(r["type"], r["source"], r["target"], r["kind"], strict=True)):
            if kind == "REQUIRES":
                tax.occupation_skills.append(OccupationSkill(a, b, k))
            elif kind == "RELATED":
                tax.skill_skills.append(SkillSkill(a, b, k))
            elif kind == "BROADER":
                tax.broader.append(Broader(a, b))
            else:
                tax.collections.append(CollectionMember(b, a))
        return tax

    # -- taxonomy reads --------------------------------------------------------------------------
    # Remembered per concept until the next taxonomy load (taxonomy_memo.py): matching asks them per CV.
    def concepts(self, uris: Iterable[str]) -> dict[str, Concept]:
        return self._memo.get("concepts", uris, self._fetch_concepts)

    def _fetch_concepts(self, missing: list[str]) -> dict[str, Concept]:
        return _concepts(self._read("find_concepts", uris=missing)[0])

    def concept_relations(self, uri: str) -> list[ConceptRelation]:
        rows = self._read("find_concept_relations", uri=uri)
        return sorted((ConceptRelation(r["relation"], r["kind"], r["other"]) for r in rows),
                      key=lambda r: (r.relation, r.kind, r.other))

    def labels(self, kinds: Sequence[ConceptKind], langs: Sequence[str] | None = None) -> Iterator[LabelEntry]:
        [r] = self._read("find_labels", kinds=list(kinds))
        for uri, kind, labels in sorted(zip(r["uri"], r["kind"], r["labelsJson"], strict=True)):
            yield from _label_entries(uri, kind, labels, langs)

    def match_labels(self, text: str, kinds: Sequence[ConceptKind]) -> list[LabelEntry]:
        needle = text.lower()
        [r] = self._read("find_labels_containing", needle=needle, kinds=list(kinds))
        return [e for uri, kind, labels in sorted(zip(r["uri"], r["kind"], r["labelsJson"], strict=True))
                for e in _label_entries(uri, kind, labels, None) if needle in e.label.lower()]

    def occupation_profiles(self, uris: Iterable[str]) -> dict[str, list[ProfileSkill]]:
        # Copies: a caller may sort or extend its lists without touching what is remembered.
        return {u: list(v) for u, v in self._memo.get("profiles", uris, self._fetch_profiles).items()}

    def _fetch_profiles(self, missing: list[str]) -> dict[str, list[ProfileSkill]]:
        return {r["uri"]: sorted((ProfileSkill(s, k) for s, k in r["skills"]), key=lambda p: p.skill)
                for r in self._read("find_occupation_profiles", uris=missing)}

    def skill_profile_counts(self, skill_uris: Iterable[str]) -> dict[str, int]:
        # The occupations requiring each skill are remembered for occupations_sharing: counted from them.
        requirers = self._memo.get("requirers", skill_uris, self._fetch_requirers)
        return {u: n for u, found in requirers.items() if (n := len({o for o, _kind in found}))}

    def occupations_sharing(self, skill_uris: Iterable[str], min_shared: int = 1) -> list[OccupationOverlap]:
        # Answered here from what is remembered per skill and per occupation (a round trip per CV was
        # most of an alternatives list's time on Neo4j), as the embedded store answers it.
        asked = sorted(set(skill_uris))
        shared: dict[str, list[ProfileSkill]] = defaultdict(list)
        # Skills in URI order, so each occupation's shared list comes out sorted without a sort.
        for skill, requirers in self._memo.get("requirers", asked, self._fetch_requirers).items():
            for occupation, kind in requirers:
                shared[occupation].append(ProfileSkill(skill, kind))
        kept = sorted(o for o, v in shared.items() if len(v) >= min_shared)
        sizes = self._memo.get("profile_sizes", kept, self._fetch_profile_sizes)
        return [OccupationOverlap(occupation=o, shared=tuple(shared[o]), n_essential=sizes[o][0],
                                  n_optional=sizes[o][1]) for o in kept]

    def _fetch_requirers(self, missing: list[str]) -> dict[str, tuple[tuple[str, RequirementKind], ...]]:
        return {r["uri"]: tuple(sorted(zip(r["occupations"], r["kinds"], strict=True)))
                for r in self._read("find_skill_requirers", skill_uris=missing)}

    def _fetch_profile_sizes(self, missing: list[str]) -> dict[str, tuple[int, int]]:
        sizes = {}
        for occupation, profile in self._memo.get("profiles", missing, self._fetch_profiles).items():
            n_essential = sum(1 for p in profile if p.kind == "essential")
            sizes[occupation] = (n_essential, len(profile) - n_essential)
        return sizes

    def skill_neighbours(self, skill_uris: Iterable[str]) -> list[SkillLink]:
        asked = set(skill_uris)
        around = self._memo.get("links_around", sorted(asked), self._fetch_links_around)
        return [link for source in sorted(around) for link in around[source] if link.target not in asked]

    def _fetch_links_around(self, missing: list[str]) -> dict[str, tuple[SkillLink, ...]]:
        return {r["source"]: links_around(r["source"], ((p, sibs) for p, *sibs in r["parents"]), r["children"])
                for r in self._read("find_skill_neighbours", skill_uris=missing)}

    def collections_of(self, uris: Iterable[str]) -> dict[str, tuple[str, ...]]:
        return self._memo.get("collections", uris, self._fetch_collections)

    def _fetch_collections(self, missing: list[str]) -> dict[str, tuple[str, ...]]:
        return {r["uri"]: tuple(sorted(r["collections"])) for r in self._read("find_collections", uris=missing)}

    def warm(self) -> None:
        self._postings.index()
        # Everything matching asks of the taxonomy, read ahead in a few large reads (2–3 s, ~140 MB at ESCO's
        # size) instead of a round trip per request until each concept has been asked once.
        [r] = self._read("find_concept_uris", kinds=["Skill", "Occupation"])
        skills = sorted(u for u, k in zip(r["uri"], r["kind"], strict=True) if k == "Skill")
        occupations = sorted(u for u, k in zip(r["uri"], r["kind"], strict=True) if k == "Occupation")
        self._prime("concepts", skills + occupations, self._fetch_concepts)
        self._prime("collections", skills, self._fetch_collections)
        self._prime("links_around", skills, self._fetch_links_around)
        self._prime("profiles", occupations, self._fetch_profiles)
        self._prime("requirers", skills, self._fetch_requirers)
        self._prime("profile_sizes", occupations, self._fetch_profile_sizes)

    def _prime(self, table: str, keys: list[str], fetch: Callable[[list[str]], dict[str, V]]) -> None:
        for i in range(0, len(keys), _WARM_BATCH):
            self._memo.get(table, keys[i:i + _WARM_BATCH], fetch)

    # -- documents -------------------------------------------------------------------------------
    def upsert_cvs(self, cvs: Sequence[CvRecord]) -> int:
        # The last record of an id wins, as with INSERT OR REPLACE in the embedded store's journal.
        latest = list({cv.id: cv for cv in cvs}.values())
        for chunk in _chunks(latest, DOCUMENT_BATCH):
            rows = [_cv_row(cv) for cv in chunk]
            ids = [cv.id for cv in chunk]
            skills = [{"cv": cv.id, "skill": s.skill, "source": s.source, "lang": s.lang, "idx": i,
                       "evidenceJson": _evidence_json(s.evidence)}
                      for cv in chunk for i, s in enumerate(cv.skills)]
            seeks = [{"cv": cv.id, "occupation": o, "idx": i} for cv in chunk for i, o in enumerate(cv.seeks)]
            worked = [{"cv": cv.id, "occupation": w.occupation, "start": w.start, "end": w.end, "idx": i}
                      for cv in chunk for i, w in enumerate(cv.worked_as)]

            def work(tx: ManagedTransaction, rows: list[dict[str, Any]] = rows, ids: list[str] = ids,
                     skills: list[dict[str, Any]] = skills, seeks: list[dict[str, Any]] = seeks,
                     worked: list[dict[str, Any]] = worked) -> None:
                tx.run(queries.load("merge_cvs"), rows=rows).consume()
                tx.run(queries.load("delete_cv_links"), ids=ids).consume()
                tx.run(queries.load("link_cv_skills"), rows=skills).consume()
                tx.run(queries.load("link_cv_sought_occupations"), rows=seeks).consume()
                tx.run(queries.load("link_cv_work_history"), rows=worked).consume()

            self._write("upsert_cvs", work)
        return len(cvs)

    def get_cvs(self, ids: Iterable[str]) -> dict[str, CvRecord]:
        asked = list(ids)
        found = {r["id"]: cv_from_dict(json.loads(r["bodyJson"]))
                 for r in self._read("find_cvs", ids=list(dict.fromkeys(asked)))}
        return {i: found[i] for i in asked if i in found}

    def delete_cvs(self, ids: Iterable[str]) -> int:
        unique = sorted(set(ids))

        def work(tx: ManagedTransaction) -> int:
            return int(tx.run(queries.load("delete_cvs"), ids=unique).single(strict=True)["deleted"])

        return int(self._write("delete_cvs", work))

    def delete_postings(self, ids: Iterable[str]) -> int:
        unique = sorted(set(ids))
        now = time.time()

        def work(tx: ManagedTransaction) -> tuple[int, int, str]:
            at = tx.run(queries.load("update_posting_sequence")).single(strict=True)
            deleted = tx.run(queries.load("delete_postings"), ids=unique, seq=at["seq"], now=now).single(strict=True)
            # Markers outlive their use: every process has fetched them within seconds. Without this they
            # would pile up, one per posting ever removed.
            tx.run(queries.load("delete_old_posting_removals"), before=now - REMOVAL_MARKER_SECONDS).consume()
            return int(deleted["deleted"]), int(at["seq"]), str(at["epoch"])

        deleted, seq, epoch = self._write("delete_postings", work)
        self._postings.removed(unique, seq, epoch)
        return int(deleted)

    def cv_ids(self, municipality: str | None = None) -> list[str]:
        if municipality is None:
            rows = self._read("find_cv_ids")
        else:
            rows = self._read("find_cv_ids_in_municipality", municipality=municipality)
        return sorted(r["id"] for r in rows)

    def upsert_postings(self, postings: Sequence[PostingRecord]) -> int:
        latest = list({p.id: p for p in postings}.values())
        index_rows = [_index_row(p) for p in latest]  # validates every date before writing anything
        rows_all = [_posting_row(p, r) for p, r in zip(latest, index_rows, strict=True)]
        for start in range(0, len(latest), DOCUMENT_BATCH):
            chunk = latest[start:start + DOCUMENT_BATCH]
            rows = rows_all[start:start + DOCUMENT_BATCH]
            ids = [p.id for p in chunk]
            reqs = [{"posting": p.id, "skill": r.skill, "kind": r.kind, "idx": i,
                     "evidenceJson": _evidence_json(r.evidence)}
                    for p in chunk for i, r in enumerate(p.requirements)]
            occs = [{"posting": p.id, "occupation": p.occupation, "score": p.occupation_score}
                    for p in chunk if p.occupation]

            def work(tx: ManagedTransaction, rows: list[dict[str, Any]] = rows, ids: list[str] = ids,
                     reqs: list[dict[str, Any]] = reqs, occs: list[dict[str, Any]] = occs) -> tuple[int, str]:
                # First: the write's number (and the sequence's lock, held to commit; posting_cache.py).
                at = tx.run(queries.load("update_posting_sequence")).single(strict=True)
                tx.run(queries.load("merge_postings"), rows=rows).consume()
                tx.run(queries.load("delete_posting_links"), ids=ids).consume()
                tx.run(queries.load("link_posting_requirements"), rows=reqs).consume()
                tx.run(queries.load("link_posting_occupations"), rows=occs).consume()
                tx.run(queries.load("update_postings_seq"), ids=ids, seq=at["seq"]).consume()
                return int(at["seq"]), str(at["epoch"])

            seq, epoch = self._write("upsert_postings", work)
            self._postings.wrote(index_rows[start:start + DOCUMENT_BATCH], seq, epoch)
        return len(postings)

    def get_postings(self, ids: Iterable[str]) -> dict[str, PostingRecord]:
        asked = list(ids)
        found = {r["id"]: posting_from_dict(json.loads(r["bodyJson"]))
                 for r in self._read("find_postings", ids=list(dict.fromkeys(asked)))}
        return {i: found[i] for i in asked if i in found}

    def posting_ids(self) -> list[str]:
        return sorted(self._read("find_posting_ids")[0]["ids"])

    def posting_count(self) -> int:
        return int(self._read("count_postings")[0]["n"])

    def postings_in(self, bbox: BBox, valid_on: str) -> list[PostingMeta]:
        return self._postings.index().postings_in(bbox, valid_on)

    def postings_requiring(self, skill_uris: Iterable[str], bbox: BBox, valid_on: str) -> Candidates:
        return self._postings.index().postings_requiring(skill_uris, bbox, valid_on)

    def posting_metas(self, ids: Iterable[str]) -> dict[str, PostingMeta]:
        return self._postings.index().metas_of(ids)

    def postings_for_occupations(
        self, occupation_uris: Iterable[str], bbox: BBox, valid_on: str
    ) -> list[PostingMeta]:
        return self._postings.index().postings_for_occupations(occupation_uris, bbox, valid_on)

    def requirements_of(self, posting_ids: Iterable[str]) -> dict[str, list[ProfileSkill]]:
        return self._postings.index().requirements_of(posting_ids)


# -- rows to and from the graph ------------------------------------------------------------------
def _concept_row(c: Concept, token: str) -> dict[str, Any]:
    props: dict[str, Any] = {
        "uri": c.uri, "kind": c.kind, "version": c.version, "code": c.code, "status": c.status,
        "iscoGroup": c.isco_group, "skillType": c.skill_type, "reuseLevel": c.reuse_level, "stub": c.stub,
        "labelsJson": json.dumps(labels_to_dict(c.labels), ensure_ascii=False),
        "descriptionsJson": json.dumps(dict(c.descriptions), ensure_ascii=False),
        "loadToken": token,
    }
    every: list[str] = []
    for lang, ls in c.labels.items():
        if ls.preferred:
            # One readable label per language for people browsing the graph; the rest is in labelsJson.
            props[f"prefLabel_{lang}"] = ls.preferred
        every += [label for label in (ls.preferred, *ls.alt, *ls.hidden) if label]
    # Lower-cased with Python's str.lower, the function match_labels promises (not Cypher's toLower),
    # one label a line: the TEXT index answers CONTAINS, the full-text index answers word search.
    props["labelSearch"] = "\n".join(label.lower() for label in every)
    return {"uri": c.uri, "props": props}


def _label_entries(uri: str, kind: str, labels_json: str, langs: Sequence[str] | None) -> list[LabelEntry]:
    """The labels of one concept, ordered by (lang, role, label) as MemoryStore orders them."""
    entries: list[LabelEntry] = []
    for lang, ls in labels_from_dict(json.loads(labels_json)).items():
        if langs is not None and lang not in langs:
            continue
        if ls.preferred:
            entries.append(LabelEntry(uri, kind, lang, ls.preferred, "preferred"))
        entries += [LabelEntry(uri, kind, lang, a, "alt") for a in ls.alt]
        entries += [LabelEntry(uri, kind, lang, h, "hidden") for h in ls.hidden]
    return sorted(entries, key=lambda e: (e.lang, _ROLE_ORDER[e.role], e.label))


def _cv_row(cv: CvRecord) -> dict[str, Any]:
    props = {
        "id": cv.id, "municipality": cv.municipality, "postcode": cv.postcode, "lat": cv.lat, "lon": cv.lon,
        "maxKm": cv.max_km, "lang": cv.lang, "updated": cv.updated,
        "bodyJson": json.dumps(cv_to_dict(cv), ensure_ascii=False),
    }
    return {"id": cv.id, "props": props, "point": _has_point(cv.lat, cv.lon)}


def _index_row(p: PostingRecord) -> PostingRow:
    """The posting's row in the posting index (its day numbers are stored too).

    :raise ValidationError: on a date that is not ISO.
    """
    try:
        return row_of(p)
    except ValueError as e:
        raise ValidationError(f"posting {p.id}: dates must be ISO YYYY-MM-DD ({e})", field="published") from e


def _posting_row(p: PostingRecord, row: PostingRow) -> dict[str, Any]:
    props = {
        "id": p.id, "source": p.source, "title": p.title, "employer": p.employer, "postcode": p.postcode,
        "lat": p.lat, "lon": p.lon, "published": p.published, "validThrough": p.valid_through,
        "publishedDay": row.published_day, "validThroughDay": row.valid_through_day,
        "occupation": p.occupation, "occupationScore": p.occupation_score, "lang": p.lang, "url": p.url,
        "nEssential": row.meta.n_essential, "nOptional": row.meta.n_optional,
        "reqSkills": [r.skill for r in p.requirements], "reqKinds": [r.kind for r in p.requirements],
        "bodyJson": json.dumps(posting_to_dict(p), ensure_ascii=False),
    }
    return {"id": p.id, "props": props, "point": _has_point(p.lat, p.lon)}


def _concepts(r: Record) -> dict[str, Concept]:
    """Concepts from one record of columns (see find_concepts.cypher)."""
    return {
        uri: concept_from_dict({
            "uri": uri, "kind": kind, "version": version, "code": code, "status": status,
            "isco_group": isco, "skill_type": skill_type, "reuse_level": reuse, "stub": bool(stub),
            "labels": json.loads(labels), "descriptions": json.loads(descriptions),
        })
        for uri, kind, version, code, status, isco, skill_type, reuse, stub, labels, descriptions in zip(
            r["uri"], r["kind"], r["version"], r["code"], r["status"], r["iscoGroup"], r["skillType"],
            r["reuseLevel"], r["stub"], r["labelsJson"], r["descriptionsJson"], strict=True)
    }
