"""The distributions of uncertain parameters, as the engine defines them.

Sensitivity designs and calibration draw their points in the unit hypercube
(or in normal scores) and map them onto each parameter through its own
distribution. :class:`Dist` is the engine's own (``_core.Dist``): the same
families, parameterisation and validation as a scenario, with its CDF and
inverse CDFs computed in the Rust core, so there is one definition of each
distribution. docs/model.md section 2 describes the families.

Examples
--------
>>> from attrition.scenario.dist import Dist, ppf
>>> ppf({"dist": "uniform", "low": 10, "high": 20}, [0.0, 0.25, 1.0]).tolist()
[10.0, 12.5, 20.0]
>>> ppf({"dist": "choice", "values": [1, 2, 3], "weights": [1, 1, 2]}, [0.1, 0.3, 0.9]).tolist()
[1.0, 2.0, 3.0]
>>> d = Dist({"dist": "pert", "low": 0, "mode": 5, "high": 10})
>>> round(float(d.ppf(0.5)), 6), d.support()
(5.0, (0.0, 10.0))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _core

__all__ = ["Dist", "ppf"]

#: A scenario distribution with its CDF and inverse CDFs (the engine's ``_core.Dist``).
Dist = _core.Dist


def ppf(spec: Mapping[str, Any] | float | str, u: Any) -> np.ndarray:
    """Inverse CDF of a scenario distribution (a ``spec`` dict as in
    :meth:`attrition.Scenario.uncertain`, a 90 % interval such as ``"5000 to 12000"``,
    or a number) at ``u`` in [0, 1], as a float64 array of ``u``'s shape."""
    if isinstance(spec, Mapping):
        spec = dict(spec)
    elif not isinstance(spec, str):
        spec = float(spec)
    return np.asarray(Dist(spec).ppf(np.asarray(u, dtype=float)))
