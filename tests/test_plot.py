"""Charts: each one renders to PNG, and shows what it claims to show."""

import io
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from scipy import stats  # noqa: E402

import attrition  # noqa: E402
from attrition import AttritionError  # noqa: E402
from attrition._utils.stats import quantiles, rankdata, spearman  # noqa: E402
from attrition.visual import OKABE_ITO, difference  # noqa: E402
from attrition.visual.fans import unstep  # noqa: E402
from attrition.visual.outcomes import outcome_values  # noqa: E402

OI = [c.lower() for c in OKABE_ITO]  # as matplotlib.colors.to_hex spells them

DATA = pathlib.Path(__file__).parent / "data"
SERIES = [
    "red.ammo.152mm.stock",
    "red.fleet.guns.serviceable",
    "red.casualties.total.cumulative",
    "blue.ammo.155mm.stock",
    "blue.fleet.m777.serviceable",
]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def scenario():
    # more uncertainty than the test scenario has, so that a tornado has something to rank
    s = attrition.Scenario.load(DATA / "two_sides.toml")
    return s.with_values(
        {
            "sides.red.fleets.guns.rounds_per_gun_day": {"dist": "uniform", "low": 2, "high": 12},
            "sides.red.supply.home.rate": {"dist": "uniform", "low": 200, "high": 900},
            "sides.red.casualties.base": {"dist": "uniform", "low": 800, "high": 1200},
        }
    )


@pytest.fixture(scope="module")
def r(scenario):
    return attrition.run(scenario, n=300, seed=2, series=SERIES)


@pytest.fixture(scope="module")
def s(scenario):
    return attrition.run(scenario, n=300, seed=2, series=SERIES, paths=False, outcomes="sketch")


def png(ax_or_fig):
    fig = getattr(ax_or_fig, "figure", ax_or_fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    data = buf.getvalue()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    return data


def colours(artists):
    out = []
    for a in artists:
        c = a.get_facecolor() if hasattr(a, "get_paths") or hasattr(a, "get_width") else a.get_color()
        if not isinstance(c, str) and np.ndim(c) == 2:
            c = c[0]
        out.append(to_hex(c))
    return out


def bars(ax):
    """(label, width) of a horizontal bar chart, top to bottom."""
    names = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels()), strict=True))
    rows = sorted(((p.get_y() + p.get_height() / 2, p.get_width()) for p in ax.containers[0]), reverse=True)
    return [(names[round(y)], w) for y, w in rows]


def test_fan_from_paths(r):
    ax = r.plot.fan("red.ammo.152mm.stock", samples=4)
    png(ax)
    assert ax.get_ylabel() == "shells" and ax.get_xlabel() == "date"
    assert ax.get_title(loc="left") == "Red: 152mm stock"
    assert len(ax.collections) == 2  # the 90 % and the 50 % band
    assert len(ax.lines) == 4 + 1  # sample trajectories and the median
    a = r.series("red.ammo.152mm.stock")
    np.testing.assert_allclose(ax.lines[-1].get_ydata(), np.quantile(a, 0.5, axis=0, method="inverted_cdf"))
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), a[0])
    # the 90 % band spans the 5 % and 95 % quantiles
    verts = ax.collections[0].get_paths()[0].vertices
    assert np.isclose(verts[:, 1].max(), np.quantile(a, 0.95, axis=0, method="inverted_cdf").max())
    # the x axis holds real dates
    lo, hi = (mdates.num2date(x).date() for x in ax.get_xlim())
    assert str(lo) <= "2024-12-24" and str(hi) >= str(r.dates[-1])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "4 sample trajectories",
        "90 % of trajectories",
        "50 % of trajectories",
        "median",
    ]
    assert set(colours(ax.lines + ax.collections)) == {OI[0]}
    assert ax.get_ylim()[0] == 0  # a stock reads from zero
    assert "n = 300, seed 2" in ax.texts[-1].get_text()


def test_fan_from_summaries_joins_the_sketch_steps(s, r):
    ax = s.plot.fan("red.casualties.total.cumulative")
    png(ax)
    assert ax.get_ylabel() == "people"
    med = ax.lines[-1].get_ydata()
    raw = s.quantiles("red.casualties.total.cumulative", 0.5)
    # smoothing stays within the sketch's neighbouring buckets and follows the exact median
    assert np.all(np.abs(med - raw) <= 0.021 * raw)
    exact = np.quantile(r.series("red.casualties.total.cumulative"), 0.5, axis=0, method="inverted_cdf")
    assert np.max(np.abs(med - exact) / exact) < 0.02
    ax2 = s.plot.fan("red.casualties.total.cumulative", smooth=False)
    np.testing.assert_array_equal(ax2.lines[-1].get_ydata(), raw)
    with pytest.raises(AttritionError, match="paths=True"):
        s.plot.fan("red.ammo.152mm.stock", samples=3)


