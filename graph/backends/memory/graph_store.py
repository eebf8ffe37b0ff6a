"""The embedded store: the ESCO graph in networkx, documents journalled to SQLite.

The taxonomy lives in a :class:`networkx.MultiDiGraph` (nodes are URIs; edges REQUIRES, BROADER,
RELATED, IN_COLLECTION as in Neo4j). It is derived data: a JSON snapshot under the data directory lets
a new process reopen it in about a second, and it can always be rebuilt from the ESCO package.
What is ingested (CVs, postings, and later audit records) is personal or operational data and must
survive a restart: every write goes to SQLite in one transaction before the in-memory indexes change.

The hot path (``postings_requiring``) runs over numpy arrays: an inverted index skill -> postings in
CSR form, rebuilt lazily after writes, so a query costs array slicing, not graph chatter.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx

from graph.backends.memory.ledger import SCHEMA as LEDGER_SCHEMA
from graph.backends.memory.ledger import SqliteLedger, transaction
from graph.backends.memory.ledger import migrate as migrate_ledger
from graph.backends.posting_index import PostingIndex, row_of
from graph.codec import (
    cv_from_dict,
    cv_to_dict,
    posting_from_dict,
    posting_to_dict,
    taxonomy_from_dict,
    taxonomy_to_dict,
)
from graph.days import day_number
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
from ontology.model import Concept, ConceptKind, Taxonomy, TaxonomySummary, summarise

log = logging.getLogger(__name__)

SNAPSHOT = "taxonomy.json"
JOURNAL = "jobmatch.sqlite"
_ROLE_ORDER = {"preferred": 0, "alt": 1, "hidden": 2}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cvs (id TEXT PRIMARY KEY, municipality TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cvs_municipality ON cvs (municipality);
CREATE TABLE IF NOT EXISTS postings (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ontology_versions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, version TEXT NOT NULL, languages TEXT NOT NULL,
    source TEXT NOT NULL, checksum TEXT NOT NULL, loaded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, id TEXT NOT NULL);
"""
# Another process (the CLI beside a running server) writes the same journal; each write also appends to
# ``changes``. A reader notices through SQLite's data_version (a counter that moves when another
# connection commits) and reloads just the rows named since the change it saw last. Checked at most
# this often, so a busy hot path pays one clock read, not one SQL statement.
REFRESH_SECONDS = 0.5
# Changes older than this many writes are pruned; a process further behind reloads everything.
KEEP_CHANGES = 100_000


# The data dir holds personal data (CVs, evidence, the audit trail): its owner only.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def restrict_permissions(folder: Path) -> None:
    """``folder`` 0700 and every file in it 0600 (the journal, its WAL, the snapshot, keys)."""
    os.chmod(folder, PRIVATE_DIR_MODE)
    for path in folder.iterdir():
        if path.is_file():
            os.chmod(path, PRIVATE_FILE_MODE)


