"""Observed data: the Ukrainian General Staff's daily claims of Russian losses.

The package ships the series up to the report of 2024-12-24 (the day-0 report of
the built-in scenarios) and the maintainer's log of one-off corrections, from
the MIT-licensed dataset of Petro Ivaniuk; source, caveats and licence are in
``attrition/datasets/README.md``. A newer copy of the same dataset reads in one
call: ``gs_losses(path)`` takes a CSV in the shipped format, the dataset's own
JSON files (``data/russia_losses_personnel.json`` and
``data/russia_losses_equipment.json`` of the repository
``PetroIvaniuk/2022-Ukraine-Russia-War-Dataset`` on GitHub), or the folder that
holds them. Needs pandas.
"""

from __future__ import annotations

import io
import json
import os
import pathlib
from importlib import resources
from typing import Any

import numpy as np

from ._utils.optional import require

__all__ = [
    "gs_losses",
    "gs_corrections",
    "COUNT_COLUMNS",
    "UNRELIABLE_BEFORE",
    "LOSSES_FILE",
    "CORRECTIONS_FILE",
    "UPSTREAM_FILES",
]

# Where a loss series is read from: a CSV, an upstream JSON file, a folder holding the upstream
# files, or a list of files.
_Source = str | os.PathLike | list | tuple

#: The shipped files (in ``attrition/datasets/``).
LOSSES_FILE = "ua_gs_losses_to_2024-12-24.csv"
CORRECTIONS_FILE = "ua_gs_corrections_to_2024-12-24.csv"

#: Cumulative count columns of the General Staff series, in file order.
COUNT_COLUMNS = (
    "personnel",
    "tank",
    "apc",
    "artillery",
    "mlrs",
    "anti_aircraft",
    "aircraft",
    "helicopter",
    "drone",
    "cruise_missiles",
    "naval_ship",
    "submarines",
    "vehicles_and_fuel_tanks",
    "military_auto",
    "fuel_tank",
    "special_equipment",
    "mobile_srbm_system",
    "ground_robotic_systems",
    "pow",
)

#: The upstream dataset's JSON files (in its ``data/`` folder): personnel, equipment, corrections.
UPSTREAM_FILES = (
    "russia_losses_personnel.json",
    "russia_losses_equipment.json",
    "russia_losses_equipment_correction.json",
)

# Upstream JSON keys whose CSV column name is not the key lower-cased with spaces as "_".
_RENAMED = {
    "field artillery": "artillery",
    "MRL": "mlrs",
    "anti-aircraft warfare": "anti_aircraft",
    "personnel*": "personnel_qualifier",
}

#: Report dates before this one are flagged ``unreliable`` (lumpy early-2022 reporting).
UNRELIABLE_BEFORE = "2022-04-01"

# A correction shows either in the row of its own date or in the next one.
_WINDOW = 14  # days either side for the typical increment a correction is judged against
_MARGIN = 3.0  # how much better (in MADs) the next report must fit a step to be chosen over the logged date


def _pandas() -> Any:
    return require("pandas", purpose="the General Staff loss series")


def _text(name: str) -> str:
    return resources.files("attrition").joinpath("datasets", name).read_text("utf-8")


def _read(source: Any, default: str) -> Any:
    """A table in the shipped CSV format: the shipped file, a CSV, or upstream JSON (see :func:`gs_losses`)."""
    pd = _pandas()
    files = _json_files(source, default) if source is not None else []
    if files:
        df = _from_json(files)
    else:
        handle: Any = io.StringIO(_text(default)) if source is None else source
        df = pd.read_csv(handle, dtype={"personnel_qualifier": "object", "greatest_losses_direction": "object"})
    if "date" not in df.columns:
        raise ValueError(f"{source or default}: no 'date' column; expected the General Staff CSV format")
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    return df


def _json_files(source: Any, default: str) -> list[pathlib.Path]:
    """The upstream JSON files a source names: a folder (or its ``data/``), a JSON file with
    its upstream siblings, or a list of files; [] for a CSV."""
    want = UPSTREAM_FILES[2:] if default == CORRECTIONS_FILE else UPSTREAM_FILES[:2]
    if isinstance(source, (list, tuple)):
        return [pathlib.Path(p) for p in source]
    p = pathlib.Path(source)
    if p.is_dir():
        for d in (p, p / "data"):
            found = [d / f for f in want if (d / f).is_file()]
            if found:
                return found
        raise ValueError(f"{p}: no {' or '.join(want)} in this folder or its data/ folder")
    if p.suffix.lower() != ".json":
        return []
    if p.name in want:  # an upstream file: read its upstream siblings with it
        return [p] + [p.with_name(f) for f in want if f != p.name and p.with_name(f).is_file()]
    return [p]