def test_unstep():
    y = np.array([1.0, 1, 1, 2, 2, 2, 2, 3])
    z = unstep(y)
    assert z[1] == 1 and z[-1] == 3 and np.all(np.diff(z) >= 0) and np.all((z >= 1) & (z <= 3))
    np.testing.assert_array_equal(unstep(np.full(5, 4.0)), np.full(5, 4.0))


def test_fans(r):
    axs = r.plot.fans("*.fleet.*.serviceable")
    png(axs[0])
    assert [a.get_title(loc="left") for a in axs] == ["Red: guns serviceable guns", "Blue: m777 serviceable guns"]
    assert all(a.get_ylabel() == "guns" for a in axs)
    assert all(len(a.collections) == 2 for a in axs)


def test_compare(r, scenario):
    other = attrition.run(scenario.with_values({"sides.red.supply.home.rate": 0}), n=200, seed=2, series=SERIES)
    ax = r.plot.compare(other, "red.ammo.152mm.stock", labels=["with supply", "without"])
    png(ax)
    assert len(ax.collections) == 4 and len(ax.lines) == 2
    assert colours(ax.lines) == [OI[0], OI[1]]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:2] == ["with supply", "without"] and "50 % and 90 %" in texts[2]
    assert "n = 200, 300, seed 2" in ax.texts[-1].get_text()
    # without supply, the median stock is lower on the last day
    assert ax.lines[1].get_ydata()[-1] < ax.lines[0].get_ydata()[-1]
    with pytest.raises(ValueError, match="labels"):
        r.plot.compare(other, "red.ammo.152mm.stock", labels=["one"])


def test_hist_states_the_censored_share(r):
    name = "red.casualties.total.days_to_800000"
    x = r.outcomes[name]
    never = np.isnan(x).mean()
    assert 0 < never < 1  # the test means something only with both kinds
    ax = r.plot.hist(name)
    png(ax)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"never within the horizon: {never:.0%}".replace("%", " %") in texts
    assert ax.get_xlabel() == "days from 2024-12-24" and ax.get_ylabel() == "share of trajectories"
    heights = sum(p.get_height() for p in ax.patches)
    assert np.isclose(heights, 1 - never)  # bars are shares of all trajectories
    med = np.quantile(x[~np.isnan(x)], 0.5, method="inverted_cdf")
    assert any(f"day {med:,.0f}" in t for t in texts)


def test_hist_of_a_plain_outcome_and_from_a_sketch(r, s):
    ax = r.plot.hist("red.casualties.total.run_total")
    png(ax)
    assert ax.get_xlabel() == "people"
    assert np.isclose(sum(p.get_height() for p in ax.patches), 1.0)
    ax = s.plot.hist("red.casualties.total.run_total")
    png(ax)
    assert np.isclose(sum(p.get_height() for p in ax.patches), 1.0)
    assert "quantile sketch" in ax.texts[-1].get_text()
    # the median line: the weighted quantile (inverted CDF) of the sketch's grid, near the exact median
    v, w, censored, sketch = outcome_values(s, "red.casualties.total.run_total")
    med = ax.lines[0].get_xdata()[0]
    assert sketch and censored == 0 and med == quantiles(v, 0.5, w)
    exact = np.quantile(r.outcomes["red.casualties.total.run_total"], 0.5, method="inverted_cdf")
    assert abs(med - exact) <= 0.02 * exact


