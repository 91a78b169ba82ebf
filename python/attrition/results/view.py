"""What the views and tables of a result read from it.

:mod:`.display` (text and HTML) and :mod:`.frames` (pandas and xarray) take a
:class:`ResultView`, the part of :class:`~attrition.results.Result` they use,
so that they depend on this interface and not on the facade that calls them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import numpy as np

from ..scenario import Scenario
from .storage import ColumnStorage, SeriesStorage

__all__ = ["ResultView"]


class ResultView(Protocol):
    """A result as its views and tables see it (:class:`~attrition.results.Result` is one)."""

    scenario: Scenario
    seed: int
    n: int
    _ranges: list[tuple[int, int]]
    _series: SeriesStorage
    _outcomes: ColumnStorage
    _params: ColumnStorage

    @property
    def days(self) -> int: ...

    @property
    def dates(self) -> np.ndarray: ...

    @property
    def paths(self) -> bool: ...

    @property
    def outcomes_kept(self) -> str: ...

    @property
    def series_names(self) -> list[str]: ...

    @property
    def outcome_names(self) -> list[str]: ...

    def _check_series(self, name: str) -> None: ...

    def series(self, name: str) -> np.ndarray: ...

    def quantiles(self, name: str, q: float | Sequence[float]) -> np.ndarray: ...

    def stats(self, name: str) -> dict[str, np.ndarray]: ...

    def is_event(self, name: str) -> bool: ...

    def outcome_table(
        self, names: str | Iterable[str] | None = None, q: Sequence[float] = (0.05, 0.5, 0.95)
    ) -> list[dict[str, Any]]: ...
