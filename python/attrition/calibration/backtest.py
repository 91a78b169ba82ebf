"""How good are the model's forecasts? A rolling-origin backtest against the record.

:func:`backtest` goes through forecast origins (by default the first report
of every month from January 2023 to November 2024). At each origin ``T`` it
reads only the reports up to ``T``:

1. **Fit.** The casualty process of the side (``base``, ``dispersion``,
   ``drift_sd``, ``drift_reversion``) is fitted by :func:`calibrate` to the
   daily personnel increments of the ``window`` reports up to ``T``, with the
   weakly informative :data:`CASUALTY_PRIORS` (those of the built-in fit).
   For the artillery target, one combat-loss rate shared by the side's fleets
   (prior :data:`COMBAT_LOSS_PRIOR`, set on every fleet of the side: the
   scenario's own value may be a posterior fitted to later reports) and a
   ``reporting`` factor (claims per gun the model loses, prior
   :data:`REPORTING_PRIOR`) are fitted to the daily increments of the
   ``artillery`` column over the same window. With ``slow_window``, a second
   stage fits the slow drift of the tempo (``slow_drift_sd``,
   ``slow_drift_reversion``, priors :data:`SLOW_PRIORS`) to the four-week block
   statistics (:func:`~attrition.calibration.summary_stats.block_stats`) of the
   ``slow_window`` reports up to ``T``, the fast parameters held at their
   first-stage medians and ``base`` a nuisance.
2. **Forecast.** The scenario is started on ``T`` (the report of ``T + 1``
   covers mostly day ``T``), with the record's cumulative at ``T`` as
   ``initial_cumulative``, and run for ``n`` trajectories whose fitted
   parameters are joint posterior draws (the slow drift's drawn independently
   of the first stage's). The forecast of the record's
   cumulative at ``T + h`` is the model's cumulative at day ``h - 1``:
   ``<side>.casualties.total.cumulative`` for personnel, and the record's
   artillery count at ``T`` plus the reporting factor times the guns the
   side's fleets lose for artillery.
3. **Score.** Each forecast is scored against the record's cumulative at
   ``T + h`` when the record reaches it (:mod:`~attrition.calibration.scores`),
   beside the naive forecasts of :mod:`~attrition.calibration.baselines` made
   from the same reports.

The couplings between the sides are off in fits and forecasts alike: a
scenario's fleets, stocks and supply describe its own start date (24 December
2024 for the built-ins), not each origin, so the enemy's fire stays at its
reference and ``base`` is the rate at that fire. What is tested is the
casualty process and the fleets' loss process with their fitted parameters,
not the ammunition model. The fleets are the scenario's (their day-0 guns
stand in for each origin's, which no record gives); the artillery forecast
depends on them only through the exposed guns, whose wear over the horizon
bends the forecast slightly downwards.
"""

from __future__ import annotations

import datetime as _dt
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .._utils.optional import require
from ..api import run
from ..data import gs_losses
from ..scenario import Scenario, as_scenario
from .baselines import BASELINES
from .observation import REPORTING
from .scores import Backtest, score
from .smc import calibrate
from .summary_stats import BLOCK, block_stats

__all__ = ["CASUALTY_PRIORS", "COMBAT_LOSS_PRIOR", "REPORTING_PRIOR", "SLOW_PRIORS", "backtest", "default_origins"]

#: Weakly informative priors of the casualty fit (``{side}`` is the side's name): those of the
#: built-in fit (``scripts/calibrate_baseline.py``), with ``base`` widened to 100-4,000 a day so
#: that one prior serves every origin (the record's monthly means run from 170 to 1,560 a day).
CASUALTY_PRIORS: dict[str, dict[str, Any]] = {
    "sides.{side}.casualties.base": {"dist": "uniform", "low": 100, "high": 4000},
    "sides.{side}.casualties.dispersion": {
        "dist": "lognormal",
        "mu": math.log(60),
        "sigma": 1.5,
        "low": 5,
        "high": 1000,
    },
    "sides.{side}.casualties.drift_sd": {"dist": "uniform", "low": 0.0, "high": 0.25},
    "sides.{side}.casualties.drift_reversion": {"dist": "uniform", "low": 0.0, "high": 0.5},
}

#: Priors of the slow drift, fitted at each origin to the ``slow_window`` reports up to it (a
#: second stage: the fast parameters fixed at their first-stage medians, ``base`` a nuisance):
#: a step of at most 0.1 a day (a random walk's four-week means then move by up to about 45 %
#: from one to the next) and a reversion of at most 0.05 a day (a memory of at least three weeks).
SLOW_PRIORS: dict[str, dict[str, Any]] = {
    "sides.{side}.casualties.slow_drift_sd": {"dist": "uniform", "low": 0.0, "high": 0.1},
    "sides.{side}.casualties.slow_drift_reversion": {"dist": "uniform", "low": 0.0, "high": 0.05},
}

