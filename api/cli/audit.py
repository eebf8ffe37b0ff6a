"""``jobmatch audit|trial|feedback|citizen|fairness …``: the accountability commands."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from collections import Counter
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from api.settings import Settings
from api.wiring import audit_key, cli_actor, open_store, trial_config, verify_trail, write_checkpoint
from graph.accountability.audit import body_of, record_event, tombstone
from graph.accountability.citizen import explain_alternative_da, explain_suggestion_da
from graph.accountability.fairness import MIN_GROUP, fairness_html, fairness_report, read_groups
from graph.accountability.feedback import summarise_feedback
from graph.accountability.retention import RetentionPolicy, apply_retention
from graph.accountability.trial import TrialConfig, assign
from graph.ledger import AuditQuery, AuditRecord, Ledger
from graph.matching.vocabulary import READ, VERDICT_NAMES
from ontology.errors import ConfigurationError, NotFoundError, ValidationError

log = logging.getLogger(__name__)
EXPORT_FIELDS = ("id", "seq", "at", "cv_id", "actor", "role", "municipality", "strategy", "settings_hash",
                 "algorithm_version", "ontology_version", "local_additions_version", "prev_hash", "hash")


def register(sub: Any) -> None:
    a = sub.add_parser("audit", help="the audit trail of served recommendations")
    asub = a.add_subparsers(dest="audit_command", required=True)
    v = asub.add_parser("verify", help="check the hash chain")
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=cmd_verify)
    e = asub.add_parser("export", help="export records for reviewers (JSON Lines or CSV)")
    e.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    e.add_argument("--out", help="file (default stdout)")
    e.add_argument("--cv", help="only this pseudonym")
    e.add_argument("--since")
    e.add_argument("--until")
    e.set_defaults(func=cmd_export)
    r = asub.add_parser("replay", help="recompute a recorded recommendation and compare")
    r.add_argument("record_id")
    r.add_argument("--json", action="store_true")
    r.add_argument("--against", choices=["recorded", "today"], default="recorded",
                   help="replay with the recorded inputs (default), or compare with today's world, each "
                        "difference with its reason")
    r.set_defaults(func=cmd_replay)
    p = asub.add_parser("purge", help="delete records older than the retention period, leaving a purge record")
    p.add_argument("--older-than-days", type=int, help="default JOBMATCH_AUDIT_RETENTION_DAYS (at least 1)")
    p.add_argument("--reason", default="retention period (JOBMATCH_AUDIT_RETENTION_DAYS)",
                   help="why: kept in the purge record")
    p.add_argument("--yes", action="store_true", help="really delete (without it: say what would go)")
    p.set_defaults(func=cmd_purge)
    pr = asub.add_parser("prove", help="a proof that a record is in the trail under a signed checkpoint (JSON)")
    pr.add_argument("record_id")
    pr.set_defaults(func=cmd_prove)
    pcs = asub.add_parser("prove-consistency", help="a proof that a later signed checkpoint extends an earlier "
                                                    "one (JSON)")
    pcs.add_argument("--from", dest="old_seq", type=int, help="seq of the earlier checkpoint (default: the one "
                                                              "before the newest)")
    pcs.add_argument("--to", dest="new_seq", type=int, help="seq of the later checkpoint (default: the newest)")
    pcs.set_defaults(func=cmd_prove_consistency)
    pc = asub.add_parser("check-proof", help="check a proof written by `audit prove` or `audit prove-consistency` "
                                             "(needs the audit key)")
    pc.add_argument("file")
    pc.set_defaults(func=cmd_check_proof)
    c = asub.add_parser("checkpoint", help="sign the chain's head and append it to the checkpoint file")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_checkpoint)

    rt = sub.add_parser("retention", help="apply the retention periods of every kind of data (CVs, postings, "
                                          "feedback, audit records)")
    rt.add_argument("--yes", action="store_true", help="really delete (without it: say what would go)")
    rt.add_argument("--json", action="store_true")
    rt.set_defaults(func=cmd_retention)

    t = sub.add_parser("trial", help="randomised controlled trial: assignment and export")
    tsub = t.add_subparsers(dest="trial_command", required=True)
    ta = tsub.add_parser("assign", help="assign (or show) the arm of CVs")
    ta.add_argument("cv_ids", nargs="*", help="pseudonyms (default: every stored CV)")
    ta.set_defaults(func=cmd_trial_assign)
    te = tsub.add_parser("export", help="assignment and outcome fields for the evaluation unit (CSV)")
    te.add_argument("--out", help="file (default stdout)")
    te.set_defaults(func=cmd_trial_export)

    f = sub.add_parser("feedback", help="consultants' feedback")
    fsub = f.add_subparsers(dest="feedback_command", required=True)
    fs = fsub.add_parser("summary", help="aggregated per strategy and occupation group")
    fs.set_defaults(func=cmd_feedback_summary)

    c = sub.add_parser("citizen", help="data transparency for citizens")
    csub = c.add_subparsers(dest="citizen_command", required=True)
    cr = csub.add_parser("erase", help="erase a citizen's data: the CV and the bodies of the lists about them")
    cr.add_argument("cv_id")
    cr.add_argument("--reason", default="the citizen's request", help="why: kept in the erasure record")
    cr.add_argument("--yes", action="store_true", help="really erase (it cannot be undone)")
    cr.set_defaults(func=cmd_citizen_erase)
    rf = csub.add_parser("rectify", help="remove skills the citizen says were read wrongly (GDPR art. 16)")
    rf.add_argument("cv_id")
    rf.add_argument("--remove-skill", action="append", required=True, metavar="URI", dest="remove_skills",
                    help="a skill URI of the CV (repeat for more)")
    rf.add_argument("--reason", default="the citizen's request", help="why (only its hash is recorded)")
    rf.set_defaults(func=cmd_citizen_rectify)
    cx = csub.add_parser("explain", help="plain-language Danish explanation of a served suggestion")
    cx.add_argument("record_id")
    cx.add_argument("--rank", type=int, default=1)
    cx.set_defaults(func=cmd_citizen_explain)
    ce = csub.add_parser("export", help="everything the service holds about a pseudonym (JSON)")
    ce.add_argument("cv_id")
    ce.add_argument("--lang", default="da", help="language of the concept labels (da falls back to en)")
    ce.set_defaults(func=cmd_citizen_export)

    fr = sub.add_parser("fairness", help="fairness report by groups supplied by the evaluation unit")
    frsub = fr.add_subparsers(dest="fairness_command", required=True)
    frr = frsub.add_parser("report")
    frr.add_argument("--groups", required=True, help="CSV with cv_id and grouping columns (never used in matching)")
    frr.add_argument("--since")
    frr.add_argument("--until")
    frr.add_argument("--min-group", type=int, default=MIN_GROUP,
                     help=f"groups with fewer citizens show their count only (default {MIN_GROUP})")
    frr.add_argument("--html", help="also write the report as an HTML page to this file")
    frr.set_defaults(func=cmd_fairness)


def _all_records(store: Ledger, query: AuditQuery) -> list[AuditRecord]:
    out: list[AuditRecord] = []
    while True:
        batch = store.audit_records(replace(query, limit=1000, after_seq=out[-1].seq if out else 0))
        if not batch:
            return out
        out += batch


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    try:
        rep = verify_trail(settings, store)
    finally:
        store.close()
    if args.json:
        print(json.dumps(asdict(rep)))
    elif rep.ok:
        held = (f"; holds {rep.checkpoints} signed checkpoint(s)" if settings.audit_key
                else "; no JOBMATCH_AUDIT_KEY, so no checkpoint was checked")
        print(f"audit trail intact: {rep.checked} records checked, starting at the {rep.anchor}{held}")
    else:
        print(f"AUDIT TRAIL BROKEN at record seq {rep.first_bad_seq}: {rep.problem} "
              f"({rep.checked} records before it are intact)")
    return 0 if rep.ok else 1


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    try:
        records = _all_records(store, AuditQuery(cv_id=args.cv, since=args.since, until=args.until))
        if records:
            # An export is a read of every record in it: an event of the chain (which records, never content).
            record_event(store, READ, cli_actor(), args.cv or "",
                         {"read": {"what": "audit_export", "ids": [r.id for r in records],
                                   "filter": {"cv": args.cv, "since": args.since, "until": args.until}}})
    finally:
        store.close()
    out = Path(args.out).open("w", encoding="utf-8", newline="") if args.out else sys.stdout  # noqa: SIM115
    try:
        if args.format == "jsonl":
            for r in records:
                row = {k: getattr(r, k) for k in EXPORT_FIELDS}
                row["body"] = body_of(r)
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            w = csv.writer(out)
            w.writerow([*EXPORT_FIELDS, "rank", "item", "score", "parts", "paths"])
            for r in records:
                result = body_of(r).get("result", {})  # a purge record has none
                items = result.get("suggestions") or result.get("alternatives") or [{}]
                for it in items:
                    key = it.get("posting", {}).get("id") or it.get("occupation", {}).get("uri", "")
                    w.writerow([*(getattr(r, k) for k in EXPORT_FIELDS), it.get("rank", ""), key,
                                it.get("score", ""), json.dumps(it.get("parts", {})),
                                json.dumps([m["path"] for m in it.get("matched", [])])])
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"exported {len(records)} records to {args.out}", file=sys.stderr)
    return 0


def cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    from api.service import Service  # the one replay use case, the API's too

    store = open_store(settings)
    try:
        rep = Service(settings, store=store).replay(cli_actor(), args.record_id, args.against)
    finally:
        store.close()
    if args.json:
        print(json.dumps(rep, ensure_ascii=False))
    else:
        print(f"record {rep['record_id']}: {'IDENTICAL' if rep['identical'] else 'DIFFERS'}"
              + (" (against today's world)" if args.against == "today" else ""))
        for k in sorted(rep["recorded_versions"]):
            a, b = rep["recorded_versions"][k], rep["current_versions"][k]
            print(f"  {k}: recorded {a or '-'}, now {b or '-'}{'' if a == b else '  <- changed'}")
        for d in rep["differences"]:
            print(f"  {d['change']}: {d['item']} " + ", ".join(f"{k}={v}" for k, v in d.items()
                                                             if k not in ("change", "item")))
    return 0 if rep["identical"] else 1


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    days = args.older_than_days if args.older_than_days is not None else settings.audit_retention_days
    if days < 1:
        raise ValidationError("--older-than-days must be at least 1 (a purge never reaches today's records)",
                              field="older-than-days")
    before = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="milliseconds")
    store = open_store(settings)
    try:
        older = store.audit_records(AuditQuery(until=before, newest_first=True, limit=1))
        if not args.yes:
            print(f"would delete the audit records older than {before} ({days} days)"
                  + (f", through record {older[0].seq}" if older else ": there are none")
                  + "; run again with --yes to delete them (a purge record stays in the trail)")
            return 0
        # The purge is itself a record of the chain — range, count, who, why — appended before anything
        # is deleted, so verification accepts the cut and a purge without one is caught.
        mark = tombstone(store, before, cli_actor(), args.reason)
        n = store.purge_audit(before) if mark is not None else 0
        write_checkpoint(settings, store)
    finally:
        store.close()
    logging.getLogger("jobmatch.audit").warning("audit purge: %d records older than %s deleted (purge record %s)",
                                                n, before, mark.seq if mark else "-")
    print(f"deleted {n} audit records older than {before} ({days} days)"
          + (f"; purge record {mark.seq} keeps the range, who and why" if mark else ""))
    return 0


def retention_policy(settings: Settings) -> RetentionPolicy:
    return RetentionPolicy(cv_days=settings.cv_retention_days, posting_days=settings.posting_retention_days,
                           feedback_days=settings.feedback_retention_days, audit_days=settings.audit_retention_days)


def cmd_retention(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    try:
        report = apply_retention(store, store, retention_policy(settings), cli_actor(), dry_run=not args.yes)
        if report.applied and report.record:
            write_checkpoint(settings, store)
    finally:
        store.close()
    plan = report.plan
    if args.json:
        print(json.dumps({"applied": report.applied, "record": report.record, **plan.as_json(),
                          "cvs_erased": report.cvs_erased, "postings_deleted": report.postings_deleted,
                          "feedback_deleted": report.feedback_deleted, "audit_purged": report.audit_purged,
                          "write_events_purged": report.write_events_purged,
                          "lists_blanked": report.lists_blanked}, indent=1))
        return 0
    lines = [f"CVs not updated since before {plan.cv_before}: {len(plan.cvs)}"
             + (f" ({plan.undated_cvs} without a date are kept for a person to look at)" if plan.undated_cvs else ""),
             f"postings whose last day is before {plan.posting_before}: {len(plan.postings)}",
             f"feedback older than {plan.feedback_before}: {plan.feedback}",
             f"audit records older than {plan.audit_before}: {plan.audit_records}"]
    if not report.applied:
        print("would delete:\n  " + "\n  ".join(lines) + "\nrun again with --yes to delete them (a retention "
              "record, and an erasure record per CV, stay in the audit trail)")
        return 0
    log.warning("retention applied: %d CVs erased, %d postings, %d feedback, %d audit records deleted (record %s)",
                report.cvs_erased, report.postings_deleted, report.feedback_deleted, report.audit_purged,
                report.record or "-")
    print(f"erased {report.cvs_erased} CVs ({report.lists_blanked} list bodies blanked), deleted "
          f"{report.postings_deleted} postings, {report.feedback_deleted} feedback, {report.audit_purged} audit "
          f"records and {report.write_events_purged} write events" + (f"; retention record {report.record}" if report.record else ": nothing was older than its period"))
    return 0


def cmd_citizen_rectify(args: argparse.Namespace, settings: Settings) -> int:
    from api.service import Service  # the one rectification use case, the API's too

    store = open_store(settings)
    try:
        cv, removed, record = Service(settings, store=store).rectify(cli_actor(), args.cv_id, args.remove_skills,
                                                                     args.reason)
    finally:
        store.close()
    print(f"rectified CV {cv.id}: removed {len(removed)} skill(s), never inferred again (rectification record "
          f"{record})")
    return 0


def cmd_citizen_erase(args: argparse.Namespace, settings: Settings) -> int:
    from graph.accountability.erasure import erase_citizen

    if not args.yes:
        print(f"would erase CV {args.cv_id} and blank the lists served about it; run again with --yes "
              "(it cannot be undone; an erasure record stays in the audit trail)")
        return 0
    store = open_store(settings)
    try:
        report = erase_citizen(store, store, args.cv_id, cli_actor(), args.reason)
        write_checkpoint(settings, store)
    finally:
        store.close()
    print(f"erased CV {report.cv_id}: {report.records_blanked} list bodies blanked"
          + (f", {report.legacy_records_kept} older ones kept until the retention purge"
             if report.legacy_records_kept else "") + f" (erasure record {report.erasure_record})")
    return 0


def _key(settings: Settings) -> bytes:
    key = audit_key(settings)
    if key is None:
        raise ConfigurationError("JOBMATCH_AUDIT_KEY is not set: proofs rest on signed checkpoints",
                                 field="JOBMATCH_AUDIT_KEY")
    return key


def cmd_prove(args: argparse.Namespace, settings: Settings) -> int:
    from graph.accountability.checkpoint import read_checkpoints
    from graph.accountability.proof import prove

    key = _key(settings)
    store = open_store(settings)
    try:
        proof = prove(store, args.record_id, read_checkpoints(settings.checkpoint_file), key)
    finally:
        store.close()
    print(json.dumps(proof, ensure_ascii=False))
    return 0


def cmd_prove_consistency(args: argparse.Namespace, settings: Settings) -> int:
    from graph.accountability.checkpoint import read_checkpoints
    from graph.accountability.proof import prove_consistency

    key = _key(settings)
    store = open_store(settings)
    try:
        proof = prove_consistency(store, read_checkpoints(settings.checkpoint_file), key, old_seq=args.old_seq,
                                  new_seq=args.new_seq)
    finally:
        store.close()
    print(json.dumps(proof, ensure_ascii=False))
    return 0


def cmd_check_proof(args: argparse.Namespace, settings: Settings) -> int:
    from graph.accountability.proof import check

    try:
        proof = json.loads(Path(args.file).read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise ValidationError(f"{args.file}: not a readable proof ({type(e).__name__})", field="file") from e
    ok, why = check(proof, _key(settings))
    print(("proof holds: " if ok else "PROOF FAILS: ") + why)
    return 0 if ok else 1


def cmd_checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.audit_key:
        raise ConfigurationError("JOBMATCH_AUDIT_KEY is not set: checkpoints are signed with it",
                                 field="JOBMATCH_AUDIT_KEY")
    store = open_store(settings)
    try:
        cp = write_checkpoint(settings, store)
    finally:
        store.close()
    if cp is None:
        print("the audit trail is empty: nothing to checkpoint")
        return 0
    if args.json:
        print(json.dumps(asdict(cp)))
    else:
        print(f"checkpoint: record {cp.seq}, hash {cp.hash[:16]}…, {cp.at} → {settings.checkpoint_file}")
    return 0


def _trial(settings: Settings) -> TrialConfig:
    cfg = trial_config(settings)
    if cfg is None:
        raise ConfigurationError("no trial configured: set JOBMATCH_TRIAL_SEED", field="JOBMATCH_TRIAL_SEED")
    return cfg


def cmd_trial_assign(args: argparse.Namespace, settings: Settings) -> int:
    cfg = _trial(settings)
    store = open_store(settings)
    try:
        ids = args.cv_ids or store.cv_ids()
        cvs = store.get_cvs(ids)
        for cid in ids:
            if cid not in cvs:
                raise NotFoundError(f"no CV with pseudonym {cid!r}", field="cv_ids")
            a = assign(store, cfg, cvs[cid].municipality, cid, cli_actor().filed_under(cvs[cid].municipality))
            print(f"{cid}\t{a.stratum}\t{a.arm}\t{a.assigned_at}")
    finally:
        store.close()
    return 0


def cmd_trial_export(args: argparse.Namespace, settings: Settings) -> int:
    cfg = _trial(settings)
    store = open_store(settings)
    try:
        assignments = store.trial_assignments(cfg.name)
        served: dict[str, list[AuditRecord]] = {}
        for r in _all_records(store, AuditQuery()):
            served.setdefault(r.cv_id, []).append(r)
        fb: dict[str, dict[str, int]] = {}
        for item in store.feedback_records():
            fb.setdefault(item.cv_id, {}).setdefault(item.verdict, 0)
            fb[item.cv_id][item.verdict] += 1
    finally:
        store.close()
    out = Path(args.out).open("w", encoding="utf-8", newline="") if args.out else sys.stdout  # noqa: SIM115
    try:
        w = csv.writer(out)
        # The consultant's verdicts and decisions per citizen, one column each (the vocabulary's).
        w.writerow(["cv_id", "trial", "arm", "stratum", "assigned_at", "position", "block_size", "lists_served",
                    "first_served", "last_served", *(f"feedback_{v}" for v in VERDICT_NAMES)])
        for a in assignments:
            recs = served.get(a.cv_id, [])
            counts = fb.get(a.cv_id, {})
            w.writerow([a.cv_id, a.trial, a.arm, a.stratum, a.assigned_at, a.position, cfg.block_size, len(recs),
                        recs[0].at if recs else "", recs[-1].at if recs else "",
                        *(counts.get(v, 0) for v in VERDICT_NAMES)])
    finally:
        if args.out:
            out.close()
    # The balance per job centre, for the evaluation unit (stderr: the CSV stays one table).
    arms: dict[str, Counter[str]] = {}
    for a in assignments:
        arms.setdefault(a.stratum, Counter())[a.arm] += 1
    print(f"balance ({cfg.name}, treatment share {cfg.treatment_share:g}, permuted blocks of {cfg.block_size}): "
          + "; ".join(f"{s} {c['treatment']} treatment / {c['control']} control" for s, c in sorted(arms.items())),
          file=sys.stderr)
    return 0


def cmd_feedback_summary(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    try:
        print(json.dumps(summarise_feedback(store.feedback_records(), store), ensure_ascii=False, indent=2))
    finally:
        store.close()
    return 0


def cmd_citizen_explain(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    try:
        rec = store.get_audit(args.record_id)
    finally:
        store.close()
    if rec is None:
        raise NotFoundError(f"no audit record {args.record_id!r}", field="record_id")
    result = body_of(rec).get("result", {})
    for s in result["suggestions"]:
        if s["rank"] == args.rank:
            print(explain_suggestion_da(s))
            return 0
    for a in result["alternatives"]:
        if a["rank"] == args.rank:
            print(explain_alternative_da(a))
            return 0
    raise NotFoundError(f"record {args.record_id} has no suggestion at rank {args.rank}", field="rank")


def cmd_citizen_export(args: argparse.Namespace, settings: Settings) -> int:
    from api.service import Service  # the one export use case, the API's too

    store = open_store(settings)
    try:
        export = Service(settings, store=store).citizen_export(cli_actor(), args.cv_id, args.lang)
    finally:
        store.close()
    print(json.dumps(export, ensure_ascii=False, indent=2))
    return 0


def cmd_fairness(args: argparse.Namespace, settings: Settings) -> int:
    if args.min_group < 1:
        raise ValidationError("--min-group must be at least 1", field="min-group")
    groups = read_groups(Path(args.groups))
    store = open_store(settings)
    try:
        rep = fairness_report(store, groups, since=args.since, until=args.until, min_group=args.min_group)
    finally:
        store.close()
    if args.html:
        Path(args.html).write_text(fairness_html(rep), encoding="utf-8")
    print(json.dumps(rep, ensure_ascii=False, indent=2))
    return 0