def test_survival(r, s):
    name = "red.casualties.total.days_to_800000"
    x = r.outcomes[name]
    never = np.isnan(x).mean()
    ax = r.plot.survival(name)
    png(ax)
    line = ax.lines[0]
    y = line.get_ydata()
    assert np.isclose(y[-1], never)  # the curve ends at the censored share
    assert np.isclose(y[50], np.mean(~(x <= 50)))  # not happened by the end of day 50 (NaN counts)
    assert np.all(np.diff(y) <= 0)
    pct = f"{never:.0%}".replace("%", " %")
    assert never > 0.5  # so half never see it, and the legend gives no date for half
    assert ax.get_legend().get_texts()[0].get_text() == (
        f"two-sides\nnever within the horizon (censored): {pct}\nmedian not reached by 2025-04-02"
    )
    # the 95 % band of Kaplan-Meier around the curve
    low, high = r.event(name).interval()
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert np.isclose(band.min(), 1 - high.max()) and np.isclose(band.max(), 1.0)
    # an event that most trajectories see: the legend gives the date by which half have seen it
    fast = attrition.run(r.scenario.with_values({"sides.red.casualties.base": 1500}), n=50, seed=1, series=[])
    x2 = fast.outcomes[name]
    ax2 = fast.plot.survival(name, label="faster")
    half = np.sort(x2[~np.isnan(x2)])[(50 - 1) // 2]  # the 25th event of 50
    assert (
        ax2.get_legend()
        .get_texts()[0]
        .get_text()
        .endswith(f"\nhalf have seen it by {np.datetime64('2024-12-24') + int(half)}")
    )
    assert ax.get_ylabel() == "not happened yet (share of trajectories)" and ax.get_xlabel() == "date"
    # a summary run keeps the exact day counts: the same curve, on the same axes in the next colour
    s.plot.survival(name, ax=ax, label="from the sketch")
    png(ax)
    assert colours([ax.lines[0]]) == [OI[0]]
    sketch = next(ln for ln in ax.lines if ln.get_label().startswith("from the sketch\n"))
    np.testing.assert_array_equal(sketch.get_ydata(), y)
    assert colours([sketch]) == [OI[1]]
    with pytest.raises(ValueError, match="first-passage"):
        r.plot.survival("red.casualties.total.run_total")


def test_tornado(r):
    name = "red.ammo.152mm.fired_total"
    ax = r.plot.tornado(name, top=3)
    png(ax)
    assert len(ax.containers[0]) == 3
    shown = bars(ax)
    expected = {p[len("sides.") :]: spearman(v, r.outcomes[name])[0] for p, v in r.params.items()}
    order = sorted(expected, key=lambda p: -abs(expected[p]))[:3]
    assert [lab for lab, _ in shown] == order
    np.testing.assert_allclose([w for _, w in shown], [expected[p] for p in order])
    assert abs(shown[0][1]) >= abs(shown[1][1]) >= abs(shown[2][1]) > 0.1
    # more rounds per gun fire more shells: the largest bar
    assert shown[0][0] == "red.fleets.guns.rounds_per_gun_day" and shown[0][1] > 0.5
    assert ax.get_xlim() == (-1.0, 1.0) and "Spearman" in ax.get_xlabel()
    assert colours(ax.containers[0][:1]) == [OI[0]]
    # the band of chance: |rho| < z / sqrt(n - 1), z Bonferroni over the 5 parameters
    z = stats.norm.ppf(1 - 0.025 / 5) / np.sqrt(299)
    assert ax.get_xlabel().splitlines()[1] == f"grey: |rho| < {z:.2f}, the chance level for 5 parameters (95 %)"
    band = [p for p in ax.patches if p not in ax.containers[0].patches][0]
    xs = band.get_patch_transform().transform(band.get_path().vertices)[:, 0]
    assert np.isclose(xs.min(), -z) and np.isclose(xs.max(), z)


def test_tornado_of_a_first_passage_counts_never_as_the_horizon(r):
    name = "red.casualties.total.days_to_800000"
    y = r.outcomes[name]
    base = r.params["sides.red.casualties.base"]
    ax = r.plot.tornado(name, top=10)
    bar = dict(bars(ax))
    want = spearman(base, np.where(np.isnan(y), r.days, y))[0]
    assert np.isclose(bar["red.casualties.base"], want) and want < -0.3  # more casualties a day: sooner
    assert f"n = {r.n}" in ax.get_xlabel()
    # the same numbers as rank_correlation
    from attrition.sensitivity import rank_correlation

    assert np.isclose(rank_correlation(r, name)["sides.red.casualties.base"], want)


def test_tornado_needs_arrays(s):
    with pytest.raises(AttritionError, match="outcomes='arrays'"):
        s.plot.tornado("red.ammo.152mm.fired_total")


def test_difference():
    c = attrition.compare(
        DATA / "two_sides.toml",
        attrition.Scenario.load(DATA / "two_sides.toml").with_values({"sides.red.supply.home.rate": 0}),
        n=60,
        seed=1,
        outcomes=[],
        series=["red.ammo.152mm.stock"],
    )
    ax = difference(c, "red.ammo.152mm.stock")
    png(ax)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), c.series("red.ammo.152mm.stock")["mean_diff"])
    assert ax.get_ylabel() == "shells" and len(ax.collections) == 1
    assert "paired" in ax.texts[-1].get_text()


def test_the_tornados_rank_correlation_matches_scipy():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 5, 200).astype(float)  # many ties
    y = x + rng.normal(0, 2, 200)
    y[::7] = np.nan
    x[::11] = np.nan
    ok = ~(np.isnan(x) | np.isnan(y))
    expected = stats.spearmanr(x[ok], y[ok]).statistic
    rho, pairs = spearman(x, y)
    assert np.isclose(rho, expected, rtol=0, atol=1e-12) and pairs == ok.sum()
    np.testing.assert_allclose(rankdata(np.array([3.0, 1, 3, np.inf, 2])), stats.rankdata([3, 1, 3, np.inf, 2]))
    assert np.isnan(spearman(np.ones(10), np.arange(10.0))[0])
    assert np.isnan(spearman(np.array([1.0, np.nan]), np.array([1.0, 2.0]))[0])
    assert spearman(np.arange(10.0), -(np.arange(10.0) ** 3))[0] == pytest.approx(-1.0)


def test_missing_matplotlib_names_the_extra(r, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"attrition\[plot\]"):
        r.plot.fan("red.ammo.152mm.stock")
