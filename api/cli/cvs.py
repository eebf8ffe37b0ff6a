"""``jobmatch cvs lookup REF`` (the pseudonym of a citizen reference) and ``jobmatch cvs confirm|reject CV_ID``: settle the skills inferred from the occupations a CV names, as
agreed with the citizen (the same use case as ``POST /api/v1/cvs/{id}/skills/confirm|reject``)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from api.service import Service
from api.settings import Settings
from api.wiring import cli_actor, open_store


def register(sub: Any) -> None:
    p = sub.add_parser("cvs", help="a CV's inferred skills: confirm or reject them with the citizen")
    csub = p.add_subparsers(dest="cvs_command", required=True)
    c = csub.add_parser("confirm", help="confirm inferred skills (they become the citizen's own)")
    c.add_argument("cv_id", help="the CV's pseudonym")
    which = c.add_mutually_exclusive_group(required=True)
    which.add_argument("--skill", action="append", dest="skills", metavar="URI", help="an inferred skill (repeat)")
    which.add_argument("--all", action="store_true", help="every inferred skill")
    c.set_defaults(func=cmd_settle, confirm=True)
    r = csub.add_parser("reject", help="reject inferred skills the citizen does not have (never inferred again)")
    r.add_argument("cv_id", help="the CV's pseudonym")
    r.add_argument("--skill", action="append", dest="skills", metavar="URI", required=True,
                   help="an inferred skill (repeat)")
    r.set_defaults(func=cmd_settle, confirm=False, all=False)
    lk = csub.add_parser("lookup", help="the pseudonym of a citizen reference (needs JOBMATCH_PSEUDONYM_KEY)")
    lk.add_argument("citizen_ref", help="the job centre's reference, e.g. 0101-A4711")
    lk.set_defaults(func=cmd_lookup)


def cmd_settle(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    try:
        service = Service(settings, store=store)
        cv, done = service.settle_inferred(cli_actor(), args.cv_id, None if args.all else args.skills,
                                           confirm=args.confirm)
    finally:
        store.close()
    print(json.dumps({"id": cv.id, "confirmed" if args.confirm else "rejected": done,
                      "inferred_left": sum(1 for s in cv.skills if s.source == "inferred")}))
    return 0


def cmd_lookup(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    try:
        cv = Service(settings, store=store).lookup(cli_actor(), args.citizen_ref)
    finally:
        store.close()
    print(json.dumps({"id": cv.id, "municipality": cv.municipality, "updated": cv.updated}))
    return 0