def _from_json(files: list[pathlib.Path]) -> Any:
    """Upstream JSON files (lists of one record per report date) joined on ``date``, keys renamed
    to the CSV's columns, in the CSV's column order."""
    pd = _pandas()
    out = None
    for f in files:
        try:
            records = json.loads(pathlib.Path(f).read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"{f}: not a readable JSON file ({e})") from None
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise ValueError(f"{f}: expected a JSON list of records (one per report date), as in the upstream dataset")
        df = pd.DataFrame.from_records(records)
        df.columns = [_RENAMED.get(k, k.lower().replace(" ", "_").replace("-", "_")) for k in df.columns]
        if "date" not in df.columns:
            raise ValueError(f"{f}: no 'date' key; expected the upstream dataset's format")
        if df["date"].duplicated().any():
            raise ValueError(f"{f}: the date {df.loc[df['date'].duplicated(), 'date'].iloc[0]} appears more than once")
        if out is None:
            out = df
        else:
            keys = ["date"] + (["day"] if "day" in df.columns and "day" in out.columns else [])
            out = out.merge(df, on=keys, how="outer", suffixes=("", "_dup"))
            out = out.drop(columns=[c for c in out.columns if c.endswith("_dup")])
    assert out is not None
    first = ["date", "day"] + list(COUNT_COLUMNS) + ["personnel_qualifier", "greatest_losses_direction"]
    cols = [c for c in first if c in out.columns] + [c for c in out.columns if c not in first]
    return out[cols].sort_values("date", kind="stable").reset_index(drop=True)


def _raw_corrections(corrections: str | os.PathLike[str] | None) -> Any:
    pd = _pandas()
    c = _read(corrections, CORRECTIONS_FILE)
    cols = [k for k in c.columns if k in COUNT_COLUMNS]
    c[cols] = c[cols].fillna(0).astype(float)
    unknown = [k for k in c.columns if k not in COUNT_COLUMNS and k not in ("date", "day")]
    if unknown:
        raise ValueError(f"corrections: unknown columns {unknown}; expected the columns of {CORRECTIONS_FILE}")
    return c.reset_index(drop=True), cols, pd


def _match(raw: Any, c: Any, cols: list[str]) -> list[Any]:
    """For each correction row, the report date whose increment shows its step.

    Each correction row is one logged event: all its columns show in the same
    report, either the one of its own date or the next. For a candidate row and
    each column the correction touches, the score is how much nearer taking the
    correction out brings that row's increment to the typical increment of the
    column (the median of the raw increments within 14 days either side, the
    two candidate rows left out), in units of their median absolute deviation
    (at least 1). The next day's row is taken when its total score beats the
    own date's by more than 3, i.e. when the step is unmistakably there;
    otherwise the correction's own date, where the steps usually show. On the
    shipped files only the 2023-05-27 correction moves (to the 2023-05-28
    report, where tank -2 = 3 organic - 5 and cruise_missiles +31 = 0 + 31).
    """
    pd = _pandas()
    out = []
    for _, row in c.iterrows():
        d = row["date"]
        cands = [x for x in (d, d + pd.Timedelta(days=1)) if x in raw.index]
        if not cands:
            out.append(pd.NaT)
            continue
        near = raw.loc[d - pd.Timedelta(days=_WINDOW) : d + pd.Timedelta(days=_WINDOW + 1)]
        near = near.drop(index=[x for x in cands if x in near.index])
        scores = []
        for x in cands:
            s = 0.0
            for col in cols:
                if col not in raw.columns:
                    continue
                v = float(row[col])
                r = float(raw.at[x, col])
                if v == 0.0 or np.isnan(r):
                    continue
                ref = near[col].dropna()
                med = float(ref.median()) if len(ref) else 0.0
                mad = max(float((ref - med).abs().median()) if len(ref) else 0.0, 1.0)
                s += (abs(r - med) - abs(r - v - med)) / mad
            scores.append(s)
        best = cands[1] if len(cands) > 1 and scores[1] > scores[0] + _MARGIN else cands[0]
        out.append(best)
    return out


def gs_corrections(path: str | os.PathLike[str] | None = None, *, losses: str | os.PathLike[str] | None = None) -> Any:
    """The logged step corrections, with the report date each one shows in.

    Parameters
    ----------
    path
        A corrections CSV in the format of the shipped
        ``ua_gs_corrections_to_2024-12-24.csv`` (default: the shipped file).
    losses
        The loss series the corrections are matched against (default: the shipped one).

    Returns
    -------
    pandas.DataFrame
        One row per correction row of the file: ``date`` (as logged), ``shows_on``
        (the report date whose increment holds the step; see :func:`gs_losses`)
        and the correction per count column.

    Examples
    --------
    >>> from attrition.data import gs_corrections
    >>> c = gs_corrections()
    >>> c.loc[c.date == "2023-05-27", "shows_on"].dt.strftime("%Y-%m-%d").tolist()
    ['2023-05-28']
    """
    c, cols, pd = _raw_corrections(path)
    raw = _read(losses, LOSSES_FILE).set_index("date")
    inc = raw[[k for k in COUNT_COLUMNS if k in raw.columns]].astype(float).diff()
    c.insert(1, "shows_on", pd.to_datetime(pd.Series(_match(inc, c, cols), index=c.index)))
    return c


