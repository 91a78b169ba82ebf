"""The shipped General Staff loss series and its loader."""

import hashlib
import io
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


# The upstream JSON keys of each CSV column (the inverse of the loader's renaming).
UPSTREAM_KEYS = {
    "apc": "APC",
    "artillery": "field artillery",
    "mlrs": "MRL",
    "anti_aircraft": "anti-aircraft warfare",
    "personnel_qualifier": "personnel*",
    "pow": "POW",
}
PERSONNEL_KEYS = ("date", "day", "personnel", "personnel_qualifier", "pow")


def _upstream_json(folder, rows=None):
    """The shipped CSV written as the upstream dataset's JSON files (a fixture in the same shape)."""
    import json

    raw = pd.read_csv(io.StringIO(_shipped(LOSSES_FILE).read_text("utf-8")), dtype=str)
    if rows is not None:
        raw = raw.iloc[rows]
    pers, equip = [], []
    for _, r in raw.iterrows():
        p, e = {}, {}
        for col, v in r.items():
            if pd.isna(v):
                continue
            key = UPSTREAM_KEYS.get(col, col.replace("_", " "))
            val = int(float(v)) if col not in ("date", "personnel_qualifier", "greatest_losses_direction") else v
            if col in ("date", "day"):
                val = v if col == "date" else int(v)
                p[key], e[key] = val, val
            elif col in PERSONNEL_KEYS:
                p[key] = val
            else:
                e[key] = val
        pers.append(p)
        equip.append(e)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "russia_losses_personnel.json").write_text(json.dumps(pers, indent=4), encoding="utf-8")
    (folder / "russia_losses_equipment.json").write_text(json.dumps(equip, indent=4), encoding="utf-8")
    return folder


def _same(g, gs):
    """``g`` is ``gs`` but for the columns no report of ``gs`` fills (absent from the upstream records)."""
    empty = [c for c in gs.columns if c not in g.columns]
    assert all(gs[c].isna().all() for c in empty), empty
    cols = [c for c in gs.columns if c in g.columns]
    pd.testing.assert_frame_equal(g[cols], gs[cols], check_dtype=False)


def test_upstream_json(tmp_path, gs):
    """The upstream JSON files read as the same table as the CSV made from them, in every form."""
    data = _upstream_json(tmp_path / "repo" / "data")
    for source in (
        tmp_path / "repo",
        data,
        data / "russia_losses_personnel.json",
        data / "russia_losses_equipment.json",
        [data / "russia_losses_personnel.json", data / "russia_losses_equipment.json"],
    ):
        _same(gs_losses(source), gs)
    # Personnel alone: its columns only.
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "personnel.json").write_text((data / "russia_losses_personnel.json").read_text("utf-8"), "utf-8")
    g = gs_losses(alone / "personnel.json")
    assert "artillery" not in g.columns
    assert g.loc["2024-12-24", "personnel"] == 777_720


def test_upstream_corrections_json(tmp_path, gs):
    """The upstream corrections log beside the JSON files is read by default, in its JSON form."""
    import json

    data = _upstream_json(tmp_path / "data")
    c = pd.read_csv(io.StringIO(_shipped(CORRECTIONS_FILE).read_text("utf-8")))
    records = [
        {
            ("date" if k == "date" else UPSTREAM_KEYS.get(k, k.replace("_", " "))): (v if k == "date" else int(v))
            for k, v in r.items()
        }
        for _, r in c.iterrows()
    ]
    (data / "russia_losses_equipment_correction.json").write_text(json.dumps(records), encoding="utf-8")
    _same(gs_losses(data), gs)
    # Without the log beside the files the shipped one applies, and False gives the raw increments.
    assert gs_losses(data, corrections=False).loc["2022-10-13", "artillery_daily"] == 49


def test_newer_upstream_json(tmp_path, gs):
    """A report after the shipped ones, in upstream JSON, extends the series."""
    import json

    data = _upstream_json(tmp_path / "data")
    for name, extra in (
        (
            "russia_losses_personnel.json",
            {"date": "2024-12-25", "day": 1036, "personnel": 779_000, "personnel*": "about"},
        ),
        ("russia_losses_equipment.json", {"date": "2024-12-25", "day": 1036, "field artillery": 21_350, "tank": 9_630}),
    ):
        f = data / name
        f.write_text(json.dumps(json.loads(f.read_text("utf-8")) + [extra]), encoding="utf-8")
    g = gs_losses(data)
    assert len(g) == len(gs) + 1
    assert g.loc["2024-12-25", "personnel_daily"] == 779_000 - 777_720
    assert g.loc["2024-12-25", "artillery_daily"] == 21_350 - gs.loc["2024-12-24", "artillery"]
    assert not g.loc["2024-12-25", "unreliable"]


def test_bad_json(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not a readable JSON"):
        gs_losses(bad)
    bad.write_text('{"date": "2024-01-01"}', encoding="utf-8")
    with pytest.raises(ValueError, match="list of records"):
        gs_losses(bad)
    bad.write_text('[{"when": "2024-01-01", "personnel": 3}]', encoding="utf-8")
    with pytest.raises(ValueError, match="'date'"):
        gs_losses(bad)
    with pytest.raises(ValueError, match="no russia_losses_personnel.json"):
        gs_losses(tmp_path)
