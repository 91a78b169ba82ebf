"""The shipped General Staff loss series and its loader."""

import hashlib
from importlib import resources

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from attrition.data import CORRECTIONS_FILE, COUNT_COLUMNS, LOSSES_FILE, gs_corrections, gs_losses  # noqa: E402


@pytest.fixture(scope="module")
def gs():
    return gs_losses()


def _shipped(name):
    return resources.files("attrition").joinpath("datasets", name)


def test_shipped_files_are_the_source_files():
    """The package data are byte for byte the files described in datasets/README.md."""
    digests = {
        LOSSES_FILE: "2f362341dd224b28e8ec89c3b6efe0efabe76c34e038bb1603547e2900491a87",
        CORRECTIONS_FILE: "cd5f5fc8c2e8c5508b395440a86453ca638b1232862440a3b700c8d282ae8046",
    }
    for name, digest in digests.items():
        assert hashlib.sha256(_shipped(name).read_bytes()).hexdigest() == digest, name
    notice = _shipped("README.md").read_text("utf-8")
    assert "Copyright (c) 2022 Petro Ivaniuk" in notice and "MIT License" in notice
    assert "37655f8bbdd6806d2f94416253116b02a750c97b" in notice


def test_shape_and_index(gs):
    assert isinstance(gs.index, pd.DatetimeIndex) and gs.index.name == "date"
    assert len(gs) == 1034
    assert gs.index[0] == pd.Timestamp("2022-02-25") and gs.index[-1] == pd.Timestamp("2024-12-24")
    assert (gs.index.to_series().diff().dropna() == pd.Timedelta(days=1)).all()
    assert (gs["day"] == (gs.index - pd.Timestamp("2022-02-23")).days).all()
    for col in COUNT_COLUMNS:
        assert col in gs.columns and f"{col}_daily" in gs.columns
    assert gs["unreliable"].dtype == bool


def test_known_values(gs):
    """The computed facts of the sources register (ru-casualties-cumulative-2024-12-24, gs-personnel-daily-*)."""
    assert gs.loc["2024-12-24", "personnel"] == 777_720
    assert gs.loc["2024-12-23", "personnel"] == 776_090
    assert gs.loc["2024-12-20", "personnel_daily"] == 2_200
    assert gs.loc["2024-12-23", "personnel_daily"] == 1_990
    assert gs.loc["2024-12-23", ["tank", "apc", "artillery", "mlrs"]].tolist() == [9_615, 19_885, 21_313, 1_256]
    x = gs["personnel_daily"]
    assert round(x["2023"].mean()) == 694
    assert round(x["2024-01-01":"2024-12-23"].mean()) == 1_164
    assert round(x["2024-11"].mean()) == 1_515
    assert round(x["2024-12-01":"2024-12-23"].mean()) == 1_552
    # 2,200 is the largest report since April 2022
    assert x["2022-04-01":].idxmax() == pd.Timestamp("2024-12-20")


def test_corrections_are_taken_out(gs):
    raw = gs_losses(corrections=False)
    # artillery +32 on 2022-10-13: 49 reported, 17 organic
    assert raw.loc["2022-10-13", "artillery_daily"] == 49
    assert gs.loc["2022-10-13", "artillery_daily"] == 49 - 32
    # cruise missiles +80 on 2024-12-15
    assert raw.loc["2024-12-15", "cruise_missiles_daily"] == 82 and gs.loc["2024-12-15", "cruise_missiles_daily"] == 2
    # the 2023-05-27 correction shows in the 2023-05-28 report (tank -2 = 3 organic - 5)
    assert raw.loc["2023-05-28", "tank_daily"] == -2 and gs.loc["2023-05-28", "tank_daily"] == 3
    assert gs.loc["2023-05-27", "tank_daily"] == raw.loc["2023-05-27", "tank_daily"] == 3
    assert gs.loc["2023-05-28", "cruise_missiles_daily"] == 0
    # the logged reclassifications explain every negative raw increment of the shipped file
    daily = [f"{c}_daily" for c in COUNT_COLUMNS]
    assert (raw[daily] < 0).to_numpy().sum() > 0
    assert not (gs[daily] < 0).to_numpy().any()
    # personnel has no correction
    assert gs["personnel_daily"].equals(raw["personnel_daily"])


def test_increments_add_up_to_the_totals(gs):
    """Per column: the organic increments plus the logged corrections (where they matched)
    add up to the change of the cumulative total; raw increments are the plain differences."""
    corr = gs_corrections()
    raw = gs_losses(corrections=False)
    for col in COUNT_COLUMNS:
        s = gs[col].dropna()
        if len(s) < 2:
            continue
        window = slice(s.index[1], s.index[-1])
        assert raw.loc[window, f"{col}_daily"].sum() == s.iloc[-1] - s.iloc[0], col
        logged = corr.loc[corr["shows_on"].between(s.index[1], s.index[-1]), col].sum() if col in corr else 0.0
        assert gs.loc[window, f"{col}_daily"].sum() + logged == s.iloc[-1] - s.iloc[0], col
    assert np.isnan(gs["personnel_daily"].iloc[0])
    # a category's first reported value is a total since the start of the war, not an increment
    first = gs["cruise_missiles"].first_valid_index()
    assert first == pd.Timestamp("2022-05-01") and np.isnan(gs.loc[first, "cruise_missiles_daily"])


def test_correction_matching():
    c = gs_corrections()
    assert len(c) == 21 and list(c.columns[:3]) == ["date", "shows_on", "day"]
    moved = c[c["date"] != c["shows_on"]]
    assert moved["date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-05-27"]
    assert moved["shows_on"].dt.strftime("%Y-%m-%d").tolist() == ["2023-05-28"]


def test_unreliable_flag(gs):
    assert gs["unreliable"].sum() == 35
    assert gs.loc[:"2022-03-31", "unreliable"].all()
    assert not gs.loc["2022-04-01":, "unreliable"].any()
    # the zero-increment days of March 2022 are inside the flagged period
    zeros = gs.index[gs["personnel_daily"] == 0]
    assert len(zeros) == 7 and (zeros < pd.Timestamp("2022-04-01")).all()


def test_newer_file(tmp_path, gs):
    text = _shipped(LOSSES_FILE).read_text("utf-8")
    last = text.rstrip("\n").split("\n")[-1].split(",")
    assert last[0] == "2024-12-24"
    new = list(last)
    new[0], new[1], new[2] = "2024-12-26", "1037", "780000"  # a report after a one-day gap
    p = tmp_path / "newer.csv"
    p.write_text(text + ",".join(new) + "\n", encoding="utf-8")
    g = gs_losses(p)
    assert len(g) == len(gs) + 1
    assert g.loc["2024-12-26", "personnel_daily"] == 780_000 - 777_720
    assert g.loc["2024-12-26", "unreliable"]  # follows a gap
    pd.testing.assert_frame_equal(g.iloc[:-1], gs)


def test_bad_files(tmp_path):
    text = _shipped(LOSSES_FILE).read_text("utf-8").split("\n")
    dup = tmp_path / "dup.csv"
    dup.write_text("\n".join(text[:5] + [text[4]]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="more than once"):
        gs_losses(dup)
    order = tmp_path / "order.csv"
    order.write_text("\n".join([text[0], text[3], text[2]]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="increasing order"):
        gs_losses(order)
    other = tmp_path / "other.csv"
    other.write_text("date,tank\n2024-01-01,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="personnel"):
        gs_losses(other)
    nodate = tmp_path / "nodate.csv"
    nodate.write_text("when,personnel\n2024-01-01,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="date"):
        gs_losses(nodate)