#: The fast parameters that the slow drift's fit holds at their first-stage medians.
FAST = ("dispersion", "drift_sd", "drift_reversion")

#: Prior of the claims-to-model ratio of the artillery fit at each origin: wide (5 to 60 claims per
#: gun the model loses). The register's General Staff to Oryx ratio of yearly losses (13 in 2023,
#: 40 in 2024), the prior of the built-in fit, is computed from the 2023 and 2024 totals, which a
#: forecast from an origin in 2023 must not read.
REPORTING_PRIOR: dict[str, Any] = {"dist": "uniform", "low": 5.0, "high": 60.0}

#: The fleets' shared loss rate in the artillery fit (a pattern of the scenario's parameters).
COMBAT_LOSS = "sides.{side}.fleets.*.combat_loss"

#: Prior of that rate at each origin, set on every fleet of the side (not read from the scenario,
#: whose value may be the posterior of a fit to reports after the origin, as the built-in
#: baseline's is): Oryx's 0.9-1.4 confirmed Russian tube-artillery losses a day spread over the
#: ~2,200 guns modelled (fact oryx-ru-tube-artillery-loss-rate of the sources register), the
#: prior of the built-in fit. The claims identify the product of the rate and the factor.
COMBAT_LOSS_PRIOR: dict[str, Any] = {"dist": "uniform", "low": 0.9 / 2200, "high": 1.4 / 2200}

TARGETS = ("personnel", "artillery")


