"""The learned ranking: weights for the graph's features, fitted on the job centre's placements.

* :mod:`~graph.learning.model` — the model file (features, non-negative weights, where they came from)
  and the fit (a conditional logit over each case's candidate list);
* :mod:`~graph.learning.rank` — the ``learned`` strategy: the graph strategy's candidates, scored by a
  model as a sum of per-feature contributions (the explanation shown is those contributions);
* :mod:`~graph.learning.training` — each placement replayed as of its hiring date into a training group.

See docs/LEARNING.md.
"""
