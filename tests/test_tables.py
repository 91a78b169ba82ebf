"""Tables of a result: to_pandas, outcomes_frame and to_xarray."""

import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import attrition
from attrition import AttritionError

SERIES = ["red.ammo.152mm.stock", "red.fleet.guns.serviceable", "red.casualties.total.cumulative"]


@pytest.fixture(scope="module")
def scenario():
    import pathlib

    return attrition.Scenario.load(pathlib.Path(__file__).parent / "data" / "two_sides.toml")


@pytest.fixture(scope="module")
def paths(scenario):
    # a partial run, so trajectory indices do not start at 0
    return attrition.run(scenario, seed=4, series=SERIES, trajectories=range(10, 40))


@pytest.fixture(scope="module")
def summaries(scenario):
    return attrition.run(scenario, n=60, seed=4, series=SERIES, paths=False)


def test_paths_frame_is_tidy_and_wide(paths):
    df = paths.to_pandas()
    assert list(df.columns) == ["trajectory", "date", *SERIES]
    assert len(df) == paths.n * paths.days
    assert df["date"].dtype == np.dtype("datetime64[ns]")
    assert df["trajectory"].tolist()[:: paths.days] == list(range(10, 40))
    assert df["date"].iloc[0] == pd.Timestamp("2024-12-24") and df["date"].iloc[paths.days - 1] == pd.Timestamp(
        "2025-04-02"
    )
    # the value of trajectory 17 on day 5 is the series' row 7, column 5
    row = df[(df.trajectory == 17) & (df.date == pd.Timestamp("2024-12-29"))]
    assert row["red.ammo.152mm.stock"].item() == paths.series("red.ammo.152mm.stock")[7, 5]
    for name in SERIES:
        np.testing.assert_array_equal(df[name].to_numpy().reshape(paths.n, paths.days), paths.series(name))


def test_paths_frame_selects_by_name_and_pattern(paths):
    assert list(paths.to_pandas("red.fleet.*").columns) == ["trajectory", "date", "red.fleet.guns.serviceable"]
    one = paths.to_pandas("red.ammo.152mm.stock")
    assert list(one.columns) == ["trajectory", "date", "red.ammo.152mm.stock"]
    with pytest.raises(KeyError, match="not recorded"):
        paths.to_pandas("red.ammo.152mm.fired")
    with pytest.raises(KeyError, match="did you mean"):
        paths.to_pandas("red.ammo.152mm.stok")
    with pytest.raises(KeyError, match="no recorded series matches"):
        paths.to_pandas("blue.*.stock")


def test_summary_frame_from_summaries(summaries):
    df = summaries.to_pandas()
    assert list(df.columns) == [
        "series",
        "date",
        "count",
        "mean",
        "sd",
        "min",
        "max",
        "q0.05",
        "q0.25",
        "q0.5",
        "q0.75",
        "q0.95",
    ]
    assert len(df) == len(SERIES) * summaries.days
    assert list(df["series"].cat.categories) == SERIES
    sub = df[df.series == "red.fleet.guns.serviceable"]
    np.testing.assert_array_equal(sub["mean"].to_numpy(), summaries.stats("red.fleet.guns.serviceable")["mean"])
    np.testing.assert_array_equal(sub["q0.5"].to_numpy(), summaries.quantiles("red.fleet.guns.serviceable", 0.5))
    assert (sub["count"] == 60).all()
    with pytest.raises(AttritionError, match="summary=True"):
        summaries.to_pandas(summary=False)


def test_summary_frame_from_paths_is_exact(paths):
    df = paths.to_pandas("red.ammo.152mm.stock", summary=True, q=(0.1, 0.9))
    assert list(df.columns)[-2:] == ["q0.1", "q0.9"]
    a = paths.series("red.ammo.152mm.stock")
    np.testing.assert_allclose(df["q0.9"].to_numpy(), np.quantile(a, 0.9, axis=0, method="inverted_cdf"))
    np.testing.assert_allclose(df["sd"].to_numpy(), a.std(axis=0, ddof=1))
    assert df["date"].iloc[-1] == pd.Timestamp(str(paths.dates[-1]))


