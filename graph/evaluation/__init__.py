"""Offline evaluation: replay historical placements against the strategies, with intervals and tests.

Modules, in the order data flows through them:

* :mod:`~graph.evaluation.shapes` and :mod:`~graph.evaluation.cases` — the placements input and its
  validation (bad lines reported, good ones kept); document formats plug in through a
  :class:`~graph.evaluation.cases.RecordReader` (``loaders.placements.PlacementReader``);
* :mod:`~graph.evaluation.history` — each case as of its hiring date, with every strategy;
* :mod:`~graph.evaluation.metrics`, :mod:`~graph.evaluation.stats`, :mod:`~graph.evaluation.splits`
  — hit@k, MRR, coverage, widened horizon, intervals, paired tests, out-of-sample views;
* :mod:`~graph.evaluation.groups`, :mod:`~graph.evaluation.usefulness` — breakdowns joined after the
  replay, consultants' feedback from the ledger;
* :mod:`~graph.evaluation.run`, :mod:`~graph.evaluation.report`, :mod:`~graph.evaluation.plots` —
  one evaluation end to end and its report (JSON, Markdown, SVG).

See docs/EVALUATION.md.
"""

from graph.evaluation.cases import (
    Case,
    CaseSet,
    Hire,
    RecordReader,
    RecordShapeReader,
    Rejection,
    collect_cases,
    collect_postings,
)
from graph.evaluation.groups import Groups, read_groups
from graph.evaluation.history import Listing, Outcome, replay
from graph.evaluation.report import write_report
from graph.evaluation.run import STRATEGIES, Evaluation, Inputs, Options, evaluate, load_postings
from graph.evaluation.splits import SPLITS

__all__ = [
    "SPLITS",
    "STRATEGIES",
    "Case",
    "CaseSet",
    "Evaluation",
    "Groups",
    "Hire",
    "Inputs",
    "Listing",
    "Options",
    "Outcome",
    "RecordReader",
    "RecordShapeReader",
    "Rejection",
    "collect_cases",
    "collect_postings",
    "evaluate",
    "load_postings",
    "read_groups",
    "replay",
    "write_report",
]
