"""Scenarios: the :class:`Scenario` class and the built-in scenarios, the inverse
CDFs of their distributions (:mod:`.dist`), the units and labels of series and
outcomes (:mod:`.registry`) and their text and HTML display (:mod:`.display`)."""

from .scenario import Scenario, as_scenario, builtins

__all__ = ["Scenario", "as_scenario", "builtins"]
