"""attrition: Monte Carlo scenarios of a war of attrition.

Artillery ammunition supply, howitzer barrel wear, casualties and territory,
with uncertain inputs drawn per trajectory and reproducible keyed random
streams. ``docs/model.md`` describes the model (it ships with the package:
``attrition.docs.model()``, or ``attrition model`` on the command line), and
``attrition sources <scenario>`` where each input's value comes from.

``import attrition`` loads numpy and the compiled core only; the parts that need
optional packages (pandas, xarray, matplotlib, scipy, SALib, Dask) load on first
use: ``attrition.calibrate``, ``attrition.backtest``, ``attrition.sensitivity``, ``attrition.data`` and
the charts.

Examples
--------
>>> import attrition
>>> r = attrition.run("baseline-2024-12", n=50, seed=7)
>>> r.n, r.days
(50, 730)
"""

from __future__ import annotations

import importlib
from typing import Any

from . import _core
from .api import Comparison, compare, run
from .errors import AttritionError, IntegrityError, ResourceError, ScenarioError, ScenarioWarning, UnknownNameError
from .parallel import SweepResult, sweep
from .results import Result, merge
from .scenario import Scenario, builtins
from .scenario.registry import DEFAULT_SERIES, outcome_info, series_info

__version__: str = _core.__version__
MAX_DAYS: int = _core.MAX_DAYS
MAX_SCENARIO_BYTES: int = _core.MAX_SCENARIO_BYTES

#: Names loaded on first use (PEP 562): name -> (module, attribute or None for the module itself).
_LAZY: dict[str, tuple[str, str | None]] = {
    "calibrate": ("attrition.calibration", "calibrate"),
    "backtest": ("attrition.calibration.backtest", "backtest"),
    "Calibration": ("attrition.calibration", "Calibration"),
    "calibration": ("attrition.calibration", None),
    "data": ("attrition.data", None),
    "sensitivity": ("attrition.sensitivity", None),
    "visual": ("attrition.visual", None),
    "parallel": ("attrition.parallel", None),
}

__all__ = [
    "DEFAULT_SERIES",
    "MAX_DAYS",
    "MAX_SCENARIO_BYTES",
    "AttritionError",
    "IntegrityError",
    "Calibration",
    "Comparison",
    "ResourceError",
    "Result",
    "Scenario",
    "ScenarioError",
    "ScenarioWarning",
    "SweepResult",
    "UnknownNameError",
    "__version__",
    "backtest",
    "builtins",
    "calibrate",
    "compare",
    "data",
    "merge",
    "outcome_info",
    "run",
    "series_info",
    "sensitivity",
    "sweep",
]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'attrition' has no attribute {name!r}") from None
    mod = importlib.import_module(module)
    value = mod if attr is None else getattr(mod, attr)
    # Importing a submodule binds its name here; the attribute asked for wins.
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
