"""ABC-SMC: :func:`calibrate`.

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
"""

from __future__ import annotations

import datetime as _dt
import inspect
import textwrap
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from .._utils import progress as progress_
from .._utils.fmt import shown
from .._utils.names import is_pattern, select, unknown
from .._utils.optional import require
from ..api import run
from ..engine import expected_seconds
from ..errors import ScenarioError
from ..scenario import Scenario, as_scenario
from ..scenario.dist import Dist
from . import distance as _distance
from . import observation as _observation
from . import summary_stats as _summary_stats
from .distance import DISTANCES, Distance, targets
from .observation import REPORTING, Observation, tied_columns
from .result import Calibration
from .summary_stats import STAT_NAMES, daily_stats, observed_window

__all__ = ["calibrate"]


def _select_params(sc: Scenario, params: str | Iterable[str]) -> tuple[list[str], dict[str, Dist]]:
    """The uncertain parameters to fit (names or glob patterns) and their priors."""
    unc = {u["path"]: u for u in sc.uncertain_list()}
    patterns = [params] if isinstance(params, str) else list(params)
    if not patterns:
        raise ValueError("params is empty: name the parameters to calibrate")
    for p in patterns:
        if isinstance(p, str) and not is_pattern(p) and p not in unc:
            try:
                sc.with_values({p: 1.0})
            except ScenarioError:
                raise unknown(p, list(unc), "uncertain parameter") from None
            raise ValueError(
                f"{p} has a fixed value in this scenario; give it a prior to calibrate it, e.g. "
                f"scenario.with_values({{{shown(p)}: {{'dist': 'pert', 'low': ..., 'mode': ..., 'high': ...}}}})"
            )
    names = select(list(unc), patterns, "uncertain parameter", empty_pattern_ok=False)
    marg = {}
    for p in names:
        m = Dist(unc[p]["spec"], p)
        if m.discrete:
            raise ValueError(
                f"{p} has a discrete prior ({unc[p]['distribution']}); calibration needs continuous priors"
            )
        if m.degenerate:
            raise ValueError(f"{p} has a single-valued prior ({unc[p]['distribution']}); nothing to calibrate")
        marg[p] = m
    return names, marg


