"""The rolling-origin backtest, its scores and its naive forecasts (a small version of the full run)."""

import numpy as np
import pytest

import attrition

pd = pytest.importorskip("pandas")
pytest.importorskip("scipy")
pytest.importorskip("scoringrules")

from attrition.calibration.baselines import BASELINES  # noqa: E402
from attrition.calibration.scores import score  # noqa: E402
from attrition.cli import main  # noqa: E402


@pytest.fixture(scope="module")
def bt():
    """Three origins, two horizons, both targets, small fits."""
    return attrition.backtest(
        origins=["2023-06-01", "2024-03-01", "2024-12-01"],
        horizons=[30, 90],
        population=100,
        generations=4,
        n=100,
        seed=1,
    )


def test_table(bt):
    t = bt.table
    methods = {"model", "last30", "trend", "random_walk"}
    assert set(t["method"]) == methods
    assert set(t["target"]) == {"personnel", "artillery"}
    # 2024-12-01 + 30 days is past the record's end: no forecast scored from it
    assert set(t["origin"].dt.strftime("%Y-%m-%d")) == {"2023-06-01", "2024-03-01"}
    assert len(t) == 2 * 2 * 2 * len(methods)
    gs = attrition.data.gs_losses()
    row = t[(t.target == "personnel") & (t.horizon == 30) & (t.origin == "2024-03-01")].iloc[0]
    assert row["observed"] == gs.loc["2024-03-31", "personnel"]
    assert (t["q05"] <= t["q25"]).all() and (t["q25"] <= t["q50"]).all() and (t["q75"] <= t["q95"]).all()
    assert t["crps"].ge(0).all() and t["pit"].between(0, 1).all()
    # the forecasts start from the record's cumulative at the origin
    mdl = t[(t.method == "model") & (t.target == "personnel")]
    start = gs.loc[mdl["origin"], "personnel"].to_numpy()
    assert (mdl["q05"].to_numpy() > start).all()
    assert set(bt.fits["target"]) == {"personnel", "artillery"}
    assert {"base", "drift_sd", "drift_reversion", "combat_loss", "reporting"} <= set(bt.fits.columns)
    assert "origins" not in repr(bt) or "2 origins" in repr(bt)


def test_summary_and_plot(bt):
    s = bt.summary()
    assert list(s.columns) == ["forecasts", "crps", "crps_vs_model", "cov50", "cov90", "pit_mean"]
    assert (s.xs("model", level="method")["crps_vs_model"] == 1.0).all()
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    fig = bt.plot()
    assert len(fig.axes) == 6
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_score_of_a_perfect_and_a_wrong_forecast():
    e = np.random.default_rng(0).normal(100.0, 10.0, size=4000)
    good, bad = score(100.0, e), score(160.0, e)
    assert good["in50"] == 1.0 and good["in90"] == 1.0 and abs(good["pit"] - 0.5) < 0.03
    assert bad["in90"] == 0.0 and bad["pit"] == 1.0 and bad["crps"] > 10 * good["crps"]
    # the CRPS of a normal forecast at its mean is sd (sqrt(2) - 1) / sqrt(pi)
    assert abs(good["crps"] - 10.0 * (np.sqrt(2.0) - 1.0) / np.sqrt(np.pi)) < 0.2


def test_baselines():
    rng = np.random.default_rng(2)
    y = rng.poisson(1000.0, size=90).astype(float)
    for name, f in BASELINES.items():
        e = f(y, [30, 90], 2000, rng)
        assert e.shape == (2000, 2), name
        assert abs(np.median(e[:, 0]) / 30_000 - 1) < 0.05, name
        assert abs(np.median(e[:, 1]) / 90_000 - 1) < 0.1, name
        assert (e >= 0).all()
    up = np.linspace(500.0, 1000.0, 90)
    tr = BASELINES["trend"](up, [30], 500, rng)
    assert abs(np.median(tr) - np.sum(500.0 + (500.0 / 89) * np.arange(90, 120))) < 200
    with pytest.raises(ValueError, match="at least 30"):
        BASELINES["last30"](y[:10], [30], 10, rng)


def test_bad_arguments():
    with pytest.raises(ValueError, match="targets"):
        attrition.backtest(targets=["tanks"])
    with pytest.raises(ValueError, match="horizons"):
        attrition.backtest(horizons=[0])
    with pytest.raises(ValueError, match="window"):
        attrition.backtest(window=10)
    with pytest.raises(ValueError, match="baseline"):
        attrition.backtest(baselines=["oracle"])
    with pytest.raises(ValueError, match="unreliable"):
        attrition.backtest(origins=["2022-06-15"], horizons=[30])
    with pytest.raises(ValueError, match="no forecast could be scored"):
        attrition.backtest(origins=["2024-12-20"], horizons=[30], population=50, generations=1, n=20)


def test_newer_data_in_one_call(tmp_path):
    """The backtest reads a newer copy of the record (here the shipped CSV as a file)."""
    from importlib import resources

    src = resources.files("attrition").joinpath("datasets", "ua_gs_losses_to_2024-12-24.csv")
    p = tmp_path / "gs.csv"
    p.write_text(src.read_text("utf-8"), encoding="utf-8")
    bt = attrition.backtest(
        data=p, origins=["2024-06-01"], horizons=[30], targets=["personnel"], population=50, generations=2, n=50
    )
    assert len(bt.table) == 4 and bt.settings["record"] == "2022-02-25 .. 2024-12-24"


def test_cli(capsys, tmp_path):
    csv, png = tmp_path / "t.csv", tmp_path / "p.png"
    pytest.importorskip("matplotlib")
    rc = main(
        [
            "backtest",
            "--origins",
            "2024-06-01",
            "--horizons",
            "30",
            "--targets",
            "personnel",
            "--population",
            "50",
            "--generations",
            "2",
            "-n",
            "50",
            "--csv",
            str(csv),
            "--plot",
            str(png),
            "--quiet",
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "crps_vs_model" in out and "random_walk" in out
    assert len(pd.read_csv(csv)) == 4 and png.stat().st_size > 1000
    assert main(["backtest", "--horizons", "x"]) == 2
    assert "--horizons" in capsys.readouterr().err


def test_a_slow_drift_widens_the_long_forecasts():
    """With ``slow_window`` a second stage fits the slow drift at each origin (its columns join
    the personnel fit's row) and the forecasts carry it: the same origin's 180-day interval is
    wider than without, while the record's start is the same."""
    kw = dict(origins=["2024-03-01"], horizons=[180], targets=["personnel"], population=100, generations=4, n=200)
    without = attrition.backtest(**kw, seed=3)
    with_slow = attrition.backtest(**kw, seed=3, slow_window=364)
    fit = with_slow.fits.iloc[0]
    assert 0 < fit["slow_drift_sd"] <= 0.1 and 0 <= fit["slow_drift_reversion"] <= 0.05
    assert "slow_drift_sd" not in without.fits.columns

    def width(b):
        row = b.table[b.table.method == "model"].iloc[0]
        return row["q95"] - row["q05"]

    assert width(with_slow) > 1.2 * width(without)
    with pytest.raises(ValueError, match="slow_window must be at least 112"):
        attrition.backtest(**kw, slow_window=100)