class MemoryStore(SqliteLedger):
    """networkx + SQLite store; ``data_dir`` None keeps everything in memory (tests)."""

    def __init__(self, data_dir: Path | None = None) -> None:
        # No I/O here: open() reads the journal, so constructing is free and testable.
        self.data_dir = data_dir
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self.g: nx.MultiDiGraph = nx.MultiDiGraph()
        self.tax: Taxonomy | None = None
        self._cvs: dict[str, CvRecord] = {}
        self._postings: dict[str, PostingRecord] = {}
        self._index: PostingIndex | None = None
        self._opened = False
        self._skill_parents_of: dict[str, list[str]] = {}
        self._skill_children_of: dict[str, list[str]] = {}
        self._links_around: dict[str, tuple[SkillLink, ...]] = {}  # per skill, built when first asked
        self._collections: dict[str, tuple[str, ...]] = {}
        self._profiles: dict[str, list[ProfileSkill]] = {}
        self._required_by: dict[str, list[tuple[str, ProfileSkill]]] = {}
        self._n_essential: dict[str, int] = {}
        self._seen_change = 0
        self._data_version = 0
        self._next_check = 0.0
        self._pid = os.getpid()

    # -- lifecycle -------------------------------------------------------------------------------
    def open(self) -> MemoryStore:
        """Open the journal and load what earlier processes stored. Idempotent."""
        with self._lock:
            if self._opened:
                return self
            if self.data_dir is not None:
                self.data_dir.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.data_dir / JOURNAL, check_same_thread=False, isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                # Deleted and replaced content is overwritten, not left in free pages: erasure means gone.
                self._db.execute("PRAGMA secure_delete=ON")
                restrict_permissions(self.data_dir)
            else:
                self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            self._db.executescript(_SCHEMA)
            self._db.executescript(LEDGER_SCHEMA)
            migrate_ledger(self._db)
            self._load_all(self._db)
            self._opened = True
            log.info("memory store opened: %d cvs, %d postings", len(self._cvs), len(self._postings))
            return self

    def _load_all(self, db: sqlite3.Connection) -> None:
        self._seen_change = db.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
        self._data_version = db.execute("PRAGMA data_version").fetchone()[0]
        self._cvs = {}
        for (body,) in db.execute("SELECT body FROM cvs"):
            cv = cv_from_dict(json.loads(body))
            self._cvs[cv.id] = cv
        self._postings = {}
        for (body,) in db.execute("SELECT body FROM postings"):
            p = posting_from_dict(json.loads(body))
            self._postings[p.id] = p
        self._index = None
        self._load_snapshot()

    def _load_snapshot(self) -> None:
        snap = self.data_dir / SNAPSHOT if self.data_dir else None
        if snap is not None and snap.exists():
            self._set_taxonomy(taxonomy_from_dict(json.loads(snap.read_text("utf-8"))))

    def refresh(self) -> None:
        """Take in what other processes wrote to the journal since this one last looked (CVs, postings,
        a new taxonomy). Reads call it, at most every :data:`REFRESH_SECONDS`; a forked batch worker
        never does (it must not touch the parent's SQLite connection)."""
        if self._db is None or self.data_dir is None or os.getpid() != self._pid:
            return
        now = time.monotonic()
        if now < self._next_check:
            return
        with self._lock:
            self._next_check = now + REFRESH_SECONDS
            db = self._db
            version = db.execute("PRAGMA data_version").fetchone()[0]
            if version == self._data_version:
                return
            self._data_version = version
            oldest = db.execute("SELECT min(seq) FROM changes").fetchone()[0]
            if oldest is not None and oldest > self._seen_change + 1 and self._seen_change:
                log.info("memory store: more changes than kept since this process looked; reloading all")
                self._load_all(db)
                return
            rows = db.execute("SELECT seq, kind, id FROM changes WHERE seq > ? ORDER BY seq",
                              (self._seen_change,)).fetchall()
            if not rows:
                return
            self._seen_change = rows[-1][0]
            cv_ids = sorted({i for _, k, i in rows if k == "cv"})
            posting_ids = sorted({i for _, k, i in rows if k == "posting"})
            for ids, table, target, decode in (
                    (cv_ids, "cvs", self._cvs, cv_from_dict), (posting_ids, "postings", self._postings,
                                                                posting_from_dict)):
                found: dict[str, object] = {}
                for start in range(0, len(ids), 500):
                    part = ids[start:start + 500]
                    marks = ",".join("?" * len(part))
                    for key, body in db.execute(f"SELECT id, body FROM {table} WHERE id IN ({marks})", part):  # noqa: S608 - table is one of two literals
                        found[key] = decode(json.loads(body))
                for key in ids:
                    if key in found:
                        target[key] = found[key]  # type: ignore[assignment]
                    else:
                        target.pop(key, None)
            if posting_ids:
                self._index = None
            if any(k == "taxonomy" for _, k, _ in rows):
                self._load_snapshot()
            log.info("memory store: took in %d CV and %d posting change(s) from another process",
                     len(cv_ids), len(posting_ids))

    def _log_changes(self, db: sqlite3.Connection, kind: str, ids: Iterable[str]) -> None:
        """Inside a write transaction: name what changed for other processes; this process has it already,
        so when nothing else wrote since it last looked, it moves past its own entries."""
        before = db.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
        db.executemany("INSERT INTO changes (kind, id) VALUES (?, ?)", [(kind, i) for i in ids])
        if before == self._seen_change:
            self._seen_change = db.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
        db.execute("DELETE FROM changes WHERE seq <= ?", (self._seen_change - KEEP_CHANGES,))

    def forget(self) -> None:
        """Make what was deleted unrecoverable from the data dir: move the write-ahead log into the
        database (whose deleted content ``secure_delete`` overwrote) and truncate it."""
        with self._lock:
            if self._db is not None and self.data_dir is not None:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
            self._opened = False

    def ping(self) -> None:
        self._conn()

    def _conn(self) -> sqlite3.Connection:  # noqa: D102 - see SqliteLedger
        if self._db is None:
            self.open()
        assert self._db is not None
        return self._db

    # -- taxonomy --------------------------------------------------------------------------------
    def upsert_taxonomy(self, tax: Taxonomy) -> TaxonomySummary:
        with self._lock:
            db = self._conn()
            if self.data_dir is not None:
                # Write the snapshot atomically: a crash mid-write leaves the previous one intact.
                tmp = self.data_dir / (SNAPSHOT + ".tmp")
                tmp.write_text(json.dumps(taxonomy_to_dict(tax), ensure_ascii=False), "utf-8")
                os.chmod(tmp, PRIVATE_FILE_MODE)
                tmp.replace(self.data_dir / SNAPSHOT)
            now = datetime.now(UTC).isoformat(timespec="seconds")
            last = db.execute("SELECT version, checksum FROM ontology_versions ORDER BY seq DESC LIMIT 1").fetchone()
            with transaction(db):
                if last != (tax.version, tax.checksum):
                    db.execute(
                        "INSERT INTO ontology_versions (version, languages, source, checksum, loaded_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (tax.version, ",".join(tax.languages), tax.source, tax.checksum, now),
                    )
                self._log_changes(db, "taxonomy", [tax.version])
            self._set_taxonomy(tax)
            return summarise(tax)

    def _set_taxonomy(self, tax: Taxonomy) -> None:
        g: nx.MultiDiGraph = nx.MultiDiGraph()
        for c in tax.concepts.values():
            g.add_node(c.uri, kind=c.kind)
        for r in tax.occupation_skills:
            g.add_edge(r.occupation, r.skill, key="REQUIRES", kind=r.kind)
        for b in tax.broader:
            g.add_edge(b.child, b.parent, key="BROADER")
        for s in tax.skill_skills:
            g.add_edge(s.source, s.target, key="RELATED", kind=s.kind)
        for m in tax.collections:
            g.add_node("collection:" + m.collection, kind="Collection")
            g.add_edge(m.concept, "collection:" + m.collection, key="IN_COLLECTION")
        self.g = g
        self.tax = tax
        # Plain adjacency for the hot traversals (networkx edge views are slow to iterate per call).
        skills = {c.uri for c in tax.concepts.values() if c.kind == "Skill"}
        parents: dict[str, list[str]] = defaultdict(list)
        children: dict[str, list[str]] = defaultdict(list)
        for b in tax.broader:
            if b.child in skills and b.parent in skills:
                parents[b.child].append(b.parent)
                children[b.parent].append(b.child)
        self._skill_parents_of = dict(parents)
        self._skill_children_of = dict(children)
        self._links_around = {}
        cols: dict[str, list[str]] = defaultdict(list)
        for m in tax.collections:
            cols[m.concept].append(m.collection)
        self._collections = {u: tuple(sorted(set(c))) for u, c in cols.items()}
        profiles: dict[str, list[ProfileSkill]] = defaultdict(list)
        # One ProfileSkill object per relation, shared by the profile and the reverse index, so that
        # occupations_sharing only collects references.
        required_by: dict[str, list[tuple[str, ProfileSkill]]] = defaultdict(list)
        for r in tax.occupation_skills:
            ps = ProfileSkill(r.skill, r.kind)
            profiles[r.occupation].append(ps)
            required_by[r.skill].append((r.occupation, ps))
        self._profiles = {o: sorted(ps, key=lambda p: p.skill) for o, ps in profiles.items()}
        self._required_by = dict(required_by)
        self._n_essential = {o: sum(1 for p in ps if p.kind == "essential") for o, ps in self._profiles.items()}

    def export_taxonomy(self) -> Taxonomy | None:
        if self.tax is None:
            return None
        t = self.tax
        return Taxonomy(version=t.version, languages=t.languages, source=t.source, checksum=t.checksum,
                        concepts=dict(sorted(t.concepts.items())),
                        occupation_skills=sorted(t.occupation_skills, key=lambda r: (r.occupation, r.skill, r.kind)),
                        skill_skills=sorted(t.skill_skills, key=lambda r: (r.source, r.target, r.kind)),
                        broader=sorted(t.broader, key=lambda r: (r.child, r.parent)),
                        collections=sorted(t.collections, key=lambda r: (r.concept, r.collection)),
                        skipped=Counter(t.skipped), stubs=Counter(t.stubs))

    def taxonomy_summary(self) -> TaxonomySummary | None:
        return summarise(self.tax) if self.tax is not None else None

    def ontology_versions(self) -> list[OntologyVersion]:
        self.refresh()
        with self._lock:  # the connection is shared by the process's threads (see SqliteLedger)
            rows = self._conn().execute(
                "SELECT version, languages, source, checksum, loaded_at FROM ontology_versions ORDER BY seq"
            ).fetchall()
        return [
            OntologyVersion(version=v, languages=tuple(x for x in langs.split(",") if x), source=src,
                            checksum=ck, loaded_at=at, active=i == len(rows) - 1)
            for i, (v, langs, src, ck, at) in enumerate(rows)
        ]

    def _concept_map(self) -> dict[str, Concept]:
        return self.tax.concepts if self.tax is not None else {}

    def concepts(self, uris: Iterable[str]) -> dict[str, Concept]:
        cmap = self._concept_map()
        return {u: cmap[u] for u in uris if u in cmap}

    def concept_relations(self, uri: str) -> list[ConceptRelation]:
        if uri not in self.g:
            return []
        out: list[ConceptRelation] = []
        for _, other, key, data in self.g.out_edges(uri, keys=True, data=True):
            if key == "IN_COLLECTION":
                out.append(ConceptRelation("IN_COLLECTION", other.removeprefix("collection:"), ""))
            else:
                out.append(ConceptRelation(key, data.get("kind", ""), other))
        inverse = {"REQUIRES": "REQUIRED_BY", "BROADER": "NARROWER", "RELATED": "RELATED_FROM"}
        for other, _, key, data in self.g.in_edges(uri, keys=True, data=True):
            out.append(ConceptRelation(inverse[key], data.get("kind", ""), other))
        return sorted(out, key=lambda r: (r.relation, r.kind, r.other))

    def labels(self, kinds: Sequence[ConceptKind], langs: Sequence[str] | None = None) -> Iterator[LabelEntry]:
        wanted = set(kinds)
        for uri in sorted(self._concept_map()):
            c = self._concept_map()[uri]
            if c.kind not in wanted:
                continue
            entries: list[LabelEntry] = []
            for lang, ls in c.labels.items():
                if langs is not None and lang not in langs:
                    continue
                if ls.preferred:
                    entries.append(LabelEntry(uri, c.kind, lang, ls.preferred, "preferred"))
                entries += [LabelEntry(uri, c.kind, lang, a, "alt") for a in ls.alt]
                entries += [LabelEntry(uri, c.kind, lang, h, "hidden") for h in ls.hidden]
            yield from sorted(entries, key=lambda e: (e.lang, _ROLE_ORDER[e.role], e.label))

    def match_labels(self, text: str, kinds: Sequence[ConceptKind]) -> list[LabelEntry]:
        needle = text.lower()
        return [e for e in self.labels(kinds) if needle in e.label.lower()]

    def occupation_profiles(self, uris: Iterable[str]) -> dict[str, list[ProfileSkill]]:
        concepts = self._concept_map()
        return {u: list(self._profiles.get(u, [])) for u in uris
                if u in concepts and concepts[u].kind == "Occupation"}

    def skill_profile_counts(self, skill_uris: Iterable[str]) -> dict[str, int]:
        return {u: len(self._required_by[u]) for u in dict.fromkeys(skill_uris) if self._required_by.get(u)}

    def occupations_sharing(self, skill_uris: Iterable[str], min_shared: int = 1) -> list[OccupationOverlap]:
        shared: dict[str, list[ProfileSkill]] = defaultdict(list)
        # Skills in URI order, so each occupation's shared list comes out sorted without a sort.
        for s in sorted(set(skill_uris)):
            for occ, ps in self._required_by.get(s, ()):
                shared[occ].append(ps)
        out = []
        for occ in sorted(shared):
            if len(shared[occ]) < min_shared:
                continue
            n_ess = self._n_essential[occ]
            out.append(OccupationOverlap(occ, tuple(shared[occ]), n_ess, len(self._profiles[occ]) - n_ess))
        return out

    def skill_neighbours(self, skill_uris: Iterable[str]) -> list[SkillLink]:
        asked = set(skill_uris)
        return [link for s in sorted(asked) for link in self._links_of(s) if link.target not in asked]

    def _links_of(self, skill: str) -> tuple[SkillLink, ...]:
        # The cache first: a taxonomy load sets the adjacency before it replaces the cache, so what is
        # built here from adjacency read after never lands in a cache of another version.
        cache = self._links_around
        found = cache.get(skill)
        if found is None:  # two threads may build the same tuple: harmless
            parents_of, children_of = self._skill_parents_of, self._skill_children_of
            found = cache[skill] = links_around(
                skill, ((p, children_of.get(p, ())) for p in parents_of.get(skill, ())), children_of.get(skill, ()))
        return found

    def collections_of(self, uris: Iterable[str]) -> dict[str, tuple[str, ...]]:
        return {u: self._collections[u] for u in uris if u in self._collections}

    # -- documents -------------------------------------------------------------------------------
    def upsert_cvs(self, cvs: Sequence[CvRecord]) -> int:
        with self._lock:
            db = self._conn()
            rows = [(cv.id, cv.municipality, json.dumps(cv_to_dict(cv), ensure_ascii=False)) for cv in cvs]
            with transaction(db):
                db.executemany("INSERT OR REPLACE INTO cvs (id, municipality, body) VALUES (?, ?, ?)", rows)
                self._log_changes(db, "cv", (cv.id for cv in cvs))
            for cv in cvs:
                self._cvs[cv.id] = cv
            return len(cvs)

    def get_cvs(self, ids: Iterable[str]) -> dict[str, CvRecord]:
        self.refresh()
        return {i: self._cvs[i] for i in ids if i in self._cvs}

    def delete_cvs(self, ids: Iterable[str]) -> int:
        with self._lock:
            return len(self._delete("cv", "cvs", self._cvs, ids))

    def _delete(self, kind: str, table: str, held: dict[str, CvRecord] | dict[str, PostingRecord], ids: Iterable[str]) -> list[str]:
        """Inside the lock: delete the ``ids`` of ``held`` from ``table`` and say so to other processes."""
        present = [i for i in set(ids) if i in held]
        db = self._conn()
        with transaction(db):
            db.executemany(f"DELETE FROM {table} WHERE id = ?", [(i,) for i in present])  # noqa: S608 - table is one of two literals
            self._log_changes(db, kind, present)
        for i in present:
            del held[i]
        return present

    def cv_ids(self, municipality: str | None = None) -> list[str]:
        self.refresh()
        return sorted(i for i, cv in self._cvs.items() if municipality is None or cv.municipality == municipality)

    def upsert_postings(self, postings: Sequence[PostingRecord]) -> int:
        for p in postings:
            # Reject bad dates here, as Neo4j does, rather than failing every later query.
            try:
                day_number(p.published)
                day_number(p.valid_through)
            except ValueError as e:
                raise ValidationError(f"posting {p.id}: dates must be ISO YYYY-MM-DD ({e})",
                                      field="published") from e
        with self._lock:
            db = self._conn()
            rows = [(p.id, json.dumps(posting_to_dict(p), ensure_ascii=False)) for p in postings]
            with transaction(db):
                db.executemany("INSERT OR REPLACE INTO postings (id, body) VALUES (?, ?)", rows)
                self._log_changes(db, "posting", (p.id for p in postings))
            for p in postings:
                self._postings[p.id] = p
            self._index = None
            return len(postings)

    def get_postings(self, ids: Iterable[str]) -> dict[str, PostingRecord]:
        self.refresh()
        return {i: self._postings[i] for i in ids if i in self._postings}

    def delete_postings(self, ids: Iterable[str]) -> int:
        with self._lock:
            present = self._delete("posting", "postings", self._postings, ids)
            if present:
                self._index = None
            return len(present)

    def posting_ids(self) -> list[str]:
        self.refresh()
        return sorted(self._postings)

    def posting_count(self) -> int:
        self.refresh()
        return len(self._postings)

    def _posting_index(self) -> PostingIndex:
        self.refresh()
        with self._lock:
            if self._index is None:
                self._index = PostingIndex(row_of(p) for p in self._postings.values())
            return self._index

    def after_fork(self) -> None:
        """Nothing to do: a forked worker only reads what the store holds in memory (never its journal)."""

    def warm(self) -> None:
        self._posting_index()  # the taxonomy is in memory already

    def postings_in(self, bbox: BBox, valid_on: str) -> list[PostingMeta]:
        return self._posting_index().postings_in(bbox, valid_on)

    def postings_requiring(self, skill_uris: Iterable[str], bbox: BBox, valid_on: str) -> Candidates:
        return self._posting_index().postings_requiring(skill_uris, bbox, valid_on)

    def posting_metas(self, ids: Iterable[str]) -> dict[str, PostingMeta]:
        return {i: row_of(self._postings[i]).meta for i in ids if i in self._postings}

    def postings_for_occupations(
        self, occupation_uris: Iterable[str], bbox: BBox, valid_on: str
    ) -> list[PostingMeta]:
        return self._posting_index().postings_for_occupations(occupation_uris, bbox, valid_on)

    def requirements_of(self, posting_ids: Iterable[str]) -> dict[str, list[ProfileSkill]]:
        out: dict[str, list[ProfileSkill]] = {}
        for i in posting_ids:
            p = self._postings.get(i)
            if p is not None:
                out[i] = sorted((ProfileSkill(r.skill, r.kind) for r in p.requirements), key=lambda x: x.skill)
        return out
