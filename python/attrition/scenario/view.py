"""What the views of a scenario read from it.

:mod:`.display` (text and HTML) and :mod:`.provenance` (where values come from)
take a :class:`ScenarioView`, the part of :class:`~attrition.Scenario` they use,
so that they depend on this interface and not on the facade that calls them.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Protocol

import numpy as np

from .. import _core
from .levers import Lever

__all__ = ["ScenarioView"]


class ScenarioView(Protocol):
    """A scenario as its views see it (:class:`~attrition.Scenario` is one)."""

    _core: _core.Scenario

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def start(self) -> _dt.date: ...

    @property
    def days(self) -> int: ...

    @property
    def dates(self) -> np.ndarray: ...

    @property
    def sides(self) -> list[str]: ...

    @property
    def levers(self) -> dict[str, Lever]: ...

    @property
    def correlations(self) -> list[dict[str, Any]]: ...

    def to_dict(self) -> dict[str, Any]: ...

    def uncertain_list(self) -> list[dict[str, Any]]: ...
