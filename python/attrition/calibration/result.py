"""What :func:`attrition.calibration.calibrate` returns: the weighted posterior and what
can be made of it (summaries, intervals, joint draws, calibrated scenarios, the posterior
predictive check)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._utils.fmt import shown
from .._utils.names import unknown
from .._utils.optional import require
from .._utils.stats import quantiles
from ..api import run
from ..errors import ScenarioError
from ..scenario import Scenario, as_scenario
from ..scenario.dist import Dist
from .observation import REPORTING, Observation

__all__ = ["Calibration"]

#: The forms of :meth:`Calibration.distributions`.
FORMS = ("choice", "lognormal", "normal")


class Calibration:
    """What :func:`calibrate` returns.

    Posterior quantiles (:meth:`summary`, :meth:`interval`) are those of the
    weighted particles by the inverted empirical CDF: the smallest particle
    value whose cumulative weight reaches the level.

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
    series : str
        The compared series (the pattern or names as given).
    observation : Observation
        What a simulation shows of the observed series (the series summed,
        cumulative ones differenced, times the ``reporting`` factor when fitted).
    scenario : Scenario
        The scenario as given; ``window_scenario`` the one the engine ran (cut
        to the window, coupling as chosen).
    """

    def __init__(
        self,
        *,
        posterior: Any,
        distances: np.ndarray,
        rate_at_end: np.ndarray | None,
        generations: Any,
        observed: Any,
        observed_stats: Any,
        scale: Any,
        informativeness: Any,
        distance: str,
        scenario: Scenario,
        window_scenario: Scenario,
        series: str,
        side: str,
        lag: int,
        coupling: bool,
        seed: int,
        marginals: dict[str, Dist],
        observation: Observation | None = None,
        paths: dict[str, list[str]] | None = None,
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
        self.observation = observation
        self._paths = paths or {}
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
            (posterior, weighted, by the inverted empirical CDF) and
            ``prior_q5``/``prior_q50``/``prior_q95``.
        """
        pd = require("pandas", extra="calibrate", purpose="Calibration.summary")
        w = self.posterior["weight"].to_numpy()
        rows = []
        for p in self.params:
            x = self.posterior[p].to_numpy()
            mean = float(np.sum(w * x))
            row: dict[str, Any] = {"param": p, "mean": mean, "sd": float(np.sqrt(np.sum(w * (x - mean) ** 2)))}
            for qq, v in zip(q, quantiles(x, q, w), strict=True):
                row[f"q{100 * qq:g}"] = float(v)
            for qq, v in zip(q, self._marg[p].ppf(np.asarray(q)), strict=True):
                row[f"prior_q{100 * qq:g}"] = float(v)
            rows.append(row)
        return pd.DataFrame(rows).set_index("param")

    def interval(self, param: str, level: float = 0.9) -> tuple[float, float]:
        """Central posterior interval of one parameter: its weighted quantiles
        ``(1 - level) / 2`` and ``(1 + level) / 2`` (inverted empirical CDF)."""
        if param not in self.params:
            raise unknown(param, self.params, "calibrated parameter")
        a = (1.0 - level) / 2.0
        x = self.posterior[param].to_numpy()
        lo, hi = quantiles(x, [a, 1.0 - a], self.posterior["weight"].to_numpy())
        return float(lo), float(hi)

    def sample(self, n: int, *, seed: int = 0) -> Any:
        """``n`` joint draws from the weighted posterior (a DataFrame of the scenario's
        parameters), for ``attrition.run(scenario, samples=...)``: unlike the
        per-parameter distributions of :meth:`to_scenario`, they keep the parameters'
        correlations. A tied column gives its value to each parameter it ties; the
        ``reporting`` factor, not a parameter of the scenario, is left out (see
        :meth:`draws`)."""
        d = self.draws(n, seed=seed)
        pd = require("pandas", extra="calibrate", purpose="Calibration.sample")
        return pd.DataFrame({p: d[c].to_numpy() for c in self.params for p in self._paths.get(c, [c])})

    def draws(self, n: int, *, seed: int = 0) -> Any:
        """``n`` joint draws from the weighted posterior, one column per fitted column
        (a tied pattern, ``reporting``), as in :attr:`posterior`."""
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

        Notes
        -----
        A tied column gives its distribution to each parameter it ties; the
        ``reporting`` factor, not a parameter of the scenario, is left out.
        """
        if form not in FORMS:
            raise ValueError(f"form must be 'choice', 'lognormal' or 'normal', got {shown(form)}")
        w = self.posterior["weight"].to_numpy()
        cols = {p: self.posterior[p].to_numpy() for p in self.params}
        base = f"sides.{self.side}.casualties.base"
        if base_at_end:
            if self.rate_at_end is None:
                raise ValueError("base_at_end needs a calibration of a side's casualty series")
            cols[base] = np.asarray(self.rate_at_end, dtype=float)
        out: dict[str, dict[str, Any]] = {}
        cols.pop(REPORTING, None)
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
        return {q: d for p, d in out.items() for q in self._paths.get(p, [p])}

    def to_scenario(
        self,
        scenario: Scenario | Mapping[str, Any] | str | None = None,
        *,
        form: str = "choice",
        base_at_end: bool = False,
    ) -> Scenario:
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
        try:
            return sc.with_values(self.distributions(form, base_at_end=base_at_end))
        except ScenarioError as e:
            if hasattr(e, "add_note"):  # Python 3.11+
                e.add_note(f"while giving {sc.name!r} the posteriors of {', '.join(self.params)} (form={form!r})")
            raise

    @property
    def calibrated_scenario(self) -> Scenario:
        """The scenario as given, with each calibrated parameter's posterior as a
        ``choice`` over the particles with their weights (see :meth:`to_scenario`)."""
        return self.to_scenario()

    # -- posterior predictive ---------------------------------------------------------
    def predictive(self, n: int = 400, *, seed: int = 0, threads: int | None = None) -> np.ndarray:
        """``(n, days)`` simulations of the observed series over the window, from
        joint posterior draws (fresh random streams)."""
        if self.observation is None:
            raise ValueError("this Calibration does not say what the simulations show of the observed series")
        d = self.draws(n, seed=seed)
        r = run(
            self.window_scenario,
            seed=int(seed),
            samples=self.sample(n, seed=seed),
            series=self.observation.names,
            threads=threads,
            progress=False,
        )
        return self.observation(r, d[REPORTING].to_numpy() if REPORTING in d.columns else None)

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
            The bands are quantiles of the simulations per day (inverted
            empirical CDF).
        """
        k = int(smooth)
        if k < 1:
            raise ValueError(f"smooth must be at least 1, got {smooth}")
        if ax is None:
            plt = require("matplotlib.pyplot", purpose="Calibration.plot")
            _, ax = plt.subplots(figsize=(9, 4.5))
        sims = self.predictive(n, seed=seed, threads=threads)
        obs = self.observed.to_numpy()
        if k > 1:
            ker = np.ones(k) / k
            sims = np.apply_along_axis(lambda v: np.convolve(v, ker, mode="valid"), 1, sims)
            obs = np.convolve(obs, ker, mode="valid")
        dates = self.observed.index[k - 1 :]
        q = np.quantile(sims, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0, method="inverted_cdf")
        ax.fill_between(dates, q[0], q[4], color="C0", alpha=0.2, lw=0, label="model 90 %")
        ax.fill_between(dates, q[1], q[3], color="C0", alpha=0.4, lw=0, label="model 50 %")
        ax.plot(dates, q[2], color="C0", lw=1, label="model median")
        ax.plot(dates, obs, color="k", lw=1.5, label="observed")
        what = f"{k}-day mean of " if k > 1 else ""
        ax.set_ylabel(f"{what}{self.series}")
        first, last = self.observed.index[0], self.observed.index[-1]
        ax.set_title(f"Posterior predictive check, {first:%Y-%m-%d} to {last:%Y-%m-%d}")
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