def _is_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _check(
    lag: Any, population: Any, distance: str, quantile: float, min_acceptance: float, max_generations: Any
) -> None:
    if not _is_int(lag) or lag < 0:
        raise ValueError(f"lag must be a non-negative number of days, got {shown(lag)}")
    if not _is_int(population) or population < 20:
        raise ValueError(f"population must be an integer of at least 20, got {shown(population)}")
    if distance not in DISTANCES:
        raise ValueError(f"distance must be 'projection' or 'scaled', got {shown(distance)}")
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must be in (0, 1), got {shown(quantile)}")
    if not 0.0 <= min_acceptance < 1.0:
        raise ValueError(f"min_acceptance must be in [0, 1), got {shown(min_acceptance)}")
    if not _is_int(max_generations) or max_generations < 1:
        raise ValueError(f"max_generations must be a positive integer, got {shown(max_generations)}")


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    top = np.max(a, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return np.squeeze(top, axis=axis) + np.log(np.sum(np.exp(a - top), axis=axis))


class _Proposals:
    """Every proposal so far, for the deterministic-mixture weights. Generation 0 is the
    prior (a standard normal in normal scores); each later one a Gaussian kernel around
    the kept particles: (simulations, whitened centres, log centre weights, inverse
    Cholesky factor, log det covariance)."""

    def __init__(self, population: int) -> None:
        self._all: list[tuple[int, Any, Any, Any, float]] = [(population, None, None, None, 0.0)]

    def add(self, m: int, centres: np.ndarray, weights: np.ndarray, chol: np.ndarray) -> None:
        li = np.linalg.inv(chol)
        self._all.append((m, centres @ li.T, np.log(weights), li, 2.0 * float(np.log(np.diag(chol)).sum())))

    def log_density(self, x: np.ndarray) -> np.ndarray:
        """Log density (up to the common 2 pi term) of the mixture of all proposals so far."""
        total = sum(p[0] for p in self._all)
        terms = []
        for m_g, c_g, lw_g, li_g, ld_g in self._all:
            if c_g is None:
                lq = -0.5 * (x * x).sum(axis=1)
            else:
                # squared Mahalanobis distances |L^-1 (x - c)|^2 as one matrix product
                xw = x @ li_g.T
                quad = (xw * xw).sum(axis=1)[:, None] + (c_g * c_g).sum(axis=1)[None, :] - 2.0 * (xw @ c_g.T)
                lq = _logsumexp(lw_g[None, :] - 0.5 * np.maximum(quad, 0.0), axis=1) - 0.5 * ld_g
            terms.append(np.log(m_g / total) + lq)
        return _logsumexp(np.column_stack(terms), axis=1)


def calibrate(
    scenario: Scenario | Mapping[str, Any] | str,
    observed: Any,
    /,
    *,
    params: str | Iterable[str],
    window: tuple[Any, Any],
    side: str = "russia",
    series: str | Iterable[str] | None = None,
    tie: str | Iterable[str] = (),
    reporting: Mapping[str, Any] | None = None,
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
    progress: bool | None = None,
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
        Another daily series of the scenario to compare instead, or several
        (names or glob patterns) whose sum is compared; a cumulative series is
        compared by its daily increments (see the Notes).
    tie
        Glob patterns of ``params`` whose parameters share one fitted value
        (they need the same prior), e.g. ``"sides.russia.fleets.*.combat_loss"``
        for one loss rate on every fleet; the posterior's column is the pattern.
    reporting
        A distribution (as in a scenario, e.g. ``{"dist": "uniform", "low": 10,
        "high": 40}``) of an observation factor fitted with the parameters: the
        observed series is compared with the factor times the simulated one
        (see the Notes). Its posterior is the column ``reporting``.
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
    distance
        ``"projection"`` (default) or ``"scaled"``; see the Notes.
    seed
        Seeds the proposals and the engine's streams (every simulation of the
        calibration is its own trajectory of this seed).
    threads
        Worker threads of the engine.
    progress
        Show a progress bar over the generations, with the tolerance, acceptance
        and effective sample size of the last (default: when watched, in a
        notebook or a terminal, and long).

    Returns
    -------
    Calibration

    Examples
    --------
    >>> import attrition
    >>> from attrition.calibration import calibrate
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
    pd = require("pandas", extra="calibrate", purpose="calibration")
    sc = as_scenario(scenario)
    if side not in sc.sides:
        raise unknown(side, sc.sides, "side")
    obs_model = Observation(sc, series if series is not None else f"{side}.casualties.total.daily")
    name = obs_model.label
    _check(lag, population, distance, quantile, min_acceptance, max_generations)
    first, last, y = observed_window(observed, window)
    days = len(y)
    paths, marg = _select_params(sc, params)
    unc = {u["path"]: u for u in sc.uncertain_list()}
    names, tied = tied_columns(unc, paths, tie)
    marg = {c: marg[tied[c][0]] for c in names}
    if reporting is not None:
        marg[REPORTING] = Dist(dict(reporting), REPORTING)
        if marg[REPORTING].discrete or marg[REPORTING].degenerate:
            raise ValueError("reporting needs a continuous distribution")
        names.append(REPORTING)
        tied[REPORTING] = []
    stat = stats or daily_stats
    start = first - _dt.timedelta(days=int(lag))
    changes: dict[str, Any] = {"start": start.isoformat(), "days": days}
    if not coupling:
        changes["coupling"] = False
    try:
        wsc = sc.with_values(changes)
    except ScenarioError as e:
        if hasattr(e, "add_note"):  # Python 3.11+
            e.add_note(f"while cutting the scenario to the window: start {start} (first day - lag), {days} days")
        raise
    base_path = f"sides.{side}.casualties.base"
    tempo_name = f"{side}.casualties.total.tempo"
    want_rate = series is None and tempo_name in wsc.series_names
    rec = obs_model.names + ([tempo_name] if want_rate else [])
    fixed_base = None
    if want_rate and base_path not in {u["path"] for u in wsc.uncertain_list()}:
        fixed_base = float(wsc.to_dict()["sides"][side]["casualties"]["base"])

    s_obs = np.asarray(stat(y[None, :]), dtype=float)
    if s_obs.ndim != 2 or s_obs.shape[0] != 1 or not np.all(np.isfinite(s_obs)):
        raise ValueError(f"the statistics of the observed series are not finite: {s_obs}")
    rng = np.random.default_rng(seed)
    done = 0  # trajectories simulated so far: each simulation is its own trajectory of `seed`
    d = len(names)

    def values(z: np.ndarray) -> np.ndarray:
        return np.column_stack([marg[p].from_normal_score(z[:, j]) for j, p in enumerate(names)])

    def simulate(z: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Statistics of one simulation per particle, and its rate on the window's last day."""
        nonlocal done
        x = values(z)
        smp = {p: x[:, j] for j, c in enumerate(names) for p in tied[c]}
        m = len(z)
        r = run(
            wsc,
            seed=int(seed),
            trajectories=range(done, done + m),
            samples=smp,
            series=rec,
            threads=threads,
            progress=False,
        )
        done += m
        factor = x[:, names.index(REPORTING)] if reporting is not None else None
        try:
            s = np.asarray(stat(obs_model(r, factor)), dtype=float)
        except Exception as e:
            if stats is not None and hasattr(e, "add_note"):  # Python 3.11+
                e.add_note(f"raised by the stats function given to calibrate(), on ({m}, {days}) simulated values")
            raise
        if s.shape != (m, s_obs.shape[1]):
            raise ValueError(f"stats returned shape {s.shape}; expected ({m}, {s_obs.shape[1]})")
        rate = None
        if want_rate:
            b = np.full(m, fixed_base) if fixed_base is not None else r.params[base_path]
            rate = b * r.series(tempo_name)[:, -1]
        return s, rate

    # Generation 0: the priors.
    n_keep = max(2, int(round(quantile * population)))
    z = rng.standard_normal((population, d))
    s, rate = simulate(z)
    finite = np.all(np.isfinite(s), axis=1)
    if finite.sum() < max(10, population // 2):
        raise ValueError("most prior simulations give non-finite statistics; check the series and the stats")
    # The projection predicts parameters with positive priors on the log scale and, for a
    # casualty series, the log of the rate on the window's last day (a latent state of each
    # simulation), so that the kept simulations also end where the observed series ends.
    x0 = values(z)
    logs = [bool(marg[p].support()[0] >= 0 and np.all(x0[:, j] > 0)) for j, p in enumerate(names)]
    use_rate = distance == "projection" and rate is not None and bool(np.all(rate > 0))
    t0 = targets(x0, logs, rate if use_rate else None)
    dist = Distance(distance, s[finite], s_obs, t0[finite])

    rho = dist(s)
    order = np.argsort(rho, kind="stable")[:n_keep]
    z, rho = z[order], rho[order]
    rate = rate[order] if rate is not None else None
    w = np.ones(n_keep)
    eps = float(rho[-1])
    if not np.isfinite(eps):
        raise ValueError("fewer than quantile x population prior simulations have finite statistics; check the stats")
    gens = [
        {
            "generation": 0,
            "tolerance": eps,
            "acceptance": 1.0,
            "ess": float(n_keep),
            "simulations": population,
            "kept": n_keep,
        }
    ]
    seconds = expected_seconds(wsc, population * int(max_generations) // 2, threads)
    bar = progress_.bar(progress_.show(progress, seconds), int(max_generations), "calibrate", unit="generation")
    _report(bar, eps, 1.0, float(n_keep))
    proposals = _Proposals(population)

    try:
        for g in range(1, int(max_generations)):
            wn = w / w.sum()
            mu = wn @ z
            cov = 2.0 * np.atleast_2d(((z - mu) * wn[:, None]).T @ (z - mu)) / max(1e-12, 1.0 - (wn * wn).sum())
            cov = cov + 1e-9 * np.eye(d)
            chol = np.linalg.cholesky(cov)
            m = population - n_keep
            parents = rng.choice(n_keep, size=m, p=wn)
            zn = z[parents] + rng.standard_normal((m, d)) @ chol.T
            sn, rn = simulate(zn)
            proposals.add(m, z, wn, chol)
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
            lw = -0.5 * (z * z).sum(axis=1) - proposals.log_density(z)
            w = np.exp(lw - lw.max())
            eps = float(rho[-1])
            ess = float(w.sum() ** 2 / (w * w).sum())
            gens.append(
                {"generation": g, "tolerance": eps, "acceptance": acc, "ess": ess, "simulations": m, "kept": n_keep}
            )
            _report(bar, eps, acc, ess)
            if acc < min_acceptance:
                break
    finally:
        progress_.close(bar)

    w = w / w.sum()
    post = pd.DataFrame({p: marg[p].from_normal_score(z[:, j]) for j, p in enumerate(names)})
    post["weight"] = w
    stat_names = list(STAT_NAMES) if stats is None else None
    return Calibration(
        posterior=post,
        distances=rho,
        rate_at_end=rate,
        generations=pd.DataFrame(gens).set_index("generation"),
        observed=pd.Series(
            y, index=pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="D", name="date"), name=name
        ),
        observed_stats=pd.Series(s_obs[0], index=stat_names, name="observed"),
        scale=pd.Series(dist.scale, index=stat_names, name="scale"),
        informativeness=pd.Series(
            dist.r2, index=pd.Index((names + ["rate_at_end"])[: len(dist.r2)], name="param"), name="r2"
        ),
        distance=distance,
        scenario=sc,
        window_scenario=wsc,
        series=name,
        observation=obs_model,
        paths=tied,
        side=side,
        lag=int(lag),
        coupling=bool(coupling),
        seed=int(seed),
        marginals=marg,
    )


def _report(bar: Any, tolerance: float, acceptance: float, ess: float) -> None:
    """One generation done: the bar (None: nothing) advances and shows where the fit stands."""
    if bar is not None:
        bar.set_postfix(tolerance=f"{tolerance:.4g}", acceptance=f"{acceptance:.3f}", ess=f"{ess:.0f}", refresh=False)
        bar.update(1)


def _body(doc: str | None) -> str:
    """A module docstring without its summary line."""
    parts = inspect.cleandoc(doc or "").split("\n\n", 1)
    return parts[1] if len(parts) == 2 else ""


def _with_notes(doc: str, notes: Iterable[str]) -> str:
    """``doc`` with a Notes section (before its Examples) made of ``notes``, one paragraph group each."""
    text = textwrap.indent("\n\n".join(n for n in notes if n), "    ")
    return doc.replace(
        "    Examples\n    --------", "    Notes\n    -----\n" + text + "\n\n    Examples\n    --------", 1
    )


# The algorithm, the statistics and the distance are described once, beside their code.
calibrate.__doc__ = _with_notes(
    calibrate.__doc__ or "",
    [
        "*Algorithm.*\n\n" + _body(__doc__),
        "*Summary statistics.*\n\n" + _body(_summary_stats.__doc__),
        "*Distance.*\n\n" + _body(_distance.__doc__),
        "*What is compared.*\n\n" + _body(_observation.__doc__),
    ],
)
