import pathlib

import pytest

import attrition

DATA = pathlib.Path(__file__).parent / "data"


@pytest.fixture
def small() -> attrition.Scenario:
    """A small two-sided scenario with every sub-model."""
    return attrition.Scenario.load(DATA / "two_sides.toml")


@pytest.fixture
def small_dict(small) -> dict:
    return small.to_dict()
