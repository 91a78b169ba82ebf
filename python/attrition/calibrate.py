"""Do the inputs agree with what has been observed? Calibration by ABC-SMC.

:func:`calibrate` fits chosen uncertain parameters of a scenario to an observed
daily series (by default a side's daily casualties against the General Staff's
``personnel_daily``, :func:`attrition.data.gs_losses`) over a date window, by
approximate Bayesian computation with sequential Monte Carlo: the engine
simulates, one batch of trajectories per generation, each trajectory carrying
one particle's parameter values as explicit samples.

The algorithm is the adaptive population Monte Carlo ABC of Lenormand, Jabot
and Deffuant (2013), a batch form of Beaumont et al. (2009):

1. Generation 0 draws ``population`` particles from the priors (the
   parameters' distributions in the scenario) and simulates each once. The
   tolerance is the ``quantile`` of their distances to the observed series;
   the particles within it are kept.
2. Each later generation draws ``population - kept`` new particles: a parent
   picked by weight, moved by a Gaussian kernel with twice the weighted
   covariance of the kept particles, and simulated (one batch). The new
   tolerance is the ``quantile`` of the distances of kept and new particles
   together, and the particles within it are kept. Their importance weights
   are prior density over the density of the mixture of every proposal so far,
   each in proportion to its simulations (deterministic-mixture weights, as in
   adaptive multiple importance sampling), so that particles of different
   generations are weighted on one footing.
3. It stops when the share of new particles within the previous tolerance
   (the acceptance rate) falls below ``min_acceptance``, or after
   ``max_generations``.

The sampler works in the normal scores of the priors, z = Phi^-1(F(x)), in
which every prior is a standard normal: the kernel never leaves a prior's
support, and bounded priors (pert, uniform, beta, truncated normal) need no
truncated kernels. A value is x = F^-1(Phi(z)).

Summary statistics (:func:`daily_stats`). Daily counts are overdispersed (a
negative binomial around the day's mean) and autocorrelated (the mean drifts),
so single days are not compared; six statistics of the window are:

- ``log_mean``: log of the mean daily count (the level: ``base``);
- ``log_dispersion``: log of half the mean squared day-to-day change over the
  squared mean, i.e. the daily variance relative to the level with the slow
  drift differenced out (~ log(1/mean + 1/k): ``dispersion``);
- ``log_cv_weekly``: log of the coefficient of variation of the weekly means
  (the drift's size beyond the daily noise: ``drift_sd``, ``drift_reversion``);
- ``acf7``: lag-7 autocorrelation of the daily counts (the drift's memory);
- ``trend``: least-squares slope over the window, as a share of the mean;
- ``end``: log of the mean of the last 14 days over the window's mean.

Distance (``distance="projection"``, the default): the statistics are first
scaled by their spread (1.4826 x median absolute deviation) over generation 0's
prior simulations, then combined into one statistic per fitted parameter, the
least-squares prediction of the parameter from the scaled statistics, their
squares and pairwise products over those simulations (semi-automatic ABC,
Fearnhead and Prangle 2012). Parameters with positive priors are predicted on
the log scale (rates and dispersions act multiplicatively), and each prediction
is in units of the parameter's prior spread. The distance is the Euclidean
distance between the predictions for a simulation and for the observation. So
every parameter counts once, whatever the number of statistics that inform it,
and statistics that inform no fitted parameter (``acf7`` when only ``base`` is
fitted) get no weight instead of adding noise to every distance. For a side's
casualty series, the log of each simulation's rate on the window's last day
(``base x tempo``, a latent state) is one more prediction, so the kept
simulations also end where the observed series ends and
:attr:`Calibration.rate_at_end` is its posterior. ``informativeness`` reports
the R^2 of each prediction: near 0, the statistics say little about that
parameter and its posterior stays near its prior. ``distance="scaled"`` uses
the scaled statistics themselves (Euclidean), the classic choice, which lets
uninformative statistics dilute the informative ones.

Needs the ``calibrate`` extra (scipy, pandas); the plot needs matplotlib.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import textwrap
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from ._utils.names import unknown as _unknown
from .api import run
from .results import Result
from .results.frames import pandas as _pandas
from .scenario import Scenario, as_scenario
from .scenario.dist import Marginal

__all__ = ["calibrate", "Calibration", "daily_stats", "STAT_NAMES"]

#: Names of the statistics of :func:`daily_stats`, in order.
STAT_NAMES = ("log_mean", "log_dispersion", "log_cv_weekly", "acf7", "trend", "end")

_TINY = 1e-12


def daily_stats(x: Any) -> np.ndarray:
    """The default summary statistics of daily series (see :mod:`attrition.calibrate`).

    Parameters
    ----------
    x
        Daily values, shape ``(days,)`` or ``(n, days)``, at least 28 days.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 6)`` (``(1, 6)`` for one series), columns as :data:`STAT_NAMES`.

    Examples
    --------
    >>> import numpy as np
    >>> from attrition.calibrate import daily_stats
    >>> x = np.random.default_rng(1).poisson(1000, size=(2, 90)).astype(float)
    >>> s = daily_stats(x)
    >>> s.shape
    (2, 6)
    >>> bool(abs(s[0, 0] - np.log(1000)) < 0.01)
    True
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    n, t = x.shape
    if t < 28:
        raise ValueError(f"the statistics need at least 28 days, got {t}")
    m = x.mean(axis=1)
    lm = np.log(np.maximum(m, _TINY))
    d = np.diff(x, axis=1)
    disp = np.log(np.maximum(0.5 * (d * d).mean(axis=1), _TINY) / np.maximum(m * m, _TINY))
    nw = t // 7
    w = x[:, t - 7 * nw:].reshape(n, nw, 7).mean(axis=2)
    cvw = np.log(np.maximum(w.std(axis=1, ddof=1), _TINY) / np.maximum(m, _TINY))
    c = x - m[:, None]
    den = (c * c).sum(axis=1)
    acf = np.where(den > 0, (c[:, 7:] * c[:, :-7]).sum(axis=1) / np.maximum(den, _TINY), 0.0)
    tt = np.arange(t, dtype=float) - (t - 1) / 2.0
    slope = (c * tt).sum(axis=1) / (tt * tt).sum()
    trend = slope * (t - 1) / np.maximum(m, _TINY)
    end = np.log(np.maximum(x[:, -14:].mean(axis=1), _TINY)) - lm
    return np.column_stack([lm, disp, cvw, acf, trend, end])


