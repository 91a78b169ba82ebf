#!/usr/bin/env python
"""Calibrate the built-in scenarios' Russian casualty process to the General Staff series.

Fits ``base``, ``dispersion``, ``drift_sd`` and ``drift_reversion`` of
``[sides.russia.casualties]`` in ``baseline-2024-12`` to the daily personnel
increments of the shipped ``ua_gs_losses_to_2024-12-24.csv`` (fact
``gs-personnel-series`` of the sources register) over the last
``--window-days`` reports up to 2024-12-24, by ABC-SMC
(:func:`attrition.calibration.calibrate`), and writes the posteriors into the
``[sides.russia.casualties]`` table of ``baseline-2024-12.toml``, with a comment
naming the command and the date it was run. The variants
(``dprk-cutoff-2025-01-20``, ``no-dprk``) are overlays of the baseline and inherit
the values, so that the scenarios stay comparable. The ``[sources]`` entries of
the fitted parameters cite the series and describe the fit; their notes quote
the medians, which a new fit must update.

Choices (the numbers are those of the run that wrote the built-in scenarios):

- The window is the last 90 reports (2024-09-26 .. 2024-12-24): 13 weekly means,
  enough to tell the weeks-long drift from the daily noise, and mostly inside the
  intensity regime of the autumn 2024 offensive (the weekly means stepped up from
  about 1,200-1,300 to 1,450-1,800 a day in the second half of October 2024;
  facts gs-personnel-daily-late-2024: Nov 2024 1,515/day, 1-23 Dec 1,552/day). A 180-day window, half of it
  in the summer's lower regime, gives a level 3 % lower and twice as uncertain
  (median 1,423, 90 % 1,159-1,717, against 1,471, 1,312-1,674), since the drift must
  then also carry the October step; its dispersion is similar and its drift of a
  similar size with twice the memory (reversion 0.13 against 0.27 a day). No report
  after 2024-12-24 is read: the series is cut there before the fit, and the fit
  reads only the window.
- Priors: wide, weakly informative ones replace the baseline's assumptions for the
  fit, because those (dispersion pert(15, 30, 60), drift_sd pert(0.01, 0.03, 0.05),
  drift_reversion pert(0.005, 0.02, 0.05)) bind: the data put the dispersion above
  60 and the drift's memory at days, not weeks. See CALIBRATION_PRIORS.
- The coupling is off during the fit (the default of ``calibrate``): the window
  precedes the scenario's start, whose fleets and stocks describe 24 December
  2024, so coupled fire would replay the scenario's future onto the window. ``base``
  is then the rate at the reference fire, which is the baseline's median day-0
  fire (its ``ref_fire`` calibration), so the fitted level is the baseline's
  median day-0 rate. ``alpha`` is not fitted (a window of observed casualties
  without observed fire says nothing about it).
- ``base`` written is the posterior of the window's level (the level the drift
  reverts to), not the latent rate on the window's last day: the fitted drift
  forgets within days, so the state on 2024-12-24 says nothing about the level
  beyond the first week of the baseline. The baseline's drift starts from tempo 1
  on day 0, so its ``base`` is its day-0 rate, as before.
- Form: each posterior as a lognormal (weighted mean and sd of the log values)
  truncated to the fit's prior support. The marginals are written independently:
  their correlations (up to 0.5 in the posterior, between dispersion and drift_sd,
  whose day-to-day noise the data partly trade) are not carried.
- What the fit describes is the window: fluctuations of a few days around the
  level of the last three months. Shifts of the level between months or years
  (facts gs-personnel-daily-2023, -2024, -late-2024: 694 a day in 2023, 1,164 in 2024,
  1,552 in December 2024) are not in
  it, so the baseline's two-year casualty bands carry the uncertainty of the
  current level, not of a future change of regime (tempo steps are the lever).

The fleets (``--fit fleets``): one combat-loss rate ``combat_loss`` shared by the
six Russian fleets, and a reporting factor, are fitted by the same ABC-SMC to the daily
increments of the series' ``artillery`` column (Russian "artillery systems" claimed
destroyed) over the same window, compared with the reporting factor times the guns
the fleets lose a day (``russia.fleet.*.destroyed``, summed and differenced):

- The claims count far more than the model's guns: the General Staff's category takes
  in mortars and unconfirmed drone hits, and its yearly totals run 13 (2023) to 40
  (2024) times Oryx's visually confirmed tube-artillery losses (the register's
  ``gs-to-oryx-artillery-ratio``). The factor's prior is uniform over that range; the
  loss rate's prior is the baseline's own (uniform over Oryx's 0.9-1.4 guns a day,
  ``oryx-ru-tube-artillery-loss-rate``, spread over the ~2,200 guns modelled). The
  claims fix the product of the two (how many claims a gun the model loses stands
  for); which of them is large rests on the priors, so the loss rate's posterior
  stays close to its prior and the factor's posterior is the implied claims-to-model
  ratio. Fitted to the claims alone, the rate would be the claims' ~30 a day: the
  fleets would be gone within months, which no other source supports.
- ``combat_beta`` (the elasticity of losses to Ukrainian fire) is not fitted: the
  window runs with the coupling off (the fleets and stocks describe 24 December 2024),
  and no record of Ukrainian fire over the window exists to relate the claims to.
- The written posterior is the loss rate's (lognormal, truncated to the prior's
  support), the same on all six fleets; the factor goes in the comment.

Usage::

    python scripts/calibrate_baseline.py              # fit both and write the baseline
    python scripts/calibrate_baseline.py --fit fleets # the fleets' fit only
    python scripts/calibrate_baseline.py --dry-run    # fit and print the tables only
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import pathlib
import re
import sys
import time

import attrition
from attrition.calibration import calibrate
from attrition.data import LOSSES_FILE, gs_losses
from attrition.scenario.reference import field_unit

END = "2024-12-24"  # the built-in scenarios' day 0: no data after it
SCENARIOS = ("baseline-2024-12",)  # the variants are overlays of it
ROOT = pathlib.Path(__file__).resolve().parents[1]
SCENARIO_DIR = ROOT / "python" / "attrition" / "scenarios"
P = "sides.russia.casualties."
PARAMS = ("base", "dispersion", "drift_sd", "drift_reversion")

#: Weakly informative priors of the fit (a lognormal with sigma 1.5 is nearly flat in log k).
CALIBRATION_PRIORS = {
    P + "base": {"dist": "uniform", "low": 500, "high": 3000},
    P + "dispersion": {"dist": "lognormal", "mu": math.log(60), "sigma": 1.5, "low": 5, "high": 1000},
    P + "drift_sd": {"dist": "uniform", "low": 0.0, "high": 0.25},
    P + "drift_reversion": {"dist": "uniform", "low": 0.0, "high": 0.5},
}

#: The fleets' fit: one loss rate on every Russian fleet, and the claims-to-model factor.
COMBAT_LOSS = "sides.russia.fleets.*.combat_loss"
REPORTING_PRIOR = {"dist": "uniform", "low": 13.0, "high": 40.0}
#: The loss rate's prior: Oryx's 0.9-1.4 confirmed losses a day over the ~2,200 guns modelled
#: (fact oryx-ru-tube-artillery-loss-rate), set here and not read from the baseline, which
#: carries the posterior of the last fit (a prior read from it would count the claims twice).
FLEETS = ("msta_s", "akatsiya", "msta_b", "giatsint_b", "d30", "m1989_koksan")
COMBAT_LOSS_PRIOR = {"dist": "uniform", "low": 0.9 / 2200, "high": 1.4 / 2200}

#: What each parameter means, for the comments.
MEANING = {
    "base": "the window's level, rate at the reference fire (day-0 rate)",
    "dispersion": "negative-binomial k of the daily count",
    "drift_sd": "daily sd of the log-tempo drift",
    "drift_reversion": "daily mean reversion of the drift",
}


def fmt(x: float) -> str:
    return f"{x:.4g}" if abs(x) < 1 else f"{x:,.0f}"


def toml_number(x: float) -> str:
    return repr(float(f"{x:.6g}"))


def table_lines(cal, args, command: str) -> list[str]:
    """The calibrated entries of [sides.russia.casualties], with their comments."""
    first, last = cal.observed.index[0].date(), cal.observed.index[-1].date()
    dists = cal.distributions("lognormal")
    s = cal.summary()
    lines = [
        "# --- calibrated to ua_gs_losses_to_2024-12-24.csv (fact gs-personnel-series): base, dispersion, drift_sd and",
        f"# drift_reversion, by `{command}` (run {dt.date.today().isoformat()}):",
        f"# ABC-SMC fit of the daily personnel increments of the {len(cal.observed)} reports {first} .. {last}",
        "# (none later; report of date D = day D - 1), coupling off, weakly informative priors; each",
        "# posterior as a lognormal truncated to the prior's support. Posterior medians [90 % intervals]",
        "# in the comments. See scripts/calibrate_baseline.py for the choices. The fit describes the",
        "# window (fluctuations of days around its level); shifts of the level between months, as",
        "# from 1,164/day in 2024 to 1,552 in Dec 2024 (fact gs-personnel-daily-late-2024), are not in it.",
    ]
    for name in PARAMS:
        path = P + name
        d = dists[path]
        parts = ['dist = "lognormal"', f"mu = {toml_number(d['mu'])}", f"sigma = {toml_number(d['sigma'])}"]
        if "low" in d:
            parts.append(f"low = {toml_number(d['low'])}")
        if "high" in d:
            parts.append(f"high = {toml_number(d['high'])}")
        lines.append(
            f"# {MEANING[name]}: {fmt(s.loc[path, 'q50'])} [{fmt(s.loc[path, 'q5'])}, {fmt(s.loc[path, 'q95'])}]"
        )
        unit = field_unit("casualties", name)
        lines.append(f"{name} = {{ {', '.join(parts)} }}" + (f"  # {unit}" if unit else ""))
    return lines


def rewrite(text: str, new: list[str]) -> str:
    """Replace the calibrated entries (and any earlier calibration block) of the table."""
    m = re.search(r"^\[sides\.russia\.casualties\]\n(.*?)(?=^\[)", text, flags=re.S | re.M)
    if not m:
        raise SystemExit("no [sides.russia.casualties] table")
    body = m.group(1).splitlines()
    out: list[str] = []
    pending: list[str] = []  # comment lines waiting for the entry they describe
    skip_block = False
    for line in body:
        if line.startswith("# --- calibrated to"):
            skip_block = True
            continue
        if skip_block and line.startswith("#"):
            continue
        skip_block = False
        key = re.match(r"^([A-Za-z_]+)\s*=", line)
        if line.startswith("#") or not line.strip():
            pending.append(line)
            continue
        if key and key.group(1) in PARAMS:
            pending = []  # the entry and its comments are replaced
            continue
        out.extend(pending)
        pending = []
        out.append(line)
    out.extend(pending)
    while out and not out[-1].strip():
        out.pop()
    table = "\n".join(new + out) + "\n\n"
    return text[: m.start(1)] + table + text[m.end(1) :]


def fleet_lines(cal, command: str) -> dict[str, list[str]]:
    """The calibrated ``combat_loss`` entry of each Russian fleet, with its comments."""
    first, last = cal.observed.index[0].date(), cal.observed.index[-1].date()
    s = cal.summary()
    d = next(iter(cal.distributions("lognormal").values()))
    q, r = s.loc[COMBAT_LOSS], s.loc["reporting"]
    parts = ['dist = "lognormal"', f"mu = {toml_number(d['mu'])}", f"sigma = {toml_number(d['sigma'])}"]
    parts += [f"{k} = {toml_number(d[k])}" for k in ("low", "high") if k in d]
    lines = [
        "# --- calibrated (fleets) to the artillery claims of ua_gs_losses_to_2024-12-24.csv, with",
        f"# `{command}` (run {dt.date.today().isoformat()}): one rate on all six",
        f"# Russian fleets and a claims-to-model factor fitted to the {len(cal.observed)} reports {first} .. {last}",
        "# (coupling off; see the script). The claims fix the product; the rate stays near its prior.",
        f"# loss rate per gun and day: {q['q50']:.3g} [{q['q5']:.3g}, {q['q95']:.3g}]; implied claims per gun",
        f"# lost in the model: {r['q50']:.3g} [{r['q5']:.3g}, {r['q95']:.3g}] (prior 13-40)",
        f"combat_loss = {{ {', '.join(parts)} }}  # {field_unit('fleets', 'combat_loss')}",
    ]
    return {p.split(".")[3]: lines for p in cal.sample(1).columns}


def rewrite_fleets(text: str, lines: dict[str, list[str]]) -> str:
    """Replace each named Russian fleet's ``combat_loss`` entry (and an earlier calibration comment)."""
    for fleet, new in lines.items():
        m = re.search(rf"^\[sides\.russia\.fleets\.{fleet}\]\n(.*?)(?=^\[)", text, flags=re.S | re.M)
        if not m:
            raise SystemExit(f"no [sides.russia.fleets.{fleet}] table")
        body = m.group(1).splitlines()
        out: list[str] = []
        skip = False
        for line in body:
            if line.startswith("# --- calibrated (fleets)"):
                skip = True
                continue
            if skip and line.startswith("#"):
                continue
            skip = False
            if line.startswith("combat_loss ="):
                out.extend(new)
                continue
            out.append(line)
        text = text[: m.start(1)] + "\n".join(out) + "\n" + text[m.end(1) :]
    return text