def default_origins(data: Any = None) -> list[_dt.date]:
    """The first report of every month from January 2023 to November 2024, or to the last
    month before the record ends when it ends sooner."""
    months = [_dt.date(2023 + (m // 12), m % 12 + 1, 1) for m in range(23)]
    if data is None:
        return months
    last = data.index.max().date()
    return [m for m in months if m < last]


def _record(data: Any) -> Any:
    """The record as a table: ``data`` itself when it is one, else :func:`gs_losses` of it."""
    if hasattr(data, "columns") and hasattr(data, "index"):
        return data
    return gs_losses(data)


def backtest(
    scenario: Scenario | Mapping[str, Any] | str = "baseline-2024-12",
    *,
    data: Any = None,
    origins: Iterable[Any] | None = None,
    horizons: Sequence[int] = (30, 90, 180),
    targets: Sequence[str] = TARGETS,
    window: int = 90,
    slow_window: int | None = None,
    side: str = "russia",
    population: int = 300,
    generations: int = 20,
    n: int = 400,
    baselines: Sequence[str] = tuple(BASELINES),
    seed: int = 0,
    threads: int | None = None,
    progress: bool = False,
) -> Backtest:
    """Score the model's forecasts of the record at rolling origins against naive forecasts.

    The procedure is in the Notes.

    Parameters
    ----------
    scenario
        The scenario whose casualty process and fleets forecast (default the
        built-in baseline).
    data
        The record: a table as :func:`attrition.data.gs_losses` returns, or
        what it reads (a newer CSV, the upstream JSON files or their folder);
        default the shipped series.
    origins
        Forecast origins (dates of the last report read); default
        :func:`default_origins`.
    horizons
        Days after the origin at which the cumulative is forecast and scored.
    targets
        ``"personnel"`` and/or ``"artillery"``.
    window
        Reports up to the origin that the fit reads (at least 28).
    slow_window
        With a number of reports (at least 112, e.g. 364), a second stage fits a slow
        drift of the tempo (:data:`SLOW_PRIORS`) to that many reports up to each origin
        (fewer where the reliable record is shorter; none when fewer than 112) and the
        personnel forecasts carry it; ``None`` (default): no slow drift.
    population, generations
        ABC-SMC particles per generation and the most generations of each fit.
    n
        Trajectories (and baseline draws) per forecast.
    baselines
        Names of the naive forecasts (:data:`~attrition.calibration.baselines.BASELINES`).
    seed
        Seeds fits, forecasts and baselines (origin ``i`` uses ``seed + i``).
    threads
        Worker threads of the engine.
    progress
        Print one line per origin.

    Returns
    -------
    Backtest
        Its ``table`` (one row per scored forecast), ``summary()`` and ``plot()``.

    Examples
    --------
    >>> import attrition
    >>> bt = attrition.backtest(origins=["2024-03-01"], horizons=[30], targets=["personnel"],
    ...                         population=100, generations=3, n=100)  # doctest: +SKIP
    >>> bt.summary()  # doctest: +SKIP
    """
    pd = require("pandas", extra="calibrate", purpose="the backtest")
    t0 = time.perf_counter()
    gs = _record(data)
    sc = as_scenario(scenario)
    if side not in sc.sides:
        raise ValueError(f"no side {side!r} in {sc.name!r}")
    bad = [t for t in targets if t not in TARGETS]
    if bad or not targets:
        raise ValueError(f"targets must be among {TARGETS}, got {list(targets)!r}")
    hs = sorted({int(h) for h in horizons})
    if not hs or hs[0] < 1:
        raise ValueError(f"horizons must be positive numbers of days, got {list(horizons)!r}")
    if int(window) < 28:
        raise ValueError(f"window must be at least 28 reports, got {window!r}")
    if slow_window is not None and int(slow_window) < 4 * BLOCK:
        raise ValueError(f"slow_window must be at least {4 * BLOCK} reports (or None), got {slow_window!r}")
    for b in baselines:
        if b not in BASELINES:
            raise ValueError(f"unknown baseline {b!r}; known: {', '.join(BASELINES)}")
    days = [pd.Timestamp(o).normalize() for o in (origins if origins is not None else default_origins(gs))]
    if not days:
        raise ValueError("no forecast origin")
    prior = sc.with_values({k.format(side=side): v for k, v in CASUALTY_PRIORS.items()})
    fleets = sc.to_dict()["sides"][side].get("fleets", {})
    loss_prior = sc.with_values({f"sides.{side}.fleets.{f}.combat_loss": COMBAT_LOSS_PRIOR for f in fleets})
    rows: list[dict[str, Any]] = []
    fits: list[dict[str, Any]] = []
    for i, origin in enumerate(days):
        first = origin - pd.Timedelta(days=int(window) - 1)
        if origin not in gs.index or first not in gs.index:
            raise ValueError(f"origin {origin:%Y-%m-%d}: the record has no report on it or {window} days before")
        if gs.loc[first:origin, "unreliable"].any():
            raise ValueError(f"origin {origin:%Y-%m-%d}: the window reaches into reports flagged unreliable")
        ends = {h: origin + pd.Timedelta(days=h) for h in hs if origin + pd.Timedelta(days=h) in gs.index}
        if not ends:
            continue
        hmax = max(ends)
        for target in targets:
            col = target
            y = gs.loc[first:origin, f"{col}_daily"]
            if y.isna().any():
                raise ValueError(f"origin {origin:%Y-%m-%d}: {col}_daily has gaps in the window")
            cal = _fit(
                prior if target == "personnel" else loss_prior,
                y,
                target,
                side,
                first,
                origin,
                population,
                generations,
                seed + i,
                threads,
            )
            row = _fit_row(cal, origin, target)
            slow = None
            if target == "personnel" and slow_window is not None:
                fit_args = (population, generations, seed + i, threads)
                slow = _fit_slow(cal, prior, gs, origin, int(slow_window), side, *fit_args)
                if slow is not None:
                    row.update({k: v for k, v in _fit_row(slow, origin, target).items() if "slow" in k})
            fits.append(row)
            ens = _forecast(cal, sc, gs, origin, hmax, target, side, n, seed + i, threads, slow)
            rng = np.random.default_rng([seed, i, TARGETS.index(target)])
            yv = y.to_numpy(dtype=float)
            start_value = float(gs.loc[origin, col])
            naive = {b: BASELINES[b](yv, list(ends), n, rng) for b in baselines}
            for j, (h, when) in enumerate(ends.items()):
                obs = float(gs.loc[when, col])
                for method, e in [("model", ens[:, h - 1])] + [(b, start_value + v[:, j]) for b, v in naive.items()]:
                    rows.append({"origin": origin, "target": target, "horizon": h, "method": method, **score(obs, e)})
        if progress:
            print(f"origin {origin:%Y-%m-%d}: {len(ends)} horizon(s) scored ({time.perf_counter() - t0:.0f} s)")
    if not rows:
        raise ValueError("no forecast could be scored: the record ends before every origin + horizon")
    settings = {
        "scenario": sc.name,
        "window": int(window),
        "slow_window": None if slow_window is None else int(slow_window),
        "population": int(population),
        "generations": int(generations),
        "n": int(n),
        "seed": int(seed),
        "horizons": hs,
        "targets": list(targets),
        "baselines": list(baselines),
        "record": f"{gs.index.min():%Y-%m-%d} .. {gs.index.max():%Y-%m-%d}",
        "seconds": time.perf_counter() - t0,
    }
    return Backtest(pd.DataFrame(rows), pd.DataFrame(fits), settings)


def _fit(
    sc: Scenario,
    y: Any,
    target: str,
    side: str,
    first: Any,
    origin: Any,
    population: int,
    generations: int,
    seed: int,
    threads: int | None,
) -> Any:
    """The model's fit at one origin: the casualty process, or the fleets' losses with a reporting factor."""
    common = dict(
        window=(first, origin),
        side=side,
        lag=1,
        population=int(population),
        max_generations=int(generations),
        seed=int(seed),
        threads=threads,
    )
    if target == "personnel":
        return calibrate(sc, y, params=[k.format(side=side) for k in CASUALTY_PRIORS], **common)
    loss = COMBAT_LOSS.format(side=side)
    return calibrate(
        sc, y, params=[loss], tie=loss, series=f"{side}.fleet.*.destroyed", reporting=REPORTING_PRIOR, **common
    )


def _fit_slow(
    cal: Any,
    prior: Scenario,
    gs: Any,
    origin: Any,
    slow_window: int,
    side: str,
    population: int,
    generations: int,
    seed: int,
    threads: int | None,
) -> Any:
    """The slow drift's fit at one origin (None when the reliable record before it is too short):
    ``slow_drift_sd`` and ``slow_drift_reversion`` with ``base`` as a nuisance, on the four-week
    block statistics of the reliable reports up to the origin, the fast parameters held at their
    first-stage medians."""
    pd = require("pandas", extra="calibrate", purpose="the backtest")
    reliable = gs.loc[:origin]
    bad = reliable.index[reliable["unreliable"].to_numpy(dtype=bool)]
    after_bad = gs.index.min() if bad.empty else bad.max() + pd.Timedelta(days=1)
    first = max(origin - pd.Timedelta(days=slow_window - 1), after_bad)
    if (origin - first).days + 1 < 4 * BLOCK:
        return None
    med = cal.summary()["q50"]
    fixed = {f"sides.{side}.casualties.{k}": float(med[f"sides.{side}.casualties.{k}"]) for k in FAST}
    slow_prior = prior.with_values({**fixed, **{k.format(side=side): v for k, v in SLOW_PRIORS.items()}})
    y = gs.loc[first:origin, "personnel_daily"]
    return calibrate(
        slow_prior,
        y,
        params=[f"sides.{side}.casualties.base", *(k.format(side=side) for k in SLOW_PRIORS)],
        window=(first, origin),
        side=side,
        lag=1,
        stats=block_stats,
        population=int(population),
        max_generations=int(generations),
        seed=int(seed),
        threads=threads,
    )


def _fit_row(cal: Any, origin: Any, target: str) -> dict[str, Any]:
    s = cal.summary()
    row: dict[str, Any] = {"origin": origin, "target": target}
    for p in s.index:
        short = p.rsplit(".", 1)[-1]
        row[short] = float(s.loc[p, "q50"])
        row[f"{short}_q5"] = float(s.loc[p, "q5"])
        row[f"{short}_q95"] = float(s.loc[p, "q95"])
    return row


def _forecast(
    cal: Any,
    sc: Scenario,
    gs: Any,
    origin: Any,
    days: int,
    target: str,
    side: str,
    n: int,
    seed: int,
    threads: int | None,
    slow: Any = None,
) -> np.ndarray:
    """``(n, days)`` draws of the record's cumulative on the ``days`` reports after the origin
    (the personnel forecast with the slow drift's posterior, drawn independently, when given)."""
    start = origin.date()  # the report of origin + 1 covers mostly the day of the origin
    changes: dict[str, Any] = {"start": start.isoformat(), "days": int(days), "coupling": False}
    if target == "personnel":
        changes[f"sides.{side}.casualties.initial_cumulative"] = float(gs.loc[origin, "personnel"])
    draws = cal.draws(n, seed=seed)
    smp = cal.sample(n, seed=seed)
    if slow is not None:  # uncertain in the scenario, so that the posterior draws can be given
        changes.update({k.format(side=side): v for k, v in SLOW_PRIORS.items()})
        extra = slow.sample(n, seed=seed + 1)
        for k in SLOW_PRIORS:
            smp[k.format(side=side)] = extra[k.format(side=side)].to_numpy()
    fsc = sc.with_values(changes)
    if target == "personnel":
        name = f"{side}.casualties.total.cumulative"
        r = run(fsc, seed=int(seed), samples=smp, series=[name], threads=threads, progress=False)
        return np.asarray(r.series(name), dtype=float)
    names = cal.observation.names
    r = run(fsc, seed=int(seed), samples=smp, series=names, threads=threads, progress=False)
    lost = sum(np.asarray(r.series(nm), dtype=float) for nm in names)
    return float(gs.loc[origin, "artillery"]) + draws[REPORTING].to_numpy()[:, None] * lost
