import pathlib

import pytest

import attrition

DATA = pathlib.Path(__file__).parent / "data"

try:  # Hypothesis profiles of the property-based tests (see docs/reliability.md).
    import datetime as _dt
    import os as _os

    from hypothesis import settings as _settings

    # ci: a fixed (derandomised) set of examples, no example database, a deadline that flags
    # an example far slower than the others. fuzz: fresh random examples on every run, kept
    # in the example database; selected when ATTRITION_FUZZ_EXAMPLES asks for a longer run.
    _settings.register_profile(
        "ci", derandomize=True, database=None, deadline=_dt.timedelta(seconds=10), print_blob=True
    )
    _settings.register_profile("fuzz", derandomize=False, deadline=_dt.timedelta(seconds=30), print_blob=True)
    _default = "fuzz" if _os.environ.get("ATTRITION_FUZZ_EXAMPLES", "").strip() else "ci"
    _settings.load_profile(_os.environ.get("HYPOTHESIS_PROFILE", _default))
except ImportError:  # pragma: no cover - hypothesis is in the test extra
    pass


@pytest.fixture
def small() -> attrition.Scenario:
    """A small two-sided scenario with every sub-model."""
    return attrition.Scenario.load(DATA / "two_sides.toml")


@pytest.fixture
def small_dict(small) -> dict:
    return small.to_dict()


@pytest.fixture
def levered(small, request) -> attrition.Scenario:
    """The small scenario with the ``LEVERS`` table (TOML text) of the requesting test module."""
    return attrition.Scenario.from_toml(small.to_toml() + request.module.LEVERS)