def _date(x: Any) -> _dt.date:
    if isinstance(x, _dt.datetime):
        return x.date()
    if isinstance(x, _dt.date):
        return x
    if isinstance(x, np.datetime64):
        return _dt.date.fromisoformat(str(x.astype("datetime64[D]")))
    if hasattr(x, "date") and callable(x.date):  # pandas Timestamp
        return x.date()
    return _dt.date.fromisoformat(str(x))


def _observed_window(observed: Any, window: Any) -> tuple[_dt.date, _dt.date, np.ndarray]:
    """The window's first and last dates and the observed values over it."""
    if not (isinstance(window, (tuple, list)) and len(window) == 2):
        raise ValueError(f"window must be (first date, last date), both included; got {window!r}")
    first, last = _date(window[0]), _date(window[1])
    if last < first:
        raise ValueError(f"window ends ({last}) before it starts ({first})")
    days = (last - first).days + 1
    if hasattr(observed, "index") and hasattr(observed, "to_numpy"):
        pd = _pandas()
        s = observed
        if getattr(s, "ndim", 1) != 1:
            raise TypeError("observed must be one series (e.g. gs_losses()['personnel_daily']), not a table")
        idx = pd.DatetimeIndex(pd.to_datetime(s.index))
        if idx.has_duplicates:
            raise ValueError("observed has duplicate dates")
        s = pd.Series(np.asarray(s.to_numpy(), dtype=float), index=idx.normalize())
        want = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="D")
        missing = want.difference(s.index)
        if len(missing):
            raise ValueError(f"observed has no value on {len(missing)} day(s) of the window, first {missing[0]:%Y-%m-%d}")
        y = s.reindex(want).to_numpy()
    else:
        y = np.asarray(observed, dtype=float)
        if y.shape != (days,):
            raise ValueError(f"observed has shape {y.shape}; a plain array must hold the window's {days} days")
    if not np.all(np.isfinite(y)):
        bad = int(np.flatnonzero(~np.isfinite(y))[0])
        raise ValueError(f"observed is missing (NaN) on {first + _dt.timedelta(days=bad)}; choose a window without gaps")
    return first, last, y