def test_outcomes_frame(paths):
    df = paths.outcomes_frame()
    params = [u["path"] for u in paths.scenario.uncertain_list()]
    assert list(df.columns) == paths.outcome_names + params
    assert df.index.name == "trajectory" and df.index.tolist() == list(range(10, 40))
    assert df.attrs["outcomes"] == paths.outcome_names and df.attrs["params"] == params
    for k in paths.outcome_names:
        np.testing.assert_array_equal(df[k].to_numpy(), paths.outcomes[k])
    np.testing.assert_array_equal(
        df["sides.red.fleets.guns.barrel_life"].to_numpy(), paths.params["sides.red.fleets.guns.barrel_life"]
    )
    # censored first passages stay NaN, not 0
    x = paths.outcomes["red.casualties.total.days_to_800000"]
    assert df["red.casualties.total.days_to_800000"].isna().sum() == np.isnan(x).sum()


def test_outcomes_frame_needs_arrays(scenario):
    r = attrition.run(scenario, n=20, seed=1, series=[], paths=False, outcomes="sketch")
    with pytest.raises(AttritionError, match="sketches"):
        r.outcomes_frame()


def test_xarray_paths(paths):
    ds = paths.to_xarray()
    assert isinstance(ds, xr.Dataset)
    assert dict(ds.sizes) == {"trajectory": 30, "date": paths.days}
    assert list(ds.data_vars) == SERIES
    assert ds["date"].dtype == np.dtype("datetime64[ns]")
    assert ds["date"].values[0] == np.datetime64("2024-12-24")
    assert ds["trajectory"].values.tolist() == list(range(10, 40))
    assert ds.attrs["scenario"] == "two-sides" and ds.attrs["seed"] == 4 and ds.attrs["n"] == 30
    assert ds.attrs["attrition_version"] == attrition.__version__ and ds.attrs["mode"] == "paths"
    assert attrition.Scenario.from_toml(ds.attrs["scenario_toml"]) == paths.scenario
    v = ds["red.ammo.152mm.stock"]
    assert v.attrs["units"] == "shells" and v.attrs["long_name"] == "Red: 152mm stock"
    assert ds["red.casualties.total.cumulative"].attrs["units"] == "people"
    np.testing.assert_array_equal(v.sel(trajectory=12).values, paths.series("red.ammo.152mm.stock")[2])


def test_xarray_summaries(summaries):
    ds = summaries.to_xarray("red.fleet.guns.serviceable")
    assert dict(ds.sizes) == {"stat": 10, "date": summaries.days}
    assert ds["stat"].values.tolist() == [
        "count",
        "mean",
        "sd",
        "min",
        "max",
        "q0.05",
        "q0.25",
        "q0.5",
        "q0.75",
        "q0.95",
    ]
    assert ds.attrs["mode"] == "summaries"
    np.testing.assert_array_equal(
        ds["red.fleet.guns.serviceable"].sel(stat="q0.5").values, summaries.quantiles("red.fleet.guns.serviceable", 0.5)
    )
    assert ds["red.fleet.guns.serviceable"].attrs["units"] == "guns"


def test_xarray_of_paths_as_summaries(paths):
    ds = paths.to_xarray(summary=True, q=(0.5,))
    assert ds["stat"].values.tolist() == ["count", "mean", "sd", "min", "max", "q0.5"]
    np.testing.assert_allclose(
        ds["red.ammo.152mm.stock"].sel(stat="mean").values, paths.series("red.ammo.152mm.stock").mean(axis=0)
    )


def test_a_large_seed_is_kept_as_text(scenario):
    r = attrition.run(scenario, n=3, seed=2**64 - 1, series=["red.ammo.152mm.stock"])
    assert r.to_xarray().attrs["seed"] == str(2**64 - 1)


@pytest.mark.parametrize(
    "module,extra,call",
    [
        ("pandas", "attrition[pandas]", lambda r: r.to_pandas()),
        ("pandas", "attrition[pandas]", lambda r: r.outcomes_frame()),
        ("xarray", "attrition[xarray]", lambda r: r.to_xarray()),
    ],
)
def test_missing_extra_names_it(paths, monkeypatch, module, extra, call):
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    with pytest.raises(ImportError, match=extra.replace("[", r"\[").replace("]", r"\]")):
        call(paths)
