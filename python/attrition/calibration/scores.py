"""Scores of ensemble forecasts against what the record later showed, and what
:func:`attrition.backtest` returns (:class:`Backtest`).

Each forecast is an ensemble (draws of the forecast distribution) and one
observed value. It is scored by

- ``crps``: the continuous ranked probability score of the ensemble
  (``scoringrules.crps_ensemble``, the unbiased "fair" estimator), in the unit
  of the count: the mean absolute error of a point forecast, generalised to a
  distribution; lower is better;
- ``in50``, ``in90``: whether the observed value falls inside the central 50 %
  and 90 % intervals (the ensemble's quantiles 0.25-0.75 and 0.05-0.95, by the
  inverted empirical CDF); averaged over forecasts, the coverage, which a
  calibrated forecast holds at 0.5 and 0.9;
- ``pit``: the probability integral transform, the share of the ensemble
  below the observed value (ties counted half): uniform over forecasts for a
  calibrated forecast, piled at 0 and 1 when its intervals are too narrow, in
  the middle when too wide, on one side when biased.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._utils.optional import require
from .._utils.stats import quantiles

__all__ = ["Backtest", "score"]

#: Quantiles reported with each forecast.
LEVELS = (0.05, 0.25, 0.5, 0.75, 0.95)


def score(observed: float, ensemble: np.ndarray) -> dict[str, float]:
    """The scores of one ensemble forecast (see the module's description), with its mean and quantiles."""
    sr = require("scoringrules", extra="validity", purpose="the forecast scores (CRPS)")
    e = np.asarray(ensemble, dtype=float)
    q = quantiles(e, LEVELS)
    pit = (np.sum(e < observed) + 0.5 * np.sum(e == observed)) / len(e)
    return {
        "observed": float(observed),
        "mean": float(e.mean()),
        **{f"q{int(round(100 * lv)):02d}": float(v) for lv, v in zip(LEVELS, q, strict=True)},
        "crps": float(sr.crps_ensemble(float(observed), e, estimator="fair")),
        "in50": float(q[1] <= observed <= q[3]),
        "in90": float(q[0] <= observed <= q[4]),
        "pit": float(pit),
    }


class Backtest:
    """What :func:`attrition.backtest` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per forecast: ``origin`` (the date of the last report the fit
        read), ``target`` (``personnel`` or ``artillery``), ``horizon`` (days),
        ``method`` (``model`` or a baseline's name), ``observed`` (the record's
        cumulative at origin + horizon), ``mean``, the quantiles
        ``q05``..``q95``, and the scores ``crps``, ``in50``, ``in90``, ``pit``.
    fits : pandas.DataFrame
        One row per origin and target: the posterior medians and 90 % intervals
        of the fitted parameters of the model's fit at that origin.
    settings : dict
        The settings of the run (window, population, generations, trajectories,
        seed, data) and its ``seconds``.
    """

    def __init__(self, table: Any, fits: Any, settings: dict[str, Any]) -> None:
        self.table = table
        self.fits = fits
        self.settings = settings

    def summary(self) -> Any:
        """Scores averaged per target, horizon and method.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``target``, ``horizon``, ``method``: ``forecasts``,
            ``crps`` (mean), ``crps_vs_model`` (the method's mean CRPS over the
            model's, on the same forecasts: above 1, the model is better),
            ``cov50``, ``cov90`` (coverage of the 50 % and 90 % intervals) and
            ``pit_mean`` (0.5 for an unbiased forecast; above, the record came
            out above the forecasts).
        """
        t = self.table
        g = t.groupby(["target", "horizon", "method"], sort=False)
        out = g.agg(
            forecasts=("crps", "size"),
            crps=("crps", "mean"),
            cov50=("in50", "mean"),
            cov90=("in90", "mean"),
            pit_mean=("pit", "mean"),
        )
        model = out.xs("model", level="method")["crps"]
        ratio = out["crps"] / model.reindex(out.index.droplevel("method")).to_numpy()
        out.insert(2, "crps_vs_model", ratio)
        return out

    def plot(self, *, figsize: tuple[float, float] = (11.0, 7.5)) -> Any:
        """Mean CRPS per horizon and method, interval coverage, and the model's PIT histograms.

        One row of panels per target: the mean CRPS of each method at each
        horizon (lower is better), the coverage of the 50 % and 90 % intervals
        (the dashed lines are the nominal levels), and the PIT histogram of the
        model's forecasts, all horizons together (flat for a calibrated
        forecast).

        Returns
        -------
        matplotlib.figure.Figure
        """
        plt = require("matplotlib.pyplot", extra="plot", purpose="Backtest.plot")
        s = self.summary().reset_index()
        targets = list(dict.fromkeys(s["target"]))
        methods = list(dict.fromkeys(s["method"]))
        fig, axes = plt.subplots(len(targets), 3, figsize=figsize, squeeze=False)
        width = 0.8 / len(methods)
        for row, tgt in zip(axes, targets, strict=True):
            st = s[s["target"] == tgt]
            hs = sorted(set(st["horizon"]))
            x = np.arange(len(hs))
            for i, m in enumerate(methods):
                sm = st[st["method"] == m].set_index("horizon").reindex(hs)
                row[0].bar(x + (i - (len(methods) - 1) / 2) * width, sm["crps"], width, label=m, color=f"C{i}")
                row[1].plot(x, sm["cov90"], marker="o", color=f"C{i}", label=f"{m} 90 %")
                row[1].plot(x, sm["cov50"], marker="s", ls=":", color=f"C{i}", label=f"{m} 50 %")
            row[0].set_xticks(x, [f"{h} d" for h in hs])
            row[0].set_ylabel(f"{tgt}: mean CRPS")
            row[0].set_title(f"{tgt}: CRPS (lower is better)", fontsize="medium")
            row[1].axhline(0.9, color="0.4", ls="--", lw=0.8)
            row[1].axhline(0.5, color="0.4", ls="--", lw=0.8)
            row[1].set_xticks(x, [f"{h} d" for h in hs])
            row[1].set_ylim(-0.02, 1.02)
            row[1].set_title(f"{tgt}: coverage (o 90 %, s 50 %)", fontsize="medium")
            pit = self.table[(self.table["target"] == tgt) & (self.table["method"] == "model")]["pit"]
            row[2].hist(pit, bins=np.linspace(0, 1, 11), color="C0", edgecolor="white")
            row[2].axhline(len(pit) / 10, color="0.4", ls="--", lw=0.8)
            row[2].set_title(f"{tgt}: PIT of the model's forecasts", fontsize="medium")
            row[2].set_xlabel("share of the forecast below the record")
        axes[0, 0].legend(fontsize="small")
        first, last = self.table["origin"].min(), self.table["origin"].max()
        fig.suptitle(f"Rolling-origin backtest, origins {first:%Y-%m} to {last:%Y-%m}")
        fig.tight_layout()
        return fig

    def __repr__(self) -> str:
        t = self.table
        return (
            f"<Backtest: {t['origin'].nunique()} origins, targets {sorted(set(t['target']))}, "
            f"horizons {sorted(set(t['horizon']))}, {len(t)} scored forecasts, "
            f"{self.settings.get('seconds', float('nan')):.0f} s>"
        )
