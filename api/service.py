"""The service layer between the HTTP blueprints and ``graph/``: one :class:`Service` per app.

Blueprints parse and authorise; the service holds the process's one store, applies municipality
scoping, runs matching, records every served list in the audit trail and returns plain JSON-able
dicts. It knows no Flask request objects, so it can be driven by a test or a batch job as it is.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from flask import current_app

from api.auth import can_see_municipality, check_municipality
from api.errors import ForbiddenError
from api.settings import Settings
from api.wiring import Backend, audit_key, reading_config, serving_policy, verify_trail
from graph.accountability.audit import Actor, ChainReport, body_digest, body_of, holds, now_iso, record_event
from graph.accountability.checkpoint import signed_head
from graph.accountability.citizen import explain_alternative_da, explain_suggestion_da
from graph.accountability.erasure import erase_citizen
from graph.accountability.feedback import summarise_feedback
from graph.accountability.group_append import GroupAppend
from graph.accountability.replay import compare_with_today, replay
from graph.accountability.serving import ListServer, ServeRequest, ServingPolicy
from graph.accountability.writes import write_cvs, write_postings
from graph.codec import cv_to_dict
from graph.ledger import AuditQuery, AuditRecord, Feedback
from graph.matching.geo import Gazetteer
from graph.matching.scoring import MatchSettings
from graph.matching.search import find_concepts
from graph.matching.vocabulary import (
    AUDIT_EVENT_NAMES,
    EXPORT,
    EXPORT_FORMATS,
    FEEDBACK,
    READ,
    RECTIFICATION,
    VERDICT,
    VERDICT_NAMES,
    VERDICTS,
)
from graph.records import CvRecord, PostingRecord
from ontology.errors import (
    ConfigurationError,
    NotFoundError,
    NotPermittedError,
    StoreUnavailableError,
    ValidationError,
)
from ontology.model import ConceptKind

log = logging.getLogger(__name__)

EXTENSION = "jobmatch"
# After a failed open, wait this long before trying again, so a dead Neo4j is not hammered by every
# request (each attempt costs the driver's connect timeout).
REOPEN_BACKOFF_SECONDS = 5.0
# A feedback reason is a consultant's short note; longer text is more likely to carry personal data.
MAX_REASON_CHARS = 500
# Audit records are read in pages of this size when every record of one citizen is needed.
AUDIT_PAGE = 1000
EXPORT_NOTE = ("Alt hvad jobmatch opbevarer om dette pseudonym. Navn, CPR-nummer, e-mail og telefon "
               "fjernes ved indlæsning og gemmes aldrig.")


def current_service() -> Service:
    """The service of the app handling the current request."""
    svc: Service = current_app.extensions[EXTENSION]
    return svc


class Service:
    """The process's store and what the API does with it. Thread-safe.

    ``opener`` opens the configured store; if it fails at start-up (Neo4j down) the app still starts,
    ``/ready`` says 503, and the next request after :data:`REOPEN_BACKOFF_SECONDS` tries again.
    """

    def __init__(self, settings: Settings, *, store: Backend | None = None,
                 opener: Callable[[], Backend] | None = None, match_settings: MatchSettings | None = None) -> None:
        self.settings = settings
        self.match_settings = match_settings or MatchSettings()
        self._store = store
        self._opener = opener
        self._owns_store = store is None
        self._open_lock = threading.Lock()
        self._next_try = 0.0
        # One writer at a time inside this process: the audit chain reads its head and appends the
        # next record, which must not interleave, and the embedded store shares one SQLite connection.
        self._write_lock = threading.RLock()
        self._appender: GroupAppend | None = None
        self._appender_of: Backend | None = None  # the store it appends to (a reopened store gets a new one)
        self._gazetteer: Gazetteer | None = None

    @cached_property
    def policy(self) -> ServingPolicy:
        """What governs every list served here, from the composition root (as the CLI and batch have it)."""
        return serving_policy(self.settings, self.match_settings)

    @property
    def local_additions_version(self) -> str:
        """Cited in every audit record, so replay can tell which synonyms were in force."""
        return self.policy.local_additions_version

    def server(self) -> ListServer:
        """The one list-serving use case over this process's store; writes under the service's lock, the
        audit records of concurrent requests appended together."""
        store = self.store
        with self._open_lock:
            if self._appender is None or self._appender_of is not store:
                self._appender, self._appender_of = GroupAppend(store, lock=self._write_lock), store
            appender = self._appender
        return ListServer(store, store, self.policy, lock=self._write_lock, appender=appender)

    # -- lifecycle -------------------------------------------------------------------------------
    def try_open(self) -> None:
        """Open the store now if this service opens its own; log (not raise) if it is unavailable."""
        try:
            _ = self.store
        except StoreUnavailableError:
            log.warning("store unavailable at start-up; /ready answers 503 until it is reachable")

    @property
    def store(self) -> Backend:
        """The open store. :raise StoreUnavailableError: if it cannot be opened (yet)."""
        if self._store is not None:
            return self._store
        with self._open_lock:
            if self._store is None:
                if self._opener is None or time.monotonic() < self._next_try:
                    raise StoreUnavailableError("the store is not open")
                try:
                    self._store = self._opener()
                except StoreUnavailableError:
                    self._next_try = time.monotonic() + REOPEN_BACKOFF_SECONDS
                    raise
            return self._store

    def close(self) -> None:
        """Close the store if this service opened it (a store passed in belongs to the caller)."""
        with self._open_lock:
            if self._store is not None and self._owns_store:
                self._store.close()
                self._store = None

    @contextmanager
    def writing(self) -> Iterator[Backend]:
        with self._write_lock:
            yield self.store

    # -- health ----------------------------------------------------------------------------------
    def readiness(self) -> dict[str, Any]:
        """What ``/ready`` reports. :raise StoreUnavailableError: if the store does not answer."""
        store = self.store
        store.ping()
        versions = store.ontology_versions()
        active = next((v.version for v in versions if v.active), None)
        vectors = self.policy.vectors_for(active) if active is not None else None
        return {"store": self.settings.store, "esco_loaded": active is not None, "ontology_version": active,
                "versions": [v.version for v in versions],
                "reading": {**self.reading(), "occupation_vectors": vectors.key if vectors is not None else None}}

    def reading(self) -> dict[str, Any]:
        """The reading model in force and the concept indexes built for it (no model is loaded here)."""
        from loaders.extract.concept_index import index_status

        built = [{"key": m.get("key"), "model": m.get("model"), "built_at": m.get("built_at"),
                  "counts": m.get("counts")} for m in index_status(self.settings.reading_dir)]
        return {"model": self.settings.reading_model, "indexes": built}

    # -- CVs -------------------------------------------------------------------------------------
    def cv_for(self, actor: Actor, cv_id: str) -> CvRecord:
        """The CV if ``actor`` may see it. :raise NotFoundError: if unknown or of another municipality."""
        cv = self.store.get_cvs([cv_id]).get(cv_id)
        if cv is None:
            raise NotFoundError("no such CV")
        check_municipality(actor, cv.municipality)
        return cv

    def read_cv(self, actor: Actor, cv_id: str, lang: str) -> dict[str, Any]:
        """The stored CV for a person to look at (:meth:`cv_json`); the look is an event of the audit chain.

        :raise NotFoundError: if unknown or of another municipality.
        """
        cv = self.cv_for(actor, cv_id)
        self._note_read(actor, cv.municipality, cv.id, "cv", [cv.id])
        return self.cv_json(cv, lang)

    def _note_read(self, actor: Actor, municipality: str, cv_id: str, what: str, ids: list[str]) -> None:
        """A person read a CV or audit records: an event of the chain (who, what, which ids — never content),
        filed under the municipality whose data it was, so its ethics reviewer sees who looked."""
        with self.writing() as store:
            record_event(store, READ, actor.filed_under(municipality), cv_id, {"read": {"what": what, "ids": ids}})

    def cv_json(self, cv: CvRecord, lang: str) -> dict[str, Any]:
        """The stored CV with evidence, and labels for every concept it names (URIs stay as ids)."""
        body = cv_to_dict(cv)
        uris = set(cv.seeks) | {w.occupation for w in cv.worked_as} | {s.skill for s in cv.skills} \
            | {e.via for s in cv.skills for e in s.evidence if e.via}
        body["labels"] = self.labels(uris, lang)
        return body

    def labels(self, uris: Iterable[str], lang: str) -> dict[str, str]:
        """Preferred labels of the concepts among ``uris`` (non-concept ids are left out)."""
        concepts = self.store.concepts({u for u in uris if u.startswith(("http://", "https://"))})
        return {uri: c.label(lang) for uri, c in sorted(concepts.items())}

    # -- ingestion (loaders.documents does validation, pseudonymisation, scrubbing, extraction) ----
    def ingest_cv(self, actor: Actor, doc: Any, *, expect_id: str | None = None) -> tuple[CvRecord, bool]:
        """Turn one CV document into a record and store it; returns (record, created).

        ``expect_id`` (PUT) is the pseudonym the document's reference must hash to.

        :raise ValidationError: naming the field (JSON pointer) of a bad document.
        :raise ForbiddenError: (``/municipality``) if a consultant's document names another municipality.
            A citizen another municipality holds is no reason: the CV is placed under the job centre's
            own scoped pseudonym (:func:`loaders.documents.cvs.place_cv`) and the answer is the one an
            unknown citizen gets.
        :raise ConfigurationError: if the pseudonym key, postcodes or taxonomy are not configured.
        """
        from loaders.documents import cv_record_from
        from loaders.documents.cvs import place_cv
        from loaders.documents.inferred import carry_over, essential_skills_of
        from loaders.documents.postings import concept_check
        from loaders.privacy import require_pseudonym_key

        key = require_pseudonym_key(self.settings.pseudonym_key)
        # Placed so that a citizen another municipality holds answers exactly like an unknown one.
        cv = cv_record_from(doc, extractor=self.extractor(), gazetteer=self.gazetteer(), key=key,
                            today=date.today(), profiles=essential_skills_of(self.store),
                            place=place_cv(self.store), known=concept_check(self.store))
        if expect_id is not None and cv.id != expect_id:
            raise ValidationError("the document's citizen reference does not belong to this CV", field="/id")
        if not can_see_municipality(actor, cv.municipality):
            raise ForbiddenError("you can only write CVs of your own municipality", field="/municipality")
        with self.writing() as store:
            old = store.get_cvs([cv.id]).get(cv.id)
            # Replacing a CV another municipality holds would let a consultant overwrite it. Placement
            # already put this CV elsewhere; only a concurrent write of the same citizen lands here.
            if old is not None and not can_see_municipality(actor, old.municipality):
                raise ForbiddenError("you can only write CVs of your own municipality", field="/municipality")
            cv = carry_over(cv, old)
            write_cvs(store, store, [cv], actor)
        log.info("stored cv %s by %s (%s)", cv.id, actor.id, "new" if old is None else "replaced")
        return cv, old is None

    def lookup(self, actor: Actor, citizen_ref: str) -> CvRecord:
        """The CV of the job centre's own citizen reference, pseudonymised on arrival (the reference is
        never logged, stored or put in a URL).

        :raise NotFoundError: if no CV has that reference, or it is another municipality's: the same answer.
        :raise ConfigurationError: without a pseudonymisation key.
        """
        from loaders.privacy import pseudonymise, require_pseudonym_key, scoped_pseudonym

        key = require_pseudonym_key(self.settings.pseudonym_key)
        ref = citizen_ref.strip()
        try:
            return self.cv_for(actor, pseudonymise(ref, key))
        except NotFoundError:
            if not actor.municipality:
                raise
        # Where the job centre's own CV went when another municipality held the plain pseudonym.
        return self.cv_for(actor, scoped_pseudonym(ref, actor.municipality, key))

    def settle_inferred(self, actor: Actor, cv_id: str, uris: Sequence[str] | None, *,
                        confirm: bool) -> tuple[CvRecord, list[str]]:
        """Confirm (``uris`` None: all) or reject inferred skills of a CV the actor may see, as agreed with
        the citizen; returns the stored CV and the URIs settled. Logged with the actor and counts.

        :raise NotFoundError: if the CV is unknown or of another municipality.
        :raise ValidationError: (``/skills``) if a URI is not an inferred skill of the CV.
        """
        from loaders.documents.inferred import confirm_skills, reject_skills

        with self.writing() as store:
            cv = self.cv_for(actor, cv_id)
            if confirm:
                cv, done = confirm_skills(cv, uris, actor.id, date.today().isoformat())
            else:
                cv, done = reject_skills(cv, uris or (), actor.id)
            write_cvs(store, store, [cv], actor, action="confirmed" if confirm else "rejected")
        log.info("cv %s: %d inferred skill(s) %s by %s", cv.id, len(done), "confirmed" if confirm else "rejected",
                 actor.id)
        return cv, done

    def rectify(self, actor: Actor, cv_id: str, uris: Sequence[str], reason: str) -> tuple[CvRecord, list[str], str]:
        """Remove skills the citizen says were read wrongly (GDPR art. 16) from a CV the actor may see; the
        rectification is an event of the audit chain (which skills, who; the reason only as its hash, as a
        verdict's). Returns the stored CV, the URIs removed and the event's id.

        :raise NotFoundError: if the CV is unknown or of another municipality.
        :raise ValidationError: (``/remove_skills``) if a URI is not a skill of the CV.
        """
        from loaders.documents.inferred import rectify_skills

        with self.writing() as store:
            cv = self.cv_for(actor, cv_id)
            cv, done = rectify_skills(cv, uris)
            write_cvs(store, store, [cv], actor, action="rectified")
            event = record_event(store, RECTIFICATION, actor.filed_under(cv.municipality), cv.id,
                                 {"rectification": {"removed": done, "reason_hash": body_digest(reason)}})
        log.info("cv %s: %d skill(s) removed on rectification by %s (record %s)", cv.id, len(done), actor.id,
                 event.id)
        return cv, done, event.id

    def ingest_postings(self, actor: Actor, docs: Sequence[Any], *, pointer_prefix: bool) -> list[PostingRecord]:
        """Turn posting documents into records and store them all, or none if one is invalid.

        :raise ValidationError: naming the field; with ``pointer_prefix`` the pointer starts with the
            document's index in the list (``/3/title``).
        :raise NotPermittedError: (403) if a document would replace a posting another owner wrote.
        """
        from loaders.documents import posting_record_from
        from loaders.documents.postings import occupation_check

        extractor, gazetteer = self.extractor(), self.gazetteer()
        records: list[PostingRecord] = []
        is_occupation = occupation_check(self.store)  # cached for the request's documents
        for i, doc in enumerate(docs):
            try:
                records.append(posting_record_from(doc, extractor=extractor, gazetteer=gazetteer,
                                                   is_occupation=is_occupation))
            except ValidationError as e:
                if not pointer_prefix:
                    raise
                field = f"/{i}{e.field or ''}"
                raise ValidationError(f"document {i}: {e.detail}", field=field) from e
        with self.writing() as store:
            try:
                write_postings(store, store, records, actor)
            except NotPermittedError as e:
                # One document: its pointer has no index.
                raise NotPermittedError(e.detail, field=e.field if pointer_prefix else "/id") from e
        log.info("stored %d posting(s) by %s", len(records), actor.id)
        return records

    def extractor(self) -> Any:
        """The text extractor over the active taxonomy (built once per taxonomy version, then cached)."""
        from loaders.documents import extractor_for

        return extractor_for(self.store, self.settings.local_additions, reading_config(self.settings))

    def gazetteer(self) -> Gazetteer:
        """Postcode centroids, read once per process. :raise ConfigurationError: without JOBMATCH_GEO_DIR."""
        with self._open_lock:
            if self._gazetteer is None:
                if self.settings.geo_dir is None:
                    raise ConfigurationError("JOBMATCH_GEO_DIR is not set: postcodes cannot be located",
                                             field="JOBMATCH_GEO_DIR")
                self._gazetteer = Gazetteer.load(self.settings.geo_dir)
            return self._gazetteer

    # -- matching --------------------------------------------------------------------------------
    def matches(self, actor: Actor, cv_id: str, request: ServeRequest) -> dict[str, Any]:
        """A served list (direct matches or alternatives) for a CV the actor may see.

        Goes through :func:`graph.accountability.serving.serve`, the one path the CLI and replay share: trial arm,
        crowding guard and the audit record. Returns the answer with its ``recommendation_id``.

        :raise NotFoundError: if the CV is unknown or of another municipality.
        :raise ValidationError: on a bad radius, limit or strategy.
        """
        cv = self.cv_for(actor, cv_id)
        # The server matches without the lock and takes it for its writes (trial arm, exposures, audit
        # append): the embedded store's one SQLite connection holds one transaction at a time.
        served = self.server().serve(cv, actor, request)
        result = served.result
        body = served.data  # the list as recorded (already in the record as text: adding to it is safe)
        body["recommendation_id"] = served.record.id
        body["trial_arm"] = served.arm
        body["labels"] = self.labels(_uris_in(body), request.lang)
        log.info("served %s %s for %s to %s: %d suggestions, %d alternatives, %d held back (record %s)",
                 request.kind, result.strategy, cv.id, actor.id, len(result.suggestions), len(result.alternatives),
                 len(served.held_back), served.record.id)
        return body

    # -- feedback --------------------------------------------------------------------------------
    def add_feedback(self, actor: Actor, rec_id: str, target: str, verdict: str, reason: str) -> Feedback:
        """Store a consultant's verdict on one item of a served list.

        :raise NotFoundError: if the recommendation is unknown or of another municipality.
        :raise ValidationError: if the target was not in that list or the verdict is unknown.
        """
        rec = self.record_for(actor, rec_id)
        if verdict not in VERDICT_NAMES:
            raise ValidationError(f"verdict must be one of {', '.join(VERDICT_NAMES)}", field="/verdict")
        if target not in _targets_of(rec):
            raise ValidationError("target is not a posting or occupation of this recommendation", field="/target")
        if len(reason) > MAX_REASON_CHARS:
            raise ValidationError(f"reason must have at most {MAX_REASON_CHARS} characters", field="/reason")
        if VERDICT[verdict].needs_reason and not reason.strip():
            raise ValidationError(f"a {verdict} verdict says why: reason is required", field="/reason")
        from loaders.privacy import Scrubber

        # A reason is free text a consultant types during a conversation: it gets the CV's scrubbing
        # (CPR, phone, e-mail, addresses, birth dates, names after cue words) before it is stored.
        fb = Feedback(id=uuid.uuid4().hex, at=now_iso(), recommendation_id=rec.id, cv_id=rec.cv_id, target=target,
                      verdict=verdict, reason=Scrubber().scrub(reason.strip()), actor=actor.id,
                      municipality=rec.municipality, strategy=rec.strategy)
        with self.writing() as store:
            store.add_feedback(fb)
            # The verdict is also an event of the chain, so a decision cannot be changed unseen; the
            # reason (free text) is represented by its hash only.
            record_event(store, FEEDBACK, actor.filed_under(rec.municipality), rec.cv_id,
                         {"feedback": {"id": fb.id, "recommendation_id": rec.id, "target": target, "verdict": verdict,
                                       "reason_sha256": body_digest(fb.reason)}})
        log.info("feedback %s on record %s by %s", verdict, rec.id, actor.id)
        return fb

    def erase(self, actor: Actor, cv_id: str, reason: str) -> dict[str, Any]:
        """Erase a citizen's data the actor may see (GDPR art. 17): the CV, the bodies of the lists served
        about them, recorded in the audit trail (:func:`graph.accountability.erasure.erase_citizen`).

        :raise NotFoundError: if the CV is unknown or of another municipality.
        """
        from loaders.privacy import Scrubber

        cv = self.cv_for(actor, cv_id)
        filed = actor.filed_under(cv.municipality)
        with self.writing() as store:
            report = erase_citizen(store, store, cv.id, filed, Scrubber().scrub(reason.strip()) or "citizen's request")
        log.info("erased cv %s by %s: %d list bodies blanked, %d older kept (record %s)", cv.id, actor.id,
                 report.records_blanked, report.legacy_records_kept, report.erasure_record)
        return asdict(report)

    def record_export(self, actor: Actor, rec_id: str, fmt: str) -> dict[str, Any]:
        """Record in the audit trail that a served list was handed to the citizen (printed).

        :raise NotFoundError: if the list is unknown, of another municipality, or not a served list.
        :raise ValidationError: (``/format``) for an unknown format.
        """
        if fmt not in EXPORT_FORMATS:
            raise ValidationError(f"format must be one of {', '.join(EXPORT_FORMATS)}", field="/format")
        rec = self.record_for(actor, rec_id)
        if rec.strategy in AUDIT_EVENT_NAMES:
            raise NotFoundError("no such recommendation")
        filed = actor.filed_under(rec.municipality)
        with self.writing() as store:
            event = record_event(store, EXPORT, filed, rec.cv_id,
                                 {"export": {"recommendation_id": rec.id, "format": fmt}})
        log.info("list %s of %s exported (%s) by %s: record %s", rec.id, rec.cv_id, fmt, actor.id, event.id)
        return {"id": event.id, "recommendation_id": rec.id, "format": fmt, "at": event.at}

    def flags(self, actor: Actor) -> list[dict[str, Any]]:
        """Items consultants flagged for ethics review (of the actor's municipality, if it has one),
        newest first."""
        review = {v.name for v in VERDICTS if v.for_review}
        items = [f for f in self.store.feedback_records()
                 if f.verdict in review and (not actor.municipality or f.municipality == actor.municipality)]
        return [feedback_json(f) for f in sorted(items, key=lambda f: (f.at, f.id), reverse=True)]

    # -- ethics ----------------------------------------------------------------------------------
    def recommendations(self, actor: Actor, query: AuditQuery) -> list[AuditRecord]:
        """Audit records matching ``query``, limited to the actor's municipality if it has one."""
        if actor.municipality:
            query = replace(query, municipality=actor.municipality)
        records = self.store.audit_records(query)
        if records:
            self._note_read(actor, actor.municipality, query.cv_id or "", "records", [r.id for r in records])
        return records

    def record_for(self, actor: Actor, rec_id: str) -> AuditRecord:
        """The audit record if ``actor`` may see it (its municipality, or any without one).

        :raise NotFoundError: if unknown or of another municipality (the same answer, see :mod:`api.auth`).
        """
        rec = self.store.get_audit(rec_id)
        if rec is None or not can_see_municipality(actor, rec.municipality):
            raise NotFoundError("no such recommendation")
        return rec

    def recommendation(self, actor: Actor, rec_id: str, lang: str) -> dict[str, Any]:
        """One served list in full (:func:`record_json`), with labels for every concept on its paths
        and whether the record still matches its own hash.

        :raise NotFoundError: if unknown or of another municipality.
        """
        rec = self.record_for(actor, rec_id)
        self._note_read(actor, rec.municipality, rec.cv_id, "record", [rec.id])
        out = record_json(rec, self.store.feedback_records(rec.id))
        out["hash_valid"] = holds(rec)
        out["labels"] = self.labels(_uris_in(out["body"].get("result", {})), lang)
        return out

    def verify(self) -> ChainReport:
        return verify_trail(self.settings, self.store)

    def checkpoint(self) -> dict[str, Any]:
        """A signed checkpoint of the chain's head now, for the operator to archive (nothing is written).

        :raise NotFoundError: without ``JOBMATCH_AUDIT_KEY`` (checkpoints are off) or on an empty trail.
        """
        key = audit_key(self.settings)
        if key is None:
            raise NotFoundError("checkpoints are off: the server has no JOBMATCH_AUDIT_KEY")
        cp = signed_head(self.store, key)
        if cp is None:
            raise NotFoundError("the audit trail is empty")
        return asdict(cp)

    def replay(self, actor: Actor, rec_id: str, against: str = "recorded") -> dict[str, Any]:
        """Recompute a served list with its recorded inputs on the current store and compare; with
        ``against="today"``, compare it with the list today's world would serve (each difference with its
        reason: :func:`compare_with_today`).

        The local additions in force now are this process's (replay itself only knows the recorded ones).

        :raise NotFoundError: if the record is unknown, of another municipality, or cannot be replayed
            (no CV snapshot and the CV is gone).
        """
        rec = self.record_for(actor, rec_id)
        t0 = time.perf_counter()
        if against == "today":
            report = compare_with_today(self.store, self.store, rec, today=date.today(),
                                        current_settings=self.match_settings,
                                        local_additions_version=self.local_additions_version,
                                        reading_model=self.settings.reading_model,
                                        ranking_model=self.policy.ranking_model,
                                        vectors=self.policy.vectors).as_json()
        else:
            report = replay(self.store, self.store, rec, current_settings=self.match_settings,
                            local_additions_version=self.local_additions_version,
                            reading_model=self.settings.reading_model,
                            ranking_model=self.policy.ranking_model, vectors=self.policy.vectors).as_json()
        log.info("replayed record %s for %s: %s in %.0f ms", rec.id, actor.id,
                 "identical" if report["identical"] else f"{len(report['differences'])} difference(s)",
                 (time.perf_counter() - t0) * 1e3)
        return report

    def feedback_summary(self, actor: Actor) -> dict[str, Any]:
        """Consultants' verdicts per strategy and occupation group (:func:`summarise_feedback`), over the
        actor's municipality if it has one, else over all."""
        scope = actor.municipality or None
        items = [f for f in self.store.feedback_records() if scope is None or f.municipality == scope]
        return {"municipality": scope, **summarise_feedback(items, self.store)}

    # -- citizens --------------------------------------------------------------------------------
    def explanation(self, actor: Actor, rec_id: str, rank: int) -> dict[str, Any]:
        """The citizen's plain-language Danish explanation of the item at ``rank`` of a served list.

        :raise NotFoundError: if the record is unknown or of another municipality, or has no item at
            that rank (``field`` ``rank``).
        """
        rec = self.record_for(actor, rec_id)
        result = body_of(rec).get("result", {})
        for s in result.get("suggestions", ()):
            if s["rank"] == rank:
                return {"rank": rank, "kind": "suggestion", "text_da": explain_suggestion_da(s)}
        for a in result.get("alternatives", ()):
            if a["rank"] == rank:
                return {"rank": rank, "kind": "alternative", "text_da": explain_alternative_da(a)}
        raise NotFoundError("this recommendation has nothing at that rank", field="rank")

    def citizen_export(self, actor: Actor, cv_id: str, lang: str) -> dict[str, Any]:
        """Everything the service holds about a pseudonym, for the citizen's access request: the CV with
        its evidence, every list served about them, the feedback given on those lists and their trial
        assignment (as ``jobmatch citizen export``; ``labels`` name the CV's concepts).

        The CV decides who may ask (its municipality, or an actor without one). Once allowed, the export
        is complete: lists served while the citizen lived in another municipality are theirs too.

        :raise NotFoundError: if the CV is unknown or of another municipality.
        """
        cv = self.cv_for(actor, cv_id)
        store = self.store
        records: list[AuditRecord] = []
        while batch := store.audit_records(AuditQuery(cv_id=cv.id, limit=AUDIT_PAGE,
                                                      after_seq=records[-1].seq if records else 0)):
            records += batch
        feedback = [f for f in store.feedback_records() if f.cv_id == cv.id]
        trial = ([a for a in store.trial_assignments(self.settings.trial_name) if a.cv_id == cv.id]
                 if self.settings.trial_seed else [])
        log.info("citizen export of %s by %s: %d lists, %d feedback", cv.id, actor.id, len(records), len(feedback))
        self._note_read(actor, cv.municipality, cv.id, "citizen_export", [cv.id])
        return {
            "pseudonym": cv.id,
            "note": EXPORT_NOTE,
            "cv": self.cv_json(cv, lang),
            "recommendations": [{"id": r.id, "at": r.at, "strategy": r.strategy, "actor_role": r.role,
                                 "result": body_of(r).get("result", {})}
                                for r in records if r.strategy not in AUDIT_EVENT_NAMES],
            # What else was done with the citizen's data: prints handed over, an erasure.
            "events": [{"id": r.id, "at": r.at, "kind": r.strategy, "actor_role": r.role}
                       for r in records if r.strategy in AUDIT_EVENT_NAMES],
            "feedback": [feedback_json(f) for f in feedback],
            "trial": [{"trial": a.trial, "arm": a.arm, "assigned_at": a.assigned_at} for a in trial],
        }

    # -- taxonomy --------------------------------------------------------------------------------
    def find(self, q: str, kinds: Sequence[ConceptKind], limit: int) -> list[Any]:
        return find_concepts(self.store, q, kinds, limit)

    def load_ontology(self, esco_dir: str, languages: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
        """Load an ESCO package from under the allow-listed root (the parent of ``JOBMATCH_ESCO_DIR``).

        :raise ValidationError: if a path is outside the root or missing, or no root is configured.
        :raise EscoPackageError: if the package cannot be read.
        """
        from ontology.package import read_taxonomy  # the CSV reader is only needed here

        root = self.load_root()
        esco = _inside(root, esco_dir, "/esco_dir", want_dir=True)
        label_files = [_inside(root, p, f"/labels/{i}", want_dir=False) for i, p in enumerate(labels)]
        t0 = time.perf_counter()
        tax = read_taxonomy(esco, tuple(languages), label_files)
        with self.writing() as store:
            summary = store.upsert_taxonomy(tax)
        out = summary.as_json()
        notes = list(tax.notes)
        if self.settings.reading_model != "lexical":
            # Embedding every label takes minutes: not on a request. Until it is built, reading CVs and
            # postings answers that the index is missing (and which command builds it).
            notes.append("the reading model's concept index is built by `jobmatch reading build`")
        out["notes"] = notes
        out["seconds"] = round(time.perf_counter() - t0, 2)
        log.info("loaded ESCO %s (%d occupations, %d skills) in %.1f s", summary.version, summary.occupations,
                 summary.skills, out["seconds"])
        return out

    def load_root(self) -> Path:
        if self.settings.esco_dir is None:
            raise ValidationError("loading through the API is off: the server has no JOBMATCH_ESCO_DIR, whose "
                                  "parent folder is the only place packages are read from", field="/esco_dir")
        return self.settings.esco_dir.resolve().parent


MAX_PATH_CHARS = 1024
MAX_PATH_PART_CHARS = 255


def _inside(root: Path, given: str, field: str, *, want_dir: bool) -> Path:
    """``given`` (relative to ``root``, or absolute) resolved, if it lies inside ``root`` and exists."""
    if not given or "\x00" in given:
        raise ValidationError("a path is required", field=field)
    # Bounded before the file system sees it: an over-long name is an error of the request, not of the
    # server (ENAMETOOLONG), and the path is never echoed.
    if len(given) > MAX_PATH_CHARS or any(len(part) > MAX_PATH_PART_CHARS for part in Path(given).parts):
        raise ValidationError(f"the path is too long (at most {MAX_PATH_CHARS} characters, "
                              f"{MAX_PATH_PART_CHARS} per folder name)", field=field)
    try:
        path = (root / given).resolve()
    except OSError:
        raise ValidationError("the path cannot be resolved", field=field) from None
    if path != root and root not in path.parents:
        raise ValidationError("the path is outside the folder packages are loaded from", field=field)
    if want_dir and not path.is_dir():
        raise ValidationError("no such package folder", field=field)
    if not want_dir and not path.is_file():
        raise ValidationError("no such label file", field=field)
    return path


def _uris_in(body: dict[str, Any]) -> set[str]:
    """The concept ids on the explanation paths of a result body (skill refs carry their own labels;
    a path can also pass through a parent skill that is named nowhere else) and in its evidence."""
    items = [*body.get("suggestions", ()), *body.get("alternatives", ())]
    on_paths = {node for item in items for m in item.get("matched", ()) for step in m["path"]
                for node in (step[0], step[2]) if node.startswith(("http://", "https://"))}
    # and the occupation whose profile made a reading by meaning likelier (its evidence names it)
    return on_paths | {e["via"] for item in items for m in item.get("matched", ()) for e in m.get("evidence", ())
                       if e.get("via")}


def _targets_of(rec: AuditRecord) -> set[str]:
    """What feedback may be about: the postings and occupations the list showed."""
    result = body_of(rec).get("result", {})
    out = {s["posting"]["id"] for s in result.get("suggestions", ())}
    for a in result.get("alternatives", ()):
        out.add(a["occupation"]["uri"])
        out.update(p["id"] for p in a.get("postings", ()))
    return out


def record_summary(rec: AuditRecord) -> dict[str, Any]:
    """An audit record without its body, plus how many items it served."""
    result = body_of(rec).get("result", {})
    return {
        "id": rec.id, "seq": rec.seq, "at": rec.at, "cv_id": rec.cv_id, "actor": rec.actor, "role": rec.role,
        "municipality": rec.municipality, "strategy": rec.strategy, "settings_hash": rec.settings_hash,
        "algorithm_version": rec.algorithm_version, "ontology_version": rec.ontology_version,
        "local_additions_version": rec.local_additions_version, "prev_hash": rec.prev_hash, "hash": rec.hash,
        "suggestions": len(result.get("suggestions", ())), "alternatives": len(result.get("alternatives", ())),
    }


def record_json(rec: AuditRecord, feedback: Sequence[Feedback]) -> dict[str, Any]:
    """The full record: summary fields, the served body (paths, evidence, versions), its feedback."""
    out = record_summary(rec)
    out["body"] = body_of(rec)
    out["feedback"] = [feedback_json(f) for f in feedback]
    return out


def feedback_json(f: Feedback) -> dict[str, Any]:
    return {"id": f.id, "at": f.at, "recommendation_id": f.recommendation_id, "cv_id": f.cv_id,
            "target": f.target, "verdict": f.verdict, "reason": f.reason, "actor": f.actor,
            "municipality": f.municipality, "strategy": f.strategy}
