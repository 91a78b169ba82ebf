"""The command line: run, compare, validate and list; tables with units and dates, JSON and CSV,
overrides, did-you-mean, optional dependencies checked up front, quiet Ctrl-C."""

import csv
import io
import json
import pathlib
import signal
import subprocess
import sys
import time

import numpy as np

import attrition
from attrition import cli

DATA = pathlib.Path(__file__).parent / "data"


def test_scenarios_and_list_builtins(capsys):
    assert cli.main(["scenarios"]) == 0
    assert "baseline-2024-12" in capsys.readouterr().out
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "no-dprk" in out and "2024-12-24 to 2026-12-23" in out
    assert cli.main(["list", "--json"]) == 0
    assert [b["name"] for b in json.loads(capsys.readouterr().out)["builtins"]] == attrition.builtins()


def test_list_series_and_outcomes_with_units(capsys):
    assert cli.main(["list", "outcomes"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("russia.ammo.152mm.days_to_rationing "))
    assert line.split()[1] == "days"
    assert cli.main(["list", "series", "--scenario", str(DATA / "two_sides.toml"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["scenario"] == "two-sides"
    stock = next(r for r in doc["series"] if r["name"] == "red.ammo.152mm.stock")
    assert stock["unit"] == "shells"


def test_run_prints_a_table_with_units_and_dates(capsys):
    assert cli.main(["run", "-n", "200", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "baseline-2024-12: 2024-12-24 to 2026-12-23 (730 days), n = 200, seed = 3" in out
    lines = out.splitlines()
    head = next(x for x in lines if x.startswith("outcome "))
    assert head.split() == ["outcome", "unit", "median", "5", "%", "95", "%", "reached"]
    r = attrition.run("baseline-2024-12", n=200, seed=3, series=[], paths=False)
    name = "russia.fleet.msta_s.days_to_half"
    e = r.event(name)
    row = next(x for x in lines if x.startswith(name + " "))
    assert row.split()[1] == "date"
    med = e.median()
    assert (str(e.date(med)) if med is not None else "not reached") in row
    assert row.endswith(attrition._utils.fmt.pct(e.reached))
    assert "Among runs where it happened:" in out
    people = next(x for x in lines if x.startswith("russia.casualties.total.run_total "))
    assert people.split()[1] == "people"


def test_run_json_and_csv(capsys):
    assert cli.main(["run", "-n", "100", "--seed", "2", "--json", "--outcomes", "russia.ammo.152mm.*"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {k: doc[k] for k in ("command", "scenario", "seed", "n", "version")} == {
        "command": "run",
        "scenario": "baseline-2024-12",
        "seed": 2,
        "n": 100,
        "version": attrition.__version__,
    }
    rows = {r["outcome"]: r for r in doc["rows"]}
    assert set(rows) == {
        "russia.ammo.152mm.days_to_rationing",
        "russia.ammo.152mm.days_to_empty",
        "russia.ammo.152mm.fired_total",
    }
    ev = rows["russia.ammo.152mm.days_to_rationing"]
    assert ev["first_passage"] is True and ev["unit"] == "days" and 0 <= ev["reached"] < 0.5
    assert ev["q0.5"] is None and ev["date_q0.5"] is None  # not reached: null, never a conditional median
    assert ev["date_cond_q0.5"].startswith("202")
    assert rows["russia.ammo.152mm.fired_total"]["unit"] == "shells"
    assert cli.main(["run", "-n", "100", "--seed", "2", "--csv", "--outcomes", "russia.ammo.152mm.*"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["outcome"] for r in table] == list(rows)
    assert table[0]["q0.5"] == "" and float(table[0]["reached"]) == ev["reached"]


def test_set_overrides_and_files(capsys):
    argv = ["run", str(DATA / "two_sides.toml"), "-n", "20", "--seed", "1", "--json"]
    assert cli.main([*argv, "--set", "days=30", "--set", "sides.red.supply.home.end=2025-01-01"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["days"] == 30 and doc["end"] == "2025-01-22"
    assert cli.main([*argv, "--set", "sides.red.casualties.base={dist='uniform', low=1, high=2}"]) == 0
    capsys.readouterr()
    assert cli.main([*argv, "--set", "days"]) == 2
    assert "expected path=value" in capsys.readouterr().err
    assert cli.main([*argv, "--set", "sides.red.calibers.152mm.initial_stock=-1"]) == 2
    assert "sides.red.calibers.152mm.initial_stock" in capsys.readouterr().err


def test_validate_takes_files_and_builtins(capsys):
    assert cli.main(["validate", str(DATA / "two_sides.toml")]) == 0
    assert "ok" in capsys.readouterr().out
    assert cli.main(["validate", "baseline-2024-12"]) == 0
    assert "ok (baseline-2024-12" in capsys.readouterr().out
    assert cli.main(["validate", "baseline-2024-12", "--set", "days=0"]) == 2
    assert "days" in capsys.readouterr().err


def test_validate_prints_errors(capsys, tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text('name = "x"\nstart = 2024-01-01\n[sides.a.calibers.c]\ninitial_stock = -1\n')
    assert cli.main(["validate", str(p)]) == 2
    assert "sides.a.calibers.c.initial_stock: must be >= 0" in capsys.readouterr().err


def test_unknown_names_get_a_did_you_mean(capsys):
    assert cli.main(["run", "baselin-2024-12"]) == 2
    assert "did you mean 'baseline-2024-12'?" in capsys.readouterr().err
    assert cli.main(["run", "-n", "10", "--outcomes", "russia.ammo.152mm.days_to_empt"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no outcome named") and "did you mean 'russia.ammo.152mm.days_to_empty'" in err
    assert "Traceback" not in err


def test_compare_prints_paired_differences(capsys):
    argv = ["compare", "baseline-2024-12", "dprk-cutoff-2025-01-20", "-n", "200", "--seed", "1"]
    assert cli.main([*argv, "--outcomes", "russia.ammo.152mm.*"]) == 0
    out = capsys.readouterr().out
    assert "paired" in out.lower() or "common random numbers" in out
    c = attrition.compare(
        "baseline-2024-12", "dprk-cutoff-2025-01-20", n=200, seed=1, outcomes=["russia.ammo.152mm.days_to_rationing"]
    )
    row = c.outcomes["russia.ammo.152mm.days_to_rationing"]
    line = next(x for x in out.splitlines() if x.startswith("russia.ammo.152mm.days_to_rationing") and "pts" in x)
    assert f"+{100 * row['reached_diff']:.1f} pts" in line
    assert "among the pairs where both runs saw it" in out
    assert cli.main([*argv, "--csv", "--outcomes", "russia.ammo.152mm.fired_total"]) == 0
    (r,) = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert r["outcome"] == "russia.ammo.152mm.fired_total" and float(r["mean_diff"]) < 0


def test_compare_json_on_a_fresh_install():
    """The command of the task's acceptance, through the console entry point."""
    out = subprocess.run(
        [sys.executable, "-m", "attrition.cli", "compare", "baseline-2024-12", "dprk-cutoff-2025-01-20", "--json"]
        + ["-n", "200", "--seed", "1"],
        capture_output=True,
        text=True,
        check=True,
    )
    doc = json.loads(out.stdout)
    assert doc["a"] == "baseline-2024-12" and doc["b"] == "dprk-cutoff-2025-01-20" and doc["n"] == 200
    assert any(r["first_passage"] for r in doc["rows"]) and out.stderr == ""
    for r in doc["rows"]:
        assert all(v is None or isinstance(v, (int, float, str, bool)) for v in r.values())


def test_report_needs_matplotlib_before_the_run(tmp_path, capsys, monkeypatch):
    import attrition.cli.run as run_cmd

    ran = []
    monkeypatch.setattr(run_cmd, "run", lambda *a, **k: ran.append(1))
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import fails as if not installed
    assert cli.main(["run", "-n", "5", "--report", str(tmp_path)]) == 2
    assert "pip install 'attrition[plot]'" in capsys.readouterr().err and not ran


def test_ctrl_c_exits_quietly_with_130():
    p = subprocess.Popen(
        [sys.executable, "-m", "attrition.cli", "run", "-n", "1000000", "--seed", "1", "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3.0)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_keyboard_interrupt_in_main(monkeypatch):
    import attrition.cli.run as run_cmd

    def stop(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_cmd, "run", stop)
    assert cli.main(["run", "-n", "5"]) == 130


def test_console_script_runs():
    out = subprocess.run(
        [sys.executable, "-m", "attrition.cli", "scenarios"], capture_output=True, text=True, check=True
    )
    assert "no-dprk" in out.stdout


def test_the_table_shows_the_key_outcomes_of_any_run():
    """One list of key outcomes (scenario.registry) for the command line and the display,
    whether the run kept outcomes as arrays or as sketches."""
    from attrition.results.display import key_outcomes

    for outcomes in ("arrays", "sketch"):
        r = attrition.run("baseline-2024-12", n=40, seed=1, series=[], paths=False, outcomes=outcomes)
        lines = cli.summary_table(r).splitlines()
        rows = [line.split()[0] for line in lines[1 : lines.index("")]]
        assert rows == key_outcomes(r) and "russia.ammo.152mm.days_to_rationing" in rows
        assert np.all([len(line) < 140 for line in lines])


def test_compare_needs_no_optional_package():
    """A fresh install has numpy and tqdm only: compare --json must not need pandas, scipy,
    matplotlib, xarray, SALib or dask."""
    code = (
        "import sys\n"
        "for m in ('pandas', 'scipy', 'matplotlib', 'xarray', 'SALib', 'dask', 'distributed', 'IPython'):\n"
        "    sys.modules[m] = None\n"
        "from attrition.cli import main\n"
        "argv = ['compare', 'baseline-2024-12', 'dprk-cutoff-2025-01-20', '--json', '-n', '100', '--seed', '1']\n"
        "sys.exit(main(argv))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["b"] == "dprk-cutoff-2025-01-20"
