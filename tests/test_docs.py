"""The docstring examples of the package run as tests, module by module."""

import doctest
import importlib
import pkgutil

import pytest

import attrition

#: The package and every module in it but the compiled core.
MODULES = ["attrition"] + sorted(
    m.name for m in pkgutil.walk_packages(attrition.__path__, "attrition.") if m.name != "attrition._core"
)

#: Modules whose public functions and classes carry examples: each must keep some.
WITH_EXAMPLES = [
    "attrition",
    "attrition.api",
    "attrition.calibration.smc",
    "attrition.data",
    "attrition.engine.options",
    "attrition.parallel.planning",
    "attrition.parallel.run",
    "attrition.parallel.sweeps",
    "attrition.results.merging",
    "attrition.results.result",
    "attrition.scenario.dist",
    "attrition.scenario.levers",
    "attrition.scenario.scenario",
    "attrition.sensitivity",
    "attrition.visual.accessor",
]


def test_every_module_is_collected():
    assert set(WITH_EXAMPLES) <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    failures, attempted = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
    if name in WITH_EXAMPLES:
        assert attempted > 0, f"{name} has no docstring examples left"
