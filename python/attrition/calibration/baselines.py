"""Naive forecasts of a cumulative count, the yardsticks of :func:`attrition.backtest`.

Each takes the daily increments observed up to the forecast origin (oldest
first, the last one the origin's) and returns an ensemble: ``n`` draws of the
count added over each horizon (to be added to the cumulative at the origin),
shape ``(n, len(horizons))``. Each carries the uncertainty of its own fit and
of the days to come, so that it is scored on the same footing as the model:

- ``last30``: the mean daily rate of the last 30 days, held constant. The
  rate's uncertainty is its standard error; the days are independent with the
  variance of those 30 days. Over ``h`` days the sum is normal with mean
  ``h m`` and variance ``h^2 se^2 + h s^2``.
- ``trend``: a straight line through the window's daily counts (least
  squares), extended; the line's coefficients are drawn from their sampling
  distribution and the days add independent noise of the residual variance;
  the rate is never below zero.
- ``random_walk``: the log of the weekly mean rate is a random walk without
  drift, its step sd the sd of the window's week-to-week changes of the log
  weekly means; it starts from the last week's mean and each week of the
  horizon adds seven days at the week's rate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["BASELINES", "last30", "random_walk", "trend"]


def _check(y: np.ndarray, need: int, name: str) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    if y.ndim != 1 or len(y) < need or not np.all(np.isfinite(y)):
        raise ValueError(f"{name} needs at least {need} finite daily values, got {y.shape}")
    return y


def last30(y: np.ndarray, horizons: Sequence[int], n: int, rng: np.random.Generator) -> np.ndarray:
    """The last 30 days' mean rate held constant (see the module's description)."""
    y = _check(y, 30, "last30")[-30:]
    m, s = y.mean(), y.std(ddof=1)
    h = np.asarray(horizons, dtype=float)
    rate = m + s / np.sqrt(30.0) * rng.standard_normal((n, 1))
    return np.maximum(h * rate + np.sqrt(h) * s * rng.standard_normal((n, len(h))), 0.0)


def trend(y: np.ndarray, horizons: Sequence[int], n: int, rng: np.random.Generator) -> np.ndarray:
    """A linear trend in the daily rate over the window, extended (see the module's description)."""
    y = _check(y, 14, "trend")
    t = np.arange(len(y), dtype=float)
    x = np.column_stack([np.ones_like(t), t])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    s2 = float(resid @ resid) / (len(y) - 2)
    cov = s2 * np.linalg.inv(x.T @ x)
    ab = rng.multivariate_normal(coef, cov, size=n)  # (n, 2)
    hmax = int(max(horizons))
    days = len(y) + np.arange(hmax, dtype=float)  # the days after the window
    rate = np.maximum(ab[:, :1] + ab[:, 1:] * days[None, :], 0.0)  # (n, hmax)
    cum = np.cumsum(rate, axis=1)
    h = np.asarray(horizons, dtype=int)
    noise = np.sqrt(h * s2) * rng.standard_normal((n, len(h)))
    return np.maximum(cum[:, h - 1] + noise, 0.0)


def random_walk(y: np.ndarray, horizons: Sequence[int], n: int, rng: np.random.Generator) -> np.ndarray:
    """A random walk in the log weekly rate (see the module's description)."""
    y = _check(y, 28, "random_walk")
    nw = len(y) // 7
    w = y[len(y) - 7 * nw :].reshape(nw, 7).mean(axis=1)
    lw = np.log(np.maximum(w, 1e-9))
    sd = float(np.diff(lw).std(ddof=1)) if nw > 2 else 0.0
    hmax = int(max(horizons))
    weeks = -(-hmax // 7)
    steps = sd * rng.standard_normal((n, weeks))
    rate = np.exp(lw[-1] + np.cumsum(steps, axis=1))  # (n, weeks): the rate of each coming week
    daily = np.repeat(rate, 7, axis=1)[:, :hmax]
    cum = np.cumsum(daily, axis=1)
    return cum[:, np.asarray(horizons, dtype=int) - 1]


#: The naive forecasts by name.
BASELINES: dict[str, Callable[[np.ndarray, Sequence[int], int, np.random.Generator], np.ndarray]] = {
    "last30": last30,
    "trend": trend,
    "random_walk": random_walk,
}
