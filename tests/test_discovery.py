"""Scenario discovery: conditions written as text, and PRIM and CART boxes on a case whose
answer is known (the Workbench parts skip without it)."""

import datetime as dt

import numpy as np
import pytest

import attrition
from attrition.discovery.condition import parse, resolve_name
from attrition.errors import AttritionError

NAMES = [
    "russia.ammo.152mm.days_to_empty",
    "ukraine.ammo.152mm.days_to_empty",
    "russia.ammo.152mm.fired_total",
    "russia.casualties.total.run_total",
]
START = dt.date(2024, 12, 24)


def test_names_resolve_by_suffix_or_parts():
    assert resolve_name("russia.ammo.152mm.fired_total", NAMES) == "russia.ammo.152mm.fired_total"
    assert resolve_name("fired_total", NAMES) == "russia.ammo.152mm.fired_total"
    assert resolve_name("days_to_empty.russia", NAMES) == "russia.ammo.152mm.days_to_empty"
    with pytest.raises(ValueError, match="names several outcomes: russia.ammo.152mm.days_to_empty, ukraine"):
        resolve_name("days_to_empty.152mm", NAMES)
    with pytest.raises(ValueError, match="names no outcome"):
        resolve_name("days_to_full", NAMES)


def test_conditions_compare_read_censoring_and_combine():
    values = {
        "russia.ammo.152mm.days_to_empty": np.array([10.0, 200.0, np.nan, 400.0]),
        "russia.ammo.152mm.fired_total": np.array([5.0, 1e6, 2e6, 3e6]),
        "russia.casualties.total.run_total": np.array([1.0, 2.0, 3.0, 4.0]),
    }
    c = parse("russia.ammo.152mm.days_to_empty < 180", NAMES, START)
    assert c(values).tolist() == [True, False, False, False]
    assert c.outcomes == ["russia.ammo.152mm.days_to_empty"]
    # A censored time is after the horizon: larger than any number.
    assert parse("russia.ammo.152mm.days_to_empty >= 1e9", NAMES, START)(values).tolist() == [False, False, True, False]
    # A date is a first-passage time's calendar day (2025-07-01 is day 189).
    before = parse("russia.ammo.152mm.days_to_empty < 2025-07-01", NAMES, START)
    assert before(values).tolist() == [True, False, False, False]
    assert parse("days_to_empty.russia <= 2025-07-12", NAMES, START)(values).tolist() == [True, True, False, False]
    both = parse("fired_total > 1_000_000 and run_total != 4 or not run_total > 1", NAMES, START)
    assert both(values).tolist() == [True, False, True, False]  # "and" binds tighter than "or"
    grouped = parse("fired_total > 1_000_000 and (run_total != 4 or run_total > 1)", NAMES, START)
    assert grouped(values).tolist() == [False, False, True, True]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fired_total < ", "expected a number or a date, found the end"),
        ("fired_total 5", "expected a comparison"),
        ("< 5", "expected an outcome name"),
        ("fired_total < 5 and", "expected an outcome name, found the end"),
        ("(fired_total < 5", "expected ')'"),
        ("fired_total < 5)", "unexpected ')'"),
        ("fired_total < 2025-01-01", "not a first-passage time; compare it with a number, not a date"),
        ("days_to_empty.russia < 2025-02-30", "is not a calendar date"),
        ("fired_total < 5 ; drop", "cannot read ';"),
        ("__import__('os') < 1", "cannot read"),
    ],
)
def test_bad_conditions_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(text, NAMES, START)


# -- discovery ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run():
    """The small scenario with a wide initial stock: red fires 1,000 shells a day against a
    supply of 500, so its stock runs out before day 60 when the stock is low."""
    s = attrition.Scenario.load(__import__("pathlib").Path(__file__).parent / "data" / "two_sides.toml")
    s = s.with_values(
        {
            "sides.red.calibers.152mm.initial_stock": {"dist": "uniform", "low": 10000, "high": 100000},
            "sides.red.fleets.guns.barrel_life": {"dist": "uniform", "low": 1500, "high": 3000},
        }
    )
    return attrition.run(s, n=800, seed=3, series=[])


def _workbench():
    try:
        return attrition.ema.workbench()
    except ImportError:
        pytest.skip("the EMA Workbench is not installed (pip install 'attrition[ema]')")


def test_prim_finds_the_low_stock_box(run):
    _workbench()
    d = run.discover("red.ammo.152mm.days_to_rationing < 60")
    y = np.nan_to_num(run.outcomes["red.ammo.152mm.days_to_rationing"], nan=np.inf) < 60
    assert d.method == "prim" and np.array_equal(d.y, y) and d.share == pytest.approx(y.mean())
    t = d.table
    assert "sides.red.calibers.152mm.initial_stock" in t.index
    stock = t.loc["sides.red.calibers.152mm.initial_stock"]
    assert stock["high"] < 45000 and stock["low"] == stock["range_low"]
    assert d.coverage >= 0.5 and d.density > 0.9
    assert list(t.columns) == ["low", "high", "range_low", "range_high", "qp_low", "qp_high"]
    assert t.attrs["coverage"] == d.coverage
    tr = d.tradeoff
    assert {"coverage", "density", "res_dim", "mass"} <= set(tr.columns) and len(tr) > 2
    assert "coverage" in repr(d) and "initial_stock in [" in repr(d)
    d.select(1)
    assert d.coverage == pytest.approx(float(tr.loc[1, "coverage"]))
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    assert d.plot_tradeoff() is not None
    plt.close("all")


def test_cart_and_a_boolean_array(run):
    _workbench()
    y = run.params["sides.red.calibers.152mm.initial_stock"] < 30000
    d = run.discover(y, method="cart")
    best = d.table
    assert best.loc["sides.red.calibers.152mm.initial_stock", "high"] == pytest.approx(30000, rel=0.05)
    assert d.density > 0.95 and d.condition == "<array>"
    with pytest.raises(AttritionError, match="PRIM's; this discovery used cart"):
        d.tradeoff  # noqa: B018


def test_discover_refuses_what_it_cannot_search(run):
    with pytest.raises(ValueError, match="method must be one of prim, cart"):
        run.discover("fired_total > 1", method="svm")
    with pytest.raises(ValueError, match="holds in no trajectory"):
        run.discover("red.ammo.152mm.fired_total < 0")
    with pytest.raises(ValueError, match="boolean of shape"):
        run.discover(np.zeros(3, dtype=bool))
    sketch = attrition.run(run.scenario, n=50, seed=1, series=[], paths=False, outcomes="sketch")
    with pytest.raises(AttritionError, match="needs each trajectory's drawn inputs and outcomes"):
        sketch.discover("red.ammo.152mm.fired_total > 1")
