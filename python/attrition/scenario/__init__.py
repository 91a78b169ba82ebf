"""Scenarios: the :class:`Scenario` class and the built-in scenarios, the inverse
CDFs of their distributions (:mod:`.dist`), the units and labels of series and
outcomes (:mod:`.registry`), the format's JSON Schema and field reference
(:mod:`.reference`), the sources register and each value's provenance
(:mod:`.provenance`), and their text and HTML display (:mod:`.display`)."""

from .provenance import fact, facts
from .reference import json_schema
from .scenario import Scenario, as_scenario, builtins

__all__ = ["Scenario", "as_scenario", "builtins", "fact", "facts", "json_schema"]
