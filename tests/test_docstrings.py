"""Every public object of the API has a docstring: the documentation site is built from them
(mkdocstrings), so a missing one is a hole in the reference."""

import importlib
import inspect

import pytest

import attrition

#: The public modules: the package and the subpackages users import from.
PUBLIC = [
    "attrition",
    "attrition.calibration",
    "attrition.data",
    "attrition.engine",
    "attrition.parallel",
    "attrition.results",
    "attrition.scenario",
    "attrition.sensitivity",
    "attrition.visual",
]


def _objects():
    seen = set()
    for modname in PUBLIC:
        mod = importlib.import_module(modname)
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if inspect.ismodule(obj) or not (inspect.isclass(obj) or callable(obj)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{modname}.{name}", obj
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    if isinstance(member, (staticmethod, classmethod)):
                        member = member.__func__
                    if inspect.isfunction(member) or isinstance(member, property):
                        yield f"{modname}.{name}.{attr}", getattr(obj, attr) if inspect.isfunction(member) else member


OBJECTS = list(_objects())


def test_the_walk_finds_the_api():
    names = {n for n, _ in OBJECTS}
    assert {"attrition.run", "attrition.Result.event", "attrition.results.EventTime.median"} <= names
    assert len(OBJECTS) > 100


@pytest.mark.parametrize("name,obj", OBJECTS, ids=[n for n, _ in OBJECTS])
def test_has_a_docstring(name, obj):
    doc = inspect.getdoc(obj)  # an override inherits its base class's documentation
    assert doc and doc.strip(), f"{name} has no docstring"


def test_lazy_names_are_public_too():
    for name in ("calibrate", "Calibration"):
        assert getattr(attrition, name).__doc__
