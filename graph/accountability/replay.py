"""Replay: recompute a recorded recommendation with its recorded inputs and say whether it is identical.

The record's body holds the request, the matching settings, the CV as it was (pseudonymous snapshot)
and the served result. Replay runs :func:`graph.accountability.serving.compute` on the current store with those
inputs and compares rank by rank. After an ESCO upgrade (or a change of postings or settings) it shows
what would differ and names the versions that differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from graph.accountability.audit import body_of
from graph.accountability.serving import (
    ServeRequest,
    active_ontology_version,
    apply_held_back,
    compute,
    effective_limit,
)
from graph.codec import cv_from_dict
from graph.learning.model import RankingModel
from graph.learning.rank import learned_settings_hash
from graph.ledger import AuditRecord, Ledger, WriteEvent
from graph.matching.explain import result_json
from graph.matching.scoring import MatchSettings
from graph.matching.similarity import OccupationVectors, VectorShelf
from graph.matching.vocabulary import AUDIT_EVENT_NAMES, LEARNED, STRATEGY
from graph.store import Store
from ontology.errors import NotFoundError


@dataclass(frozen=True)
class ReplayReport:
    record_id: str
    identical: bool
    recorded_versions: dict[str, str]
    current_versions: dict[str, str]
    differences: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    writes: list[dict[str, Any]] = field(default_factory=list)  # CV and posting writes since the record

    def as_json(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "identical": self.identical,
                "recorded_versions": self.recorded_versions, "current_versions": self.current_versions,
                "differences": self.differences, "notes": self.notes, "writes": self.writes}


def _items(result: dict[str, Any]) -> list[dict[str, Any]]:
    return list(result.get("suggestions") or result.get("alternatives") or [])


def _key(item: dict[str, Any]) -> str:
    return str(item["posting"]["id"] if "posting" in item else item["occupation"]["uri"])


def _title(item: dict[str, Any]) -> str:
    return str(item["posting"].get("title", "") if "posting" in item else item["occupation"].get("label", ""))


def _write_json(e: WriteEvent) -> dict[str, Any]:
    return {"kind": e.kind, "target": e.target, "action": e.action, "at": e.at, "actor": e.actor, "role": e.role,
            "content_hash": e.content_hash}


# Why a replayed item differs, most specific first (each difference gets one).
REASON_ADDED = "posting added since the list was served"
REASON_WRITTEN = "posting changed since the list was served"
REASON_TAXONOMY = "taxonomy version changed"
REASON_ALGORITHM = "algorithm changed"
REASON_LOCAL = "local additions changed"
REASON_UNEXPLAINED = "no recorded change explains it"
# Beside today's world (:func:`compare_with_today`), also:
REASON_EXPIRED = "posting expired"
REASON_REMOVED = "posting removed"
REASON_CV = "CV changed since the list was served"
REASON_SETTINGS = "settings changed"
REASON_MODEL = "reading model changed"
REASON_RANKING = "ranking model changed"
REASON_VECTORS = "occupation vectors changed"
REASONS = (REASON_ADDED, REASON_WRITTEN, REASON_TAXONOMY, REASON_ALGORITHM, REASON_LOCAL, REASON_EXPIRED,
           REASON_REMOVED, REASON_CV, REASON_SETTINGS, REASON_MODEL, REASON_RANKING, REASON_VECTORS,
           REASON_UNEXPLAINED)
# The versions that can explain a difference, most specific first. Replay recomputes with the recorded
# settings (and the CV snapshot), so only what it cannot hold fixed counts there; against today, all do.
# Replay opens the occupation vectors a record cites; only when they are gone do they explain a difference.
_REPLAY_VERSIONS = (("ontology", REASON_TAXONOMY), ("algorithm", REASON_ALGORITHM), ("local_additions", REASON_LOCAL),
                    ("occupation_vectors", REASON_VECTORS))
_TODAY_VERSIONS = (("ontology", REASON_TAXONOMY), ("algorithm", REASON_ALGORITHM),
                   ("ranking_model", REASON_RANKING), ("settings", REASON_SETTINGS),
                   ("local_additions", REASON_LOCAL), ("reading_model", REASON_MODEL),
                   ("occupation_vectors", REASON_VECTORS))
# The posting fields an item shows: a write that changed one of them is named.
_POSTING_FIELDS = ("title", "employer", "lat", "lon", "published", "valid_through", "occupation")


def _served_body(record: AuditRecord) -> dict[str, Any]:
    """The body of a served list. :raise NotFoundError: for an event, or a list erased with the citizen."""
    if record.strategy in AUDIT_EVENT_NAMES:
        raise NotFoundError(f"record {record.id} is the record of a {record.strategy}, not a served list",
                            field="record_id")
    body = body_of(record)
    if body.get("erased"):
        raise NotFoundError(f"record {record.id} was erased with the citizen's data: nothing to compare",
                            field="record_id")
    return body


def _request(req: dict[str, Any], valid_on: str) -> ServeRequest:
    return replace(ServeRequest(**{f.name: req[f.name] for f in fields(ServeRequest) if f.name in req}),
                   valid_on=valid_on)


def _recorded_settings(body: dict[str, Any]) -> MatchSettings:
    known = {f.name for f in fields(MatchSettings)}
    return MatchSettings(**{k: v for k, v in body.get("settings", {}).items() if k in known})


def _versions(store: Store, record: AuditRecord, body: dict[str, Any], settings: MatchSettings,
              local_additions_version: str, reading_model: str, ranking: RankingModel | None,
              in_force: RankingModel | None, vectors: OccupationVectors | None) -> tuple[dict[str, str], dict[str, str]]:
    """What the record was computed with, and what is in force now (the running service's settings,
    local additions, reading model and ranking model; the recorded ones where the caller does not know
    them). ``ranking`` is the model the comparison ranks with, ``in_force`` the service's now; ``vectors``
    the occupation vectors the comparison ranks alternatives with."""
    recorded = {"ontology": record.ontology_version, "algorithm": record.algorithm_version,
                "settings": record.settings_hash, "local_additions": record.local_additions_version,
                "reading_model": str(body.get("reading_model", "")),
                "ranking_model": str(body.get("ranking_model", "")),
                "occupation_vectors": str(body.get("occupation_vectors", ""))}
    learned = record.strategy == LEARNED and ranking is not None
    current = {"ontology": active_ontology_version(store),
               "algorithm": STRATEGY[record.strategy].algorithm_version if record.strategy in STRATEGY else "",
               # A learned list's settings hash covers its model too (graph.learning.rank).
               "settings": learned_settings_hash(settings, ranking) if learned and ranking else settings.settings_hash(),
               "local_additions": local_additions_version or recorded["local_additions"],
               "reading_model": reading_model or recorded["reading_model"],
               "ranking_model": in_force.id if in_force is not None else "",
               # only alternatives are ranked with them: for matches both sides are ''
               "occupation_vectors": vectors.key if vectors is not None and "occupation_vectors" in body else ""}
    return recorded, current


def recorded_ranking_model(record: AuditRecord, body: dict[str, Any]) -> RankingModel | None:
    """The model a list was ranked with (a learned list, alternatives with moves), as its record holds it;
    None for lists served without one.

    :raise NotFoundError: if a learned record does not hold its model (it cannot be replayed exactly).
    """
    data = body.get("ranking_model_file")
    if data is None and record.strategy != LEARNED:
        return None
    if data is None:
        raise NotFoundError(f"record {record.id} does not hold its ranking model: it cannot be replayed",
                            field="record_id")
    return RankingModel.from_json(data)


def _differences(served: dict[str, Any], again: dict[str, Any]) -> list[dict[str, Any]]:
    """Item by item (posting id or occupation URI, with its title): what differs between two results."""
    diffs: list[dict[str, Any]] = []
    old_by, new_by = {_key(i): i for i in _items(served)}, {_key(i): i for i in _items(again)}
    for k, item in old_by.items():
        if k not in new_by:
            diffs.append({"item": k, "title": _title(item), "change": "no longer suggested", "rank_was": item["rank"]})
        elif item != new_by[k]:
            fields_changed = sorted(f for f in item if item.get(f) != new_by[k].get(f))
            diffs.append({"item": k, "title": _title(item), "change": "changed", "fields": fields_changed,
                          "rank_was": item["rank"], "rank_now": new_by[k]["rank"],
                          "score_was": item["score"], "score_now": new_by[k]["score"]})
    for k, item in new_by.items():
        if k not in old_by:
            diffs.append({"item": k, "title": _title(item), "change": "newly suggested", "rank_now": item["rank"]})
    return diffs


def _explain(store: Store, ledger: Ledger, record: AuditRecord, served: dict[str, Any], again: dict[str, Any],
             diffs: list[dict[str, Any]], recorded: dict[str, str], current: dict[str, str], *,
             today: date | None) -> list[WriteEvent]:
    """Give each difference its reason, the most specific recorded change behind it; returns the CV's and
    the listed postings' writes since the record. ``today`` None: a replay (recorded day, CV snapshot,
    recorded settings), where only writes and the versions replay cannot hold fixed explain."""
    listed = {_key(i) for i in (*_items(served), *_items(again))}
    posting_ids = sorted(k for k in listed if not k.startswith(("http://", "https://")))
    written = [*ledger.write_events("cv", [record.cv_id], since=record.at),
               *ledger.write_events("posting", posting_ids, since=record.at)]
    by_target: dict[str, list[WriteEvent]] = {}
    for e in written:
        by_target.setdefault(f"{e.kind}:{e.target}", []).append(e)
    postings = store.get_postings(posting_ids) if today is not None else {}
    shown = {_key(i): i.get("posting", {}) for i in _items(served)}
    versions = _REPLAY_VERSIONS if today is None else _TODAY_VERSIONS
    cv_written = today is not None and f"cv:{record.cv_id}" in by_target
    for d in diffs:
        item, p = d["item"], postings.get(d["item"])
        events = by_target.get(f"posting:{item}", [])
        if events:
            d["written"] = [{"action": e.action, "at": e.at, "actor": e.actor} for e in events]
        if today is not None and item in posting_ids and p is None:
            d["reason"] = REASON_REMOVED
        elif p is not None and today is not None and p.valid_through < today.isoformat():
            d["reason"] = REASON_EXPIRED
        elif events:
            d["reason"] = REASON_ADDED if events[0].action == "created" else REASON_WRITTEN
            if p is not None and item in shown:
                d["posting_fields"] = sorted(f for f in _POSTING_FIELDS
                                             if f in shown[item] and str(shown[item][f]) != str(getattr(p, f, "")))
        elif cv_written:
            d["reason"] = REASON_CV
        else:
            d["reason"] = next((why for k, why in versions if recorded[k] != current[k]), REASON_UNEXPLAINED)
    return written


def replay(store: Store, ledger: Ledger, record: AuditRecord, *, current_settings: MatchSettings | None = None,
           local_additions_version: str = "", reading_model: str = "",
           ranking_model: RankingModel | None = None, vectors: VectorShelf | None = None) -> ReplayReport:
    """Recompute ``record`` with its recorded inputs and compare it with what was served; each difference
    says why (a posting added or written since — who, when —, the taxonomy, the algorithm, the local
    additions), or that no recorded change explains it. ``current_settings``, ``local_additions_version``
    and ``reading_model`` are the running service's, shown beside the recorded ones (replay itself uses the
    recorded settings, so a settings change shows as versions, not as differences). A learned list is
    replayed with the model its record holds; ``ranking_model`` (the one in force) is shown beside it.
    Alternatives are replayed with the occupation vectors their record names, opened from ``vectors``."""
    body = _served_body(record)
    model = recorded_ranking_model(record, body)
    cited = str(body.get("occupation_vectors", ""))
    used = vectors.by_key(cited) if vectors is not None else None
    served = body["result"]
    # The recorded day, not "today": replay asks the question as it was asked then.
    request = _request(body.get("effective_request") or body["request"], served["valid_on"])
    settings = _recorded_settings(body)
    notes: list[str] = []
    if "cv_snapshot" in body:
        cv = cv_from_dict(body["cv_snapshot"])
    else:
        stored = store.get_cvs([record.cv_id]).get(record.cv_id)
        if stored is None:
            raise NotFoundError(f"record {record.id} has no CV snapshot and the CV is no longer stored",
                                field="record_id")
        cv = stored
        notes.append("no CV snapshot in this record (nightly batch): replayed against the CV as stored now")
    if cited and used is None:
        notes.append(f"the occupation vectors {cited} this list was ranked with are not under the reading "
                     "folder: replayed without them")
    recorded, current = _versions(store, record, body, current_settings or settings, local_additions_version,
                                  reading_model, model, ranking_model, used)
    held = set(body.get("held_back") or [])
    limit = effective_limit(request, settings)
    if body.get("trial_arm") == "control" and request.kind == "alternatives":
        again: dict[str, Any] = {**served}
    else:
        result = compute(store, cv, replace(request, limit=limit), settings, ontology_version=current["ontology"],
                         extra_limit=limit if held else 0, model=model, vectors=used)
        if held:
            result = apply_held_back(result, held, limit)
        again = result_json(result)
        again["notes"] = served.get("notes", again["notes"])  # notes (e.g. trial arm) are not recomputed
    diffs = _differences(served, again)
    written = _explain(store, ledger, record, served, again, diffs, recorded, current, today=None)
    if any(e.kind == "cv" for e in written):
        notes.append("the CV was written again after this list was served (see writes)")
    identical = not diffs and again == served
    if not identical and not diffs:
        diffs.append({"item": "", "change": "result metadata differs",
                      "fields": sorted(f for f in served if served.get(f) != again.get(f))})
    return ReplayReport(record.id, identical, recorded, current, diffs, notes, [_write_json(e) for e in written])


def compare_with_today(store: Store, ledger: Ledger, record: AuditRecord, *, today: date,
                       current_settings: MatchSettings | None = None, local_additions_version: str = "",
                       reading_model: str = "", ranking_model: RankingModel | None = None,
                       vectors: VectorShelf | None = None) -> ReplayReport:
    """The list as it would be served ``today`` — today's postings, the CV as stored now, the settings and
    reading model in force — beside the one served, each difference with its reason: a posting expired,
    removed, added or changed (which fields), the CV changed, the taxonomy, algorithm, settings, local
    additions or reading model changed. Replay (:func:`replay`) answers whether the record reproduces;
    this answers what the world has done to it since.

    :raise NotFoundError: if the record is an event, was erased, or its CV is no longer stored.
    """
    body = _served_body(record)
    cv = store.get_cvs([record.cv_id]).get(record.cv_id)
    if cv is None:
        raise NotFoundError(f"the CV of record {record.id} is no longer stored", field="record_id")
    served = body["result"]
    request = _request(body.get("request") or {}, today.isoformat())
    settings = current_settings or _recorded_settings(body)
    version = active_ontology_version(store)
    now_vectors = vectors.current(version) if vectors is not None else None
    recorded, current = _versions(store, record, body, settings, local_additions_version, reading_model,
                                  ranking_model, ranking_model, now_vectors)
    result = compute(store, cv, replace(request, limit=effective_limit(request, settings)), settings,
                     ontology_version=current["ontology"], model=ranking_model, vectors=now_vectors)
    now = result_json(result)
    diffs = _differences(served, now)
    written = _explain(store, ledger, record, served, now, diffs, recorded, current, today=today)
    notes = [f"compared with the list as it would be served on {today.isoformat()}, not replayed as recorded"]
    if any(e.kind == "cv" for e in written):
        notes.append("the CV was written again after this list was served (see writes)")
    return ReplayReport(record.id, not diffs, recorded, current, diffs, notes, [_write_json(e) for e in written])
