"""A static report of a run: ``index.html`` with the key outcomes and the main
charts as PNG files, and the numbers behind them as CSV files.

``attrition run SCENARIO --report DIR`` writes one; so does :func:`write_report`.
The charts are drawn on matplotlib ``Figure`` objects without pyplot, so
writing a report changes no global state (a notebook's backend stays as it was).

Examples
--------
>>> import attrition, tempfile, pathlib
>>> from attrition.visual import write_report
>>> r = attrition.run("baseline-2024-12", n=50, seed=1, paths=False)
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> index = write_report(r, d)
>>> sorted(p.name for p in d.iterdir())  # doctest: +NORMALIZE_WHITESPACE
['.attrition-report', 'casualties.png', 'index.html', 'outcome_table.csv', 'outcomes.csv', 'params.csv',
 'serviceable.png', 'stock.png', 'summaries.csv', 'survival.png', 'tornado.png']

A report writes into a new or empty folder, or one an earlier report wrote (its
``.attrition-report`` lists the files it wrote): each file is replaced whole, a
link at a file's name is replaced rather than followed, and the earlier
report's files that this one does not write are deleted (see :mod:`.folder`).
"""

from __future__ import annotations

import csv
import datetime as _dt
import html
import os
import pathlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _core
from .._utils.names import select
from ..errors import AttritionError
from ..results import display as _display
from ..results import frames as _frames
from ..scenario import display as _scenario_display
from ..scenario import provenance as _provenance
from ..scenario import registry as _labels
from .fans import fan, fans
from .folder import ReportFolder
from .outcomes import survival
from .style import mpl
from .tornado import tornado as tornado_chart

if TYPE_CHECKING:  # pragma: no cover
    from ..results import Result
    from ..scenario import Scenario

__all__ = ["QUANTILES", "main_side", "sources_section", "write_report"]

#: Quantiles of the per-day summaries written to ``summaries.csv``.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def main_side(result: Result) -> str:
    """The side the report looks at: the first with a 152 mm stock, else the first side."""
    names = result.scenario.series_names
    for side in result.scenario.sides:
        if f"{side}.ammo.152mm.stock" in names:
            return side
    return result.scenario.sides[0]


