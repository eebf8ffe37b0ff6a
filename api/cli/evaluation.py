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
import hashlib
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version as _dist_version
from pathlib import Path
from typing import Any

from api.cli.progress import Progress
from api.settings import Settings
from api.wiring import open_store, reading_config
from graph.backends.memory.graph_store import MemoryStore
from graph.evaluation import (
    SPLITS,
    Inputs,
    Options,
    evaluate,
    load_postings,
    read_groups,
    write_report,
)
from graph.evaluation.cases import CaseSet, Rejection
from graph.evaluation.run import EVALUATED
from graph.evaluation.stats import BOOTSTRAP_RESAMPLES, PERMUTATIONS
from graph.learning.model import RankingModel
from graph.learning.training import Choice, train
from graph.ledger import Feedback
from graph.matching.geo import Gazetteer
from graph.records import OntologyVersion
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
    p.add_argument("--strategy", default="graph,automatch",
                   help=f"comma-separated, among {', '.join(EVALUATED)}; learned is fitted on the split's first "
                        "part only, unless --model gives one")
    p.add_argument("--model", type=Path, help="a ranking model file (jobmatch train placements) for learned")
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

    t = sub.add_parser("train", help="fit the learned ranking on historical placements")
    tsub = t.add_subparsers(dest="train_command", required=True)
    tp = tsub.add_parser("placements", help="fit a ranking model on placements up to a date",
                         description="Replay each placement as of its hiring date, build the graph's candidate "
                                     "list, fit the learned ranking (docs/LEARNING.md) on the cases hired up to "
                                     "--until, and write the model file to --out.")
    tp.add_argument("file", type=Path, help="placements, JSON Lines (docs/EVALUATION.md)")
    tp.add_argument("--postings", type=Path, required=True, help="the candidate postings corpus, JSON Lines")
    tp.add_argument("--until", type=date.fromisoformat, help="use cases hired on or before this day (YYYY-MM-DD)")
    tp.add_argument("--out", type=Path, required=True, help="the model file to write (JSON)")
    tp.add_argument("--seed", type=int, default=7, help="seed of the candidate sampling")
    tp.set_defaults(func=cmd_train)


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


def package_version() -> str:
    return _dist_version("jobmatch")


def _gazetteer(settings: Settings) -> Gazetteer:
    if settings.geo_dir is None:
        raise ConfigurationError("JOBMATCH_GEO_DIR is not set: CVs and postings in a document format need "
                                 "postcodes located", field="JOBMATCH_GEO_DIR")
    return Gazetteer.load(settings.geo_dir)


@dataclass
class _Read:
    """The placements and postings read into a sandbox store (never the live store)."""

    sandbox: MemoryStore
    caseset: CaseSet
    tax: Taxonomy
    history: list[OntologyVersion]
    feedback: list[Feedback]
    corpus_read: int
    loaded: int
    inline: int
    rejections: list[Rejection]
    seconds: float


@contextmanager
def _read_inputs(placements: Path, postings: Path, settings: Settings) -> Iterator[_Read]:
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
        corpus, corpus_rejections, corpus_read = read_corpus(postings, reader)
        caseset = read_placements(placements, reader, set(corpus))
        inline = [p for pid, p in sorted(caseset.inline_postings.items()) if pid not in corpus]
        loaded = load_postings(sandbox, [corpus[i] for i in sorted(corpus)])
        load_postings(sandbox, inline)
        seconds = time.perf_counter() - t0
        log.info("read and loaded %d postings and %d cases in %.1f s", sandbox.posting_count(),
                 len(caseset.cases), seconds)
        yield _Read(sandbox, caseset, tax, list(history), list(feedback), corpus_read, loaded, len(inline),
                    [*corpus_rejections, *caseset.rejections], seconds)
    finally:
        sandbox.close()


def cmd_placements(args: argparse.Namespace, settings: Settings) -> int:
    options = options_from(args)
    model = RankingModel.load(args.model) if args.model is not None else None
    with _read_inputs(args.file, args.postings, settings) as r:
        groups = read_groups(args.groups) if args.groups is not None else None
        inputs = Inputs(placements=str(args.file), postings=str(args.postings),
                        groups=str(args.groups) if args.groups else "", placements_read=r.caseset.read,
                        postings_read=r.corpus_read, postings_loaded=r.loaded, inline_postings_added=r.inline,
                        rejections=[*r.rejections, *(groups.rejections if groups is not None else [])])
        progress = Progress("evaluate", unit="cases")
        result = evaluate(r.sandbox, r.caseset.cases, options, inputs=inputs, ontology_version=r.tax.version,
                          history=r.history, groups=groups, feedback=r.feedback, progress=progress, model=model)
        progress.close()
        read_seconds = r.seconds
    result.report["timings"]["read_seconds"] = round(read_seconds, 1)
    write_report(result.report, result.outcomes, args.out)
    for rej in result.report["rejected"]["lines"]:
        print(f"{rej['file']}: line {rej['line']}: {rej['field'] or '(line)'}: {rej['reason']}", file=sys.stderr)
    _summary(result.report, args.out)
    return EXIT_REJECTED if result.report["rejected"]["count"] else EXIT_OK


def _file_hash(*paths: Path) -> str:
    h = hashlib.sha256()
    for path in paths:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    until = args.until.isoformat() if args.until else None
    with _read_inputs(args.file, args.postings, settings) as r:
        cases = [c for c in r.caseset.cases if until is None or c.hired_on <= until]
        if not cases:
            raise ValidationError(f"no case hired on or before {until}", field="until")
        progress = Progress("train", unit="cases")
        provenance = {
            "window": f"cases hired on or before {until}" if until else "every case in the file",
            "until": until, "placements": args.file.name, "postings": args.postings.name,
            "data_sha256": _file_hash(args.file, args.postings), "code_version": package_version(),
            "ontology_version": r.tax.version, "cases_in_file": len(r.caseset.cases),
            "lines_rejected": len(r.rejections),
        }
        model, ts = train(r.sandbox, [Choice(c.cv, c.hired_on, c.hire.posting_id, c.hire.occupation) for c in cases],
                          seed=args.seed, provenance=provenance, progress=progress)
        progress.close()
    model.save(args.out)
    for rej in r.rejections:
        print(f"{rej.file}: line {rej.line}: {rej.field or '(line)'}: {rej.reason}", file=sys.stderr)
    d = ts.describe()
    fit_ = model.trained["fit"]
    print(f"model {model.id} written to {args.out}")
    print(f"  trained on {d['cases_used']:,} of {len(cases):,} cases hired {d['first_hired_on']} to "
          f"{d['last_hired_on']}; skipped: " + (", ".join(f"{k}: {v:,}" for k, v in d["cases_skipped"].items())
                                               or "none"))
    print(f"  mean log-loss {fit_['mean_log_loss']:.4f} (every candidate alike: {fit_['null_log_loss']:.4f})")
    for name, w in model.weight().items():
        print(f"  {name:>22}: {w:.3f}")
    return EXIT_REJECTED if r.rejections else EXIT_OK


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
