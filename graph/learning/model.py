"""A learned ranking model and its fit: a conditional logit with non-negative weights.

Each placement is one choice: among the postings the graph offered the citizen on the hiring date,
the one they were hired into. The model scores a posting as ``Σ wᵢ·xᵢ`` over named features in [0, 1]
and is fitted by maximising the likelihood of the hires under a softmax over each case's candidates
(McFadden's conditional logit). Weights are bounded below by 0 because every feature is defined so
that more of it can only help (see FEATURES in graph/matching/vocabulary.py): a learned model can drop
a feature, never turn it against the citizen. SciPy's L-BFGS-B solves that bounded problem exactly.

The file keeps the weights normalised to sum 1 (the ranking is unchanged by a positive factor), so a
learned score reads as a share like the graph strategy's, and the factor as ``scale``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

from graph.learning.moves import check_moves
from graph.matching.vocabulary import FEATURE_NAMES
from ontology.errors import ValidationError

MODEL_FORMAT = "jobmatch-ranking-model/1"
# L2 penalty on the raw weights (per case): keeps weights of features that never vary in the training
# data at 0 instead of drifting, and the fit well-posed when two features move together.
L2 = 1e-3
# An employer's own share of experienced hires counts as much as this many hires at the overall share:
# an employer with two hires in the history says little about its taste.
EMPLOYER_PRIOR = 5


@dataclass(frozen=True)
class Group:
    """One case's candidates: a row of features per candidate, the hire's row, and a log-weight per row
    correcting for sampled candidates (0 for rows kept with certainty)."""

    x: npt.NDArray[np.float64]
    hire: int
    offset: npt.NDArray[np.float64]


@dataclass(frozen=True)
class RankingModel:
    features: tuple[str, ...]
    weights: tuple[float, ...]  # non-negative, summing to 1
    scale: float  # the fitted weights' sum: the softmax temperature the shares were divided by
    trained: dict[str, Any] = field(default_factory=dict)  # period, counts, code version, data hash, fit
    # Moves between ISCO unit groups seen in the training cases (graph.learning.moves), for alternatives.
    moves: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Per employer: [hires in the training cases, of them by citizens who had worked in the occupation].
    employers: dict[str, list[int]] = field(default_factory=dict)

    def employer_share(self, employer: str, own: tuple[str, int] | None = None) -> float:
        """The share of ``employer``'s hires by experienced citizens, shrunk toward all employers' share
        with the weight of :data:`EMPLOYER_PRIOR` hires; ``own`` (employer, experienced) leaves a training
        case's own hire out of the statistics its features are computed with."""
        return employer_share(self.employers, employer, own)
    @property
    def id(self) -> str:
        """Content address of the model: what a record cites and a replay must find again."""
        blob = json.dumps(self._core(), sort_keys=True, ensure_ascii=False).encode()
        return "learned-" + hashlib.sha256(blob).hexdigest()[:12]

    def _core(self) -> dict[str, Any]:
        return {"format": MODEL_FORMAT, "features": list(self.features), "weights": list(self.weights),
                "scale": self.scale, "trained": self.trained, "moves": self.moves, "employers": self.employers}

    def weight(self) -> dict[str, float]:
        return dict(zip(self.features, self.weights, strict=True))

    def as_json(self) -> dict[str, Any]:
        return {**self._core(), "id": self.id}

    @classmethod
    def from_json(cls, data: Any) -> RankingModel:
        """:raise ValidationError: naming the field that is missing or out of range."""
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise ValidationError(f"not a ranking model (format must be {MODEL_FORMAT})", field="format")
        features, weights = data.get("features"), data.get("weights")
        if not isinstance(features, list) or not features or any(f not in FEATURE_NAMES for f in features):
            raise ValidationError(f"features must be among {', '.join(FEATURE_NAMES)}", field="features")
        if (not isinstance(weights, list) or len(weights) != len(features)
                or any(not isinstance(w, int | float) or w < 0 for w in weights)):
            raise ValidationError("weights: one non-negative number per feature", field="weights")
        scale = data.get("scale")
        if not isinstance(scale, int | float) or scale < 0:
            raise ValidationError("scale must be a non-negative number", field="scale")
        trained = data.get("trained", {})
        if not isinstance(trained, dict):
            raise ValidationError("trained must be an object", field="trained")
        employers = data.get("employers", {})
        if not isinstance(employers, dict) or any(
                not isinstance(v, list) or len(v) != 2 or not all(isinstance(n, int) for n in v) or not 0 <= v[1] <= v[0]
                for v in employers.values()):
            raise ValidationError("employers: [hires, hires by experienced citizens] per employer", field="employers")
        model = cls(tuple(features), tuple(float(w) for w in weights), float(scale), trained,
                    check_moves(data.get("moves", {})), employers)
        if "id" in data and data["id"] != model.id:
            raise ValidationError("the model's id does not match its content (edited by hand?)", field="id")
        return model

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.as_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)  # never a half-written model where a reader looks

    @classmethod
    def load(cls, path: Path) -> RankingModel:
        """:raise ValidationError: (field ``MODEL``) if the file is unreadable, else naming the bad field."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ValidationError(f"cannot read the model file {path}: {e}", field="MODEL") from e
        return cls.from_json(data)


@dataclass(frozen=True)
class Fit:
    raw: npt.NDArray[np.float64]
    loss: float  # mean negative log-likelihood per case at the optimum
    null_loss: float  # the same with all weights 0: every candidate equally likely
    iterations: int
    converged: bool


def fit(groups: Sequence[Group], n_features: int, *, l2: float = L2) -> Fit:
    """Maximum-likelihood non-negative weights for ``groups`` (at least one)."""
    if not groups:
        raise ValidationError("no training case: no hire was among the candidates the graph offered", field="FILE")
    x = np.concatenate([g.x for g in groups])
    off = np.concatenate([g.offset for g in groups])
    sizes = np.array([len(g.x) for g in groups])
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    hires = starts + np.array([g.hire for g in groups])
    owner = np.repeat(np.arange(len(groups)), sizes)
    n = len(groups)

    def objective(w: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        s = x @ w + off
        top = np.maximum.reduceat(s, starts)
        e = np.exp(s - top[owner])
        z = np.add.reduceat(e, starts)
        lse = np.log(z) + top
        loss = float(np.sum(lse - s[hires])) / n + 0.5 * l2 * float(w @ w)
        p = e / z[owner]
        grad = (x.T @ p - x[hires].sum(axis=0)) / n + l2 * w
        return loss, np.asarray(grad, dtype=np.float64)

    w0 = np.ones(n_features)
    res = minimize(objective, w0, jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * n_features)
    null = objective(np.zeros(n_features))[0]
    return Fit(np.asarray(res.x, dtype=np.float64), float(res.fun), null, int(res.nit), bool(res.success))


def employer_share(employers: dict[str, list[int]], employer: str, own: tuple[str, int] | None = None) -> float:
    """See :meth:`RankingModel.employer_share`."""
    # Own hire counted only where the table holds its employer (small employers are left out of the file).
    mine = own is not None and own[0] in employers
    minus_n, minus_x = (1, own[1]) if own is not None and mine else (0, 0)
    total = sum(v[0] for v in employers.values()) - minus_n
    prior = (sum(v[1] for v in employers.values()) - minus_x) / total if total > 0 else 0.0
    n, x = employers.get(employer, [0, 0])
    if own is not None and mine and own[0] == employer:
        n, x = n - 1, x - own[1]
    return (x + EMPLOYER_PRIOR * prior) / (n + EMPLOYER_PRIOR)


def model_of(result: Fit, features: Sequence[str], trained: dict[str, Any],
             moves: dict[str, dict[str, Any]] | None = None,
             employers: dict[str, list[int]] | None = None) -> RankingModel:
    """The model file's form of a fit: weights as shares of their sum, rounded for a stable id."""
    raw = np.maximum(result.raw, 0.0)
    total = float(raw.sum())
    shares = raw / total if total > 0 else np.full(len(raw), 1.0 / len(raw))
    return RankingModel(tuple(features), tuple(round(float(w), 6) for w in shares), round(total, 6),
                        {**trained, "fit": {"mean_log_loss": round(result.loss, 6),
                                            "null_log_loss": round(result.null_loss, 6),
                                            "iterations": result.iterations, "converged": result.converged,
                                            "l2": L2}}, moves or {}, employers or {})
