"""The statistics attrition computes in Python, each written once.

Quantiles follow one convention everywhere, weighted or not: the **inverted
empirical CDF**, the smallest value ``x`` whose cumulative weight reaches
``q`` times the total (``numpy.quantile(..., method="inverted_cdf")`` when
every weight is one). Rank correlation is Spearman's rho with average ranks
for ties.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["chance_rho", "quantiles", "rankdata", "spearman"]


def quantiles(
    x: np.ndarray, q: float | Sequence[float], weights: np.ndarray | None = None, *, axis: int | None = None
) -> np.ndarray:
    """Quantiles of ``x`` by the inverted empirical CDF, optionally weighted.

    NaNs must be removed by the caller. Returns an array of ``np.shape(q)``; with
    ``axis`` (unweighted only), the quantiles along that axis, ``np.shape(q)``
    followed by the other axes' shape (as ``numpy.quantile``).
    """
    qs = np.asarray(q, dtype=float)
    if axis is not None:
        if weights is not None:
            raise ValueError("weighted quantiles are of a flat sample: axis must be None")
        return np.asarray(np.quantile(np.asarray(x, dtype=float), qs, axis=axis, method="inverted_cdf"), dtype=float)
    x = np.asarray(x, dtype=float).ravel()
    if x.size == 0:
        return np.full(qs.shape, np.nan)
    if weights is None:
        return np.asarray(np.quantile(x, qs, method="inverted_cdf"), dtype=float)
    w = np.asarray(weights, dtype=float).ravel()
    if w.shape != x.shape:
        raise ValueError(f"weights have shape {w.shape}; expected {x.shape}")
    order = np.argsort(x, kind="stable")
    cw = np.cumsum(w[order])
    total = cw[-1]
    # Allow for rounding in the running sum: q x total may sit a few ulps above
    # the cumulative weight that reaches it.
    idx = np.searchsorted(cw, qs * total * (1 - 1e-12), side="left")
    return x[order][np.minimum(idx, x.size - 1)]


def rankdata(a: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties given their average rank (as ``scipy.stats.rankdata``'s default)."""
    a = np.asarray(a, dtype=float)
    order = np.argsort(a, kind="mergesort")
    s = a[order]
    first = np.concatenate([[True], s[1:] != s[:-1]])
    group = np.cumsum(first) - 1
    counts = np.bincount(group)
    ends = np.cumsum(counts)
    avg = ends - (counts - 1) / 2.0
    ranks = np.empty(a.size)
    ranks[order] = avg[group]
    return ranks


def spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    """Spearman's rho of ``x`` and ``y`` over the pairs where neither is NaN, and
    the number of such pairs. Infinities rank as the largest or smallest values.
    rho is NaN when fewer than 3 pairs remain or either side is constant."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"x and y differ in shape: {x.shape} and {y.shape}")
    ok = ~(np.isnan(x) | np.isnan(y))
    used = int(ok.sum())
    if used < 3:
        return float("nan"), used
    rx = rankdata(x[ok])
    ry = rankdata(y[ok])
    rx -= rx.mean()
    ry -= ry.mean()
    den = math.sqrt(float(rx @ rx) * float(ry @ ry))
    if den == 0:
        return float("nan"), used
    return float(np.clip(float(rx @ ry) / den, -1.0, 1.0)), used


def chance_rho(n: int, m: int, level: float = 0.95) -> float:
    """The ``|rho|`` that ``m`` independent null rank correlations over ``n`` pairs all
    stay below with probability ``level`` (Bonferroni; rho is about normal with
    sd ``1 / sqrt(n - 1)``)."""
    from statistics import NormalDist

    z = NormalDist().inv_cdf(1 - (1 - level) / (2 * max(1, m)))
    return z / math.sqrt(max(1, n - 1))
