"""attrition: Monte Carlo scenarios of a war of attrition.

Artillery ammunition supply, howitzer barrel wear, casualties and territory,
with uncertain inputs drawn per trajectory and reproducible keyed random
streams. See ``MODEL.md`` for the model.

Examples
--------
>>> import attrition
>>> r = attrition.run("baseline-2024-12", n=50, seed=7)
>>> r.n, r.days
(50, 730)
"""

from . import _core
from .errors import AttritionError, ResourceError, ScenarioError
from .compare import Comparison, compare
from .distributed import SweepResult, sweep
from .results import Result, merge
from .runner import DEFAULT_SERIES, run
from .scenario import Scenario, builtins
from . import data, sensitivity  # submodules: attrition.data.gs_losses(), attrition.sensitivity.sobol()
from . import visual  # submodule: attrition.visual.difference(), attrition.visual.write_report() (need matplotlib)
from .calibration import Calibration, calibrate

__version__: str = _core.__version__
MAX_DAYS: int = _core.MAX_DAYS
MAX_SCENARIO_BYTES: int = _core.MAX_SCENARIO_BYTES

__all__ = [
    "AttritionError",
    "Calibration",
    "Comparison",
    "DEFAULT_SERIES",
    "MAX_DAYS",
    "MAX_SCENARIO_BYTES",
    "ResourceError",
    "Result",
    "Scenario",
    "ScenarioError",
    "SweepResult",
    "__version__",
    "builtins",
    "calibrate",
    "compare",
    "data",
    "merge",
    "run",
    "sensitivity",
    "sweep",
]
