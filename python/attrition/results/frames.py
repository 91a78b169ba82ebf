"""Tables of a Result: pandas DataFrames and xarray Datasets (the bodies of
``Result.to_pandas``, ``Result.summary``, ``Result.outcomes_frame`` and ``Result.to_xarray``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .. import _core
from .._utils.names import is_pattern
from .._utils.names import select as select_names
from .._utils.optional import require
from ..errors import AttritionError
from ..scenario import registry
from .storage import STATS
from .view import ResultView

__all__ = [
    "STATS",
    "describe",
    "outcomes_frame",
    "select",
    "summary_columns",
    "summary_frame",
    "to_pandas",
    "to_xarray",
]


def pandas() -> Any:
    """The pandas module, or ImportError naming the extra."""
    return require("pandas", purpose="this table")


def xarray() -> Any:
    """The xarray module, or ImportError naming the extra."""
    return require("xarray", purpose="this dataset")


def select(result: ResultView, series: str | Iterable[str] | None) -> list[str]:
    """Recorded series by name or glob pattern (None: all of them).

    A name that the scenario has but the run did not record, or that does not exist,
    and a pattern that matches no recorded series are errors (UnknownNameError).
    """
    recorded = result.series_names
    if series is None:
        return recorded
    patterns = [series] if isinstance(series, str) else list(series)
    for p in patterns:
        if isinstance(p, str) and not is_pattern(p):
            result._check_series(p)
    return select_names(recorded, patterns, "recorded series", empty_pattern_ok=False)


#: The dates a datetime64[ns] can hold (casting others to it wraps around silently).
NS_FIRST, NS_LAST = np.datetime64("1678-01-01", "D"), np.datetime64("2261-12-31", "D")


def dates64(result: ResultView) -> np.ndarray:
    """The dates of a result in nanoseconds (what pandas and xarray use by default), or
    in seconds when they lie beyond the years 1678 to 2261 that nanoseconds hold."""
    d = result.dates
    unit = "ns" if d[0] >= NS_FIRST and d[-1] <= NS_LAST else "s"
    return d.astype(f"datetime64[{unit}]")


def trajectory_index(result: ResultView) -> np.ndarray:
    """The trajectories' indices in the seed's streams: int64, or uint64 when some
    lie at or above 2**63."""
    dtype = np.int64 if result._ranges[-1][1] <= 2**63 else np.uint64
    return np.concatenate([np.arange(a, b, dtype=dtype) for a, b in result._ranges])


def _mode(result: ResultView, summary: bool | None) -> bool:
    if summary is None:
        return not result.paths
    if not summary and not result.paths:
        raise AttritionError(
            "this run kept summaries, not paths (paths=False): pass summary=True or run with paths=True"
        )
    return bool(summary)


def _qname(q: float) -> str:
    return f"q{q:g}"


def summary_columns(result: ResultView, name: str, q: Sequence[float]) -> dict[str, np.ndarray]:
    """Per-day statistics (:data:`STATS`) and quantiles ``q`` (``q0.05`` ...) of a series."""
    cols: dict[str, np.ndarray] = {k: np.asarray(v, dtype=float) for k, v in result.stats(name).items()}
    qs = result.quantiles(name, list(q))
    for i, qq in enumerate(q):
        cols[_qname(qq)] = qs[i]
    return cols


def summary_frame(result: ResultView, name: str, q: Sequence[float]) -> Any:
    """:func:`summary_columns` as a DataFrame indexed by date."""
    pd = pandas()
    cols = summary_columns(result, name, q)
    return pd.DataFrame(cols, index=pd.DatetimeIndex(result.dates, name="date"))


def to_pandas(result: ResultView, series: str | Iterable[str] | None, summary: bool | None, q: Sequence[float]) -> Any:
    pd = pandas()
    names = select(result, series)
    dates = pd.DatetimeIndex(result.dates, name="date")
    if _mode(result, summary):
        frames = []
        for name in names:
            cols = summary_columns(result, name, q)
            f = pd.DataFrame({"series": pd.Categorical([name] * result.days, categories=names), "date": dates, **cols})
            frames.append(f)
        if not frames:
            return pd.DataFrame(columns=["series", "date", *STATS, *(_qname(x) for x in q)])
        return pd.concat(frames, ignore_index=True)
    traj = trajectory_index(result)
    data: dict[str, Any] = {
        "trajectory": np.repeat(traj, result.days),
        "date": np.tile(dates64(result), result.n),
    }
    for name in names:
        data[name] = result.series(name).reshape(-1)
    return pd.DataFrame(data)


def outcomes_frame(result: ResultView) -> Any:
    pd = pandas()
    missing = (
        "outcomes and drawn parameters were kept as sketches (no per-trajectory values); "
        "use outcome_table() and param_table(), or run with outcomes='arrays'"
    )
    outcomes, params = result._outcomes.arrays(missing), result._params.arrays(missing)
    paths = [u["path"] for u in result.scenario.uncertain_list()]
    index = pd.Index(trajectory_index(result), name="trajectory")
    cols = {k: outcomes[k] for k in result.outcome_names} | {p: params[p] for p in paths}
    df = pd.DataFrame(cols, index=index)
    df.attrs["outcomes"] = list(result.outcome_names)
    df.attrs["params"] = paths
    return df


def attrs(result: ResultView) -> dict[str, Any]:
    """The attributes of a Dataset: the scenario, the seed, n, the mode and the version."""
    sc = result.scenario
    return {
        "scenario": sc.name,
        "description": sc.description,
        "start": str(sc.start),
        "days": int(sc.days),
        # netCDF attributes hold int64 at most; a seed above it is kept as text
        "seed": int(result.seed) if result.seed < 2**63 else str(result.seed),
        "n": int(result.n),
        "mode": result._series.kind,
        "attrition_version": _core.__version__,
        "scenario_toml": sc.to_toml(),
    }


def to_xarray(result: ResultView, series: str | Iterable[str] | None, summary: bool | None, q: Sequence[float]) -> Any:
    xr = xarray()
    names = select(result, series)
    dates = dates64(result)
    data_vars: dict[str, Any] = {}
    if _mode(result, summary):
        stats = [*STATS, *(_qname(x) for x in q)]
        coords: dict[str, Any] = {"stat": stats, "date": dates}
        dims: tuple[str, ...] = ("stat", "date")
        for name in names:
            cols = summary_columns(result, name, q)
            data_vars[name] = (dims, np.stack([cols[s] for s in stats]), _var_attrs(name))
    else:
        coords = {"trajectory": trajectory_index(result), "date": dates}
        dims = ("trajectory", "date")
        for name in names:
            data_vars[name] = (dims, result.series(name), _var_attrs(name))
    return xr.Dataset(data_vars, coords=coords, attrs=attrs(result))


def _var_attrs(name: str) -> dict[str, str]:
    return {"long_name": registry.label(name), "units": registry.unit(name, outcome=False)}


def describe(result: ResultView, names: str | Iterable[str] | None, q: Sequence[float]) -> Any:
    """The body of :meth:`Result.describe`."""
    pd = pandas()
    rows = result.outcome_table(names, q)
    start = np.datetime64(result.scenario.start, "D")
    out = []
    for r in rows:
        fp = result.is_event(r["outcome"])
        row = {
            "outcome": r["outcome"],
            "label": registry.label(r["outcome"]),
            "unit": "days" if fp else registry.unit(r["outcome"], outcome=True),
            "first_passage": fp,
            **{k: v for k, v in r.items() if k != "outcome"},
        }
        for k in [f"q{x:g}" for x in q] + [f"cond_q{x:g}" for x in q]:
            v = r[k]
            row[f"date_{k}"] = (start + int(round(v))) if fp and np.isfinite(v) else np.datetime64("NaT")
        out.append(row)
    df = pd.DataFrame(out)
    return df.set_index("outcome") if len(df) else df
