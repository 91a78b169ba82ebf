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
    assert table[0][:7] == ["outcome", "unit", "mean", "q0.05", "q0.5", "q0.95", "censored"]
    assert table[0][7:] == ["reached", "restricted_mean", "cond_mean", "cond_q0.05", "cond_q0.5", "cond_q0.95"]
    assert len(table) == 1 + len(res.outcome_names)
    row = next(r for r in table if r[0] == "red.casualties.total.days_to_800000")
    assert row[1] == "date" and float(row[7]) == np.mean(~np.isnan(x))


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


# -- the folder: fresh or written by a report; atomic files; links never followed ---------------


def _small_run(**kw):
    return attrition.run(DATA / "two_sides.toml", n=20, seed=1, **kw)


def test_a_folder_with_other_files_is_refused(tmp_path):
    (tmp_path / "thesis.tex").write_text("months of work")
    with pytest.raises(FileExistsError, match=r"holds files that a report did not write \(no marker.*thesis\.tex"):
        write_report(_small_run(), tmp_path)
    assert (tmp_path / "thesis.tex").read_text() == "months of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.tex"]
    assert cli.main(["run", str(DATA / "two_sides.toml"), "-n", "5", "--report", str(tmp_path)]) == 2


def test_a_report_replaces_its_own_files_and_removes_stale_ones(tmp_path):
    write_report(_small_run(), tmp_path)
    assert {"outcomes.csv", "params.csv", "tornado.png", ".attrition-report"} <= {p.name for p in tmp_path.iterdir()}
    (tmp_path / "notes.txt").write_text("mine")  # not the report's: left alone
    write_report(_small_run(paths=False, outcomes="sketch"), tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    assert not {"outcomes.csv", "params.csv", "tornado.png"} & names, "stale files of the earlier report"
    assert "notes.txt" in names and (tmp_path / "notes.txt").read_text() == "mine"
    listed = (tmp_path / ".attrition-report").read_text().splitlines()[1:]
    assert sorted(listed) == sorted(names - {"notes.txt", ".attrition-report"})


@pytest.mark.skipif(not hasattr(__import__("os"), "symlink"), reason="needs symbolic links")
def test_links_in_a_report_folder_are_replaced_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("precious")
    rep = tmp_path / "rep"
    write_report(_small_run(), rep)
    (rep / "index.html").unlink()
    (rep / "index.html").symlink_to(victim)  # a link at a name the report writes
    (rep / "tornado.png").unlink()
    (rep / "tornado.png").symlink_to(outside / "kept.png")  # a stale name that is a link
    (outside / "kept.png").write_bytes(b"kept")
    marker = rep / ".attrition-report"
    marker.write_text(marker.read_text() + "../outside/victim.txt\n..\n/etc/passwd\n")  # a tampered marker
    write_report(_small_run(paths=False, outcomes="sketch"), rep)
    assert victim.read_text() == "precious" and (outside / "kept.png").read_bytes() == b"kept"
    assert not (rep / "index.html").is_symlink() and "two-sides" in (rep / "index.html").read_text()
    assert not (rep / "tornado.png").exists() and not (rep / "tornado.png").is_symlink()
    # a marker that is a link is not a marker
    marker.unlink()
    marker.symlink_to(victim)
    with pytest.raises(FileExistsError, match="the marker is not a regular file"):
        write_report(_small_run(), rep)


def test_a_failed_report_leaves_the_earlier_files_whole(tmp_path, monkeypatch):
    write_report(_small_run(), tmp_path)
    before = (tmp_path / "stock.png").read_bytes()
    from matplotlib.figure import Figure

    def broken(self, *a, **kw):
        a[0].write(b"half a png")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        write_report(_small_run(), tmp_path)
    assert (tmp_path / "stock.png").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".attrition-tmp-")]


@pytest.mark.parametrize("start, days", [("0001-01-01", 40), ("9999-12-31", 3), ("2262-03-01", 60)])
def test_reports_and_tables_at_the_ends_of_the_calendar(tmp_path, start, days):
    # Year 1: the charts' margins reached before the first date matplotlib can draw;
    # dates beyond 2262 wrapped around silently in datetime64[ns] tables.
    sc = attrition.Scenario.load(DATA / "two_sides.toml").with_values({"start": start, "days": days})
    for paths in (True, False):
        r = attrition.run(sc, n=10, seed=1, paths=paths)
        index = write_report(r, tmp_path / str(paths))
        assert start in index.read_text(encoding="utf-8")
        assert np.array_equal(r.to_xarray(summary=True)["date"].values.astype("datetime64[D]"), r.dates)
        got = r.to_pandas(summary=not paths)["date"].to_numpy().astype("datetime64[D]")
        assert got[0] == r.dates[0] and got.max() == r.dates[-1]
