"""Charts of a sweep (:class:`~attrition.SweepResult`): one outcome over one lever (a
line with its 90 % band) or two (a heatmap)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..scenario import registry as _labels
from .style import big_numbers_if_needed, new_axes, next_color, stamp, style, title

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from ..parallel import SweepResult

__all__ = ["sweep_chart"]


def _axis_label(sw: SweepResult, dim: str) -> str:
    lever = sw.scenario.levers.get(dim)
    return lever.description or dim if lever is not None else dim


def _ylabel(outcome: str, stat: str) -> str:
    if _labels.is_first_passage(outcome):
        return f"days from the start ({stat}; a gap: not reached)"
    return f"{_labels.unit(outcome, outcome=True) or outcome.rsplit('.', 1)[-1]} ({stat})"


def sweep_chart(
    sw: SweepResult,
    outcome: str,
    *,
    stat: str = "q0.5",
    band: tuple[str, str] | None = ("q0.05", "q0.95"),
    at: Mapping[str, Any] | None = None,
    ax: Any = None,
    color: str | None = None,
) -> Axes:
    """One outcome of a sweep over its levers.

    Parameters
    ----------
    sw
        The sweep.
    outcome
        An outcome name.
    stat
        The statistic drawn (a ``stat`` of :meth:`SweepResult.to_xarray`: ``q0.5`` by
        default, ``mean``, ``reached``...).
    band
        Two statistics drawn as a band around a line (default the 90 % interval); None for none.
    at
        Values of the other levers when the sweep has more than two (nearest grid value).
    ax, color
        As for the other charts.

    Returns
    -------
    matplotlib.axes.Axes
        One lever: ``stat`` as a line over the lever's values with the band shaded (a
        sample of levers: points with the band as error bars). Two levers of a grid: a
        heatmap of ``stat`` (the first lever across, the second up), with a colour bar.
    """
    ds = sw.to_xarray(outcome, q=(0.05, 0.5, 0.95))
    da = ds[outcome]
    if at:
        da = da.sel(**{k: v for k, v in at.items()}, method="nearest")
    stats = list(da["stat"].values)
    for s in (stat, *(band or ())):
        if s not in stats:
            raise ValueError(f"no statistic {s!r}; the sweep's statistics are {stats}")
    dims = [d for d in da.dims if d != "stat"]
    ax = new_axes(ax)
    c = next_color(ax, color)
    if dims == ["variant"]:
        levers = [d for d in sw.design.dims if d in ds.coords]
        if len(levers) != 1:
            raise ValueError(
                f"a chart of a sample shows one lever; this sample moves {levers}: chart a grid, or read to_xarray()"
            )
        x = np.asarray(da[levers[0]].values)
        order = np.argsort(x, kind="stable")
        y = da.sel(stat=stat).values[order]
        yerr = None
        if band is not None:
            lo, hi = (da.sel(stat=b).values[order] for b in band)
            yerr = np.vstack([y - lo, hi - y])
        ax.errorbar(x[order], y, yerr=yerr, fmt="o", color=c, markersize=4, elinewidth=0.8, capsize=0, alpha=0.8)
        ax.set_xlabel(_axis_label(sw, levers[0]))
        ax.set_ylabel(_ylabel(outcome, stat))
    elif len(dims) == 1:
        d = dims[0]
        x = np.asarray(da[d].values)
        if band is not None:
            lo, hi = (da.sel(stat=b).values for b in band)
            ax.fill_between(x, lo, hi, color=c, alpha=0.22, linewidth=0, label=f"{band[0]} to {band[1]}")
        ax.plot(x, da.sel(stat=stat).values, color=c, linewidth=2.0, marker="o", markersize=3, label=stat)
        ax.set_xlabel(_axis_label(sw, d))
        ax.set_ylabel(_ylabel(outcome, stat))
        ax.legend(loc="best", fontsize=8, frameon=False)
    elif len(dims) == 2:
        z = da.sel(stat=stat).transpose(dims[1], dims[0]).values
        xs, ys = (np.asarray(da[d].values) for d in dims)
        mesh = ax.pcolormesh(np.arange(len(xs) + 1) - 0.5, np.arange(len(ys) + 1) - 0.5, z, cmap="viridis")
        for axis, vals, setter in ((ax.xaxis, xs, ax.set_xticks), (ax.yaxis, ys, ax.set_yticks)):
            setter(np.arange(len(vals)))
            axis.set_ticklabels([_tick(v) for v in vals])
        ax.set_xlabel(_axis_label(sw, dims[0]))
        ax.set_ylabel(_axis_label(sw, dims[1]))
        bar = ax.figure.colorbar(mesh, ax=ax)
        bar.set_label(_ylabel(outcome, stat))
        if np.isfinite(z).any():
            big_numbers_if_needed(bar.ax.yaxis, (float(np.nanmin(z)), float(np.nanmax(z))))
    else:
        raise ValueError(f"the sweep moves {len(dims)} levers {dims}; pass at={{lever: value}} for all but one or two")
    title(ax, _labels.label(outcome))
    stamp(ax, text=f"{sw.scenario.name}, {len(sw)} variants, n = {sw.n:,} each, seed {sw.seed} (common random numbers)")
    if len(dims) != 2:
        big_numbers_if_needed(ax.yaxis, ax.get_ylim())
        style(ax)
    return ax


def _tick(v: Any) -> str:
    if isinstance(v, np.datetime64):
        return str(v.astype("datetime64[D]"))
    if isinstance(v, (float, np.floating)):
        return f"{float(v):,.4g}"
    return str(v)
