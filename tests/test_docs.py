"""The docstring examples of the public API run as tests."""

import doctest
import importlib

import pytest

MODULES = ["attrition", "attrition.scenario", "attrition.runner", "attrition.results", "attrition.cli", "attrition.distributed", "attrition.visual", "attrition.visual.accessor", "attrition.visual.difference", "attrition.visual.report", "attrition.sensitivity", "attrition.data", "attrition.calibration", "attrition.calibration.smc", "attrition.calibration.summary_stats", "attrition.calibration.distance", "attrition.calibration.result", "attrition._dist"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    failures, _ = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
