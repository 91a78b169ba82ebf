"""Do the inputs agree with what has been observed? Calibration by ABC-SMC.

:func:`calibrate` fits chosen uncertain parameters of a scenario to an observed
daily series (by default a side's daily casualties against the General Staff's
``personnel_daily``, :func:`attrition.data.gs_losses`) over a date window, by
approximate Bayesian computation with sequential Monte Carlo: the engine
simulates, one batch of trajectories per generation, each trajectory carrying
one particle's parameter values as explicit samples. It returns a
:class:`Calibration`, the weighted posterior.

The parts, each described beside its code: :mod:`~attrition.calibration.smc`
(the algorithm), :mod:`~attrition.calibration.summary_stats` (the summary
statistics of a daily series, :func:`daily_stats`, and of its slow movements, :func:`block_stats`),
:mod:`~attrition.calibration.distance` (how far a simulation is from the
observation) and :mod:`~attrition.calibration.result` (:class:`Calibration`).
``help(calibrate)`` shows all three descriptions.

:func:`backtest` scores the model's forecasts of the record at rolling
origins against naive forecasts (:mod:`~attrition.calibration.backtest`,
:mod:`~attrition.calibration.baselines`, :mod:`~attrition.calibration.scores`).

Needs the ``calibrate`` extra (scipy, pandas); the plot needs matplotlib; the
backtest's scores need the ``validity`` extra (scoringrules).
"""

from .backtest import backtest
from .result import Calibration
from .scores import Backtest
from .smc import calibrate
from .summary_stats import BLOCK_STAT_NAMES, STAT_NAMES, block_stats, daily_stats

__all__ = [
    "BLOCK_STAT_NAMES",
    "STAT_NAMES",
    "Backtest",
    "Calibration",
    "backtest",
    "block_stats",
    "calibrate",
    "daily_stats",
]