def rewrite_fleet_notes(text: str, cal) -> str:
    """Quote the new posterior median and interval in each fleet's ``[sources]`` note."""
    q = cal.summary().loc[COMBAT_LOSS]
    new = f"the posterior median {q['q50']:.3g} [{q['q5']:.3g}, {q['q95']:.3g}] a gun a day"
    for fleet in FLEETS:
        pattern = rf'^("sides\.russia\.fleets\.{fleet}\.combat_loss" = .*?)the posterior median [^"]*? a gun a day'
        text, k = re.subn(pattern, lambda m: m.group(1) + new, text, flags=re.M)
        if k != 1:
            raise SystemExit(f"no posterior median quoted in the sources entry of {fleet}.combat_loss")
    return text


def write_scenarios(edit) -> None:
    """Apply ``edit`` (TOML text to TOML text) to each calibrated scenario file, checking the result."""
    for name in SCENARIOS:
        path = SCENARIO_DIR / f"{name}.toml"
        new = edit(path.read_text("utf-8"))
        attrition.Scenario.from_toml(new)  # still a valid scenario
        path.write_text(new, "utf-8")
        print(f"wrote {path.relative_to(ROOT)}")


def fit_fleets(gs, first, last, args):
    """The fleets' combat-loss rate and the claims-to-model factor, fitted to the artillery claims."""
    prior = attrition.Scenario.builtin("baseline-2024-12").with_values(
        {f"sides.russia.fleets.{f}.combat_loss": COMBAT_LOSS_PRIOR for f in FLEETS}
    )
    return calibrate(
        prior,
        gs.loc[:END, "artillery_daily"],
        params=[COMBAT_LOSS],
        tie=COMBAT_LOSS,
        series="russia.fleet.*.destroyed",
        reporting=REPORTING_PRIOR,
        window=(first, last),
        side="russia",
        lag=1,
        population=args.population,
        seed=args.seed,
        min_acceptance=args.min_acceptance,
        max_generations=args.max_generations,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--window-days", type=int, default=90, help="reports in the window ending 2024-12-24 (default 90)")
    ap.add_argument("--population", type=int, default=1000, help="particles per generation (default 1000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--min-acceptance", type=float, default=0.02)
    ap.add_argument("--max-generations", type=int, default=60)
    ap.add_argument("--dry-run", action="store_true", help="print the tables, write nothing")
    ap.add_argument("--fit", choices=("both", "personnel", "fleets"), default="both", help="what to fit (default both)")
    args = ap.parse_args(argv)

    gs = gs_losses()
    observed = gs.loc[:END, "personnel_daily"]  # nothing after the scenarios' day 0
    last = dt.date.fromisoformat(END)
    first = last - dt.timedelta(days=args.window_days - 1)
    if gs.loc[str(first) : END, "unreliable"].any():
        raise SystemExit(f"the window {first} .. {END} reaches into the unreliable early-2022 reports")
    command = "python scripts/calibrate_baseline.py"
    defaults = {"window_days": 90, "population": 1000, "seed": 1, "min_acceptance": 0.02, "max_generations": 60}
    for k, v in defaults.items():
        if getattr(args, k) != v:
            command += f" --{k.replace('_', '-')} {getattr(args, k)}"
    if args.fit != "personnel":
        t0 = time.perf_counter()
        fcal = fit_fleets(gs, first, last, args)
        print(fcal)
        print(f"({time.perf_counter() - t0:.0f} s)")
        print(fcal.summary().to_string(float_format=lambda v: f"{v:.4g}"))
        print(fcal.generations.round(3).to_string())
        flines = fleet_lines(fcal, command + ("" if args.fit == "both" else " --fit fleets"))
        print("\n" + "\n".join(next(iter(flines.values()))))
        if not args.dry_run:
            write_scenarios(lambda text: rewrite_fleet_notes(rewrite_fleets(text, flines), fcal))
        if args.fit == "fleets":
            return 0
    prior = attrition.Scenario.builtin("baseline-2024-12").with_values(CALIBRATION_PRIORS)
    t0 = time.perf_counter()
    cal = calibrate(
        prior,
        observed,
        params=[P + k for k in PARAMS],
        window=(first, last),
        side="russia",
        lag=1,
        population=args.population,
        seed=args.seed,
        min_acceptance=args.min_acceptance,
        max_generations=args.max_generations,
    )
    took = time.perf_counter() - t0
    print(cal)
    print(f"({took:.0f} s)")
    print(cal.summary().to_string(float_format=lambda v: f"{v:.4g}"))
    print("informativeness (R^2 of each projection):", cal.informativeness.round(2).to_dict())
    print(cal.generations.round(3).to_string())

    lines = table_lines(cal, args, command)
    print("\n[sides.russia.casualties]\n" + "\n".join(lines))
    if args.dry_run:
        return 0
    write_scenarios(lambda text: rewrite(text, lines))
    assert LOSSES_FILE == "ua_gs_losses_to_2024-12-24.csv"
    return 0


if __name__ == "__main__":
    sys.exit(main())
