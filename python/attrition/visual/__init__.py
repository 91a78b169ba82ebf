"""Charts of results and reports (needs the ``plot`` extra: matplotlib).

``Result.plot`` returns a :class:`ResultPlot`, whose methods draw one result:
``fan``, ``fans`` and ``compare`` (series over dates), ``hist`` and
``survival`` (an outcome over trajectories) and ``tornado`` (which drawn
parameters drive an outcome). :func:`difference` draws a
:class:`~attrition.Comparison`; :func:`write_report` writes a static report
of a run (HTML, PNG charts and CSV files); :func:`sweep_chart` draws an outcome
of a :func:`~attrition.sweep` over its levers (``SweepResult.plot``).

Every chart takes ``ax=`` (a new figure when omitted) and returns the Axes, so
charts compose: draw a second result on the same axes, or put several in a
grid. Colours are the Okabe-Ito palette (:data:`OKABE_ITO`, safe for the
common forms of colour blindness); axes carry units and real dates.
Importing this package does not import matplotlib; drawing does.

Examples
--------
>>> import attrition
>>> base = attrition.run("baseline-2024-12", n=100, seed=1, series=["russia.ammo.152mm.stock"])
>>> cut = attrition.run("dprk-cutoff-2025-01-20", n=100, seed=1, series=["russia.ammo.152mm.stock"])
>>> ax = base.plot.compare(cut, "russia.ammo.152mm.stock")
>>> ax.get_ylabel()
'shells'
>>> import matplotlib.pyplot as plt; plt.close("all")
"""

from .accessor import ResultPlot
from .difference import difference
from .report import main_side, write_report
from .style import OKABE_ITO
from .sweeps import sweep_chart

__all__ = ["OKABE_ITO", "ResultPlot", "difference", "main_side", "sweep_chart", "write_report"]
