"""Summary statistics of daily series, and the observed series over a date window.

Daily counts are overdispersed (a negative binomial around the day's mean) and
autocorrelated (the mean drifts), so single days are not compared; six
statistics of the window are (:func:`daily_stats`):

- ``log_mean``: log of the mean daily count (the level: ``base``);
- ``log_dispersion``: log of half the mean squared day-to-day change over the
  squared mean, i.e. the daily variance relative to the level with the slow
  drift differenced out (~ log(1/mean + 1/k): ``dispersion``);
- ``log_cv_weekly``: log of the coefficient of variation of the weekly means
  (the drift's size beyond the daily noise: ``drift_sd``, ``drift_reversion``);
- ``acf7``: lag-7 autocorrelation of the daily counts (the drift's memory);
- ``trend``: least-squares slope over the window, as a share of the mean;
- ``end``: log of the mean of the last 14 days over the window's mean.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np

from .._utils.fmt import shown
from .._utils.optional import require

__all__ = ["BLOCK", "BLOCK_STAT_NAMES", "STAT_NAMES", "block_stats", "daily_stats", "observed_window"]

#: Names of the statistics of :func:`daily_stats`, in order.
STAT_NAMES = ("log_mean", "log_dispersion", "log_cv_weekly", "acf7", "trend", "end")

#: Names of the statistics of :func:`block_stats`, in order.
BLOCK_STAT_NAMES = ("log_mean", "log_sd_block_change", "log_sd_block_level")

#: Days in a block of :func:`block_stats` (four weeks: whole weeks, so the weekday pattern of the
#: reports cancels).
BLOCK = 28

#: Floor of the quantities whose logarithm or ratio is taken.
TINY = 1e-12


def daily_stats(x: Any) -> np.ndarray:
    """The default summary statistics of daily series (see :mod:`attrition.calibration`).

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
    >>> from attrition.calibration import daily_stats
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
    lm = np.log(np.maximum(m, TINY))
    d = np.diff(x, axis=1)
    disp = np.log(np.maximum(0.5 * (d * d).mean(axis=1), TINY) / np.maximum(m * m, TINY))
    nw = t // 7
    w = x[:, t - 7 * nw :].reshape(n, nw, 7).mean(axis=2)
    cvw = np.log(np.maximum(w.std(axis=1, ddof=1), TINY) / np.maximum(m, TINY))
    c = x - m[:, None]
    den = (c * c).sum(axis=1)
    acf = np.where(den > 0, (c[:, 7:] * c[:, :-7]).sum(axis=1) / np.maximum(den, TINY), 0.0)
    tt = np.arange(t, dtype=float) - (t - 1) / 2.0
    slope = (c * tt).sum(axis=1) / (tt * tt).sum()
    trend = slope * (t - 1) / np.maximum(m, TINY)
    end = np.log(np.maximum(x[:, -14:].mean(axis=1), TINY)) - lm
    return np.column_stack([lm, disp, cvw, acf, trend, end])


def block_stats(x: Any) -> np.ndarray:
    """Statistics of a long daily series' slow movements, from its four-week means.

    The series is cut into :data:`BLOCK`-day blocks from its end (the first days that
    do not fill a block are left out), and of the log block means it takes: the log of
    the whole mean (the level), the log of the sd of the changes from block to block
    (the slow drift's step: a random walk's changes keep their size, and the fast
    drift's and the daily noise's are small over four weeks) and the log of the sd of
    the log block means themselves (their spread: a random walk wanders wider the
    longer the series, a drift that reverts does not). These fit ``slow_drift_sd`` and
    ``slow_drift_reversion`` on a window of a year or more, where :func:`daily_stats`
    sees the days and weeks.

    Parameters
    ----------
    x
        Daily values, shape ``(days,)`` or ``(n, days)``, at least four blocks.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 3)``, columns as :data:`BLOCK_STAT_NAMES`.

    Examples
    --------
    >>> import numpy as np
    >>> from attrition.calibration import block_stats
    >>> x = np.random.default_rng(1).poisson(1000, size=(2, 364)).astype(float)
    >>> block_stats(x).shape
    (2, 3)
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    n, t = x.shape
    nb = t // BLOCK
    if nb < 4:
        raise ValueError(f"the block statistics need at least {4 * BLOCK} days, got {t}")
    b = np.log(np.maximum(x[:, t - BLOCK * nb :].reshape(n, nb, BLOCK).mean(axis=2), TINY))
    lm = np.log(np.maximum(x.mean(axis=1), TINY))
    step = np.log(np.maximum(np.diff(b, axis=1).std(axis=1, ddof=1), TINY))
    spread = np.log(np.maximum(b.std(axis=1, ddof=1), TINY))
    return np.column_stack([lm, step, spread])


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


def observed_window(observed: Any, window: Any) -> tuple[_dt.date, _dt.date, np.ndarray]:
    """The window's first and last dates and the observed values over it.

    ``observed`` is a series indexed by date (pandas) or a plain array of the
    window's days; ``window`` is ``(first, last)``, both included.
    """
    if not (isinstance(window, (tuple, list)) and len(window) == 2):
        raise ValueError(f"window must be (first date, last date), both included; got {shown(window)}")
    first, last = _date(window[0]), _date(window[1])
    if last < first:
        raise ValueError(f"window ends ({last}) before it starts ({first})")
    days = (last - first).days + 1
    if hasattr(observed, "index") and hasattr(observed, "to_numpy"):
        pd = require("pandas", extra="calibrate", purpose="calibration")
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
            raise ValueError(
                f"observed has no value on {len(missing)} day(s) of the window, first {missing[0]:%Y-%m-%d}"
            )
        y = s.reindex(want).to_numpy()
    else:
        y = np.asarray(observed, dtype=float)
        if y.shape != (days,):
            raise ValueError(f"observed has shape {y.shape}; a plain array must hold the window's {days} days")
    if not np.all(np.isfinite(y)):
        bad = int(np.flatnonzero(~np.isfinite(y))[0])
        raise ValueError(
            f"observed is missing (NaN) on {first + _dt.timedelta(days=bad)}; choose a window without gaps"
        )
    return first, last, y
