"""``jobmatch match``, ``jobmatch alternatives``, ``jobmatch sample load`` and ``jobmatch sample placements``."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.cli.progress import Progress
from api.settings import Settings
from api.wiring import cli_actor, composed, open_store, write_checkpoint
from graph.accountability.serving import ServeRequest
from graph.matching.explain import MatchResult, result_json
from graph.matching.geo import Gazetteer
from graph.matching.vocabulary import GRAPH, REQUEST_STRATEGIES
from ontology.errors import ConfigurationError, NotFoundError, ValidationError

if TYPE_CHECKING:
    from loaders.synthetic import Generator


def register(sub: Any) -> None:
    m = sub.add_parser("match", help="ranked, explained job suggestions for a CV")
    m.add_argument("cv_id", help="the CV's pseudonym")
    m.add_argument("--radius-km", type=float)
    m.add_argument("--limit", type=int)
    m.add_argument("--strategy", choices=REQUEST_STRATEGIES, default=GRAPH)
    m.add_argument("--valid-on", help="match as of this date (YYYY-MM-DD; default today)")
    m.add_argument("--lang", default="da", help="label language (da falls back to en)")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_match)

    a = sub.add_parser("alternatives", help="alternative occupations with skill gaps for a CV")
    a.add_argument("cv_id")
    a.add_argument("--limit", type=int)
    a.add_argument("--radius-km", type=float)
    a.add_argument("--valid-on")
    a.add_argument("--lang", default="da")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_alternatives)

    register_batch(sub)

    s = sub.add_parser("sample", help="generated sample data for trying the service")
    ssub = s.add_subparsers(dest="sample_command", required=True)
    load = ssub.add_parser("load", help="generate postings and CVs from the loaded ESCO profiles")
    # Jobnet carries tens of thousands of current postings; 8,000 (a third of the capital's share and the
    # rest of the country) gives the sample's citizens a market like the pilot's: with 3,000, 41 % of
    # them got three suggestions or more, with 8,000 96 % (the issue note has the measurement).
    load.add_argument("--postings", type=int, default=8000)
    load.add_argument("--cvs", type=int, default=300)
    load.add_argument("--seed", type=int, default=7)
    load.add_argument("--municipalities", default="0101,0147,0151,0157,0159,0161,0163,0165,0167,0169,0173,0175,0183",
                      help="municipality codes the CVs are spread over (the 13 pilot municipalities)")
    load.set_defaults(func=cmd_sample_load)
    pl = ssub.add_parser("placements", help="generate a hiring history to train and evaluate on",
                         description="Write placements.jsonl, postings.jsonl and groups.csv to --out from the "
                                     "documented hiring process of loaders/hiring.py (a choice among the postings "
                                     "open on the hiring day, not any strategy's formula).")
    pl.add_argument("--cases", type=int, default=10_000)
    pl.add_argument("--postings", type=int, default=100_000)
    pl.add_argument("--start", type=date.fromisoformat,
                    help="first hiring day (default: 400 days ago, so the year of hires lies in the past)")
    pl.add_argument("--seed", type=int, default=7)
    pl.add_argument("--out", type=Path, required=True, help="folder to write into")
    pl.set_defaults(func=cmd_sample_placements)


def _run(args: argparse.Namespace, settings: Settings, alternatives: bool) -> int:
    with composed(settings) as root:
        cv = root.backend.get_cvs([args.cv_id]).get(args.cv_id)
        if cv is None:
            raise NotFoundError(f"no CV with pseudonym {args.cv_id!r}", field="cv_id")
        request = ServeRequest(kind="alternatives" if alternatives else "matches",
                               strategy=getattr(args, "strategy", GRAPH), radius_km=args.radius_km,
                               limit=args.limit, valid_on=args.valid_on, lang=args.lang)
        served = root.server().serve(cv, cli_actor(), request)
    if args.json:
        print(json.dumps({"recommendation_id": served.record.id, "trial_arm": served.arm,
                          **result_json(served.result)}, ensure_ascii=False))
    else:
        _print(served.result, served.record.id)
    return 0


def cmd_match(args: argparse.Namespace, settings: Settings) -> int:
    return _run(args, settings, alternatives=False)


def cmd_alternatives(args: argparse.Namespace, settings: Settings) -> int:
    return _run(args, settings, alternatives=True)


def _bar(score: float, width: int = 20) -> str:
    n = max(0, min(width, round(score * width)))
    return "█" * n + "░" * (width - n)


def _print(r: MatchResult, rec_id: str) -> None:
    w = sys.stdout.write
    w(f"{r.strategy} for {r.cv_id} within {r.radius_km:g} km, as of {r.valid_on} "
      f"(ESCO {r.ontology_version or '?'}, {r.algorithm_version}, settings {r.settings_hash}) "
      f"— recommendation {rec_id}\n")
    for note in r.notes:
        w(f"  note: {note}\n")
    for s in r.suggestions:
        w(f"\n{s.rank:>2}. {s.posting.title} — {s.posting.employer}  [{s.distance_km:.1f} km]\n")
        w(f"    {_bar(s.score)} {s.score:.2f}  " + ", ".join(f"{k} {v:.2f}" for k, v in s.parts.items() if v) + "\n")
        if s.occupation:
            w(f"    occupation: {s.occupation.label} ({s.occupation_fit})\n")
        for m in s.matched:
            near = "" if m.via == "exact" else f" (near match via {m.via}: you have {m.cv_skill.label})"
            quote = f' — "{m.evidence[0].sentence}"' if m.evidence and m.evidence[0].sentence else ""
            w(f"    ✓ {m.skill.label} [{m.kind}]{near}{quote}\n")
        if s.missing_essential:
            w("    missing: " + "; ".join(x.label for x in s.missing_essential) + "\n")
    for a in r.alternatives:
        w(f"\n{a.rank:>2}. {a.occupation.label} (ISCO {a.isco_group})  {_bar(a.score)} {a.score:.2f}\n")
        w(f"    covers {a.essential_covered}/{a.essential_total} essential skills; "
          f"{a.postings_nearby} current postings nearby\n")
        w("    rests on: " + "; ".join(m.skill.label for m in a.matched[:8]) + "\n")
        if a.missing_essential:
            w("    to learn: " + "; ".join(x.label for x in a.missing_essential[:8])
              + (" …" if len(a.missing_essential) > 8 else "") + "\n")


def _generator(settings: Settings, seed: int, as_of: date) -> Generator:
    """The sample generator over the configured ESCO package and postcodes.

    :raise ConfigurationError: naming the variable that is not set.
    """
    from loaders.synthetic import Generator  # the generator is only needed by the sample commands
    from ontology.package import read_taxonomy

    if settings.geo_dir is None:
        raise ConfigurationError("JOBMATCH_GEO_DIR is not set (Danish postcodes, e.g. ../shared/geo)",
                                 field="JOBMATCH_GEO_DIR")
    if settings.esco_dir is None:
        raise ConfigurationError("JOBMATCH_ESCO_DIR is not set (the ESCO package the sample is written from)",
                                 field="JOBMATCH_ESCO_DIR")
    tax = read_taxonomy(settings.esco_dir, settings.languages, settings.extra_labels)
    return Generator(tax, Gazetteer.load(settings.geo_dir), seed=seed, as_of=as_of)


def cmd_sample_load(args: argparse.Namespace, settings: Settings) -> int:
    gen = _generator(settings, args.seed, date.today())
    munis = [m.strip() for m in args.municipalities.split(",") if m.strip()]
    store = open_store(settings)
    try:
        postings = [rec for rec, _ in gen.postings(args.postings)]
        cvs = [rec for rec, _ in gen.cvs(args.cvs, munis)]
        for i in range(0, len(postings), 5000):
            store.upsert_postings(postings[i:i + 5000])
        store.upsert_cvs(cvs)
    finally:
        store.close()
    print(f"sample data: {len(postings):,} postings and {len(cvs):,} CVs (pseudonyms cv-000000 … "
          f"cv-{len(cvs) - 1:06d}) over municipalities {', '.join(munis)}")
    return 0


def cmd_sample_placements(args: argparse.Namespace, settings: Settings) -> int:
    from loaders.hiring import HIRING_PROCESS, generate_history
    from loaders.placements import write_generated

    if args.cases < 1 or args.postings < 1:
        raise ValidationError("--cases and --postings must be at least 1", field="cases" if args.cases < 1 else "postings")
    start = args.start or date.today() - timedelta(days=400)
    gen = _generator(settings, args.seed, start)
    data = generate_history(gen, cases=args.cases, postings=args.postings, start=start)
    paths = write_generated(data, args.out)
    (args.out / "process.json").write_text(json.dumps({"seed": args.seed, "start": start.isoformat(),
                                                       "esco": gen.tax.version, **HIRING_PROCESS}, indent=2) + "\n",
                                           encoding="utf-8")
    kinds = Counter(g["hire"] for g in data.groups)
    print(f"{len(data.cases):,} placements and {len(data.postings):,} postings written to {args.out} "
          f"({paths['placements'].name}, {paths['postings'].name}, {paths['groups'].name}, process.json)")
    print("  hires: " + "; ".join(f"{k}: {v:,}" for k, v in sorted(kinds.items())))
    return 0


def register_batch(sub: Any) -> None:
    b = sub.add_parser("batch", help="the nightly batch: match every stored CV and record the lists")
    b.add_argument("--workers", type=int, default=2, help="processes (default 2: the machine's cores)")
    b.add_argument("--valid-on", help="YYYY-MM-DD (default today)")
    b.add_argument("--municipality", help="only CVs of this municipality")
    b.add_argument("--no-audit", action="store_true", help="compute only (benchmarks); nothing is recorded")
    b.set_defaults(func=cmd_batch)


def cmd_batch(args: argparse.Namespace, settings: Settings) -> int:
    from graph.accountability.batch import run_batch

    with composed(settings) as root:
        store = root.backend
        ids = store.cv_ids(args.municipality)
        progress = Progress("batch", unit="CVs")
        rep = run_batch(root.server(), ids, valid_on=args.valid_on or date.today().isoformat(),
                        workers=args.workers, record=not args.no_audit, progress=progress)
        progress.close()
        if not args.no_audit:
            # The night's records under a signed checkpoint (with JOBMATCH_AUDIT_KEY): cutting them off later shows.
            write_checkpoint(settings, store)
    print(f"batch: {rep.cvs:,} CVs in {rep.seconds:.1f} s with {rep.workers} workers "
          f"({rep.seconds / max(rep.cvs, 1) * 1000:.1f} ms/CV); {rep.with_matches:,} with direct matches, "
          f"{rep.with_alternatives:,} with alternatives; {rep.held_back:,} postings held back by the crowding guard")
    return 0
