"""One evaluation from start to finish: corpus into a sandbox store, replay, figures, report data.

The CLI (``jobmatch evaluate placements``) and ``bench/eval_placements.py`` both call
:func:`evaluate`; tests call it with a hand-made store. The groups file enters only after the
replay (see :mod:`graph.evaluation.groups`).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from graph.evaluation.cases import Case, Rejection
from graph.evaluation.groups import Groups, breakdown
from graph.evaluation.history import Outcome, StrategyFn, replay
from graph.evaluation.metrics import population_figures
from graph.evaluation.splits import random_first, split, temporal_cut
from graph.evaluation.stats import BOOTSTRAP_RESAMPLES, CONFIDENCE, PERMUTATIONS
from graph.evaluation.usefulness import summarise_feedback
from graph.learning.model import RankingModel
from graph.learning.rank import learned_match
from graph.learning.training import Choice, train
from graph.ledger import Feedback
from graph.matching.alternatives import find_alternatives
from graph.matching.automatch import automatch
from graph.matching.match import match_postings
from graph.matching.scoring import MatchSettings
from graph.matching.vocabulary import AUTOMATCH, GRAPH, LEARNED
from graph.records import OntologyVersion, PostingRecord
from graph.store import Store
from ontology.errors import ValidationError

log = logging.getLogger(__name__)

STRATEGIES: dict[str, StrategyFn] = {GRAPH: match_postings, AUTOMATCH: automatch}
# Strategies an evaluation can compare: the registered ones and ``learned``, which is fitted inside the
# evaluation on the first part of the split only (or read from a model file given to it).
EVALUATED: tuple[str, ...] = (*STRATEGIES, LEARNED)
REPORT_FORMAT = "jobmatch-evaluation/1"
# Postings per upsert: the store's own batch size for bulk loads.
LOAD_BATCH = 5000


@dataclass(frozen=True)
class Options:
    strategies: tuple[str, ...] = ("graph", "automatch")
    ks: tuple[int, ...] = (5, 10, 20)
    split: str = "temporal"
    split_date: str | None = None
    seed: int = 7
    resamples: int = BOOTSTRAP_RESAMPLES
    permutations: int = PERMUTATIONS
    title: str = "Replay of historical placements"

    def check(self, settings: MatchSettings) -> None:
        """:raise ValidationError: naming the option that is out of range."""
        unknown = [s for s in self.strategies if s not in EVALUATED]
        if unknown or not self.strategies:
            raise ValidationError(f"strategy must be among {', '.join(EVALUATED)}", field="strategy")
        if len(set(self.strategies)) != len(self.strategies):
            raise ValidationError("a strategy is named twice", field="strategy")
        if not self.ks or any(not 1 <= k <= settings.max_limit for k in self.ks):
            raise ValidationError(f"every k must be between 1 and {settings.max_limit}", field="k")
        if self.resamples < 100 or self.permutations < 100:
            raise ValidationError("use at least 100 resamples and permutations", field="resamples")

    @property
    def headline_k(self) -> int:
        """k of the headline figures: 10 (a first screen of suggestions) when asked for, else the middle k."""
        ks = sorted(set(self.ks))
        return 10 if 10 in ks else ks[len(ks) // 2]


@dataclass
class Inputs:
    """What was read, for the report: file names, counts and every rejected line."""

    placements: str = ""
    postings: str = ""
    groups: str = ""
    placements_read: int = 0
    postings_read: int = 0
    postings_loaded: int = 0
    inline_postings_added: int = 0
    rejections: list[Rejection] = field(default_factory=list)


@dataclass
class Evaluation:
    report: dict[str, Any]
    outcomes: list[Outcome]


def load_postings(store: Store, postings: Sequence[PostingRecord]) -> int:
    """Write the corpus in batches; returns how many."""
    for i in range(0, len(postings), LOAD_BATCH):
        store.upsert_postings(postings[i:i + LOAD_BATCH])
    return len(postings)


def _ontology(cases: Sequence[Case], outcomes: Sequence[Outcome], used: str,
              history: Sequence[OntologyVersion]) -> dict[str, Any]:
    loaded = {v.version for v in history} | ({used} if used else set())
    named = Counter(c.ontology_version for c in cases if c.ontology_version)
    not_loaded = {v: n for v, n in sorted(named.items()) if v not in loaded}
    of_then = Counter(o.ontology_of_then or "(not recorded)" for o in outcomes)
    notes = [f"{n} case(s) name ESCO {v}, which is not loaded in the store; they were replayed with ESCO "
             f"{used or '(unnamed)'}" for v, n in not_loaded.items()]
    differs = sum(1 for o in outcomes if o.ontology_of_then and o.ontology_of_then != used)
    if differs:
        notes.append(f"{differs} case(s) were coded in another ESCO version than the one replayed ({used}); "
                     "the store holds one active taxonomy, so concepts changed since then may match differently")
    unknown = of_then.get("(not recorded)", 0)
    if unknown:
        notes.append(f"for {unknown} case(s) no version is recorded (the case names none and the store's version "
                     "history starts after the hiring date)")
    return {"used": used, "of_then": dict(sorted(of_then.items())), "named_by_cases": dict(sorted(named.items())),
            "named_not_loaded": not_loaded, "differs_from_used": differs,
            "history": [{"version": v.version, "loaded_at": v.loaded_at, "active": v.active} for v in history],
            "notes": notes}


def _learned_model(
    store: Store, cases: Sequence[Case], options: Options, settings: MatchSettings, cut: str | None,
    first_ids: set[str] | None, given: RankingModel | None, progress: Callable[[int, int], None] | None,
) -> tuple[RankingModel, dict[str, Any]]:
    """The model the ``learned`` strategy ranks with, and what the report says of it."""
    if given is not None:
        return given, {"model": given.as_json(), "trained_here": False,
                       "statement": "the model was read from a file; the report cannot tell which cases it saw"}
    if options.split == "temporal":
        training = [c for c in cases if cut is not None and c.hired_on <= cut]
        window = f"cases hired on or before {cut}"
    else:
        training = [c for c in cases if first_ids is not None and c.case_id in first_ids]
        window = f"the seeded random first sample (seed {options.seed})"
    log.info("training the learned strategy on %d of %d cases (%s)", len(training), len(cases), window)
    model, ts = train(store, [Choice(c.cv, c.hired_on, c.hire.posting_id, c.hire.occupation) for c in training],
                      settings=settings,
                      seed=options.seed, provenance={"window": window}, progress=progress)
    return model, {"model": model.as_json(), "trained_here": True, "window": window,
                   "statement": f"fitted on {window} only ({ts.describe()['cases_used']} usable cases); no case "
                                "of the other part, and no hire after the cut, was seen by the fit"}


def evaluate(
    store: Store,
    cases: Sequence[Case],
    options: Options,
    *,
    inputs: Inputs | None = None,
    ontology_version: str = "",
    history: Sequence[OntologyVersion] = (),
    groups: Groups | None = None,
    feedback: Sequence[Feedback] = (),
    settings: MatchSettings | None = None,
    strategies: Mapping[str, StrategyFn] | None = None,
    alternatives: StrategyFn | None = find_alternatives,
    progress: Callable[[int, int], None] | None = None,
    model: RankingModel | None = None,
) -> Evaluation:
    """Replay ``cases`` against the postings already in ``store`` and compute every figure.

    ``strategies`` defaults to the registered ones named in ``options`` (tests may wrap them). When
    ``learned`` is among them, ``model`` is used if given; otherwise a model is fitted here on the
    split's first part (drawn from the cases before the replay) and nothing of the second part is seen.

    :raise ValidationError: if an option is out of range or no case could be replayed.
    """
    settings = settings or MatchSettings()
    options.check(settings)
    inputs = inputs or Inputs()
    ks = tuple(sorted(set(options.ks)))
    cut = options.split_date or (temporal_cut([c.hired_on for c in cases]) if options.split == "temporal" else None)
    first_ids = random_first([c.case_id for c in cases], options.seed) if options.split == "random" else None
    learned: dict[str, Any] | None = None
    t_train = time.perf_counter()
    if LEARNED in options.strategies and (strategies is None or LEARNED not in strategies):
        model, learned = _learned_model(store, cases, options, settings, cut, first_ids, model, progress)
        registered: dict[str, StrategyFn] = {**STRATEGIES, LEARNED: partial(learned_match, model=model)}
        if alternatives is find_alternatives and model.moves:
            # The model's moves rank the alternatives too (graph/learning/moves.py): learned on the first
            # part like the weights, so the second part's figures stay out of sample.
            alternatives = partial(find_alternatives, moves=model.moves)
            learned["alternatives"] = (f"alternatives ranked with the model's moves from {len(model.moves)} "
                                       "ISCO unit groups, besides the skills")
    else:
        registered = dict(STRATEGIES)
    fns = dict(strategies) if strategies is not None else {s: registered[s] for s in options.strategies}
    t0 = time.perf_counter()
    result = replay(store, cases, fns, depth=max(ks), alternatives=alternatives, settings=settings,
                    ontology_version=ontology_version, history=history, file=inputs.placements,
                    progress=progress)
    t1 = time.perf_counter()
    log.info("replayed %d cases in %.1f s", len(cases), t1 - t0)
    outcomes = result.outcomes
    if not outcomes:
        raise ValidationError("no case could be replayed; see the rejected lines", field="FILE")
    names = list(fns)
    sp = split(options.split, outcomes, seed=options.seed, cut=cut, first_ids=first_ids)
    log.info("computing figures for %d cases", len(outcomes))
    populations = {
        name: population_figures(part, names, ks, seed=options.seed, resamples=options.resamples,
                                 permutations=options.permutations)
        for name, part in (("all", outcomes), (sp.first_name, sp.first), (sp.second_name, sp.second))
    }
    t2 = time.perf_counter()
    log.info("figures computed in %.1f s", t2 - t1)
    rejections = sorted([*inputs.rejections, *result.rejections], key=lambda r: (r.file, r.line))
    report: dict[str, Any] = {
        "format": REPORT_FORMAT,
        "title": options.title,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "options": {**asdict(options), "ks": list(ks), "strategies": names, "confidence": CONFIDENCE,
                    "headline_k": options.headline_k, "depth": max(ks)},
        "inputs": {
            "placements": inputs.placements, "postings": inputs.postings, "groups": inputs.groups or None,
            "placement_lines": inputs.placements_read, "cases_replayed": len(outcomes),
            "postings_lines": inputs.postings_read, "postings_loaded": inputs.postings_loaded,
            "inline_postings_added": inputs.inline_postings_added,
            "postings_in_store": store.posting_count(),
        },
        "versions": {
            "ontology": _ontology(cases, outcomes, ontology_version, history),
            "algorithms": {s: {"algorithm_version": v[0], "settings_hash": v[1]}
                           for s, v in sorted(result.versions.items())},
            "settings": settings.as_json(),
        },
        "split": sp.describe(),
        "headline": {"population": sp.second_name, "k": options.headline_k},
        "populations": populations,
        "groups": breakdown(outcomes, groups, names, ks, seed=options.seed, resamples=options.resamples)
        if groups is not None else None,
        "usefulness": summarise_feedback(feedback),
        "rejected": {"count": len(rejections), "lines": [r.as_json() for r in rejections]},
        "learned": learned,
        "timings": {"train_seconds": round(t0 - t_train, 1), "replay_seconds": round(t1 - t0, 1),
                    "figures_seconds": round(t2 - t1, 1)},
    }
    return Evaluation(report, outcomes)
