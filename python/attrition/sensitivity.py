"""Which inputs drive the answer: variance-based (Sobol') indices and rank correlations.

:func:`sobol` builds a Saltelli design with SALib over the unit hypercube,
maps every column onto its parameter through that parameter's own inverse CDF
(:func:`ppf`), runs the design with explicit samples and returns SALib's
first-order and total indices. :func:`rank_correlation` is the cheap screen:
Spearman correlations between the parameters a run drew and an outcome.

A first-passage outcome (the day an event first happens, censored at the
horizon) is analysed as the time restricted to the horizon, ``min(T, days)``:
:func:`rank_correlation` and the tornado chart always, :func:`sobol` with
``censored="horizon"``. Every run counts; one that never sees the event counts
as the horizon.

The process noise of a trajectory (every random draw other than the uncertain
parameters) is an input too. By default :func:`sobol` treats it as one more
factor, ``"(noise)"``: the design pairs the random streams the way it pairs
parameter values, so the indices are those of the model as a deterministic
function of (parameters, noise) and the noise's own share of the variance is
reported beside the parameters' (see :func:`sobol`).

Needs the ``sensitivity`` extra (SALib, scipy, pandas).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ._utils import progress as progress_
from ._utils.fmt import shown
from ._utils.names import select, unknown
from ._utils.optional import require
from ._utils.stats import spearman
from .api import run
from .engine import expected_seconds
from .results import Result
from .results.events import restricted
from .scenario import Scenario, as_scenario
from .scenario.dist import Dist, ppf

__all__ = ["NOISE", "ppf", "rank_correlation", "sobol"]

#: Name of the process-noise factor in :func:`sobol`'s table.
NOISE = "(noise)"


def _salib() -> tuple[Any, Any]:
    """SALib's Sobol' sampler and analyser."""
    sample = require("SALib.sample.sobol", extra="sensitivity", purpose="sobol()")
    analyze = require("SALib.analyze.sobol", extra="sensitivity", purpose="sobol()")
    return sample, analyze


def _choose(paths: list[str], params: str | Iterable[str] | None) -> list[str]:
    """Parameter paths selected by names or glob patterns, in scenario order."""
    if params is None:
        return list(paths)
    return select(paths, params, "uncertain parameter", empty_pattern_ok=False, order="names")


def _outcome_values(r: Result, outcome: str | Callable[[Result], Any], n: int) -> np.ndarray:
    if isinstance(outcome, str):
        y = r.outcome(outcome)
    else:
        try:
            y = outcome(r)
        except Exception as e:
            if hasattr(e, "add_note"):  # Python 3.11+
                e.add_note(
                    f"raised by the outcome function {shown(getattr(outcome, '__name__', outcome))} "
                    f"on trajectories {r.trajectories} of the design"
                )
            raise
    y = np.asarray(y, dtype=float)
    if y.shape != (n,):
        raise ValueError(f"the outcome function returned shape {y.shape}; expected ({n},), one value per trajectory")
    return y


def sobol(
    scenario: Scenario | Mapping[str, Any] | str,
    outcome: str | Callable[[Result], Any],
    /,
    *,
    n: int,
    seed: int,
    params: str | Iterable[str] | None = None,
    others: str = "median",
    noise: bool = True,
    censored: str | float = "raise",
    series: Iterable[str] = (),
    num_resamples: int = 100,
    conf_level: float = 0.95,
    threads: int | None = None,
    progress: bool | None = None,
) -> Any:
    """First-order and total Sobol' indices of an outcome.

    The design is SALib's Sobol'/Saltelli sample (``SALib.sample.sobol.sample``
    with ``calc_second_order=False``, scrambled, seeded) over [0, 1] for each
    factor; each column is mapped onto its parameter by the parameter's inverse
    CDF (:func:`ppf`), and the indices are SALib's estimators
    (``SALib.analyze.sobol.analyze``: Saltelli 2010 for S1, Jansen for ST) with
    bootstrap confidence intervals.

    Parameters
    ----------
    scenario
        A :class:`~attrition.Scenario`, a dict, a built-in name or a TOML path.
    outcome
        An outcome name (``"russia.ammo.152mm.days_to_rationing"``) or a function of
        the :class:`~attrition.Result` returning one value per trajectory, e.g.
        ``lambda r: r.at("russia.ammo.152mm.stock", "2025-06-30")`` (name the
        series it reads in ``series``).
    n
        Base sample size N of the design, a power of 2. The design runs
        ``N x (k + 3)`` trajectories for ``k`` parameters with ``noise=True``,
        ``N x (k + 2)`` without.
    seed
        Seeds the design's scrambling, the bootstrap and the random streams.
    params
        The factors: dotted paths or glob patterns (``"sides.russia.casualties.*"``);
        default every uncertain parameter that is not a single value.
    others
        What the uncertain parameters left out of ``params`` do: ``"median"``
        (default) holds them at their medians, so that the indices are those of
        the selected parameters alone; ``"draw"`` draws them as usual, which
        adds their variation to the noise (and to the ``"(noise)"`` factor).
    noise
        True (default): the process noise is one more factor, ``"(noise)"``.
        The design's base matrices A and B get independent random streams and
        every A_B^i matrix (A with column i from B) reuses A's streams, except
        the noise's own, which takes B's; so the estimators are exact for the
        model as a function of (parameters, noise) and the row ``"(noise)"``
        says how much of the variance no parameter explains. False: every
        trajectory gets its own stream (the common practice); S1 then stays an
        unbiased share of the total variance, but every ST also carries the
        noise's share.
    censored
        What to do with NaN outcomes (first-passage times of events that do not
        happen within the horizon): ``"raise"`` (default) refuses with the
        censored share; ``"horizon"`` (``days_to_*`` outcomes) replaces them by
        the horizon ``days``, i.e. analyses the time restricted to the horizon,
        ``min(T, days)``; a number replaces them by that number.
    series
        Series to record for an outcome function.
    num_resamples, conf_level
        Bootstrap resamples and level of the confidence intervals.
    threads
        Worker threads of the runs.
    progress
        Show a progress bar over the design's trajectories (default: when watched,
        in a notebook or a terminal, and long).

    Returns
    -------
    pandas.DataFrame
        Indexed by parameter path (and ``"(noise)"``), columns ``S1``,
        ``S1_conf``, ``ST``, ``ST_conf`` (the half-width of the interval),
        sorted by ``ST`` descending. ``attrs`` records the outcome, n, the
        number of trajectories, seed, ``others``, ``noise`` and the censored share.

    Raises
    ------
    ValueError
        For an ``n`` that is not a power of 2, censored outcomes with
        ``censored="raise"``, or an outcome that does not vary.

    Notes
    -----
    Indices estimated from N base samples carry an error of order 1/sqrt(N):
    read small indices against their ``_conf`` column. Slightly negative
    estimates of a zero index are sampling error.

    Sobol' indices are those of independent inputs: the design gives every factor its
    own column, so rank correlations the scenario declares between factors
    (``[[correlations]]``) are not imposed on it.

    Examples
    --------
    >>> import attrition
    >>> from attrition.sensitivity import sobol
    >>> wide = {"dist": "uniform", "low": 500, "high": 3000}   # a level known only within a factor 6
    >>> s = attrition.Scenario.builtin("baseline-2024-12").with_values(
    ...     {"days": 30, "sides.russia.casualties.base": wide})
    >>> si = sobol(s, "russia.casualties.total.run_total", n=64, seed=1,
    ...            params="sides.russia.casualties.*")
    >>> si.index[0]
    'sides.russia.casualties.base'
    >>> list(si.columns)
    ['S1', 'S1_conf', 'ST', 'ST_conf']
    >>> "(noise)" in si.index    # the process noise's own share
    True
    """
    pd = require("pandas", extra="sensitivity", purpose="sobol()")
    sample, analyze = _salib()
    sc = as_scenario(scenario)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2 or (n & (n - 1)) != 0:
        lo = 1 << max(1, int(n).bit_length() - 1) if isinstance(n, (int, np.integer)) and n > 0 else 2
        raise ValueError(
            f"n must be a power of 2 (the Sobol' sequence's balance needs it), got {shown(n)}; try {lo} or {lo * 2}"
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64:
        raise ValueError(f"seed must be an integer in [0, 2**64), got {shown(seed)}")
    if others not in ("median", "draw"):
        raise ValueError(f"others must be 'median' or 'draw', got {shown(others)}")
    if isinstance(outcome, str):
        if outcome not in sc.outcome_names:
            raise unknown(outcome, sc.outcome_names, "outcome")
    elif not callable(outcome):
        raise TypeError(f"outcome must be an outcome name or a function of the Result, got {type(outcome).__name__}")
    if isinstance(censored, str):
        if censored not in ("raise", "horizon"):
            raise ValueError(f"censored must be 'raise', 'horizon' or a number, got {shown(censored)}")
        if censored == "horizon" and not (
            isinstance(outcome, str) and outcome.rsplit(".", 1)[-1].startswith("days_to_")
        ):
            raise ValueError("censored='horizon' is for days_to_* outcomes; pass a number to replace NaN by it")
    elif not np.isfinite(float(censored)):
        raise ValueError(f"censored must be 'raise', 'horizon' or a finite number, got {shown(censored)}")

    marg = {u["path"]: Dist(u["spec"], u["path"]) for u in sc.uncertain_list()}
    varying = [p for p, m in marg.items() if not m.degenerate]
    if params is None:
        names = varying
    else:
        names = _choose(list(marg), params)
        flat = [p for p in names if marg[p].degenerate]
        if flat:
            raise ValueError(f"{flat[0]} has a single value ({marg[flat[0]].spec}); it cannot be a factor")
    if not names:
        raise ValueError("no uncertain parameter to analyse")
    held = {p: m.median() for p, m in marg.items() if p not in names} if others == "median" else {}
    factors = names + ([NOISE] if noise else [])
    k = len(factors)
    problem = {"num_vars": k, "names": factors, "bounds": [[0.0, 1.0]] * k}
    u = sample.sample(problem, int(n), calc_second_order=False, scramble=True, seed=int(seed))
    x = np.column_stack([marg[p].ppf(u[:, i]) for i, p in enumerate(names)])
    step = k + 2
    y = np.empty(len(u))

    def batch(rows: np.ndarray, trajectories: range) -> np.ndarray:
        m = len(trajectories)
        given = {p: x[rows, i] for i, p in enumerate(names)}
        given.update({p: np.full(m, v) for p, v in held.items()})
        r = run(
            sc,
            seed=int(seed),
            trajectories=trajectories,
            samples=given,
            series=list(series),
            threads=threads,
            progress=False,
        )
        progress_.tick(bar, m)
        return _outcome_values(r, outcome, m)

    seconds = expected_seconds(sc, len(u), threads)
    bar = progress_.bar(progress_.show(progress, seconds), len(u), f"sobol {sc.name}")
    try:
        if noise:
            # Row position within a block: 0 = A, 1..k = A_B^i (k = the noise's), k + 1 = B.
            # A and the parameters' A_B^i share A's streams (trajectories 0..N-1);
            # the noise's A_B^i and B take B's (trajectories N..2N-1).
            for pos in range(step):
                rows = np.arange(pos, len(u), step)
                traj = range(n, 2 * n) if pos >= k else range(0, n)
                y[rows] = batch(rows, traj)
        else:
            y[:] = batch(np.arange(len(u)), range(0, len(u)))
    finally:
        progress_.close(bar)

    bad = np.isnan(y)
    share = float(bad.mean())
    if bad.any():
        if censored == "raise":
            raise ValueError(
                f"{shown(outcome)} is NaN (censored: the event does not happen within the {sc.days}-day horizon) in "
                f"{share:.1%} of the {len(y):,} trajectories; pass censored='horizon' to analyse min(T, days), "
                "censored=<number> to replace NaN by a value, or lengthen the horizon"
            )
        y[bad] = float(sc.days) if censored == "horizon" else float(censored)
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{shown(outcome)} has infinite values; Sobol' indices need finite outcomes")
    if np.var(y) == 0.0:
        raise ValueError(
            f"{shown(outcome)} does not vary over the design (it is {y[0]:g} everywhere); the indices are undefined"
        )
    res = analyze.analyze(
        problem,
        y,
        calc_second_order=False,
        num_resamples=int(num_resamples),
        conf_level=float(conf_level),
        print_to_console=False,
        seed=np.random.default_rng(int(seed)),  # a Generator: SALib ignores a seed of 0
    )
    df = pd.DataFrame(
        {c: np.asarray(res[c], dtype=float) for c in ("S1", "S1_conf", "ST", "ST_conf")},
        index=pd.Index(factors, name="param"),
    )
    df = df.sort_values("ST", ascending=False, kind="mergesort")
    df.attrs.update(
        {
            "outcome": outcome if isinstance(outcome, str) else getattr(outcome, "__name__", "function"),
            "n": int(n),
            "trajectories": len(y),
            "seed": int(seed),
            "others": others,
            "noise": noise,
            "censored_share": share,
            "conf_level": float(conf_level),
        }
    )
    return df


def rank_correlation(result: Result, outcome: str | Any, /, *, params: str | Iterable[str] | None = None) -> Any:
    """Spearman rank correlation of each drawn parameter with an outcome.

    The quick screen of which inputs move an outcome: one run, no design.
    Ranks are average ranks (ties share the mean of their positions).

    A first-passage outcome (``days_to_*``, the day an event first happens) is
    read as the **time censored at the horizon**, ``min(T, days)``: a run in which
    the event never happens counts as later than any run in which it does, so
    every run counts. (Dropping those runs would correlate the parameters with the
    event time among the runs that happen to see it, a selected few that can point
    the other way.) The tornado chart (``result.plot.tornado``) uses the same
    method, so the two agree. For other outcomes, pairs with a NaN are dropped,
    parameter by parameter. A parameter or outcome that does not vary gives NaN.

    Parameters
    ----------
    result
        A :class:`~attrition.Result` that kept per-trajectory outcomes and parameters.
    outcome
        An outcome name, or an array of one value per trajectory (used as it is).
    params
        Dotted paths or glob patterns to restrict to (default: all drawn parameters).

    Returns
    -------
    pandas.Series
        rho indexed by parameter path, sorted by ``|rho|`` descending (NaN last);
        ``attrs["n"]`` is the number of pairs used (the most over parameters) and
        ``attrs["censored"]`` how censored times were read (``"horizon"``, or None).

    Examples
    --------
    >>> import attrition
    >>> from attrition.sensitivity import rank_correlation
    >>> s = attrition.Scenario.builtin("baseline-2024-12").with_values(
    ...     {"days": 60, "sides.russia.casualties.base": {"dist": "uniform", "low": 500, "high": 3000}})
    >>> r = attrition.run(s, n=200, seed=1, series=[])
    >>> rho = rank_correlation(r, "russia.casualties.total.run_total")
    >>> rho.index[0]
    'sides.russia.casualties.base'
    >>> bool(rho.iloc[0] > 0.8)
    True
    >>> t = rank_correlation(r, "russia.ammo.152mm.days_to_rationing")   # censored at the horizon: all 200 runs
    >>> t.attrs["n"], t.attrs["censored"]
    (200, 'horizon')
    """
    pd = require("pandas", extra="sensitivity", purpose="rank_correlation()")
    censored = None
    if isinstance(outcome, str):
        y = np.asarray(result.outcome(outcome), dtype=float)
        name = outcome
        if result.is_event(outcome):
            y = restricted(y, result.days)
            censored = "horizon"
    else:
        y = np.asarray(outcome, dtype=float)
        name = None
        if y.shape != (result.n,):
            raise ValueError(f"outcome has shape {y.shape}; expected ({result.n},), one value per trajectory")
    drawn = result.params
    names = _choose(list(drawn), params)
    rho = np.full(len(names), np.nan)
    used = 0
    for i, p in enumerate(names):
        rho[i], pairs = spearman(np.asarray(drawn[p], dtype=float), y)
        used = max(used, pairs)
    s = pd.Series(rho, index=pd.Index(names, name="param"), name=name)
    order = s.abs().sort_values(ascending=False, na_position="last", kind="mergesort").index
    s = s.reindex(order)
    s.attrs["n"] = used
    s.attrs["censored"] = censored
    return s
