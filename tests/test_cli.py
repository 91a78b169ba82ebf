"""The command line."""

import pathlib
import subprocess
import sys

from attrition import cli


def test_scenarios_lists_builtins(capsys):
    assert cli.main(["scenarios"]) == 0
    assert "baseline-2024-12" in capsys.readouterr().out


def test_run_prints_a_table(capsys, tmp_path):
    assert cli.main(["run", "-n", "50", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "baseline-2024-12" in out and "seed = 3" in out
    assert "russia.ammo.152mm.days_to_rationing" in out and "median" in out


def test_run_a_file_and_validate(capsys):
    DATA = pathlib.Path(__file__).parent / "data"
    assert cli.main(["run", str(DATA / "two_sides.toml"), "-n", "20", "--seed", "1"]) == 0
    assert "red.fleet.guns.days_to_half" in capsys.readouterr().out
    assert cli.main(["validate", str(DATA / "two_sides.toml")]) == 0
    assert "ok" in capsys.readouterr().out


def test_validate_prints_errors(capsys, tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text('name = "x"\nstart = 2024-01-01\n[sides.a.calibers.c]\ninitial_stock = -1\n')
    assert cli.main(["validate", str(p)]) == 2
    assert "sides.a.calibers.c.initial_stock: must be >= 0" in capsys.readouterr().err


def test_console_script_runs():
    out = subprocess.run(
        [sys.executable, "-m", "attrition.cli", "scenarios"], capture_output=True, text=True, check=True
    )
    assert "no-dprk" in out.stdout


def test_the_table_shows_the_key_outcomes_of_any_run():
    """One list of key outcomes (scenario.registry) for the command line and the display,
    whether the run kept outcomes as arrays or as sketches."""
    import attrition
    from attrition.results.display import key_outcomes

    for outcomes in ("arrays", "sketch"):
        r = attrition.run("baseline-2024-12", n=40, seed=1, series=[], paths=False, outcomes=outcomes)
        rows = [line.split()[0] for line in cli.summary_table(r).splitlines()[2:]]
        assert rows == key_outcomes(r) and "russia.ammo.152mm.days_to_rationing" in rows
