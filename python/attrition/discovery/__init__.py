"""Scenario discovery: which inputs lead to an outcome.

:func:`discover` takes a run that kept per-trajectory inputs and outcomes and a
condition on the outcomes (a text such as ``"russia.ammo.152mm.days_to_rationing <
2025-07-01"``, see :mod:`.condition`, or a boolean array), and finds the boxes
of the drawn inputs where the condition holds, with the EMA Workbench's PRIM
(the patient rule induction method: peel the input space a few percent at a
time towards the trajectories where the condition holds, keeping the
trade-off between coverage and density) or CART (a classification tree,
scikit-learn's through the Workbench). A box is reported by its limits on each
input it restricts, its **coverage** (the share of the trajectories where the
condition holds that fall in the box) and its **density** (the share of the
trajectories in the box where it holds).

Needs the ``ema`` extra (the EMA Workbench, with scikit-learn and pandas).
``Result.discover`` calls :func:`discover`.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from .._utils.names import select
from .._utils.optional import require
from ..errors import AttritionError
from ..results import Result
from .condition import Condition, parse, resolve_name

__all__ = ["Condition", "Discovery", "discover", "parse", "resolve_name"]

METHODS = ("prim", "cart")


def _workbench(module: str) -> Any:
    return require(module, extra="ema", purpose="scenario discovery", quiet=True)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence the deprecation notices the Workbench's code draws from newer pandas and
    numpy (its calls still work; they are the Workbench's to change, not the analyst's)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        yield


class Discovery:
    """The boxes of inputs that lead to a condition, found by PRIM or CART.

    Attributes
    ----------
    method : str
        ``"prim"`` or ``"cart"``.
    condition : str
        The condition, as given (``"<array>"`` for an array).
    x : pandas.DataFrame
        The inputs, one column per drawn parameter (dotted paths), one row per trajectory.
    y : numpy.ndarray
        Whether the condition holds, per trajectory.
    share : float
        The share of trajectories where it holds.
    algorithm
        The Workbench's ``Prim`` (with its ``box``, a ``PrimBox``) or ``CART`` object, for
        everything it offers.
    """

    def __init__(self, method: str, condition: str, x: Any, y: np.ndarray, algorithm: Any, box: Any = None) -> None:
        self.method = method
        self.condition = condition
        self.x = x
        self.y = y
        self.share = float(y.mean())
        self.algorithm = algorithm
        self.box = box

    # -- PRIM --------------------------------------------------------------------------
    @property
    def tradeoff(self) -> Any:
        """PRIM's peeling trajectory: one row per candidate box (``coverage``, ``density``,
        ``mass``, ``res_dim``, ``id``), from the whole input space to the densest box."""
        self._need_prim("tradeoff")
        return self.box.peeling_trajectory.copy()

    def select(self, i: int) -> Discovery:
        """Choose box ``i`` of the peeling trajectory (PRIM); returns self."""
        self._need_prim("select")
        with quiet():
            self.box.select(int(i))
        return self

    def plot_tradeoff(self, annotated: bool = False) -> Any:
        """The Workbench's trade-off chart of PRIM's boxes (coverage against density, coloured
        by the number of inputs restricted); returns the figure."""
        self._need_prim("plot_tradeoff")
        with quiet():
            return self.box.show_tradeoff(annotated=annotated)

    def plot_box(self) -> Any:
        """The Workbench's chart of the chosen box: each restricted input's limits within its
        range, with the quasi-p-value of each restriction; returns the figure."""
        self._need_prim("plot_box")
        with quiet():
            return self.box.inspect(style="graph")[0]

    def _need_prim(self, what: str) -> None:
        if self.method != "prim":
            raise AttritionError(f"{what} is PRIM's; this discovery used {self.method}")

    # -- both --------------------------------------------------------------------------
    @property
    def boxes(self) -> list[dict[str, Any]]:
        """The boxes, each ``{"coverage", "density", "mass", "limits"}`` with ``limits`` a
        DataFrame (see :attr:`table`). PRIM: the chosen box; CART: every leaf where the
        condition holds more often than in the whole run, densest first."""
        if self.method == "prim":
            i = self.box._cur_box
            row = self.box.peeling_trajectory.iloc[i]
            return [
                {
                    "coverage": float(row["coverage"]),
                    "density": float(row["density"]),
                    "mass": float(row["mass"]),
                    "limits": self._limits(self.box.box_lims[i], self.box.qp[i]),
                }
            ]
        out = []
        with quiet():
            found = list(zip(self.algorithm.boxes, self.algorithm.stats, strict=True))
        for lims, st in found:
            if st["density"] > self.share:
                out.append(
                    {
                        "coverage": float(st["coverage"]),
                        "density": float(st["density"]),
                        "mass": float(st["mass"]),
                        "limits": self._limits(lims, None),
                    }
                )
        return sorted(out, key=lambda b: -b["density"])

    def _limits(self, lims: Any, qp: dict[str, Any] | None) -> Any:
        pd = require("pandas", extra="ema", purpose="scenario discovery")
        rows = []
        for col in lims.columns:
            lo, hi = float(lims[col].iloc[0]), float(lims[col].iloc[1])
            full_lo, full_hi = float(self.x[col].min()), float(self.x[col].max())
            if lo <= full_lo and hi >= full_hi:
                continue  # not restricted
            row = {"input": col, "low": lo, "high": hi, "range_low": full_lo, "range_high": full_hi}
            if qp is not None and col in qp:
                row["qp_low"], row["qp_high"] = (np.nan if v == -1 else float(v) for v in qp[col])
            rows.append(row)
        cols = ["input", "low", "high", "range_low", "range_high"] + (["qp_low", "qp_high"] if qp is not None else [])
        return pd.DataFrame(rows, columns=cols).set_index("input")

    @property
    def table(self) -> Any:
        """The densest box's limits on the inputs it restricts, as a DataFrame indexed by
        input (dotted path): ``low`` and ``high``, the input's ``range_low`` and ``range_high``
        over the run, and for PRIM the quasi-p-values of the lower and upper restriction
        (``qp_low``, ``qp_high``: NaN where the box does not restrict that side).
        ``attrs`` holds its coverage, density and mass."""
        boxes = self.boxes
        if not boxes:
            raise AttritionError(f"{self.method} found no box where the condition holds more often than in the run")
        best = boxes[0]
        t = best["limits"]
        t.attrs.update({k: best[k] for k in ("coverage", "density", "mass")})
        return t

    @property
    def coverage(self) -> float:
        """Share of the trajectories where the condition holds that fall in the (densest) box."""
        return float(self.table.attrs["coverage"])

    @property
    def density(self) -> float:
        """Share of the trajectories in the (densest) box where the condition holds."""
        return float(self.table.attrs["density"])

    def __repr__(self) -> str:
        try:
            t = self.table
            inside = "; ".join(f"{k} in [{r.low:.4g}, {r.high:.4g}]" for k, r in t.iterrows())
            box = f"coverage {self.coverage:.0%}, density {self.density:.0%}: {inside or 'no restriction'}"
        except AttritionError as e:
            box = str(e)
        return (
            f"<Discovery ({self.method}) of {self.condition!r}: holds in {self.share:.1%} of "
            f"{len(self.y):,} trajectories; {box}>"
        )


def discover(
    result: Result,
    condition: str | Any,
    /,
    *,
    method: str = "prim",
    inputs: str | Iterable[str] | None = None,
    threshold: float | None = None,
    min_coverage: float = 0.5,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> Discovery:
    """Find the boxes of drawn inputs that lead to a condition on the outcomes.

    Parameters
    ----------
    result
        A run that kept per-trajectory outcomes and drawn parameters
        (``outcomes_kept == "arrays"``).
    condition
        A text, ``"<outcome> <op> <number or date>"`` joined by ``and`` / ``or`` (see
        :mod:`attrition.discovery.condition`): ``"russia.ammo.152mm.days_to_rationing <
        2025-07-01"``; a censored first-passage time counts as after the horizon. Or a
        boolean array, one value per trajectory.
    method
        ``"prim"`` (default) or ``"cart"``.
    inputs
        The drawn parameters to search over (dotted paths or glob patterns; default every
        one that varies).
    threshold
        PRIM: the density a box must reach to be kept (PRIM's ``threshold``); None (default)
        keeps the box whatever density it reaches (the threshold is then the condition's
        share of the run, which any peeled box meets).
    min_coverage
        PRIM: the box chosen on the peeling trajectory is the densest of those that cover at
        least this share of the trajectories where the condition holds (default one half);
        :meth:`Discovery.select` chooses another.
    peel_alpha
        PRIM: the share of trajectories peeled off at each step.
    mass_min
        The smallest share of trajectories a box (PRIM) or leaf (CART) may hold.

    Returns
    -------
    Discovery
        ``.table`` (the box's limits), ``.coverage``, ``.density``, ``.tradeoff`` and
        ``.plot_tradeoff()`` (PRIM), ``.boxes`` (CART: every leaf where the condition holds
        more often than in the run).

    Examples
    --------
    >>> import attrition  # doctest: +SKIP
    >>> r = attrition.run("baseline-2024-12", n=2000, seed=1, series=[])  # doctest: +SKIP
    >>> d = r.discover("russia.ammo.152mm.days_to_rationing < 2025-07-01")  # doctest: +SKIP
    >>> d.table  # doctest: +SKIP
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if result.outcomes_kept != "arrays":
        raise AttritionError(
            "discover needs each trajectory's drawn inputs and outcomes, but this run kept them as sketches "
            "(too many trajectories for the memory budget): run with fewer trajectories, outcomes='arrays', "
            "or a larger max_memory"
        )
    pd = require("pandas", extra="ema", purpose="scenario discovery")
    drawn = result.params
    varying = [p for p, v in drawn.items() if np.nanmin(v) < np.nanmax(v)] if result.n else []
    names = varying if inputs is None else select(varying, inputs, "drawn parameter that varies", order="names")
    if not names:
        raise ValueError("no drawn input varies in this run: there is nothing to search over")
    x = pd.DataFrame({p: np.asarray(drawn[p], dtype=float) for p in names})
    if isinstance(condition, str):
        cond = parse(condition, result.outcome_names, result.scenario.start)
        y = cond(result.outcomes)
        text = condition
    else:
        y = np.asarray(condition)
        if y.shape != (result.n,) or y.dtype != bool:
            raise ValueError(f"a condition array must be boolean of shape ({result.n},), got {y.dtype} {y.shape}")
        text = "<array>"
    if not y.any() or y.all():
        raise ValueError(
            f"the condition {text!r} holds in {'every' if y.all() else 'no'} trajectory of the run: "
            "there is no boundary to find"
        )
    if method == "prim":
        if threshold is None:
            threshold = float(y.mean())
        elif not 0 < threshold <= 1:
            raise ValueError(f"threshold is a density in (0, 1], got {threshold!r}")
        prim = _workbench("ema_workbench.analysis.prim")
        with quiet():
            alg = prim.Prim(x, y, threshold=float(threshold), peel_alpha=float(peel_alpha), mass_min=float(mass_min))
            box = alg.find_box()
        trajectory = box.peeling_trajectory
        if len(trajectory) == 1:
            raise AttritionError(
                f"PRIM found no box of density {threshold:g} or more where {text!r} holds; lower threshold= "
                "or leave it out to keep the densest box it finds"
            )
        covering = trajectory.index[trajectory["coverage"] >= min_coverage]
        best = int(trajectory.loc[covering, "density"].idxmax()) if len(covering) else 0
        with quiet():
            box.select(best)
        return Discovery("prim", text, x, y, alg, box)
    cart = _workbench("ema_workbench.analysis.cart")
    with quiet():
        alg = cart.CART(x, y, mass_min=float(mass_min))
        alg.build_tree()
    return Discovery("cart", text, x, y, alg)
