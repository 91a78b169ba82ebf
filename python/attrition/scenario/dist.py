"""Inverse CDFs of the scenario distributions (``src/scenario/dist.rs``) in Python.

Sensitivity designs and calibration draw their points in the unit hypercube
(or in normal scores) and map them onto each parameter through its own
distribution. These are the same distributions the engine samples from, with
the same parameterisation:

=============  ==================================================================
``fixed``      the value (a point mass)
``uniform``    flat on [low, high]
``triangular`` triangular(low, mode, high)
``pert``       Beta(alpha, beta) scaled to [low, high] with
               alpha = 1 + shape (mode - low) / (high - low),
               beta = 1 + shape (high - mode) / (high - low), shape 4 by default
``normal``     N(mean, sd), truncated to [low, high] in the CDF when given
``lognormal``  exp(N(mu, sigma)), truncated to [low, high] in the CDF when given
``beta``       Beta(a, b) scaled to [low, high] (default [0, 1])
``choice``     one of the values with probabilities proportional to the weights;
               the inverse CDF is the smallest value whose cumulative weight
               exceeds u (as the engine does)
=============  ==================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .._utils.fmt import shown
from .._utils.optional import require

__all__ = ["Marginal", "ppf"]


def _scipy() -> tuple[Any, Any]:
    """``scipy.stats`` and ``scipy.special``."""
    purpose = "the inverse CDFs of scenario distributions"
    return require("scipy.stats", purpose=purpose), require("scipy.special", purpose=purpose)


class Marginal:
    """One uncertain parameter's distribution, from its ``spec`` dict
    (as in :meth:`attrition.Scenario.uncertain`).

    ``ppf(u)`` is the inverse CDF on [0, 1]; ``from_normal_score(z)`` maps a
    standard-normal score z to ``ppf(Phi(z))`` without losing the upper tail.
    """

    def __init__(self, spec: Mapping[str, Any] | float, path: str = "") -> None:
        stats, _ = _scipy()
        self.path = path
        if not isinstance(spec, Mapping):
            spec = {"dist": "fixed", "value": float(spec)}
        self.spec = dict(spec)
        kind = self.spec.get("dist")
        self.kind = kind
        self.constant: float | None = None
        self.discrete = False
        self._log = False
        self._d: Any = None
        g = lambda k, default=None: float(self.spec[k]) if k in self.spec else default  # noqa: E731
        if kind == "fixed":
            self.constant = g("value")
        elif kind == "uniform":
            lo, hi = g("low"), g("high")
            if hi == lo:
                self.constant = lo
            else:
                self._d = stats.uniform(loc=lo, scale=hi - lo)
        elif kind == "triangular":
            lo, mode, hi = g("low"), g("mode"), g("high")
            self._d = stats.triang((mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
        elif kind == "pert":
            lo, mode, hi, shape = g("low"), g("mode"), g("high"), g("shape", 4.0)
            a = 1.0 + shape * (mode - lo) / (hi - lo)
            b = 1.0 + shape * (hi - mode) / (hi - lo)
            self._d = stats.beta(a, b, loc=lo, scale=hi - lo)
        elif kind in ("normal", "lognormal"):
            log = kind == "lognormal"
            m, s = (g("mu"), g("sigma")) if log else (g("mean"), g("sd"))
            lo, hi = g("low"), g("high")
            if s == 0.0:
                self.constant = float(np.exp(m)) if log else m
            else:
                if log:
                    lo = None if lo is None else (np.log(lo) if lo > 0 else None)
                    hi = None if hi is None else np.log(hi)
                    self._log = True
                if lo is None and hi is None:
                    self._d = stats.norm(loc=m, scale=s)
                else:
                    a = -np.inf if lo is None else (lo - m) / s
                    b = np.inf if hi is None else (hi - m) / s
                    self._d = stats.truncnorm(a, b, loc=m, scale=s)
        elif kind == "beta":
            lo, hi = g("low", 0.0), g("high", 1.0)
            self._d = stats.beta(g("a"), g("b"), loc=lo, scale=hi - lo)
        elif kind == "choice":
            values = np.asarray(self.spec["values"], dtype=float)
            w = np.asarray(self.spec.get("weights", np.ones(len(values))), dtype=float)
            self.values = values
            self.cum = np.cumsum(w) / w.sum()
            self.last = int(np.flatnonzero(w > 0)[-1])
            self.discrete = True
            if len(np.unique(values[w > 0])) == 1:
                self.constant = float(values[self.last])
        else:
            raise ValueError(f"{path or 'parameter'}: unknown distribution {shown(kind)}")

    @property
    def degenerate(self) -> bool:
        """True when the distribution is a single value."""
        return self.constant is not None

    def ppf(self, u: Any) -> np.ndarray:
        """Inverse CDF at ``u`` in [0, 1]."""
        u = np.asarray(u, dtype=float)
        if self.constant is not None:
            return np.full(u.shape, self.constant)
        if self.discrete:
            i = np.minimum(np.searchsorted(self.cum, u, side="right"), self.last)
            return self.values[i]
        x = self._d.ppf(u)
        return np.exp(x) if self._log else x

    def isf(self, q: Any) -> np.ndarray:
        """Inverse survival function: the value exceeded with probability ``q``."""
        q = np.asarray(q, dtype=float)
        if self.constant is not None or self.discrete:
            return self.ppf(1.0 - q)
        x = self._d.isf(q)
        return np.exp(x) if self._log else x

    def cdf(self, x: Any) -> np.ndarray:
        """CDF at ``x``."""
        x = np.asarray(x, dtype=float)
        if self.constant is not None:
            return (x >= self.constant).astype(float)
        if self.discrete:
            order = np.argsort(self.values, kind="stable")
            v = self.values[order]
            w = np.diff(np.concatenate([[0.0], self.cum]))[order]
            return np.concatenate([[0.0], np.cumsum(w)])[np.searchsorted(v, x, side="right")]
        if self._log:
            with np.errstate(divide="ignore"):
                x = np.where(x > 0, np.log(np.maximum(x, 1e-300)), -np.inf)
        return self._d.cdf(x)

    def from_normal_score(self, z: Any) -> np.ndarray:
        """``ppf(Phi(z))``, computed as ``isf(Phi(-z))`` above the median for accuracy in the upper tail."""
        _, special = _scipy()
        z = np.asarray(z, dtype=float)
        lower = z < 0
        out = np.empty(z.shape)
        out[lower] = self.ppf(special.ndtr(z[lower]))
        out[~lower] = self.isf(special.ndtr(-z[~lower]))
        return out

    def to_normal_score(self, x: Any) -> np.ndarray:
        """``Phi^-1(F(x))``: the normal score of a value (continuous distributions)."""
        _, special = _scipy()
        if self.discrete or self.constant is not None:
            raise ValueError(f"{self.path}: a {self.kind} distribution has no continuous normal score")
        x = np.asarray(x, dtype=float)
        if self._log:
            with np.errstate(divide="ignore"):
                lx = np.where(x > 0, np.log(np.maximum(x, 1e-300)), -np.inf)
        else:
            lx = x
        upper = self._d.sf(lx)
        lower = self._d.cdf(lx)
        return np.where(lower < 0.5, special.ndtri(lower), -special.ndtri(upper))

    def median(self) -> float:
        """The median (for ``choice``, the smallest value with cumulative weight above 1/2)."""
        return float(self.ppf(0.5))

    def support(self) -> tuple[float, float]:
        """Smallest and largest value."""
        if self.constant is not None:
            return (self.constant, self.constant)
        if self.discrete:
            return (float(self.values.min()), float(self.values.max()))
        lo, hi = self._d.support()
        if self._log:
            lo, hi = float(np.exp(lo)), float(np.exp(hi))
        # the spec's own bounds, exactly (exp(log(low)) may differ from low in the last bit)
        return (max(float(self.spec.get("low", lo)), lo), float(self.spec.get("high", hi)))

    def __repr__(self) -> str:
        return f"<Marginal {self.path or ''} {self.spec}>"


def ppf(spec: Mapping[str, Any] | float, u: Any) -> np.ndarray:
    """Inverse CDF of a scenario distribution (a ``spec`` dict as in
    :meth:`attrition.Scenario.uncertain`, or a number) at ``u`` in [0, 1].

    Examples
    --------
    >>> from attrition.sensitivity import ppf
    >>> ppf({"dist": "uniform", "low": 10, "high": 20}, [0.0, 0.25, 1.0]).tolist()
    [10.0, 12.5, 20.0]
    >>> ppf({"dist": "choice", "values": [1, 2, 3], "weights": [1, 1, 2]}, [0.1, 0.3, 0.9]).tolist()
    [1.0, 2.0, 3.0]
    >>> round(float(ppf({"dist": "pert", "low": 0, "mode": 5, "high": 10}, 0.5)), 6)
    5.0
    """
    return Marginal(spec).ppf(u)
