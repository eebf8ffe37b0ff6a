"""Intervals and paired tests in numpy: Wilson intervals, percentile bootstrap, McNemar exact, sign flips.

Every random procedure takes the seed and builds its own generator, so a figure depends only on the
data and the seed, never on which other figures were computed first. Two calls over the same number
of cases draw the same resamples (common random numbers): differences between metrics are then not
blurred by different resampling noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# 95 % two-sided intervals throughout: the convention readers of employment statistics expect.
CONFIDENCE = 0.95
# Resamples for bootstrap intervals: 2,000 puts the 2.5 % / 97.5 % percentiles within about ±0.1
# percentage points of their limit for shares, at a cost of seconds for 10,000 cases.
BOOTSTRAP_RESAMPLES = 2000
# Random sign flips for the paired permutation test: 10,000 resolves p-values down to 1e-4.
PERMUTATIONS = 10_000
# Resample rows drawn per numpy call: bounds memory to ~chunk × cases × 8 bytes per metric.
_CHUNK = 100


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float

    def as_list(self) -> list[float]:
        return [round(self.low, 6), round(self.high, 6)]


def _z(confidence: float) -> float:
    """Two-sided normal quantile (by bisection on erf: no scipy)."""
    target = 1 - (1 - confidence) / 2
    lo, hi = 0.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < target:
            lo = mid
        else:
            hi = mid
    return float((lo + hi) / 2)


def wilson(successes: int, n: int, confidence: float = CONFIDENCE) -> Interval | None:
    """Wilson score interval for a share; None when there are no cases.

    Chosen over the normal approximation because it stays inside [0, 1] and keeps its coverage for
    shares near 0 or 1 and for the small groups of a breakdown.
    """
    if n <= 0:
        return None
    z = _z(confidence)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def bootstrap_means(columns: FloatArray, *, seed: int, resamples: int = BOOTSTRAP_RESAMPLES) -> FloatArray:
    """Means of each row of ``columns`` (metrics × cases) over ``resamples`` case resamples.

    The same resampled case sets are used for every row, so paired differences stay paired.
    Returns an array metrics × resamples.
    """
    cols = np.atleast_2d(np.asarray(columns, dtype=np.float64))
    m, n = cols.shape
    out = np.empty((m, resamples), dtype=np.float64)
    if n == 0:
        out.fill(np.nan)
        return out
    rng = np.random.default_rng(seed)
    for start in range(0, resamples, _CHUNK):
        size = min(_CHUNK, resamples - start)
        idx = rng.integers(0, n, size=(size, n))
        out[:, start:start + size] = cols[:, idx].mean(axis=2)
    return out


def percentile_interval(samples: FloatArray, confidence: float = CONFIDENCE) -> Interval | None:
    """The percentile bootstrap interval of one row of resampled statistics; None without data."""
    s = np.asarray(samples, dtype=np.float64)
    if s.size == 0 or np.isnan(s).all():
        return None
    alpha = (1 - confidence) / 2
    lo, hi = np.quantile(s, [alpha, 1 - alpha])
    return Interval(float(lo), float(hi))


def bootstrap_mean(values: FloatArray, *, seed: int, resamples: int = BOOTSTRAP_RESAMPLES,
                   confidence: float = CONFIDENCE) -> Interval | None:
    """Percentile bootstrap interval of the mean of ``values``; None when empty."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return None
    return percentile_interval(bootstrap_means(v[None, :], seed=seed, resamples=resamples)[0], confidence)


def mcnemar_exact(a_only: int, b_only: int) -> float:
    """Two-sided exact McNemar p-value: under "no difference" each discordant case is a fair coin.

    ``a_only`` cases where only A succeeded, ``b_only`` where only B did. Exact binomial (integer
    arithmetic, so no underflow for tens of thousands of discordant pairs); 1.0 with none.
    """
    n = a_only + b_only
    if n == 0:
        return 1.0
    # C(n, i+1) = C(n, i)·(n−i)/(i+1), exact in integers: one multiplication a term instead of a fresh
    # math.comb each time (which is quadratic over thousands of discordant cases).
    term = tail = 1
    for i in range(min(a_only, b_only)):
        term = term * (n - i) // (i + 1)
        tail += term
    return min(1.0, 2 * tail / (1 << n))


def sign_flip_p(differences: FloatArray, *, seed: int, permutations: int = PERMUTATIONS) -> float:
    """Two-sided paired permutation test of mean difference 0 by random sign flips.

    Under "no difference" each case's difference is as likely negative as positive. Returns
    (1 + #{|flipped mean| >= |observed mean|}) / (1 + permutations), never 0; 1.0 if all are 0.
    """
    d = np.asarray(differences, dtype=np.float64)
    if d.size == 0 or not np.any(d):
        return 1.0
    observed = abs(float(d.mean()))
    # A relative tolerance so that flips reproducing the observed mean exactly are counted despite
    # floating-point summation order.
    tol = 1e-12 * max(1.0, observed)
    rng = np.random.default_rng(seed)
    extreme = 0
    for start in range(0, permutations, _CHUNK):
        size = min(_CHUNK, permutations - start)
        signs = rng.integers(0, 2, size=(size, d.size)) * 2 - 1
        means = np.abs((signs * d).mean(axis=1))
        extreme += int(np.count_nonzero(means >= observed - tol))
    return (1 + extreme) / (1 + permutations)
