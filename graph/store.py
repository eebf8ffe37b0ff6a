"""The store protocol: the few primitive graph questions matching asks of any store.

Matching, scoring and explanations are written once over this protocol (:mod:`graph.matching`); each
backend (``graph/backends/memory/graph_store.py`` on networkx, ``graph/backends/neo4j/graph_store.py``
on Neo4j) only answers these questions, with plain records from :mod:`graph.records`, in the documented
order. ``tests/conformance`` holds both to the same answers. The audit trail and operational records
are a separate protocol, :class:`graph.ledger.Ledger`; matching needs only this one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

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
)
from ontology.model import Concept, ConceptKind, Taxonomy, TaxonomySummary


class Store(Protocol):
    """A graph store: taxonomy, CVs and postings. Every method may raise
    :class:`ontology.errors.StoreUnavailableError`."""

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        """Release connections and files. Idempotent."""

    def ping(self) -> None:
        """Return if the store answers; raise ``StoreUnavailableError`` otherwise."""

    def after_fork(self) -> None:
        """In a process forked from the one that opened the store (the nightly batch's workers), make the
        store usable here: what it holds in memory is inherited; a server store opens its own connections
        (the inherited ones are the parent's)."""

    def warm(self) -> None:
        """Read ahead what serving asks, so the first requests do not wait for it: the posting index and,
        on a server store, what the process remembers of the taxonomy. Calling it again is harmless."""

    # -- taxonomy writes and summary ------------------------------------------------------------
    def upsert_taxonomy(self, tax: Taxonomy) -> TaxonomySummary:
        """Load ``tax`` idempotently (MERGE semantics) and make it the active version.

        Loading the same package twice, or again after a load was interrupted, ends with the same
        content and no duplicates. Relation lists are duplicate-free (the readers ensure it). Returns
        the summary of what the store now holds.
        """

    def export_taxonomy(self) -> Taxonomy | None:
        """The whole active taxonomy as loaded (concepts, relations, collections), for an in-process
        snapshot; None before any load. Lists sorted, so two stores export alike."""

    def taxonomy_summary(self) -> TaxonomySummary | None:
        """Counts of the active taxonomy, the same shape as the load summary; None if none is loaded."""

    def ontology_versions(self) -> list[OntologyVersion]:
        """Every version ever loaded, oldest first; exactly one is ``active``."""

    # -- taxonomy reads -------------------------------------------------------------------------
    def concepts(self, uris: Iterable[str]) -> dict[str, Concept]:
        """The concepts with these URIs (unknown URIs are absent from the answer)."""

    def concept_relations(self, uri: str) -> list[ConceptRelation]:
        """Every edge around ``uri``, ordered by (relation, kind, other)."""

    def labels(self, kinds: Sequence[ConceptKind], langs: Sequence[str] | None = None) -> Iterator[LabelEntry]:
        """All labels of concepts of these kinds (in these languages, or all), ordered by
        (uri, lang, role preferred<alt<hidden, label). Used to build extractors and label search."""

    def match_labels(self, text: str, kinds: Sequence[ConceptKind]) -> list[LabelEntry]:
        """Labels of concepts of these kinds that contain ``text``, case-insensitively (Python
        ``str.lower`` / Cypher ``toLower``), in the order of :meth:`labels`. Ranking is the caller's."""

    def occupation_profiles(self, uris: Iterable[str]) -> dict[str, list[ProfileSkill]]:
        """Essential and optional skills of each occupation, by skill uri; unknown URIs absent."""

    def skill_profile_counts(self, skill_uris: Iterable[str]) -> dict[str, int]:
        """How many occupation profiles (essential or optional) list each skill; skills in none are
        absent. Alternatives weigh a shared skill by how specific it is (a skill in 900 profiles says
        little about which occupation fits)."""

    def occupations_sharing(self, skill_uris: Iterable[str], min_shared: int = 1) -> list[OccupationOverlap]:
        """Occupations whose profile contains at least ``min_shared`` of the skills, by occupation uri."""

    def skill_neighbours(self, skill_uris: Iterable[str]) -> list[SkillLink]:
        """Broader, narrower and sibling *skills* (one step in the skill hierarchy) of each skill,
        excluding the asked skills themselves; ordered by (source, relation, target, via). Broader and
        sibling links go through a parent that is itself a Skill: skill groups hold hundreds of
        members, too loose to call a near match."""

    def collections_of(self, uris: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The ESCO collections (transversal, digital, …) each concept belongs to, sorted; concepts
        in none are absent."""

    # -- documents ------------------------------------------------------------------------------
    def upsert_cvs(self, cvs: Sequence[CvRecord]) -> int:
        """Create or replace CVs by id (a re-ingested CV replaces its skills). Returns how many."""

    def get_cvs(self, ids: Iterable[str]) -> dict[str, CvRecord]:
        """Stored CVs by pseudonym; unknown ids absent."""

    def delete_cvs(self, ids: Iterable[str]) -> int:
        """Remove CVs and their links; returns how many existed."""

    def cv_ids(self, municipality: str | None = None) -> list[str]:
        """Pseudonyms of stored CVs (of one municipality), sorted."""

    def upsert_postings(self, postings: Sequence[PostingRecord]) -> int:
        """Create or replace postings by id (requirements replaced). Returns how many."""

    def get_postings(self, ids: Iterable[str]) -> dict[str, PostingRecord]:
        """Stored postings by id; unknown ids absent."""

    def delete_postings(self, ids: Iterable[str]) -> int:
        """Remove postings and their requirement links; returns how many existed."""

    def posting_ids(self) -> list[str]:
        """Ids of every stored posting (current or not), sorted."""

    def posting_count(self) -> int:
        """How many postings are stored (current or not)."""

    def postings_in(self, bbox: BBox, valid_on: str) -> list[PostingMeta]:
        """Postings current on ``valid_on`` located inside ``bbox``, by id."""

    def postings_requiring(self, skill_uris: Iterable[str], bbox: BBox, valid_on: str) -> Candidates:
        """Postings current on ``valid_on`` inside ``bbox`` that require at least one of the skills,
        with each matching requirement. Postings by id; hits by (posting, skill)."""

    def posting_metas(self, ids: Iterable[str]) -> dict[str, PostingMeta]:
        """What a suggestion shows of each posting (title, employer, dates, …); unknown ids absent."""

    def postings_for_occupations(
        self, occupation_uris: Iterable[str], bbox: BBox, valid_on: str
    ) -> list[PostingMeta]:
        """Current postings inside ``bbox`` for any of these occupations, by id."""

    def requirements_of(self, posting_ids: Iterable[str]) -> dict[str, list[ProfileSkill]]:
        """All requirements of each posting, by skill uri; unknown ids absent."""