def _figure(nrows: int = 1, ncols: int = 1, size: tuple[float, float] = (8.0, 4.5)) -> tuple[Any, np.ndarray]:
    """A figure without pyplot (no global state), and its grid of axes."""
    fig = mpl("figure").Figure(figsize=size, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _save(fig: Any, folder: ReportFolder, name: str, dpi: int) -> None:
    folder.write_bytes(name, lambda f: fig.savefig(f, format="png", dpi=dpi, metadata={"Software": None}))


def _grid(result: Result, names: list[str], folder: ReportFolder, name: str, dpi: int, ncols: int = 3) -> None:
    ncols = max(1, min(ncols, len(names)))
    nrows = -(-len(names) // ncols)
    fig, axes = _figure(nrows, ncols, (4.2 * ncols, 3.1 * nrows))
    flat = axes.ravel()
    fans(result, names, axes=flat[: len(names)])
    for i, a in enumerate(flat):
        if i >= len(names):
            a.set_visible(False)
        elif i < len(names) - ncols:
            a.set_xlabel("")
    fig.suptitle(
        f"{result.scenario.name}, n = {result.n:,}, seed {result.seed}", fontsize=9, color="0.35", x=0.01, ha="left"
    )
    _save(fig, folder, name, dpi)


def _charts(
    result: Result, out: ReportFolder, dpi: int, tornado: str | None, notes: list[str]
) -> list[tuple[str, str, str]]:
    """Draw the charts; (file, title, caption) of each one drawn. Charts left out say why in ``notes``."""
    side = main_side(result)
    recorded = result.series_names
    charts: list[tuple[str, str, str]] = []

    stock = f"{side}.ammo.152mm.stock"
    if stock not in recorded:
        stocks = select(recorded, f"{side}.ammo.*.stock", "series")
        stock = stocks[0] if stocks else ""
    if stock:
        fig, axes = _figure()
        fan(result, stock, ax=axes[0, 0], samples=5 if result.paths else 0)
        _save(fig, out, "stock.png", dpi)
        charts.append(
            (
                "stock.png",
                _labels.label(stock),
                "Median and central 50 % and 90 % of trajectories by date"
                + (", with five single trajectories." if result.paths else "."),
            )
        )

    fleets = select(recorded, f"{side}.fleet.*.serviceable", "series")
    if fleets:
        _grid(result, fleets, out, "serviceable.png", dpi)
        charts.append(
            (
                "serviceable.png",
                f"{side.capitalize()}: serviceable guns per fleet",
                "Guns with a serviceable barrel, per gun system: median and central 50 % and 90 %.",
            )
        )

    cas = select(recorded, "*.casualties.total.cumulative", "series")
    if cas:
        _grid(result, cas, out, "casualties.png", dpi, ncols=2)
        charts.append(
            (
                "casualties.png",
                "Cumulative casualties",
                "Killed and wounded since before the start date (the reported total on day 0), per side.",
            )
        )

    rationed = select(result.outcome_names, f"{side}.ammo.*.days_to_rationing", "outcome")
    if rationed:
        fig, axes = _figure(size=(10.0, 4.5))
        ax = axes[0, 0]
        for name in rationed:
            survival(result, name, ax=ax, label=name.split(".")[2])
        ax.set_title(f"{side.capitalize()}: stock above the reserve, by caliber", loc="left", fontsize=11, pad=16)
        _save(fig, out, "survival.png", dpi)
        charts.append(
            (
                "survival.png",
                f"{side.capitalize()}: days until each stock is down to the reserve",
                "Share of trajectories in which the stock has not yet fallen to the reserve (the floor "
                "the side will not fire below), by date. The dashed line of each caliber is its censored "
                "share (stated in the legend): the trajectories in which it never happens within the "
                "horizon. A dotted line marks the date by which half the trajectories have seen it.",
            )
        )

    if tornado is not None:
        keys = [tornado]
    else:  # the first of these that varies: when the stock never runs out, what drives the guns, ...
        names = result.outcome_names
        keys = [k for k in (f"{side}.ammo.152mm.days_to_rationing", *rationed) if k in names]
        keys += select(names, f"{side}.fleet.*.days_to_half", "outcome")
        keys += [k for k in (f"{side}.casualties.total.run_total",) if k in names]
    n_params = len(result.scenario.uncertain_list())
    if keys and n_params and result.outcomes_kept == "arrays":
        top = min(12, n_params)
        skipped = []
        for key in dict.fromkeys(keys):
            fig, axes = _figure(size=(8.0, 1.3 + 0.38 * top))
            try:
                tornado_chart(result, key, ax=axes[0, 0], top=top)
            except AttritionError as e:  # e.g. the event never happens in any trajectory
                skipped.append(str(e))
                continue
            _save(fig, out, "tornado.png", dpi)
            charts.append(
                (
                    "tornado.png",
                    f"What drives {key}",
                    "Spearman rank correlation over trajectories between each drawn parameter and the "
                    "outcome, largest first. A first-passage time is censored at the horizon: a trajectory "
                    "in which the event never happens counts as the horizon. A correlation is not a cause: "
                    "parameters drawn independently can still "
                    "stand in for each other through the model."
                    + (f" (Not {keys[0]}: {skipped[0]}.)" if skipped else ""),
                )
            )
            break
        else:
            notes.append(f"No tornado chart: {'; '.join(skipped)}.")
    return charts


def _write_csv(folder: ReportFolder, name: str, header: Sequence[str], rows: Any) -> None:
    def write(f: Any) -> None:
        w = csv.writer(f)
        w.writerow(header)
        for row in rows:
            w.writerow([_cell(x) for x in row])

    folder.write_text(name, write)


def _cell(x: Any) -> Any:
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if np.isnan(x):
            return ""
        return repr(x)
    return x


def _csvs(result: Result, out: ReportFolder) -> list[tuple[str, str]]:
    files = []
    stats = [*_frames.STATS, *(f"q{q:g}" for q in QUANTILES)]
    dates = [str(d) for d in result.dates]

    def summary_rows() -> Any:
        for name in result.series_names:
            cols = _frames.summary_columns(result, name, QUANTILES)
            for t in range(result.days):
                yield [name, dates[t], *(cols[s][t] for s in stats)]

    _write_csv(out, "summaries.csv", ["series", "date", *stats], summary_rows())
    files.append(("summaries.csv", "per series and day: count, mean, sd, min, max and quantiles over trajectories"))

    rows = _display.outcome_rows(result, result.outcome_names)
    columns = [
        "outcome",
        "unit",
        *(k for k in (rows[0] if rows else {}) if k not in ("outcome", "unit", "first_passage")),
    ]
    _write_csv(out, "outcome_table.csv", columns, ([r[k] for k in columns] for r in rows))
    files.append(
        (
            "outcome_table.csv",
            "per outcome: mean, 5 %, 50 % and 95 % quantiles, censored share; for first-passage outcomes "
            "(days from the start) the quantiles over all trajectories (empty: not reached), the share that "
            "reach the event, the mean time restricted to the horizon and, among the trajectories where it "
            "happened, the mean and quantiles (cond_)",
        )
    )

    if result.outcomes_kept == "arrays":
        traj = _frames.trajectory_index(result)
        names = result.outcome_names
        cols = [result.outcomes[k] for k in names]
        _write_csv(
            out,
            "outcomes.csv",
            ["trajectory", *names],
            ([int(traj[i]), *(c[i] for c in cols)] for i in range(result.n)),
        )
        files.append(("outcomes.csv", "every outcome per trajectory (empty cell: never within the horizon)"))
        paths = [u["path"] for u in result.scenario.uncertain_list()]
        pcols = [result.params[p] for p in paths]
        _write_csv(
            out,
            "params.csv",
            ["trajectory", *paths],
            ([int(traj[i]), *(c[i] for c in pcols)] for i in range(result.n)),
        )
        files.append(("params.csv", "every drawn parameter per trajectory"))
    return files


def sources_section(scenario: Scenario) -> list[str]:
    """The report's "Sources" section: every input of the scenario with the facts of the
    sources register it rests on, or the assumption it makes (:meth:`Scenario.provenance`)."""
    rows = scenario.provenance_list()
    grounded = sum(1 for r in rows if r["facts"] or r["assumption"])
    cited = sum(1 for r in rows if r["facts"])
    return [
        "<h2>Sources</h2>",
        f"<p>{len(rows)} inputs: {cited} cite facts of the sources register, {grounded - cited} rest on a stated "
        f"assumption only, {len(rows) - grounded} on neither.</p>",
        "<details><summary>Every input and where it comes from</summary>",
        _provenance.provenance_html(scenario),
        "</details>",
    ]


def write_report(
    result: Result,
    directory: str | os.PathLike[str],
    *,
    tornado: str | None = None,
    command: str | None = None,
    dpi: int = 110,
) -> pathlib.Path:
    """Write a report of a run into ``directory`` (created if needed): a new or empty
    folder, or one an earlier report wrote (see :mod:`attrition.visual.folder`).

    Parameters
    ----------
    result
        A run, with paths or summaries. The charts need the series of
        ``attrition.DEFAULT_SERIES`` (stocks, serviceable guns, cumulative
        casualties); those not recorded are left out. The tornado chart and the
        per-trajectory CSVs need per-trajectory outcomes (``outcomes_kept ==
        "arrays"``).
    directory
        Where to write ``index.html``, the PNG charts (``stock.png``,
        ``serviceable.png``, ``casualties.png``, ``survival.png``,
        ``tornado.png``) and the CSV files (``summaries.csv``,
        ``outcome_table.csv``, ``outcomes.csv``, ``params.csv``).
    tornado
        The outcome of the tornado chart (default: the 152 mm stock's
        ``days_to_rationing`` of the side the report looks at, see :func:`main_side`).
    command
        The command that made the run, shown in the report so that it can be
        repeated.
    dpi
        Resolution of the PNG files.

    Returns
    -------
    pathlib.Path
        The path of ``index.html``.

    Raises
    ------
    FileExistsError
        When ``directory`` holds files that a report did not write.

    Examples
    --------
    >>> import attrition, tempfile, pathlib
    >>> from attrition.visual import write_report
    >>> r = attrition.run("dprk-cutoff-2025-01-20", n=50, seed=2)
    >>> index = write_report(r, pathlib.Path(tempfile.mkdtemp()) / "cutoff")
    >>> "dprk-cutoff-2025-01-20" in index.read_text(encoding="utf-8")
    True
    """
    if tornado is not None and tornado not in result.outcome_names:
        result.outcome(tornado)  # a KeyError with suggestions
    out = ReportFolder(directory)
    notes: list[str] = []
    charts = _charts(result, out, dpi, tornado, notes)
    files = _csvs(result, out)
    sc = result.scenario
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_esc(sc.name)}: attrition report</title>",
        "<style>body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;"
        "padding:0 1em;line-height:1.45;color:#222} img{max-width:100%;border:1px solid #ddd} "
        "figure{margin:1.5em 0} figcaption{font-size:0.9em;color:#444} h1{margin-bottom:0.2em} "
        ".meta{color:#555}</style>",
        "</head><body>",
        f"<h1>{_esc(sc.name)}</h1>",
        f"<p>{_esc(sc.description)}</p>",
        f"<p class='meta'>{_esc(sc.start)} to {_esc(sc.dates[-1])} ({sc.days} days); n = {result.n:,} "
        f"trajectories; seed {result.seed}; series kept as {'paths' if result.paths else 'summaries'}; "
        f"attrition {_esc(_core.__version__)}; written {_esc(_dt.date.today())}.</p>",
    ]
    if command:
        parts.append(f"<p class='meta'>Made with <code>{_esc(command)}</code></p>")
    parts.append("<h2>Key outcomes</h2>")
    parts.append(_display.result_html(result))
    parts.append("<h2>Charts</h2>")
    for file, title, caption in charts:
        parts.append(
            f"<figure><img src='{_esc(file)}' alt='{_esc(title)}'>"
            f"<figcaption><b>{_esc(title)}.</b> {_esc(caption)}</figcaption></figure>"
        )
    parts += [f"<p><i>{_esc(x)}</i></p>" for x in notes]
    if result.outcomes_kept != "arrays":
        parts.append(
            "<p><i>Outcomes were kept as sketches (too many trajectories for per-trajectory values), so "
            "there is no tornado chart and no outcomes.csv or params.csv.</i></p>"
        )
    parts.append("<h2>Data</h2><ul>")
    parts += [f"<li><a href='{_esc(f)}'>{_esc(f)}</a>: {_esc(d)}</li>" for f, d in files]
    parts.append("</ul>")
    parts.append(
        "<h2>Reading this report</h2><p>Every number is a distribution over trajectories: each trajectory draws "
        "the uncertain inputs once, then runs day by day with its own noise. The bands show how wide the "
        "answers are given the inputs' ranges, not how likely the inputs are. Many inputs are ranges between "
        "published claims by interested parties (for example the Ukrainian General Staff's loss counts) or "
        "placeholders where no source was found; the Sources section says which.</p>"
    )
    parts += sources_section(sc)
    parts.append("<h2>Scenario</h2>")
    parts.append(_scenario_display.scenario_html(sc))
    parts.append("</body></html>")
    index = out.write_text("index.html", lambda f: f.write("\n".join(parts)))
    out.finish()
    return index
