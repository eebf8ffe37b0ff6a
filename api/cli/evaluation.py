"""``jobmatch evaluate placements FILE --postings POSTINGS``: replay historical placements.

The replay runs in a sandbox: an in-memory store holding the configured store's taxonomy and the
postings corpus, so historical postings never enter the live store. The configured store is read
for its taxonomy (and its version history) and for consultants' feedback only.

Exit codes: 0 every line used; 1 some lines rejected (the rest evaluated; each rejection is on
stderr and in report.json); 2 unusable input (unreadable file, bad option, no case replayable,
no taxonomy); 3 store unavailable.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from api.cli.progress import Progress
from api.settings import Settings
from api.wiring import open_store, reading_config
from graph.backends.memory.graph_store import MemoryStore
from graph.evaluation import (
    SPLITS,
    STRATEGIES,
    Inputs,
    Options,
    evaluate,
    load_postings,
    read_groups,
    write_report,
)
from graph.evaluation.stats import BOOTSTRAP_RESAMPLES, PERMUTATIONS
from graph.matching.geo import Gazetteer
from graph.store import Store
from loaders.documents import extractor_for
from loaders.placements import PlacementReader, read_corpus, read_placements
from loaders.privacy import require_pseudonym_key
from ontology.errors import ConfigurationError, ValidationError
from ontology.model import Taxonomy

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_REJECTED = 1


def register(sub: Any) -> None:
    e = sub.add_parser("evaluate", help="measure matching quality offline")
    esub = e.add_subparsers(dest="evaluate_command", required=True)
    p = esub.add_parser("placements", help="replay historical placements as of their hiring dates",
                        description="Replay each placement as of its hiring date with each strategy and write "
                                    "report.json, report.md, charts and cases.jsonl to --out.")
    p.add_argument("file", type=Path, help="placements, JSON Lines (one case a line; docs/EVALUATION.md)")
    p.add_argument("--postings", type=Path, required=True, help="the candidate postings corpus, JSON Lines")
    p.add_argument("--strategy", default="graph,automatch", help=f"comma-separated, among {', '.join(STRATEGIES)}")
    p.add_argument("--k", default="5,10,20", help="list lengths for hit@k, comma-separated")
    p.add_argument("--split", choices=SPLITS, default="temporal", help="out-of-sample view (default temporal)")
    p.add_argument("--split-date", type=date.fromisoformat, help="temporal cut (default: 70 %% of cases before)")
    p.add_argument("--seed", type=int, default=7, help="seed for bootstrap, permutations and the random split")
    p.add_argument("--groups", type=Path, help="CSV or JSON Lines: case_id and grouping columns")
    p.add_argument("--out", type=Path, default=Path("evaluation"), help="report folder (default ./evaluation)")
    p.add_argument("--resamples", type=int, default=BOOTSTRAP_RESAMPLES, help="bootstrap resamples")
    p.add_argument("--permutations", type=int, default=PERMUTATIONS, help="sign-flip permutations")
    p.add_argument("--title", default=Options.title, help="the report's heading")
    p.set_defaults(func=cmd_placements)


def _ints(text: str, name: str) -> tuple[int, ...]:
    try:
        values = tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError as e:
        raise ValidationError(f"--{name} takes comma-separated whole numbers", field=name) from e
    if not values:
        raise ValidationError(f"--{name} is empty", field=name)
    return values


def options_from(args: argparse.Namespace) -> Options:
    return Options(
        strategies=tuple(s.strip() for s in args.strategy.split(",") if s.strip()),
        ks=_ints(args.k, "k"), split=args.split,
        split_date=args.split_date.isoformat() if args.split_date else None, seed=args.seed,
        resamples=args.resamples, permutations=args.permutations, title=args.title,
    )


def taxonomy_of(store: Store, settings: Settings) -> Taxonomy:
    """The taxonomy to replay with: the embedded store's own, else the package at JOBMATCH_ESCO_DIR.

    :raise ConfigurationError: if neither is available.
    """
    if isinstance(store, MemoryStore) and store.tax is not None:
        return store.tax
    if settings.esco_dir is not None:
        from ontology.package import read_taxonomy

        return read_taxonomy(settings.esco_dir, settings.languages, settings.extra_labels)
    raise ConfigurationError("no ESCO taxonomy: run `jobmatch ontology load` or set JOBMATCH_ESCO_DIR",
                             field="JOBMATCH_ESCO_DIR")


def _gazetteer(settings: Settings) -> Gazetteer:
    if settings.geo_dir is None:
        raise ConfigurationError("JOBMATCH_GEO_DIR is not set: CVs and postings in a document format need "
                                 "postcodes located", field="JOBMATCH_GEO_DIR")
    return Gazetteer.load(settings.geo_dir)


def cmd_placements(args: argparse.Namespace, settings: Settings) -> int:
    options = options_from(args)
    store = open_store(settings)
    try:
        tax = taxonomy_of(store, settings)
        history = store.ontology_versions()
        feedback = store.feedback_records()
    finally:
        store.close()
    t0 = time.perf_counter()
    sandbox = MemoryStore(None).open()
    try:
        sandbox.upsert_taxonomy(tax)
        reader = PlacementReader(extractor=lambda: extractor_for(sandbox, settings.local_additions, reading_config(settings)),
                                 gazetteer=lambda: _gazetteer(settings),
                                 key=lambda: require_pseudonym_key(settings.pseudonym_key), today=date.today())
        corpus, corpus_rejections, corpus_read = read_corpus(args.postings, reader)
        caseset = read_placements(args.file, reader, set(corpus))
        groups = read_groups(args.groups) if args.groups is not None else None
        inline = [p for pid, p in sorted(caseset.inline_postings.items()) if pid not in corpus]
        loaded = load_postings(sandbox, [corpus[i] for i in sorted(corpus)])
        load_postings(sandbox, inline)
        inputs = Inputs(placements=str(args.file), postings=str(args.postings),
                        groups=str(args.groups) if args.groups else "", placements_read=caseset.read,
                        postings_read=corpus_read, postings_loaded=loaded, inline_postings_added=len(inline),
                        rejections=[*corpus_rejections, *caseset.rejections,
                                    *(groups.rejections if groups is not None else [])])
        read_seconds = time.perf_counter() - t0
        log.info("read and loaded %d postings and %d cases in %.1f s; replaying", sandbox.posting_count(),
                 len(caseset.cases), read_seconds)
        progress = Progress("evaluate", unit="cases")
        result = evaluate(sandbox, caseset.cases, options, inputs=inputs, ontology_version=tax.version,
                          history=history, groups=groups, feedback=feedback, progress=progress)
        progress.close()
    finally:
        sandbox.close()
    result.report["timings"]["read_seconds"] = round(read_seconds, 1)
    write_report(result.report, result.outcomes, args.out)
    for r in result.report["rejected"]["lines"]:
        print(f"{r['file']}: line {r['line']}: {r['field'] or '(line)'}: {r['reason']}", file=sys.stderr)
    _summary(result.report, args.out)
    return EXIT_REJECTED if result.report["rejected"]["count"] else EXIT_OK


def _fmt(fig: dict[str, Any]) -> str:
    if fig.get("value") is None:
        return "n/a"
    ci = fig["ci"]
    return f"{fig['value'] * 100:.1f} % [{ci[0] * 100:.1f}, {ci[1] * 100:.1f}]"


def _summary(report: dict[str, Any], out: Path) -> None:
    w = sys.stdout.write
    inp = report["inputs"]
    k = report["headline"]["k"]
    w(f"placements: {inp['placement_lines']} lines, {inp['cases_replayed']} cases replayed, "
      f"{report['rejected']['count']} lines rejected; {inp['postings_in_store']} postings\n")
    for name in ("all", report["headline"]["population"]):
        pop = report["populations"][name]
        if not pop["cases"]:
            w(f"{name}: no cases\n")
            continue
        w(f"{name} ({pop['cases']} cases, {pop['period']['first']} to {pop['period']['last']}):\n")
        for s, f in pop["strategies"].items():
            w(f"  {s:>10}: posting hit@{k} {_fmt(f['posting'][f'hit@{k}'])}  "
              f"MRR {f['posting']['mrr']['value'] if f['posting']['mrr']['value'] is not None else 'n/a'}  "
              f"occupation hit@{k} {_fmt(f['occupation'][f'hit@{k}'])}  coverage {_fmt(f['coverage'])}\n")
    w(f"report: {out / 'report.md'} (figures in {out / 'report.json'})\n")
