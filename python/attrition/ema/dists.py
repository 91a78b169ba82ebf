"""A scenario's distributions as scipy distributions, which the EMA Workbench samples.

The Workbench samples an uncertainty through its scipy distribution's inverse CDF
(Latin hypercube, Monte Carlo, Sobol' and the other samplers all map points of the
unit interval with ``ppf``). :class:`ScenarioDist` is a scipy distribution whose
CDF and inverse CDF are the engine's own (:class:`attrition.scenario.dist.Dist`),
so the Workbench draws each parameter from exactly the distribution the scenario
gives it. A ``choice`` is a step function in the same way (its weights kept).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from ..scenario.dist import Dist

__all__ = ["ScenarioDist", "frozen"]


class ScenarioDist(stats.rv_continuous):
    """A scipy distribution with the CDF and inverse CDF of a scenario distribution ``spec``."""

    def __init__(self, spec: Any, path: str = "") -> None:
        dist = Dist(spec, path)
        lo, hi = dist.support()
        super().__init__(a=lo, b=hi, name=path or "attrition")
        self.spec = spec
        self.path = path
        self.attrition_dist = dist

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.attrition_dist.cdf(np.asarray(x, dtype=float)), dtype=float)

    def _ppf(self, q: np.ndarray) -> np.ndarray:
        return np.asarray(self.attrition_dist.ppf(np.asarray(q, dtype=float)), dtype=float)

    def _updated_ctor_param(self) -> dict[str, Any]:
        # scipy rebuilds a distribution from these (when it is frozen or copied).
        return {"spec": self.spec, "path": self.path}

    def __reduce__(self) -> tuple[Any, ...]:
        return (ScenarioDist, (self.spec, self.path))


def frozen(spec: Any, path: str = "") -> Any:
    """The frozen scipy distribution of a scenario distribution."""
    return ScenarioDist(spec, path)()
