"""The explorer: its runs on common random numbers (no widgets needed), the widgets in a
real kernel, and the clear errors outside one."""

import pathlib
import sys

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import attrition
from attrition.explorer import Explorer

DATA = pathlib.Path(__file__).parent / "data"

LEVERS = """
[levers.home_rate]
description = "Home production"
path = "sides.red.supply.home.rate"
low = 0
high = 1000

[levers.home_end]
path = "sides.red.supply.home.end"
low = 2025-01-10
high = 2025-04-03
"""

STOCK = "sides.red.calibers.152mm.initial_stock"
LIFE = "sides.red.fleets.guns.barrel_life"
FIRED = "red.ammo.152mm.fired_total"


def test_redraws_run_on_common_random_numbers(levered):
    ex = Explorer(levered, n=120, seed=4)
    assert ex.series == "red.ammo.152mm.stock" and list(ex.levers) == ["home_end", "home_rate"]
    assert set(ex.params) == {STOCK, LIFE}  # every uncertain parameter, ranked
    ref = ex.reference
    assert ex.result is ref and ex.describe() == "the scenario as it is"

    more = ex.update({"home_rate": 1000})
    assert ex.settings == {"home_rate": 1000} and ex.seconds > 0 and ex.cpu_seconds >= 0
    # The lever moves nothing but itself: every drawn input is the reference's.
    for p in (STOCK, LIFE):
        assert np.array_equal(more.params[p], ref.params[p])
    assert more.outcomes[FIRED].mean() >= ref.outcomes[FIRED].mean()
    same = attrition.run(levered.with_levers({"home_rate": 1000}), n=120, seed=4, series=[ex.series])
    assert np.array_equal(more.outcomes[FIRED], same.outcomes[FIRED])

    pinned = ex.update(pinned={STOCK: 60000})
    assert np.all(pinned.params[STOCK] == 60000) and np.array_equal(pinned.params[LIFE], ref.params[LIFE])
    assert ex.describe() == "home_rate = 1000; red.calibers.152mm.initial_stock = 6e+04"

    back = ex.update({"home_rate": None}, {STOCK: None})
    assert np.array_equal(back.outcomes[FIRED], ref.outcomes[FIRED])
    assert ex.settings == {} and ex.pinned == {}


def test_table_and_figure(levered):
    ex = Explorer(levered, n=60, seed=1, params=[LIFE], outcomes="red.ammo.*")
    ex.update({"home_end": "2025-01-10"})
    t = ex.table()
    assert list(t.columns) == ["unit", "median", "5 %", "95 %", "reference median", "reached", "reference reached"]
    assert len(t) == 3 and ex.params == [LIFE]  # days to rationing, days to empty, fired
    empty = t.loc["Red: 152mm days until fire is rationed"]
    assert empty["reached"] >= empty["reference reached"]  # the home line stops early: the stock runs out sooner
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    ax = ex.figure()
    assert [ln.get_label() for ln in ax.lines][-1] == "reference median"
    plt.close("all")


def test_the_choice_of_levers_and_uncertainties(levered):
    ex = Explorer(levered, levers=["home_rate"], n=60, seed=1, key=1)
    assert list(ex.levers) == ["home_rate"] and len(ex.params) == 1
    with pytest.raises(attrition.UnknownNameError, match="no lever offered named 'rate'"):
        ex.update({"rate": 3})
    with pytest.raises(attrition.UnknownNameError, match="no lever named 'home'"):
        Explorer(levered, levers=["home"], n=10)
    # A path a lever sets is a policy, not an uncertainty to pin.
    s = levered.with_values({"sides.red.supply.home.rate": {"dist": "uniform", "low": 0, "high": 900}})
    assert "sides.red.supply.home.rate" not in Explorer(s, n=30).params


def test_explore_outside_a_notebook_says_so(levered, monkeypatch):
    pytest.importorskip("ipywidgets")
    with pytest.raises(RuntimeError, match=r"Jupyter notebook.*attrition\[notebook\].*Explorer"):
        attrition.explore(levered, n=10)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(ImportError, match=r"pip install 'attrition\[notebook\]'"):
        attrition.explore(levered, n=10)


def test_explore_in_a_kernel_draws_and_redraws(levered, tmp_path):
    pytest.importorskip("ipywidgets")
    path = tmp_path / "levered.toml"
    levered.save(path)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(f"import attrition\nw = attrition.explore({str(path)!r}, n=40, seed=2)\nw"),
        nbformat.v4.new_code_cell(
            "ex = w.explorer\nbox, slider = w.children[2].children\n"  # the second lever: home_rate
            "slider.value = 900.0\n"
            "assert box.value and ex.settings == {'home_rate': 900.0}, ex.settings\n"
            "box.value = False\n"
            "assert ex.settings == {}\n"
            "print(w.children[-3].value)"
        ),
    ]
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    outputs = [o for c in nb.cells for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"], outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    printed = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")
    assert "the scenario as it is" in printed and "n = 40, seed 2" in printed
    assert not [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]


def test_a_data_file_path_is_a_scenario():
    assert Explorer(DATA / "two_sides.toml", n=10).scenario.name == "two-sides"
