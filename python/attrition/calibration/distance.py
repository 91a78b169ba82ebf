"""The distance between a simulation's summary statistics and the observed ones.

``distance="projection"`` (the default): the statistics are first scaled by
their spread (1.4826 x median absolute deviation) over generation 0's prior
simulations, then combined into one statistic per fitted parameter, the
least-squares prediction of the parameter from the scaled statistics, their
squares and pairwise products over those simulations (semi-automatic ABC,
Fearnhead and Prangle 2012). Parameters with positive priors are predicted on
the log scale (rates and dispersions act multiplicatively), and each prediction
is in units of the parameter's prior spread. The distance is the Euclidean
distance between the predictions for a simulation and for the observation. So
every parameter counts once, whatever the number of statistics that inform it,
and statistics that inform no fitted parameter (``acf7`` when only ``base`` is
fitted) get no weight instead of adding noise to every distance. For a side's
casualty series, the log of each simulation's rate on the window's last day
(``base x tempo``, a latent state) is one more prediction, so the kept
simulations also end where the observed series ends and
:attr:`Calibration.rate_at_end` is its posterior. ``informativeness`` reports
the R^2 of each prediction: near 0, the statistics say little about that
parameter and its posterior stays near its prior. ``distance="scaled"`` uses
the scaled statistics themselves (Euclidean), the classic choice, which lets
uninformative statistics dilute the informative ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._utils.fmt import shown
from .summary_stats import TINY

__all__ = ["DISTANCES", "Distance", "targets"]

#: The kinds of distance :class:`Distance` knows.
DISTANCES = ("projection", "scaled")


def targets(values: np.ndarray, log: Sequence[bool], rate: np.ndarray | None = None) -> np.ndarray:
    """What the projection predicts: each parameter's values ``(m, d)``, on the log scale
    where ``log`` says so, and the log of the rate on the window's last day when given."""
    cols = [np.log(np.maximum(values[:, j], TINY)) if lg else values[:, j] for j, lg in enumerate(log)]
    if rate is not None:
        cols.append(np.log(np.maximum(rate, TINY)))
    return np.column_stack(cols)


class Distance:
    """The distance to the observed statistics, fitted on generation 0's prior simulations.

    Parameters
    ----------
    kind
        ``"projection"`` or ``"scaled"`` (see the module's description).
    stats0
        ``(m, s)`` statistics of the prior simulations, every value finite.
    observed
        ``(1, s)`` statistics of the observed series.
    targets0
        ``(m, t)`` :func:`targets` of the same simulations.

    Attributes
    ----------
    scale
        The spread each statistic is divided by, ``(s,)``.
    r2
        R^2 of each projection, ``(t,)`` (NaN with ``"scaled"``).
    """

    def __init__(self, kind: str, stats0: np.ndarray, observed: np.ndarray, targets0: np.ndarray) -> None:
        if kind not in DISTANCES:
            raise ValueError(f"distance must be 'projection' or 'scaled', got {shown(kind)}")
        self.kind = kind
        self._obs = observed
        self._center = np.median(stats0, axis=0)
        spread = 1.4826 * np.median(np.abs(stats0 - self._center), axis=0)
        sd = stats0.std(axis=0)
        self.scale = np.where(spread > 0, spread, np.where(sd > 0, sd, 1.0))
        self._iu = np.triu_indices(stats0.shape[1])
        self._coef: np.ndarray | None = None
        if kind == "projection":
            t_mean, t_sd = targets0.mean(axis=0), np.maximum(targets0.std(axis=0), TINY)
            f0 = self._features(stats0)
            self._coef, *_ = np.linalg.lstsq(f0, (targets0 - t_mean) / t_sd, rcond=None)
            self.r2 = 1.0 - ((targets0 - t_mean) / t_sd - f0 @ self._coef).var(axis=0)
            self._t_obs = self._features(observed) @ self._coef
        else:
            self.r2 = np.full(targets0.shape[1], np.nan)

    def _features(self, st: np.ndarray) -> np.ndarray:
        """The scaled statistics with a constant, their squares and pairwise products."""
        q = (st - self._center) / self.scale
        return np.column_stack([np.ones(len(q)), q, (q[:, :, None] * q[:, None, :])[:, self._iu[0], self._iu[1]]])

    def __call__(self, st: np.ndarray) -> np.ndarray:
        """Distances of ``(n, s)`` statistics to the observed ones; inf where a statistic is not finite."""
        if self._coef is not None:
            q = self._features(st) @ self._coef - self._t_obs
        else:
            q = (st - self._obs) / self.scale
        q = np.where(np.isfinite(q), q, np.inf)
        return np.sqrt((q * q).sum(axis=1))
