"""Results of runs: the :class:`Result` facade, its storage (full paths or
streaming summaries; per-trajectory arrays or sketches), :func:`merge`, and
their tables (pandas, xarray) and text and HTML display."""

from .events import EventTime
from .merging import merge
from .result import PLOT_BACKEND, SUMMARY_QUANTILES, Result
from .storage import ColumnArrays, ColumnSketches, PathSeries, SummarySeries

__all__ = [
    "PLOT_BACKEND",
    "SUMMARY_QUANTILES",
    "ColumnArrays",
    "ColumnSketches",
    "EventTime",
    "PathSeries",
    "Result",
    "SummarySeries",
    "merge",
]