def _upstream_corrections(path: Any) -> pathlib.Path | None:
    """The upstream corrections file that comes with an upstream source, if any."""
    if path is None:
        return None
    try:
        files = _json_files(path, LOSSES_FILE)
    except ValueError:
        return None
    for f in files:
        c = pathlib.Path(f).with_name(UPSTREAM_FILES[2])
        if c.is_file():
            return c
    return None


def gs_losses(path: _Source | None = None, *, corrections: str | os.PathLike[str] | None | bool = None) -> Any:
    """The General Staff's daily loss series: cumulative counts and daily increments.

    Parameters
    ----------
    path
        Default: the shipped file, reports of 2022-02-25 to 2024-12-24. A newer
        copy of the series, in any of these forms:

        - a CSV in the format of the shipped ``ua_gs_losses_to_2024-12-24.csv``;
        - the upstream dataset's JSON files, as published in the ``data/``
          folder of ``PetroIvaniuk/2022-Ukraine-Russia-War-Dataset`` on GitHub:
          ``russia_losses_personnel.json`` and ``russia_losses_equipment.json``
          (either one; the other is read with it when it sits beside it), a
          list of such files, or the folder that holds them (a clone of the
          repository or its ``data/`` folder). Keys are renamed to the CSV's
          columns (``field artillery`` to ``artillery``, ``MRL`` to ``mlrs``,
          ``personnel*`` to ``personnel_qualifier``, ...).
    corrections
        The corrections log to take out of the daily increments: a CSV in the
        format of the shipped ``ua_gs_corrections_to_2024-12-24.csv`` or the
        upstream ``russia_losses_equipment_correction.json``, or ``False`` for
        the raw increments. Default: the upstream log when ``path`` is upstream
        JSON with the log beside it, otherwise the shipped log (its corrections
        stop on 2024-12-15; for a newer CSV pass a newer log).

    Returns
    -------
    pandas.DataFrame
        Indexed by report date (``date``), with:

        - ``day`` (day 1 = 2022-02-24) and every cumulative count column of
          the file (float; NaN where a category was not reported);
        - ``<col>_daily`` for every count column: the increment over the previous
          report with the logged corrections taken out, i.e. the "organic"
          losses claimed that day. NaN on the first row and on the first row of
          a category (its first value is a total since the start of the war).
          A correction is matched to the report whose increment shows its step:
          the row of its own date or the next one, whichever the step fits
          better, the own date unless the next report fits it unmistakably
          better (:func:`gs_corrections` gives the match; on the shipped files
          only the 2023-05-27 correction moves, to the 2023-05-28 report). With
          the shipped log, no daily increment is negative; an unlogged
          reclassification in a newer file can leave one;
        - ``personnel_qualifier`` and ``greatest_losses_direction`` as in the file;
        - ``unreliable``: True before 2022-04-01 (zero days and catch-up jumps
          in early 2022; do not fit daily-rate models there) and on a report
          that follows a gap in the dates.

        The report of date D covers mostly the fighting of day D - 1.

    Examples
    --------
    >>> from attrition.data import gs_losses
    >>> gs = gs_losses()
    >>> int(gs.loc["2024-12-24", "personnel"]), int(gs.loc["2024-12-20", "personnel_daily"])
    (777720, 2200)
    >>> int(gs.loc["2022-10-13", "artillery_daily"])  # 49 reported, of which +32 a correction
    17
    >>> int(gs["unreliable"].sum())
    35
    """
    pd = _pandas()
    df = _read(path, LOSSES_FILE)
    if df["date"].duplicated().any():
        dup = df.loc[df["date"].duplicated(), "date"].iloc[0]
        raise ValueError(f"{path or LOSSES_FILE}: the date {dup:%Y-%m-%d} appears more than once")
    if not df["date"].is_monotonic_increasing:
        raise ValueError(f"{path or LOSSES_FILE}: the dates are not in increasing order")
    df = df.set_index("date")
    cols = [k for k in COUNT_COLUMNS if k in df.columns]
    if "personnel" not in cols:
        raise ValueError(f"{path or LOSSES_FILE}: no 'personnel' column; expected the General Staff CSV format")
    df[cols] = df[cols].astype(float)
    daily = df[cols].diff()
    if corrections is not False:
        log = None if corrections is None or corrections is True else corrections
        c, ccols, _ = _raw_corrections(log if log is not None else _upstream_corrections(path))
        shows = _match(daily, c, ccols)
        for (_, row), when in zip(c.iterrows(), shows, strict=True):
            if pd.isna(when):
                continue
            for col in ccols:
                if row[col] != 0 and col in daily.columns and not np.isnan(daily.at[when, col]):
                    daily.at[when, col] -= float(row[col])
    daily.columns = [f"{k}_daily" for k in cols]
    gap = df.index.to_series().diff() > pd.Timedelta(days=1)
    unreliable = (df.index < pd.Timestamp(UNRELIABLE_BEFORE)) | gap.to_numpy()
    other = [k for k in df.columns if k not in cols]
    out = pd.concat(
        [df[["day"]] if "day" in df.columns else df[[]], df[cols], daily, df[[k for k in other if k != "day"]]], axis=1
    )
    out["unreliable"] = np.asarray(unreliable, dtype=bool)
    out.index.name = "date"
    return out
