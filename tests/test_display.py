"""Rich display: readable reprs and escaped HTML of scenarios and results."""

import html
import re

import numpy as np
import pytest

import attrition
from attrition._utils.fmt import num


@pytest.fixture(scope="module")
def cutoff():
    return attrition.Scenario.builtin("dprk-cutoff-2025-01-20")


@pytest.fixture(scope="module")
def result():
    return attrition.run("baseline-2024-12", n=60, seed=5, series=["russia.ammo.152mm.stock"])


def _block(text, side):
    """The lines of one side in a scenario's repr."""
    lines = text.splitlines()
    i = lines.index(next(x for x in lines if x.startswith(side + " ")))
    out = []
    for x in lines[i + 1 :]:
        if x and not x.startswith(" "):
            break
        out.append(x)
    return "\n".join(out)


def test_scenario_repr_shows_every_part(cutoff):
    text = repr(cutoff)
    assert text.startswith(
        "Scenario 'dprk-cutoff-2025-01-20': 2024-12-24 to 2026-12-23 (730 days), 2 sides, 177 uncertain parameters"
    )
    russia = _block(text, "russia")
    for heading in ("calibers", "supply lines", "fleets", "contingents", "casualties", "territory"):
        assert f"\n  {heading}\n" in "\n" + russia + "\n"
    flat = " ".join(russia.split())
    # a supply line with its supplier and its window (the policy lever)
    assert re.search(
        r"dprk_152: caliber 152mm; supplier dprk; rate ~pert\(4600, 6570, 13140\) shells/day; "
        r"growth 0 per year; window until 2025-01-20",
        flat,
    )
    assert "domestic_152: caliber 152mm; supplier russia;" in flat and "window always" in flat
    assert "msta_b: caliber 152mm; guns ~pert(200, 300, 450) guns" in flat
    assert "dprk: strength ~pert(9000, 11000, 12000) people" in flat and "arrivals until 2025-01-20" in flat
    # the Koksan deliveries stop with the cutoff too
    assert re.search(
        r"m1989_koksan: .*deliveries lot_size ~pert\(10, 18, 30\), rate ~pert\(0.1, 0.33, 0.66\), "
        r"window until 2025-01-20",
        flat,
    )


@pytest.mark.parametrize("name", attrition.builtins())
def test_scenario_repr_shows_each_uncertain_parameter_once(name):
    sc = attrition.Scenario.builtin(name)
    text = repr(sc)
    marks = text.count("~") - 1  # one in the legend line
    assert marks == len(sc.uncertain_list())
    assert "other uncertain parameters" not in text  # every one was shown where it lives


def test_scenario_repr_lists_unplaced_parameters(small):
    # a tempo step's factor lives in a list; it must still be shown
    sc = small.with_values(
        {
            "sides.red.casualties.tempo": [
                {"start": "2025-01-01", "end": "2025-02-01", "factor": {"dist": "uniform", "low": 1.0, "high": 2.0}}
            ]
        }
    )
    text = repr(sc)
    assert "uniform(1, 2)" in text
    assert text.count("~") - 1 == len(sc.uncertain_list())


def test_scenario_html_escapes_and_tabulates(small):
    sc = small.with_values({"description": "<script>alert('x')</script> & more"})
    page = sc._repr_html_()
    assert "<script>" not in page
    assert html.escape("<script>alert('x')</script> & more") in page
    # blue: calibers, fleets; red: calibers, supply, fleets, contingents, casualties, territory; the uncertain list
    assert page.count("<table>") == 2 + 6 + 1
    for u in sc.uncertain_list():
        assert f"<code>{u['path']}</code>" in page
        assert html.escape("~" + u["distribution"]) in page
    assert "<th>guns</th>" in page and "<th>m777</th>" in page


def test_result_repr_has_a_key_outcome_table(result):
    text = repr(result)
    first, *rest = text.splitlines()
    assert first == (
        "<Result 'baseline-2024-12': n=60, seed=5, 2024-12-24 .. 2026-12-23 (730 days), "
        "1 series as paths, 103 outcomes as arrays>"
    )
    header = next(x for x in rest if x.strip().startswith("outcome"))
    assert re.search(r"unit\s+median\s+5 %\s+95 %\s+reached", header)
    row = next(x for x in rest if x.strip().startswith("russia.casualties.total.run_total"))
    x = result.outcomes["russia.casualties.total.run_total"]
    q = np.quantile(x, [0.5, 0.05, 0.95], method="inverted_cdf")
    assert row.split()[1:] == ["people", *(num(v) for v in q)]
    # a first-passage time: dates over all runs, 'not reached' past the share that reach it
    name = "russia.ammo.152mm.days_to_rationing"
    fp = next(x for x in rest if x.strip().startswith(name))
    t = result.outcomes[name]
    reached = (~np.isnan(t)).mean()
    assert reached < 0.5 and fp.split()[1:4] == ["date", "not", "reached"]
    assert fp.endswith(f"{100 * reached:.1f} %")
    # and among the runs where it happened, labelled so
    i = rest.index(next(x for x in rest if "Among runs where it happened" in x))
    cond = next(x for x in rest[i:] if x.strip().startswith(name))
    med = np.quantile(t[~np.isnan(t)], 0.5, method="inverted_cdf")
    assert str(np.datetime64("2024-12-24") + int(med)) in cond


def test_result_html(result):
    page = result._repr_html_()
    assert "<b>n = 60</b>" in page and "seed = <code>5</code>" in page
    assert "2024-12-24 to 2026-12-23" in page
    assert "<code class='muted'>russia.fleet.msta_b.days_to_half</code>" in page
    # a first-passage median is a date, over all runs
    e = result.event("russia.fleet.msta_b.days_to_half")
    med = e.median()
    assert (f"<td class='num'>{e.date(med)}</td>" if med is not None else "not reached") in page
    assert "median where it happened" in page
    assert "<script" not in page


def test_result_repr_from_sketches():
    r = attrition.run("baseline-2024-12", n=40, seed=1, series=[], paths=False, outcomes="sketch")
    text = repr(r)
    assert "outcomes as sketch" in text and "russia.ammo.152mm.days_to_rationing" in text
    assert "russia.ammo.152mm.days_to_rationing" in r._repr_html_()


@pytest.mark.parametrize(
    "x,s",
    [
        (0, "0"),
        (1234567, "1,234,567"),
        (12.345, "12.3"),
        (0.01234, "0.0123"),
        (3.2e9, "3.2 bn"),
        (float("nan"), "-"),
        (float("inf"), "inf"),
        (25_000_000, "25 M"),
        (2.0, "2"),
    ],
)
def test_numbers(x, s):
    assert num(x) == s
