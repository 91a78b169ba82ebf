"""What a simulation shows of the observed series.

By default a calibration compares one daily series of the scenario (a side's
daily casualties) with the observed one. Two generalisations serve records
that count something the model keeps in several places or counts differently:

- ``series`` may name several series (or glob patterns): their sum is compared,
  e.g. ``"russia.fleet.*.destroyed"`` for all the Russian fleets' guns destroyed.
  A cumulative series (the registry's unit says "cumulative", e.g. guns
  destroyed since day 0) is compared by its daily increments, the first day's
  being its value on day 0.
- ``reporting``, a distribution, adds an observation factor fitted with the
  parameters: the observed series is compared with the factor times the
  simulated one. It stands for what the model does not count and the record
  does (or the reverse): the General Staff's claims of "artillery systems"
  destroyed, for instance, run far above the guns the model's fleets hold and
  lose. The factor is a column ``reporting`` of the posterior; it is not a
  parameter of the scenario.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .._utils.names import select
from ..scenario import Scenario
from ..scenario.registry import unit

__all__ = ["REPORTING", "Observation"]

#: The posterior column of the observation factor.
REPORTING = "reporting"


class Observation:
    """The simulated counterpart of the observed series.

    Parameters
    ----------
    scenario
        The scenario run over the window.
    series
        A series name or pattern, or several: their sum is compared.
    """

    def __init__(self, scenario: Scenario, series: str | Iterable[str]) -> None:
        patterns = [series] if isinstance(series, str) else list(series)
        if not patterns:
            raise ValueError("series is empty: name the series to compare")
        self.names = select(list(scenario.series_names), patterns, "series", empty_pattern_ok=False)
        self.cumulative = ["cumulative" in unit(n) for n in self.names]
        self.label = patterns[0] if len(patterns) == 1 else " + ".join(patterns)

    def __call__(self, result: Any, factor: np.ndarray | None = None) -> np.ndarray:
        """``(n, days)``: the daily values of the compared series in ``result``, times ``factor`` (per trajectory)."""
        total = None
        for name, cum in zip(self.names, self.cumulative, strict=True):
            x = np.asarray(result.series(name), dtype=float)
            if cum:
                x = np.diff(x, axis=1, prepend=0.0)
            total = x if total is None else total + x
        assert total is not None
        if factor is not None:
            total = total * np.asarray(factor, dtype=float)[:, None]
        return total


def tied_columns(
    unc: Mapping[str, Any], names: list[str], tie: str | Iterable[str]
) -> tuple[list[str], dict[str, list[str]]]:
    """The fitted columns and the scenario paths each one sets: every name its own column,
    except the names a ``tie`` pattern matches, which share one column named by the pattern.
    Tied parameters must have the same prior."""
    patterns = [tie] if isinstance(tie, str) else list(tie)
    owner: dict[str, str] = {}
    for pat in patterns:
        matched = select(names, [pat], "calibrated parameter", empty_pattern_ok=False)
        specs = {repr(unc[p]["spec"]) for p in matched}
        if len(specs) > 1:
            raise ValueError(f"tie={pat!r}: the tied parameters need one prior; {', '.join(matched)} differ")
        owner.update({p: pat for p in matched if p not in owner})
    columns = list(dict.fromkeys(owner.get(p, p) for p in names))
    return columns, {c: [p for p in names if owner.get(p, p) == c] for c in columns}