def _select_params(sc: Scenario, params: str | Iterable[str]) -> tuple[list[str], dict[str, Marginal]]:
    unc = {u["path"]: u for u in sc.uncertain_list()}
    patterns = [params] if isinstance(params, str) else list(params)
    if not patterns:
        raise ValueError("params is empty: name the parameters to calibrate")
    names: list[str] = []
    for p in patterns:
        if any(c in p for c in "*?["):
            hits = [q for q in unc if fnmatch.fnmatchcase(q, p)]
            if not hits:
                raise _unknown(p, list(unc), "uncertain parameter")
        elif p in unc:
            hits = [p]
        else:
            try:
                fixed = sc.with_values({p: 1.0}) is not None
            except Exception:
                fixed = False
            if fixed:
                raise ValueError(
                    f"{p} has a fixed value in this scenario; give it a prior to calibrate it, e.g. "
                    f"scenario.with_values({{{p!r}: {{'dist': 'pert', 'low': ..., 'mode': ..., 'high': ...}}}})"
                )
            raise _unknown(p, list(unc), "uncertain parameter")
        names.extend(h for h in hits if h not in names)
    marg = {}
    for p in names:
        m = Marginal(unc[p]["spec"], p)
        if m.discrete:
            raise ValueError(f"{p} has a discrete prior ({unc[p]['distribution']}); calibration needs continuous priors")
        if m.degenerate:
            raise ValueError(f"{p} has a single-valued prior ({unc[p]['distribution']}); nothing to calibrate")
        marg[p] = m
    return names, marg


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    top = np.max(a, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return np.squeeze(top, axis=axis) + np.log(np.sum(np.exp(a - top), axis=axis))


def _wquantile(x: np.ndarray, w: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """Weighted quantiles (inverse of the weighted empirical CDF, midpoint rule)."""
    o = np.argsort(x, kind="stable")
    xs, ws = x[o], w[o] / w.sum()
    c = np.cumsum(ws) - 0.5 * ws
    return np.interp(np.asarray(q, dtype=float), c, xs)


class Calibration:
    """What :func:`calibrate` returns.

    Attributes
    ----------
    posterior : pandas.DataFrame
        The weighted posterior sample: one column per calibrated parameter and
        ``weight`` (summing to 1).
    distances : numpy.ndarray
        Each posterior particle's distance to the observed statistics.
    rate_at_end : numpy.ndarray or None
        For a side's casualty series: each particle's expected daily count on
        the window's last day in its simulation, ``base x tempo`` at the
        reference fire (the latent rate the next period starts from); None for
        other series.
    informativeness : pandas.Series
        R^2 of each projection (``distance="projection"``): how well the
        statistics predict each parameter (and ``rate_at_end``) over the prior
        simulations.
    generations : pandas.DataFrame
        Diagnostics per generation: ``tolerance``, ``acceptance`` (share of new
        particles within the previous tolerance; 1 in generation 0),
        ``ess`` (effective sample size of the kept particles, (sum w)^2 / sum w^2),
        ``simulations`` (trajectories run in that generation) and ``kept``.
    observed : pandas.Series
        The observed values over the window, indexed by date.
    observed_stats : pandas.Series
        Their summary statistics; ``scale`` the spread each distance divides by.
    scenario : Scenario
        The scenario as given; ``window_scenario`` the one the engine ran (cut
        to the window, coupling as chosen).
    """

    def __init__(
        self, *, posterior: Any, distances: np.ndarray, rate_at_end: np.ndarray | None, generations: Any,
        observed: Any, observed_stats: Any, scale: Any, informativeness: Any, distance: str,
        scenario: Scenario, window_scenario: Scenario, series: str, side: str, lag: int, coupling: bool,
        seed: int, marginals: dict[str, Marginal],
    ) -> None:
        self.posterior = posterior
        self.distances = distances
        self.rate_at_end = rate_at_end
        self.generations = generations
        self.observed = observed
        self.observed_stats = observed_stats
        self.scale = scale
        self.informativeness = informativeness
        self.distance = distance
        self.scenario = scenario
        self.window_scenario = window_scenario
        self.series = series
        self.side = side
        self.lag = lag
        self.coupling = coupling
        self.seed = seed
        self._marg = marginals

    # -- posterior -------------------------------------------------------------------
    @property
    def params(self) -> list[str]:
        """The calibrated parameter paths."""
        return [c for c in self.posterior.columns if c != "weight"]

    @property
    def ess(self) -> float:
        """Effective sample size of the posterior."""
        w = self.posterior["weight"].to_numpy()
        return float(w.sum() ** 2 / (w * w).sum())

    def summary(self, q: Sequence[float] = (0.05, 0.5, 0.95)) -> Any:
        """Posterior mean, sd and quantiles per parameter, beside the prior's quantiles.

        Returns
        -------
        pandas.DataFrame
            Indexed by parameter: ``mean``, ``sd``, ``q5``/``q50``/``q95``
            (posterior) and ``prior_q5``/``prior_q50``/``prior_q95``.
        """
        pd = _pandas()
        w = self.posterior["weight"].to_numpy()
        rows = []
        for p in self.params:
            x = self.posterior[p].to_numpy()
            mean = float(np.sum(w * x))
            row: dict[str, Any] = {"param": p, "mean": mean, "sd": float(np.sqrt(np.sum(w * (x - mean) ** 2)))}
            for qq, v in zip(q, _wquantile(x, w, q)):
                row[f"q{100 * qq:g}"] = float(v)
            for qq, v in zip(q, self._marg[p].ppf(np.asarray(q))):
                row[f"prior_q{100 * qq:g}"] = float(v)
            rows.append(row)
        return pd.DataFrame(rows).set_index("param")

    def interval(self, param: str, level: float = 0.9) -> tuple[float, float]:
        """Central posterior interval of one parameter (weighted quantiles)."""
        if param not in self.params:
            raise _unknown(param, self.params, "calibrated parameter")
        a = (1.0 - level) / 2.0
        x = self.posterior[param].to_numpy()
        lo, hi = _wquantile(x, self.posterior["weight"].to_numpy(), [a, 1.0 - a])
        return float(lo), float(hi)

    def sample(self, n: int, *, seed: int = 0) -> Any:
        """``n`` joint draws from the weighted posterior (a DataFrame of the parameters),
        for ``attrition.run(scenario, samples=...)``: unlike the per-parameter
        distributions of :meth:`to_scenario`, they keep the parameters' correlations."""
        rng = np.random.default_rng(seed)
        w = self.posterior["weight"].to_numpy()
        i = rng.choice(len(w), size=int(n), p=w / w.sum())
        return self.posterior[self.params].iloc[i].reset_index(drop=True)

    # -- calibrated scenarios ---------------------------------------------------------
    def distributions(self, form: str = "choice", *, base_at_end: bool = False) -> dict[str, dict[str, Any]]:
        """The posterior of each parameter as a scenario distribution.

        Parameters
        ----------
        form
            ``"choice"``: the particles' values with their weights (exact
            marginals); ``"lognormal"``: lognormal with the weighted mean and sd
            of the log values, truncated to the prior's support (for positive
            parameters); ``"normal"``: normal with the weighted mean and sd,
            truncated to the prior's support.
        base_at_end
            Replace the side's ``base`` by the posterior of :attr:`rate_at_end`,
            the rate on the window's last day: for a scenario that starts where
            the window ends (its drift starts again from tempo 1 on day 0, so
            its ``base`` is its day-0 rate).
        """
        if form not in ("choice", "lognormal", "normal"):
            raise ValueError(f"form must be 'choice', 'lognormal' or 'normal', got {form!r}")
        w = self.posterior["weight"].to_numpy()
        cols = {p: self.posterior[p].to_numpy() for p in self.params}
        base = f"sides.{self.side}.casualties.base"
        if base_at_end:
            if self.rate_at_end is None:
                raise ValueError("base_at_end needs a calibration of a side's casualty series")
            cols[base] = np.asarray(self.rate_at_end, dtype=float)
        out: dict[str, dict[str, Any]] = {}
        for p, x in cols.items():
            lo, hi = self._marg[p].support() if p in self._marg else (0.0, np.inf)
            if form == "choice":
                out[p] = {"dist": "choice", "values": [float(v) for v in x], "weights": [float(v) for v in w / w.sum()]}
                continue
            if form == "lognormal":
                if not np.all(x > 0):
                    raise ValueError(f"{p}: form='lognormal' needs positive values; use form='normal'")
                lx = np.log(x)
                mu = float(np.sum(w * lx) / w.sum())
                sd = float(np.sqrt(np.sum(w * (lx - mu) ** 2) / w.sum()))
                d: dict[str, Any] = {"dist": "lognormal", "mu": mu, "sigma": sd}
            else:
                mu = float(np.sum(w * x) / w.sum())
                sd = float(np.sqrt(np.sum(w * (x - mu) ** 2) / w.sum()))
                d = {"dist": "normal", "mean": mu, "sd": sd}
            if np.isfinite(lo) and (form == "normal" or lo > 0):
                d["low"] = float(lo)
            if np.isfinite(hi):
                d["high"] = float(hi)
            out[p] = d
        return out

    def to_scenario(self, scenario: Scenario | Mapping[str, Any] | str | None = None, *, form: str = "choice",
                    base_at_end: bool = False) -> Scenario:
        """A scenario whose calibrated parameters carry their posteriors.

        Parameters
        ----------
        scenario
            The scenario to change (default: the one calibrated, as given:
            its own start and horizon).
        form, base_at_end
            As in :meth:`distributions`.

        Notes
        -----
        Each parameter gets its posterior marginal; the correlations between
        parameters are lost. To keep them, run with ``samples=self.sample(n)``.
        """
        sc = self.scenario if scenario is None else as_scenario(scenario)
        return sc.with_values(self.distributions(form, base_at_end=base_at_end))

    @property
    def calibrated_scenario(self) -> Scenario:
        """The scenario as given, with each calibrated parameter's posterior as a
        ``choice`` over the particles with their weights (see :meth:`to_scenario`)."""
        return self.to_scenario()

    # -- posterior predictive ---------------------------------------------------------
    def predictive(self, n: int = 400, *, seed: int = 0, threads: int | None = None) -> np.ndarray:
        """``(n, days)`` simulations of the observed series over the window, from
        joint posterior draws (fresh random streams)."""
        smp = self.sample(n, seed=seed)
        r = run(self.window_scenario, seed=int(seed), samples=smp, series=[self.series],
                threads=threads, progress=False)
        return r.series(self.series)

    def plot(self, ax: Any = None, *, n: int = 400, seed: int = 0, smooth: int = 7, threads: int | None = None) -> Any:
        """Posterior predictive check: the observed series over the model's 50 % and 90 % bands.

        Parameters
        ----------
        ax
            A matplotlib Axes to draw on (default: a new figure's).
        n
            Posterior predictive simulations.
        smooth
            Days of the trailing mean applied to observed and simulated series
            alike before the bands are taken (1: raw daily values).

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(9, 4.5))
        sims = self.predictive(n, seed=seed, threads=threads)
        obs = self.observed.to_numpy()
        k = int(smooth)
        if k < 1:
            raise ValueError(f"smooth must be at least 1, got {smooth}")
        if k > 1:
            ker = np.ones(k) / k
            sims = np.apply_along_axis(lambda v: np.convolve(v, ker, mode="valid"), 1, sims)
            obs = np.convolve(obs, ker, mode="valid")
        dates = self.observed.index[k - 1:]
        q = np.quantile(sims, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
        ax.fill_between(dates, q[0], q[4], color="C0", alpha=0.2, lw=0, label="model 90 %")
        ax.fill_between(dates, q[1], q[3], color="C0", alpha=0.4, lw=0, label="model 50 %")
        ax.plot(dates, q[2], color="C0", lw=1, label="model median")
        ax.plot(dates, obs, color="k", lw=1.5, label="observed")
        what = f"{k}-day mean of " if k > 1 else ""
        ax.set_ylabel(f"{what}{self.series}")
        ax.set_title(f"Posterior predictive check, {self.observed.index[0]:%Y-%m-%d} to {self.observed.index[-1]:%Y-%m-%d}")
        ax.legend(loc="best", fontsize="small")
        ax.figure.autofmt_xdate()
        return ax

    def __repr__(self) -> str:
        g = self.generations
        return (
            f"<Calibration of {len(self.params)} parameters to {self.series!r} over "
            f"{self.observed.index[0]:%Y-%m-%d} .. {self.observed.index[-1]:%Y-%m-%d}: "
            f"{len(g)} generations, {int(g['simulations'].sum()):,} simulations, "
            f"final tolerance {g['tolerance'].iloc[-1]:.3g}, ESS {self.ess:.0f} of {len(self.posterior)}>"
        )


def calibrate(
    scenario: Scenario | Mapping[str, Any] | str,
    observed: Any,
    /,
    *,
    params: str | Iterable[str],
    window: tuple[Any, Any],
    side: str = "russia",
    series: str | None = None,
    lag: int = 0,
    coupling: bool = False,
    population: int = 1000,
    quantile: float = 0.5,
    min_acceptance: float = 0.05,
    max_generations: int = 20,
    stats: Callable[[np.ndarray], np.ndarray] | None = None,
    distance: str = "projection",
    seed: int = 0,
    threads: int | None = None,
    progress: bool = False,
) -> Calibration:
    """Fit uncertain parameters to an observed daily series by ABC-SMC.

    The algorithm, the summary statistics and the distance are in the Notes.

    Parameters
    ----------
    scenario
        The scenario whose parameter distributions are the priors.
    observed
        The observed daily series: a pandas Series indexed by date (e.g.
        ``gs_losses()["personnel_daily"]``), or an array of the window's days.
    params
        Dotted paths (or glob patterns) of the uncertain parameters to fit, e.g.
        ``["sides.russia.casualties.base", "sides.russia.casualties.dispersion"]``;
        each needs a continuous prior. The other uncertain parameters are drawn
        from their distributions as usual (nuisance parameters).
    window
        ``(first, last)`` dates of the observed series to fit, both included.
    side
        The side whose casualties are compared (``<side>.casualties.total.daily``).
    series
        Another daily series of the scenario to compare instead.
    lag
        Days by which an observation trails the model day it describes: the
        General Staff's report of date D covers mostly day D - 1, so pass
        ``lag=1`` for :func:`attrition.data.gs_losses`. The engine runs the
        scenario from ``first - lag`` for the window's length.
    coupling
        False (default) runs the window with the sides' coupling off, so the
        fitted side sees the enemy's fire at its reference level and ``base`` is
        the rate at the reference fire, as the scenario defines it. A
        scenario's fleets and stocks describe its start date: run from an
        earlier window, the coupling would replay the scenario's future fire
        onto the window's past. True keeps the scenario's coupling (for a
        window that starts on the scenario's own start date).
    population
        Particles per generation; the posterior keeps ``quantile x population``.
    quantile
        Share of particles kept per generation (the tolerance is that quantile
        of the distances).
    min_acceptance
        Stop when the share of new particles within the previous tolerance
        falls below this.
    max_generations
        Stop after this many generations at the latest.
    stats
        A function from ``(n, days)`` simulated values to ``(n, s)`` statistics
        (default :func:`daily_stats`).
    seed
        Seeds the proposals and the engine's streams (every simulation of the
        calibration is its own trajectory of this seed).
    threads
        Worker threads of the engine.
    progress
        Print one line per generation.

    Returns
    -------
    Calibration

    Examples
    --------
    >>> import attrition
    >>> from attrition.calibrate import calibrate
    >>> s = attrition.Scenario.from_dict({"name": "one", "start": "2024-01-01", "days": 60, "sides": {"a": {
    ...     "casualties": {"base": {"dist": "uniform", "low": 500, "high": 2000}, "dispersion": 30}}}})
    >>> truth = attrition.run(s.with_values({"sides.a.casualties.base": 1200}), n=1, seed=9,
    ...                       series=["a.casualties.total.daily"]).series("a.casualties.total.daily")[0]
    >>> cal = calibrate(s, truth, params=["sides.a.casualties.base"], side="a",
    ...                 window=("2024-01-01", "2024-02-29"), population=200, seed=1)
    >>> lo, hi = cal.interval("sides.a.casualties.base")
    >>> bool(lo < 1200 < hi), bool(hi - lo < 300)
    (True, True)
    """
    pd = _pandas()
    sc = as_scenario(scenario)
    if side not in sc.sides:
        raise _unknown(side, sc.sides, "side")
    name = series or f"{side}.casualties.total.daily"
    if name not in sc.series_names:
        raise _unknown(name, sc.series_names, "series")
    if isinstance(lag, bool) or not isinstance(lag, (int, np.integer)) or lag < 0:
        raise ValueError(f"lag must be a non-negative number of days, got {lag!r}")
    if isinstance(population, bool) or not isinstance(population, (int, np.integer)) or population < 20:
        raise ValueError(f"population must be an integer of at least 20, got {population!r}")
    if distance not in ("projection", "scaled"):
        raise ValueError(f"distance must be 'projection' or 'scaled', got {distance!r}")
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must be in (0, 1), got {quantile!r}")
    if not 0.0 <= min_acceptance < 1.0:
        raise ValueError(f"min_acceptance must be in [0, 1), got {min_acceptance!r}")
    if isinstance(max_generations, bool) or not isinstance(max_generations, (int, np.integer)) or max_generations < 1:
        raise ValueError(f"max_generations must be a positive integer, got {max_generations!r}")
    first, last, y = _observed_window(observed, window)
    days = len(y)
    names, marg = _select_params(sc, params)
    stat = stats or daily_stats
    start = first - _dt.timedelta(days=int(lag))
    changes: dict[str, Any] = {"start": start.isoformat(), "days": days}
    if not coupling:
        changes["coupling"] = False
    wsc = sc.with_values(changes)
    base_path = f"sides.{side}.casualties.base"
    tempo_name = f"{side}.casualties.total.tempo"
    want_rate = series is None and tempo_name in wsc.series_names
    rec = [name] + ([tempo_name] if want_rate else [])
    fixed_base = None
    if want_rate and base_path not in {u["path"] for u in wsc.uncertain_list()}:
        fixed_base = float(wsc.to_dict()["sides"][side]["casualties"]["base"])

    s_obs = np.asarray(stat(y[None, :]), dtype=float)
    if s_obs.ndim != 2 or s_obs.shape[0] != 1 or not np.all(np.isfinite(s_obs)):
        raise ValueError(f"the statistics of the observed series are not finite: {s_obs}")
    rng = np.random.default_rng(seed)
    done = 0  # trajectories simulated so far: each simulation is its own trajectory of `seed`
    d = len(names)

    def simulate(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        nonlocal done
        smp = {p: marg[p].from_normal_score(z[:, j]) for j, p in enumerate(names)}
        m = len(z)
        r = run(wsc, seed=int(seed), trajectories=range(done, done + m), samples=smp, series=rec,
                threads=threads, progress=False)
        done += m
        x = r.series(name)
        s = np.asarray(stat(x), dtype=float)
        if s.shape != (m, s_obs.shape[1]):
            raise ValueError(f"stats returned shape {s.shape}; expected ({m}, {s_obs.shape[1]})")
        rate = None
        if want_rate:
            b = np.full(m, fixed_base) if fixed_base is not None else r.params[base_path]
            rate = b * r.series(tempo_name)[:, -1]
        return s, x, rate

    # Generation 0: the priors.
    n_keep = max(2, int(round(quantile * population)))
    z = rng.standard_normal((population, d))
    s, _, rate = simulate(z)
    finite = np.all(np.isfinite(s), axis=1)
    if finite.sum() < max(10, population // 2):
        raise ValueError("most prior simulations give non-finite statistics; check the series and the stats")
    center = np.median(s[finite], axis=0)
    spread = 1.4826 * np.median(np.abs(s[finite] - center), axis=0)
    sd = s[finite].std(axis=0)
    scale = np.where(spread > 0, spread, np.where(sd > 0, sd, 1.0))
    use_rate = distance == "projection" and rate is not None and bool(np.all(rate > 0))

    # The distance. "scaled": the statistics, each over its spread in generation 0.
    # "projection": semi-automatic ABC (Fearnhead and Prangle 2012), one statistic per
    # parameter, the least-squares prediction of the parameter from the statistics, their
    # squares and products over generation 0's prior simulations; statistics that say
    # nothing about a parameter get no weight. Parameters with positive priors are
    # predicted on the log scale (rates and dispersions act multiplicatively), each target
    # standardised over the prior sample. With a casualty series, the log of the rate on
    # the window's last day (a latent state of each simulation) is one more target, so that
    # the kept simulations also end where the observed series ends.
    iu = np.triu_indices(s.shape[1])

    def feats(st: np.ndarray) -> np.ndarray:
        q = (st - center) / scale
        return np.column_stack([np.ones(len(q)), q, (q[:, :, None] * q[:, None, :])[:, iu[0], iu[1]]])

    x0 = np.column_stack([marg[p].from_normal_score(z[:, j]) for j, p in enumerate(names)])
    logs = [bool(marg[p].support()[0] >= 0 and np.all(x0[:, j] > 0)) for j, p in enumerate(names)]

    def targets(zs: np.ndarray, rt: np.ndarray | None) -> np.ndarray:
        xs = np.column_stack([marg[p].from_normal_score(zs[:, j]) for j, p in enumerate(names)])
        cols = [np.log(np.maximum(xs[:, j], _TINY)) if logs[j] else xs[:, j] for j in range(d)]
        if use_rate and rt is not None:
            cols.append(np.log(np.maximum(rt, _TINY)))
        return np.column_stack(cols)

    if distance == "projection":
        t0 = targets(z, rate)[finite]
        t_mean, t_sd = t0.mean(axis=0), np.maximum(t0.std(axis=0), _TINY)
        f0 = feats(s[finite])
        coef, *_ = np.linalg.lstsq(f0, (t0 - t_mean) / t_sd, rcond=None)
        r2 = 1.0 - ((t0 - t_mean) / t_sd - f0 @ coef).var(axis=0)
        t_obs = feats(s_obs) @ coef

        def dist(st: np.ndarray) -> np.ndarray:
            q = feats(st) @ coef - t_obs
            q = np.where(np.isfinite(q), q, np.inf)
            return np.sqrt((q * q).sum(axis=1))
    else:
        r2 = np.full(d, np.nan)

        def dist(st: np.ndarray) -> np.ndarray:
            q = (st - s_obs) / scale
            q = np.where(np.isfinite(q), q, np.inf)
            return np.sqrt((q * q).sum(axis=1))

    rho = dist(s)
    order = np.argsort(rho, kind="stable")[:n_keep]
    z, rho = z[order], rho[order]
    rate = rate[order] if rate is not None else None
    w = np.ones(n_keep)
    eps = float(rho[-1])
    if not np.isfinite(eps):
        raise ValueError("fewer than quantile x population prior simulations have finite statistics; check the stats")
    gens = [{"generation": 0, "tolerance": eps, "acceptance": 1.0, "ess": float(n_keep), "simulations": population,
             "kept": n_keep}]
    if progress:
        print(f"generation 0: tolerance {eps:.4g}, {population} simulations")
    # Every proposal so far, for the deterministic-mixture weights: (simulations, whitened
    # centres, log centre weights, inverse Cholesky factor, log det covariance); generation 0
    # is the prior.
    proposals: list[tuple[int, Any, Any, Any, float]] = [(population, None, None, None, 0.0)]

    def log_q(x: np.ndarray) -> np.ndarray:
        """Log density (up to the common 2 pi term) of the mixture of all proposals so far."""
        total = sum(p[0] for p in proposals)
        terms = []
        for m_g, c_g, lw_g, li_g, ld_g in proposals:
            if c_g is None:
                lq = -0.5 * (x * x).sum(axis=1)
            else:
                # squared Mahalanobis distances |L^-1 (x - c)|^2 as one matrix product
                xw = x @ li_g.T
                quad = (xw * xw).sum(axis=1)[:, None] + (c_g * c_g).sum(axis=1)[None, :] - 2.0 * (xw @ c_g.T)
                lq = _logsumexp(lw_g[None, :] - 0.5 * np.maximum(quad, 0.0), axis=1) - 0.5 * ld_g
            terms.append(np.log(m_g / total) + lq)
        return _logsumexp(np.column_stack(terms), axis=1)

    for g in range(1, int(max_generations)):
        wn = w / w.sum()
        mu = wn @ z
        cov = 2.0 * np.atleast_2d(((z - mu) * wn[:, None]).T @ (z - mu)) / max(1e-12, 1.0 - (wn * wn).sum())
        cov = cov + 1e-9 * np.eye(d)
        chol = np.linalg.cholesky(cov)
        m = population - n_keep
        parents = rng.choice(n_keep, size=m, p=wn)
        zn = z[parents] + rng.standard_normal((m, d)) @ chol.T
        sn, _, rn = simulate(zn)
        li = np.linalg.inv(chol)
        proposals.append((m, z @ li.T, np.log(wn), li, 2.0 * float(np.log(np.diag(chol)).sum())))
        rho_new = dist(sn)
        acc = float(np.mean(rho_new <= eps))
        z = np.vstack([z, zn])
        rho = np.concatenate([rho, rho_new])
        rate = np.concatenate([rate, rn]) if rate is not None and rn is not None else None
        order = np.argsort(rho, kind="stable")[:n_keep]
        z, rho = z[order], rho[order]
        rate = rate[order] if rate is not None else None
        # Importance weights: prior density over the mixture of every proposal used so far
        # (each in proportion to its simulations), so that particles of all generations are
        # weighted on one footing.
        lw = -0.5 * (z * z).sum(axis=1) - log_q(z)
        w = np.exp(lw - lw.max())
        eps = float(rho[-1])
        ess = float(w.sum() ** 2 / (w * w).sum())
        gens.append({"generation": g, "tolerance": eps, "acceptance": acc, "ess": ess, "simulations": m, "kept": n_keep})
        if progress:
            print(f"generation {g}: tolerance {eps:.4g}, acceptance {acc:.3f}, ESS {ess:.0f}")
        if acc < min_acceptance:
            break

    w = w / w.sum()
    post = pd.DataFrame({p: marg[p].from_normal_score(z[:, j]) for j, p in enumerate(names)})
    post["weight"] = w
    report_dates = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="D")
    return Calibration(
        posterior=post,
        distances=rho,
        rate_at_end=rate,
        generations=pd.DataFrame(gens).set_index("generation"),
        observed=pd.Series(y, index=pd.DatetimeIndex(report_dates, name="date"), name=name),
        observed_stats=pd.Series(s_obs[0], index=list(STAT_NAMES) if stats is None else None, name="observed"),
        scale=pd.Series(scale, index=list(STAT_NAMES) if stats is None else None, name="scale"),
        informativeness=pd.Series(r2, index=pd.Index((names + ["rate_at_end"])[: len(r2)], name="param"), name="r2"),
        distance=distance,
        scenario=sc,
        window_scenario=wsc,
        series=name,
        side=side,
        lag=int(lag),
        coupling=bool(coupling),
        seed=int(seed),
        marginals=marg,
    )


def _with_notes(doc: str, notes: str) -> str:
    body = notes.split("The algorithm is", 1)[1].split("Needs the", 1)[0].strip()
    text = textwrap.indent("The algorithm is " + body, "    ")
    return doc.replace("    Examples\n    --------", "    Notes\n    -----\n" + text + "\n\n    Examples\n    --------", 1)


calibrate.__doc__ = _with_notes(calibrate.__doc__ or "", __doc__ or "")
