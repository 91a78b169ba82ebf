"""``attrition run --report DIR``: an HTML page with charts, and the numbers as CSV."""

import csv
import pathlib

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import attrition  # noqa: E402
from attrition import cli  # noqa: E402
from attrition.visual import main_side, write_report  # noqa: E402

DATA = pathlib.Path(__file__).parent / "data"
PNGS = ["stock.png", "serviceable.png", "casualties.png", "survival.png", "tornado.png"]


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_cli_writes_a_report(tmp_path, capsys):
    out = tmp_path / "rep"
    assert cli.main(["run", str(DATA / "two_sides.toml"), "-n", "40", "--seed", "3", "--report", str(out)]) == 0
    assert f"report written to {out / 'index.html'}" in capsys.readouterr().out
    for name in PNGS:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    page = (out / "index.html").read_text(encoding="utf-8")
    for name in PNGS + ["summaries.csv", "outcome_table.csv", "outcomes.csv", "params.csv"]:
        assert f"'{name}'" in page, name
    assert "<code>attrition run" in page and "--report" in page
    assert "red.ammo.152mm.days_to_rationing" in page and "n = 40" in page

    # the CSVs hold the same numbers as the run (the CLI keeps summaries, not paths)
    res = attrition.run(DATA / "two_sides.toml", n=40, seed=3, paths=False)
    rows = read(out / "summaries.csv")
    assert rows[0] == [
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
    assert len(rows) == 1 + len(res.series_names) * res.days
    stock = [r for r in rows[1:] if r[0] == "red.ammo.152mm.stock"]
    assert [r[1] for r in stock[:2]] == ["2024-12-24", "2024-12-25"]
    np.testing.assert_array_equal([float(r[3]) for r in stock], res.stats("red.ammo.152mm.stock")["mean"])
    np.testing.assert_array_equal([float(r[9]) for r in stock], res.quantiles("red.ammo.152mm.stock", 0.5))

    rows = read(out / "outcomes.csv")
    assert rows[0] == ["trajectory", *res.outcome_names] and len(rows) == 41
    col = rows[0].index("red.casualties.total.days_to_800000")
    x = res.outcomes["red.casualties.total.days_to_800000"]
    assert [r[col] for r in rows[1:]] == ["" if np.isnan(v) else repr(float(v)) for v in x]
    rows = read(out / "params.csv")
    assert rows[0][1:] == [u["path"] for u in res.scenario.uncertain_list()] and len(rows) == 41
    table = read(out / "outcome_table.csv")
    assert table[0] == ["outcome", "unit", "mean", "q0.05", "q0.5", "q0.95", "censored"]
    assert len(table) == 1 + len(res.outcome_names)


def test_report_of_sketched_outcomes(tmp_path):
    r = attrition.run(DATA / "two_sides.toml", n=30, seed=1, paths=False, outcomes="sketch")
    index = write_report(r, tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    assert "tornado.png" not in names and "outcomes.csv" not in names and "params.csv" not in names
    assert {"stock.png", "survival.png", "summaries.csv", "outcome_table.csv"} <= names
    assert "kept as sketches" in index.read_text(encoding="utf-8")


def test_report_charts_the_side_with_152mm_and_escapes(tmp_path):
    sc = attrition.Scenario.load(DATA / "two_sides.toml").with_values({"description": "<b>bold</b> & co"})
    r = attrition.run(sc, n=20, seed=1)
    assert sc.sides == ["blue", "red"] and main_side(r) == "red"
    index = write_report(r, tmp_path, tornado="red.ammo.152mm.fired_total", command="attrition <x>")
    page = index.read_text(encoding="utf-8")
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page and "<b>bold</b>" not in page
    assert "attrition &lt;x&gt;" in page
    assert "What drives red.ammo.152mm.fired_total" in page
    # an outcome that never happens has nothing to rank: the report says so instead of failing
    page = write_report(r, tmp_path / "b", tornado="red.fleet.guns.days_to_half").read_text(encoding="utf-8")
    assert "No tornado chart: no drawn parameter varies together with" in page
    with pytest.raises(KeyError, match="did you mean"):
        write_report(r, tmp_path, tornado="red.fleet.guns.days_to_halff")


def test_report_without_matplotlib_names_the_extra(tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import fails as if not installed
    assert cli.main(["run", str(DATA / "two_sides.toml"), "-n", "5", "--seed", "1", "--report", str(tmp_path)]) == 2
    assert "pip install 'attrition[plot]'" in capsys.readouterr().err
