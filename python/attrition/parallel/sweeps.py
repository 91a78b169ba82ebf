"""Sweeps: every variant of a scenario on common random numbers, here or on an executor.

The variants are a grid of dotted paths, a list of overrides, or the scenario's
levers on a grid or a Latin hypercube sample (:mod:`.designs`);
:meth:`SweepResult.to_xarray` lays the outcome statistics out along the swept
levers (:mod:`.sweep_data`)."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .. import _core
from .._utils import progress as progress_
from .._utils.fmt import shown
from .._utils.names import select
from .._utils.notes import add_note
from .._utils.optional import require
from ..engine import RunOptions, expected_seconds, run_local
from ..engine.memory import refuse
from ..engine.options import RETRIES
from ..results import Result
from ..scenario import Scenario, as_scenario
from . import sweep_data
from .backends import backend as make_backend
from .designs import Design, lever_design, path_design
from .planning import Plan, make_plan
from .scheduler import Assembly, Job, execute, jobs, progress_bar

__all__ = ["PLOT_BACKEND", "SweepResult", "sweep"]

#: The module that draws a sweep's charts, loaded by name on first use of
#: :meth:`SweepResult.plot` (it sits above this layer).
PLOT_BACKEND = "attrition.visual"


def _label(value: Any, scenario: Scenario, path: str) -> Any:
    """An override value as a table cell: numbers, strings and dates as they are,
    a distribution as the library writes it (``pert(1500, 2000, 3000)``)."""
    if isinstance(value, Mapping):
        for u in scenario.uncertain_list():
            if u["path"] == path:
                return u["distribution"]
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return str(list(value))
    if isinstance(value, np.generic):
        return value.item()
    return value


def _where(i: int, v: Mapping[str, Any]) -> str:
    return f"variant {i} {shown(dict(v))}"


class SweepResult:
    """The runs of a sweep: one scenario variant per set of overrides, on common random numbers.

    Attributes
    ----------
    scenario : Scenario
        The base scenario.
    variants : list of dict
        The overrides of each variant, ``{dotted path: value}``, in sweep order.
    scenarios : list of Scenario
        The variants as scenarios.
    results : list of Result
        Each variant's run: ``results[i]`` equals ``attrition.run(scenarios[i], n=n,
        seed=seed, series=..., paths=..., outcomes=outcomes_kept)`` bit for bit.
    n, seed
        Trajectories per variant, and the seed every variant shares.
    outcomes_kept
        ``"arrays"`` or ``"sketch"``, the same for every variant.
    design : Design
        How the variants were made: ``design.kind`` is ``"grid"``, ``"sample"`` (levers
        sampled) or ``"list"``; ``design.dims`` the swept levers (or paths);
        ``design.settings[i]`` the lever values of variant ``i``.
    """

    def __init__(
        self,
        scenario: Scenario,
        variants: list[dict[str, Any]],
        scenarios: list[Scenario],
        results: list[Result],
        n: int,
        seed: int,
        outcomes_kept: str,
        design: Design | None = None,
    ) -> None:
        self.design = design or Design(variants, "list", [], {}, [dict(v) for v in variants])
        self.scenario = scenario
        self.variants = variants
        self.scenarios = scenarios
        self.results = results
        self.n = n
        self.seed = seed
        self.outcomes_kept = outcomes_kept

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, i: int) -> Result:
        return self.results[i]

    @property
    def paths(self) -> list[str]:
        """The overridden dotted paths, in order of first appearance."""
        seen: dict[str, None] = {}
        for v in self.variants:
            seen.update(dict.fromkeys(v))
        return list(seen)

    def outcome_table(
        self, names: str | Iterable[str] | None = None, q: Sequence[float] = (0.05, 0.5, 0.95)
    ) -> list[dict[str, Any]]:
        """One row per variant and outcome, as a list of dicts (no pandas needed).

        Each row holds ``variant`` (its index), the override of every swept path
        (None where a variant leaves a path alone), ``outcome``, then the columns of
        :meth:`Result.outcome_table`: for a first-passage outcome, quantiles over all runs
        (NaN where not reached), the share ``reached`` and the statistics among the runs
        where it happened (``cond_``). ``names`` picks outcomes by name or glob
        pattern (default: all); a name must be an outcome of at least one variant.
        """
        if names is not None:  # names or patterns, over the outcomes of every variant
            every = list(dict.fromkeys(k for r in self.results for k in r.outcome_names))
            names = select(every, names, "outcome")
        keys = self.paths
        rows = []
        for i, (v, sc, r) in enumerate(zip(self.variants, self.scenarios, self.results, strict=True)):
            head: dict[str, Any] = {"variant": i}
            head.update({k: _label(v[k], sc, k) if k in v else None for k in keys})
            has = set(r.outcome_names)
            wanted = None if names is None else [k for k in names if k in has]
            for row in r.outcome_table(wanted, q):
                rows.append({**head, **row})
        return rows

    def to_pandas(self, names: str | Iterable[str] | None = None, q: Sequence[float] = (0.05, 0.5, 0.95)) -> Any:
        """:meth:`outcome_table` as a tidy pandas DataFrame (one row per variant and outcome).

        Columns: ``variant``, one per swept path (its override value; a distribution
        as text such as ``pert(1500, 2000, 3000)``), ``outcome``, then those of
        :meth:`Result.outcome_table` (``mean``, ``q0.05``, ``q0.5``, ``q0.95``, ``censored``,
        ``reached``, ``restricted_mean``, ``cond_mean``, ``cond_q0.05`` ...). Pivot it for a variants x outcomes view:
        ``df.pivot(index="variant", columns="outcome", values="q0.5")``.
        """
        pd = require("pandas", purpose="SweepResult.to_pandas()")
        return pd.DataFrame(self.outcome_table(names, q))

    @property
    def table(self) -> Any:
        """:meth:`to_pandas` with every outcome and the default quantiles (5 %, 50 %, 95 %)."""
        return self.to_pandas()

    @property
    def levers(self) -> list[str]:
        """The swept levers (empty for a sweep of dotted paths)."""
        return list(self.design.dims) if self.design.levers else []

    def to_xarray(self, names: str | Iterable[str] | None = None, q: Sequence[float] = (0.05, 0.5, 0.95)) -> Any:
        """The outcome statistics of every variant as an ``xarray.Dataset``.

        Parameters
        ----------
        names
            Outcomes by name or glob pattern (default: every outcome).
        q
            Quantiles (default 5 %, 50 % and 95 %: the median and the 90 % interval).

        Returns
        -------
        xarray.Dataset
            One variable per outcome (with ``units``, ``long_name`` and ``first_passage``).
            A grid has one dimension per swept lever (or path), whose coordinates are its
            values (dates as ``datetime64``); a sample or a list of overrides has one
            dimension ``variant``, with each lever's value as a coordinate along it. The
            last dimension, ``stat``, holds ``mean``, the quantiles (``q0.05`` ...), the
            ``censored`` share, and for first-passage times ``reached`` and
            ``restricted_mean``: such a time is read with its censoring (a run where the
            event does not happen within the horizon counts as after it), so its quantiles
            are over all runs, NaN where not reached by that share, and its ``mean`` is
            NaN. Needs the ``xarray`` extra.

        Examples
        --------
        >>> import attrition
        >>> s = attrition.Scenario.builtin("baseline-2024-12").with_values({"days": 60})
        >>> sw = attrition.sweep(s, levers={"dprk_152_rate": [0, 6570, 13140]}, n=50, seed=1)
        >>> ds = sw.to_xarray("russia.ammo.152mm.*")
        >>> ds["russia.ammo.152mm.fired_total"].sel(stat="q0.5").dims
        ('dprk_152_rate',)
        """
        return sweep_data.to_xarray(self, names, q)

    def plot(self, outcome: str, **kwargs: Any) -> Any:
        """A chart of one outcome over the swept levers (needs the ``plot`` extra): a line with
        its 90 % band for one lever, a heatmap for two (see :func:`attrition.visual.sweep_chart`,
        loaded by name from :data:`PLOT_BACKEND`)."""
        return importlib.import_module(PLOT_BACKEND).sweep_chart(self, outcome, **kwargs)

    def __repr__(self) -> str:
        return (
            f"<SweepResult {self.scenario.name!r}: {len(self)} variants over {', '.join(self.paths) or 'no path'}; "
            f"n={self.n} each, seed={self.seed}, outcomes as {self.outcomes_kept}>"
        )


def sweep(
    scenario: Scenario | Mapping[str, Any] | str,
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]] | None = None,
    /,
    *,
    levers: str | Iterable[str] | Mapping[str, Sequence[Any] | None] | None = None,
    points: int | None = None,
    n_samples: int | None = None,
    n: int | None = None,
    seed: int | None = None,
    executor: Any = None,
    series: str | Iterable[str] | None = (),
    paths: bool = False,
    outcomes: str = "auto",
    threads: int | None = None,
    progress: bool | None = None,
    max_memory: int | None = None,
    block: int | None = None,
    retries: int = RETRIES,
) -> SweepResult:
    """Run every variant of a scenario on common random numbers.

    Parameters
    ----------
    scenario
        The base scenario (a :class:`Scenario`, a dict, a built-in name or a TOML path).
    grid
        ``{dotted path: [values, ...]}``: every combination of the values (the
        cartesian product, the last path varying fastest); or a list of override
        dicts ``[{path: value, ...}, ...]``, one per variant (``{}`` is the base
        scenario). Values are what :meth:`Scenario.with_values` takes: numbers,
        distribution dicts, dates as ``"YYYY-MM-DD"`` strings, tables. Leave it out
        to sweep the scenario's levers.
    levers
        The scenario's levers to sweep (its ``[levers]`` table, :attr:`Scenario.levers`):
        a name, a list of names, or ``{name: [values] or None}``; without ``grid``,
        every lever by default. On a grid, each lever takes the values given, or its
        list, or ``points`` values spread over its range (default 5), and every
        combination is a variant (the last lever varying fastest).
    points
        Values of each range lever on a grid.
    n_samples
        Instead of a grid: this many variants, a Latin hypercube sample of the levers'
        ranges (drawn from ``seed``).
    n
        Trajectories per variant (default 10,000).
    seed
        One seed for every variant (common random numbers: trajectory i of every
        variant draws from the same streams, so differences between variants are
        the effect of the overrides, not noise). ``None`` draws one, recorded in
        ``SweepResult.seed``.
    executor
        ``None`` runs the variants here, one after another, on all cores; otherwise as
        in :func:`run_distributed`: every variant's blocks go to the executor.
    series, paths
        Series to record per variant (default none: outcomes only) and how
        (default streaming summaries).
    outcomes
        ``"arrays"``, ``"sketch"`` or ``"auto"``: arrays while every variant's arrays
        together fit the memory budget. Decided once, the same for every variant.
    threads, progress, max_memory, block, retries
        As in :func:`run_distributed`; ``max_memory`` bounds all the variants' results
        together.

    Returns
    -------
    SweepResult
        ``.table`` (pandas, one row per variant and outcome, the override values as
        columns), ``.to_xarray()`` (the swept levers as dimensions), ``.plot(outcome)``,
        ``.results[i]``, ``.variants[i]``, ``.scenarios[i]``.

    Raises
    ------
    ScenarioError
        When a variant is not a valid scenario (raised before anything runs), with a
        note naming the variant and its overrides.

    Examples
    --------
    >>> import attrition
    >>> s = attrition.Scenario.builtin("baseline-2024-12").with_values({"days": 60})
    >>> sw = attrition.sweep(s, {"sides.russia.supply.dprk_152.rate": [0, 10000]}, n=100, seed=2)
    >>> len(sw), sw.variants[1]
    (2, {'sides.russia.supply.dprk_152.rate': 10000})
    >>> t = sw.table
    >>> list(t.columns[:3]), list(t.columns[3:8])
    (['variant', 'sides.russia.supply.dprk_152.rate', 'outcome'], ['mean', 'q0.05', 'q0.5', 'q0.95', 'censored'])
    >>> fired = t[t.outcome == "russia.ammo.152mm.fired_total"].set_index("variant")["mean"]
    >>> bool(fired[1] > fired[0])
    True

    The scenario's levers, on a grid or sampled:

    >>> sw = attrition.sweep(s, levers=["dprk_supply_end", "mobilisation"], points=2, n=20, seed=2)
    >>> len(sw), sw.levers
    (4, ['dprk_supply_end', 'mobilisation'])
    >>> len(attrition.sweep(s, levers="mobilisation", n_samples=3, n=20, seed=2))
    3
    """

    options = RunOptions.from_args(
        n=n,
        seed=seed,
        series=series,
        paths=paths,
        threads=threads,
        progress=progress,
        max_memory=max_memory,
        outcomes=outcomes,
        block=block,
        retries=retries,
    )
    if options.block is not None and executor is None:
        raise ValueError("block= needs executor=: a local run chooses its own blocks")
    base = as_scenario(scenario)
    if grid is not None:
        if levers is not None or n_samples is not None or points is not None:
            raise ValueError("sweep takes a grid of paths or levers=/n_samples=/points=, not both")
        design = path_design(grid)
    else:
        design = lever_design(base, levers, points=points, n_samples=n_samples, seed=options.seed)
    variants = design.variants
    scenarios = []
    for i, v in enumerate(variants):
        try:
            scenarios.append(base.with_values(v) if v else base)
        except Exception as e:
            add_note(e, f"in {_where(i, v)}")
            raise
    names = []
    for i, (v, sc) in enumerate(zip(variants, scenarios, strict=True)):
        try:
            names.append(options.series_names(sc))
        except KeyError as e:
            add_note(e, f"in {_where(i, v)}")
            raise
    n = options.n
    budget = options.budget()
    if options.outcomes == "auto" and not options.paths:
        # Decided once for all the variants: arrays while they all fit together.
        workers = _core.worker_threads(options.threads)
        total = sum(
            _core.estimate_summary_bytes(sc._core, n, len(k), workers, True)
            for sc, k in zip(scenarios, names, strict=True)
        )
        options = dataclasses.replace(options, outcomes="arrays" if total <= budget else "sketch")
    plans = [make_plan(sc, options, k, budget) for sc, k in zip(scenarios, names, strict=True)]
    kept = plans[0].outcomes
    need = sum(p.result_bytes for p in plans)
    if executor is not None:
        need += max(p.client_bytes - p.result_bytes for p in plans)
    refuse(need, budget, options.paths, f"this sweep of {len(variants)} variants")
    seconds = sum(expected_seconds(sc, n, options.threads) for sc in scenarios)
    bar = progress_bar(options.progress, n * len(variants), f"{base.name} sweep", seconds)
    try:
        if executor is None:
            results = _run_here(scenarios, names, options, kept, bar)
        else:
            results = _run_there(variants, scenarios, plans, options, executor, bar)
    finally:
        progress_.close(bar)
    return SweepResult(base, variants, scenarios, results, n, options.seed, kept, design)


def _run_here(
    scenarios: list[Scenario], names: list[list[str]], options: RunOptions, kept: str, bar: Any
) -> list[Result]:
    """The variants one after another, each on all cores."""
    results = []
    for sc, k in zip(scenarios, names, strict=True):
        results.append(run_local(sc, dataclasses.replace(options, series=tuple(k), progress=False, outcomes=kept)))
        progress_.tick(bar, options.n)
    return results


def _run_there(
    variants: list[dict[str, Any]],
    scenarios: list[Scenario],
    plans: list[Plan],
    options: RunOptions,
    executor: Any,
    bar: Any,
) -> list[Result]:
    """Every variant's blocks on the executor, each variant assembled when its last block is in."""
    todo: list[Job] = []
    for i, (v, sc, p) in enumerate(zip(variants, scenarios, plans, strict=True)):
        todo.extend(jobs(sc, p, options, i, len(todo), _where(i, v)))
    last = {j.variant: j.index for j in todo}
    asm: list[Assembly | None] = [Assembly(fold=not options.paths and p.outcomes == "sketch") for p in plans]
    out: list[Result | None] = [None] * len(variants)

    def done(job: Job, r: Result) -> None:
        a = asm[job.variant]
        assert a is not None
        a.add(r)
        if job.index == last[job.variant]:
            out[job.variant] = a.result()
            asm[job.variant] = None  # its parts are no longer needed

    backend = make_backend(executor, options.retries)
    try:
        execute(todo, backend, bar, done)
    except BaseException:
        backend.close(abort=True)
        raise
    backend.close()
    return [r for r in out if r is not None]
