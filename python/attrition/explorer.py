"""An interactive explorer in Jupyter: sliders for a scenario's levers and a few key
uncertainties, a fan chart and the key outcomes, redrawn as they move.

:func:`explore` shows the widgets (needs the ``notebook`` extra, ipywidgets, and a running
Jupyter kernel). :class:`Explorer` is what the widgets drive, usable without them: it runs
the scenario with the levers set and the chosen uncertainties pinned, always on the same
trajectories of the same seed (common random numbers), so that the difference between two
redraws is the effect of what moved, not noise; and it keeps the first run (the scenario as
it is) as the reference every redraw is drawn against.

The key uncertainties (when not named) are the uncertain parameters whose drawn values rank
most strongly (Spearman) with the series' last value in the reference run: the ones whose
pinning moves the fan most.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ._utils.fmt import num
from ._utils.names import is_pattern, select
from ._utils.optional import require
from ._utils.stats import spearman
from .api import run
from .parallel.sweep_data import outcome_stats
from .results import Result
from .scenario import Scenario, as_scenario, registry
from .scenario.levers import Lever

__all__ = ["Explorer", "explore"]

#: The series the fan chart shows when none is named: the first of these the scenario has
#: (``{side}``: the side of the first lever's first path).
SERIES = ("russia.ammo.152mm.stock", "{side}.ammo.*.stock", "*.ammo.*.stock", "*.fleet.*.serviceable", "*")


def _first_series(sc: Scenario, levers: Mapping[str, Lever]) -> str:
    names = sc.series_names
    first = next((lv.paths[0] for lv in levers.values() if lv.paths), "sides.*")
    side = first.split(".")[1] if first.startswith("sides.") else "*"
    for p in (x.format(side=side) for x in SERIES):
        found = select(names, p, "series") if is_pattern(p) else [p] if p in names else []
        if found:
            return found[0]
    raise ValueError(f"scenario {sc.name!r} records no series")  # pragma: no cover - every scenario has one


class Explorer:
    """The runs behind :func:`explore`: a scenario with levers set and uncertainties pinned,
    on common random numbers.

    Parameters
    ----------
    scenario
        A :class:`~attrition.Scenario`, a dict, a built-in name or a TOML path.
    levers
        The levers to offer (names; default all of the scenario's).
    params
        The uncertain parameters to offer for pinning (dotted paths or patterns; default the
        ``key`` ones that rank most strongly with the series' last value).
    n, seed, threads
        Trajectories, seed and worker threads of every run.
    series
        The series of the fan chart (default the Russian 152 mm stock, or the first stock of
        the side the first lever acts on).
    key
        How many key uncertainties to offer when ``params`` is not given.
    outcomes
        The outcomes of :meth:`table` (names or patterns; default the key outcomes of the
        series' side, less the per-fleet ones).

    Attributes
    ----------
    reference : Result
        The scenario as it is (nothing set, nothing pinned).
    result : Result
        The latest run.
    seconds, cpu_seconds : float
        How long the latest run took, on the clock and in processor time (over every thread:
        divided by the cores it ran on, what it takes on a machine no one else is using).
    """

    def __init__(
        self,
        scenario: Scenario | Mapping[str, Any] | str,
        *,
        levers: Iterable[str] | None = None,
        params: str | Iterable[str] | None = None,
        n: int = 1000,
        seed: int = 1,
        series: str | None = None,
        threads: int | None = None,
        key: int = 5,
        outcomes: str | Iterable[str] | None = None,
    ) -> None:
        self.scenario = as_scenario(scenario)
        every = self.scenario.levers
        names = list(every) if levers is None else select(list(every), levers, "lever")
        self.levers: dict[str, Lever] = {k: every[k] for k in names}
        self.series = series or _first_series(self.scenario, self.levers)
        if self.series not in self.scenario.series_names:
            select(self.scenario.series_names, [self.series], "series")  # raises with the closest names
        self.n, self.seed, self.threads = int(n), int(seed), threads
        side = self.series.split(".", 1)[0]
        if outcomes is None:
            keys = select(self.scenario.outcome_names, registry.KEY_OUTCOMES, "outcome")
            self.outcomes = [k for k in keys if k.startswith(side + ".") and ".fleet." not in k]
        else:
            self.outcomes = select(self.scenario.outcome_names, outcomes, "outcome")
        self._built: dict[tuple[Any, ...], Scenario] = {}
        self.settings: dict[str, Any] = {}
        self.pinned: dict[str, float] = {}
        self.reference = self._run(self.scenario, {})
        self.result = self.reference
        set_by_levers = {p for lv in self.levers.values() for p in lv.paths}
        self.uncertain = {u["path"]: u for u in self.scenario.uncertain_list() if u["low"] < u["high"]}
        offered = [p for p in self.uncertain if p not in set_by_levers]
        if params is None:
            self.params = self._key_uncertainties(offered, int(key))
        else:
            self.params = select(offered, params, "uncertain parameter that no lever sets")

    def _run(self, sc: Scenario, pinned: Mapping[str, float]) -> Result:
        t, cpu = time.perf_counter(), time.process_time()
        samples = {p: np.full(self.n, float(v)) for p, v in pinned.items()} or None
        r = run(
            sc,
            n=self.n,
            seed=self.seed,
            series=[self.series],
            samples=samples,
            threads=self.threads,
            progress=False,
            outcomes="arrays",
        )
        self.seconds, self.cpu_seconds = time.perf_counter() - t, time.process_time() - cpu
        return r

    def _key_uncertainties(self, offered: Sequence[str], k: int) -> list[str]:
        last = self.reference.series(self.series)[:, -1]
        drawn = self.reference.params
        rho = {p: abs(spearman(drawn[p], last)[0]) for p in offered}
        ranked = sorted((p for p in offered if np.isfinite(rho[p])), key=lambda p: -rho[p])
        return ranked[:k]

    def _scenario(self) -> Scenario:
        key = tuple(sorted((k, str(v)) for k, v in self.settings.items()))
        if key not in self._built:
            self._built[key] = self.scenario.with_levers(self.settings) if self.settings else self.scenario
        return self._built[key]

    def update(self, levers: Mapping[str, Any] | None = None, pinned: Mapping[str, float] | None = None) -> Result:
        """Set levers (``{name: value}``; None as a value: the scenario's own) and pin
        uncertainties (``{path: value}``; None: drawn again), then run. Returns the run."""
        for name, v in (levers or {}).items():
            if name not in self.levers:
                select(list(self.levers), [name], "lever offered")  # raises with the closest names
            if v is None:
                self.settings.pop(name, None)
            else:
                self.settings[name] = v
        for path, v in (pinned or {}).items():
            if path not in self.uncertain:
                select(list(self.uncertain), [path], "uncertain parameter")
            if v is None:
                self.pinned.pop(path, None)
            else:
                self.pinned[path] = float(v)
        self.result = self._run(self._scenario(), self.pinned)
        return self.result

    def table(self) -> Any:
        """The outcomes (pandas): median and 90 % interval of the latest run, the reference's
        median, and for first-passage times the share of runs that reach the event (a
        censored time counts as after the horizon; a quantile it does not reach is NaN)."""
        pd = require("pandas", extra="notebook", purpose="the explorer's table")
        rows = []
        for k in self.outcomes:
            fp = registry.is_first_passage(k)
            now = outcome_stats(self.result, k, (0.05, 0.5, 0.95), fp)
            ref = outcome_stats(self.reference, k, (0.5,), fp)
            rows.append(
                {
                    "outcome": registry.label(k),
                    "unit": registry.unit(k, outcome=True),
                    "median": now["q0.5"],
                    "5 %": now["q0.05"],
                    "95 %": now["q0.95"],
                    "reference median": ref["q0.5"],
                    "reached": now["reached"] if fp else np.nan,
                    "reference reached": ref["reached"] if fp else np.nan,
                }
            )
        return pd.DataFrame(rows).set_index("outcome")

    def figure(self, ax: Any = None) -> Any:
        """The fan chart of the series for the latest run, with the reference's median dashed."""
        ax = self.result.plot.fan(self.series, ax=ax, label="now")
        ref = self.reference.quantiles(self.series, 0.5)
        ax.plot(self.reference.dates, ref, color="0.3", linestyle="--", linewidth=1.2, label="reference median")
        ax.legend(loc="best", fontsize=8, frameon=False)
        return ax

    def describe(self) -> str:
        """What is set and pinned now, on one line."""
        parts = [f"{k} = {v}" for k, v in self.settings.items()]
        parts += [f"{registry.short_param(p)} = {v:,.4g}" for p, v in self.pinned.items()]
        return "; ".join(parts) or "the scenario as it is"


def _in_kernel() -> bool:
    """True inside a running Jupyter kernel."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def explore(
    scenario: Scenario | Mapping[str, Any] | str,
    /,
    *,
    levers: Iterable[str] | None = None,
    params: str | Iterable[str] | None = None,
    n: int = 1000,
    seed: int = 1,
    series: str | None = None,
    threads: int | None = None,
) -> Any:
    """Sliders for a scenario's levers and key uncertainties, with a fan chart and the key
    outcomes redrawn as they move (in a Jupyter notebook; needs the ``notebook`` extra).

    Each lever and uncertainty has a box to tick and a slider: a lever unticked keeps the
    scenario's own value, an uncertainty unticked is drawn as usual; moving a slider ticks
    its box. Every redraw runs the same ``n`` trajectories of ``seed`` (common random
    numbers), and the chart shows the scenario as it is (the reference) as a dashed median.
    Arguments as for :class:`Explorer`. Returns the widget (the last expression of a cell
    shows it); its ``explorer`` attribute is the :class:`Explorer`.

    Raises
    ------
    ImportError
        Without ipywidgets (``pip install 'attrition[notebook]'``).
    RuntimeError
        Outside a Jupyter kernel (use :class:`Explorer` or :func:`attrition.sweep` there).
    """
    widgets = require("ipywidgets", extra="notebook", purpose="attrition.explore()")
    if not _in_kernel():
        raise RuntimeError(
            "attrition.explore() draws widgets in a Jupyter notebook, and no kernel is running here. "
            "Open a notebook (pip install 'attrition[notebook]'), or use attrition.explorer.Explorer "
            "(update(), table(), figure()) or attrition.sweep outside one."
        )
    from IPython.display import display

    plt = require("matplotlib.pyplot", extra="notebook", purpose="attrition.explore()")
    ex = Explorer(scenario, levers=levers, params=params, n=n, seed=seed, series=series, threads=threads)
    rows, read = [], []
    for name, lever in ex.levers.items():
        box, slider = _lever_control(widgets, lever)
        rows.append(widgets.HBox([box, slider]))
        read.append(("lever", name, box, slider))
    for path in ex.params:
        box, slider = _param_control(widgets, path, ex.uncertain[path]["spec"])
        rows.append(widgets.HBox([box, slider]))
        read.append(("param", path, box, slider))
    status = widgets.HTML()
    chart, table = widgets.Output(), widgets.Output()

    def redraw(_: Any = None) -> None:
        lv = {k: (s.value if b.value else None) for kind, k, b, s in read if kind == "lever"}
        pin = {k: (s.value if b.value else None) for kind, k, b, s in read if kind == "param"}
        status.value = "<i>running...</i>"
        ex.update(lv, pin)
        with chart:
            chart.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
            ex.figure(ax=ax)
            display(fig)
            plt.close(fig)
        with table:
            table.clear_output(wait=True)
            display(ex.table().map(num))
        status.value = (
            f"{ex.describe()} &mdash; n = {ex.n:,}, seed {ex.seed} (common random numbers); "
            f"run in {ex.seconds:.2f} s ({ex.cpu_seconds:.2f} s of processor time)"
        )

    def ticked(change: Any) -> None:
        for _, _, b, s in read:
            if s is change["owner"] and not b.value:
                b.value = True  # the box's own observer redraws
                return
        redraw()

    for _, _, b, s in read:
        s.observe(ticked, names="value")
        b.observe(redraw, names="value")
    title = widgets.HTML(f"<b>{ex.scenario.name}</b>: levers, then key uncertainties")
    ui = widgets.VBox([title, *rows, status, chart, table])
    ui.explorer = ex
    redraw()
    return ui


def _lever_control(widgets: Any, lever: Lever) -> tuple[Any, Any]:
    box = widgets.Checkbox(value=False, description=lever.name, indent=False, layout={"width": "220px"})
    box.tooltip = lever.description
    kw = {"continuous_update": False, "layout": {"width": "420px"}}
    if lever.values:
        slider = widgets.SelectionSlider(options=[(str(v), v) for v in lever.values], **kw)
    elif lever.kind == "date":
        days = lever.grid(2)
        span = (days[1] - days[0]).days  # type: ignore[operator]
        opts = lever.at(np.arange(span + 1) / max(span, 1))
        slider = widgets.SelectionSlider(options=[(str(d), d) for d in opts], value=opts[-1], **kw)
    else:
        lo, hi = (float(x) for x in lever.bounds)  # type: ignore[arg-type]
        slider = widgets.FloatSlider(min=lo, max=hi, value=(lo + hi) / 2, step=(hi - lo) / 100, **kw)
    return box, slider


def _param_control(widgets: Any, path: str, spec: Any) -> tuple[Any, Any]:
    from .scenario.dist import Dist

    d = Dist(spec, path)
    lo, hi, mid = float(d.ppf(0.01)), float(d.ppf(0.99)), float(d.median())
    box = widgets.Checkbox(value=False, description=registry.short_param(path), indent=False, layout={"width": "220px"})
    box.tooltip = f"pin {path} (unticked: drawn from {d.describe()})"
    slider = widgets.FloatSlider(
        min=lo, max=hi, value=mid, step=(hi - lo) / 100, continuous_update=False, layout={"width": "420px"}
    )
    return box, slider
