"""The attrition model (docs/model.md sections 3 to 6) written in numpy, for benchmarks.

This is the yardstick the Rust engine is timed against: the same model, written as a
competent numpy user would, vectorised over trajectories (arrays of shape ``(n,)`` for
every state variable, ``(slots, n)`` for the guns of a fleet) with one Python loop over
days and no Python loop over trajectories. It draws from numpy's own ``Generator``
(``np.random.default_rng(seed)``), not from the engine's keyed streams, so the two agree
in distribution, not path by path (``tests/test_bench_agreement.py`` checks that).

It follows the engine rule for rule:

- Day order. Phase A, for every side: deliveries (lots ~ Poisson(rate(t) / lot), duds ~
  Binomial), then per caliber demand (each fleet asks round(serviceable x rounds per gun),
  half away from zero), firing down to the floor max(reserve, reserve_days x planned
  demand), the planned demand being the day-0 demand (fired = floor(min(demand, max(0,
  S - floor)))), duds fired ~ Binomial(fired, U / S)
  capped at U (the binomial approximation of the hypergeometric draw, as in the engine),
  each fleet getting the same share of its demand, and effective fire = (fired - duds
  fired) x lethality x the demand-weighted accuracy of the caliber's fleets at the start
  of the day. Phase B, for every side, with the enemy's fire of that same day: fleets
  (wear and failures, spares first come first served, repairs, write-offs after
  ``max_wait_days``, combat losses, new guns), casualties (tempo, negative binomial,
  contingent split, contingents), territory.
- Couplings: the enemy's fire over its ``ref_fire`` and the own-to-enemy ratio
  (own / enemy / ref_ratio; 1 when neither fires, the cap when only the enemy is
  silent) are capped at the scenario's ``max_fire_ratio``; with ``coupling = false``
  (or a side that is its own opponent) both are 1.
- Tempo: the product of the schedule's factors times exp(x_t - Var(x_t) / 2) with
  x_t = (1 - reversion) x_{t-1} + sd e_t (the drift keeps mean one on every day), times
  the slow drift, the same with its own sd and reversion.
- Casualties ~ NegativeBinomial (Gamma-Poisson mixture; Poisson without a dispersion),
  split over contingents in name order by sequential binomials on strength x relative
  risk, each capped at its strength (the excess is lost, as in the engine); killed ~
  Binomial, the wounded who return ~ Binomial, held in a ring of ``rtd_days + 1`` slots;
  arrivals (Poisson rate and schedule) inside the arrival window; payments accrue on the
  end-of-day strength. Rounding (stocks, guns, spares, lot sizes, strengths, schedule
  sizes, ``repair_days``, ``max_wait_days``, ``rtd_days``) is half away from zero, as
  Rust's ``f64::round``.
- First passages are 0-based day indices, NaN when the event never happens; outcomes
  and series carry the engine's names.

Gun fleets. The engine keeps each fleet's barrels in a heap keyed by the wear-clock
reading at which each fails. Here every fleet has arrays of shape ``(slots, n)`` (slot
major, so a day's comparison runs over contiguous memory): the clock reading at which the
barrel in the slot fails, the reading when it was fitted, and its inverse life. Each
trajectory keeps its serviceable guns packed in slots ``[0, serviceable)``; the slots
above hold ``inf``. All serviceable guns of a fleet fire the same rounds, so one wear
clock per trajectory serves the fleet, and a day's failures are the slots whose
threshold the clock passed: the per-barrel Weibull lives are exact, as in the engine, at
the cost of one comparison per slot per day (the numpy user's price for having no heap).
Failed barrels leave holes that the survivors above the new count fill, so the packing
holds. Each initial barrel has its own used share u of the scale life, drawn from
``initial_wear`` (a per-barrel distribution), so an age u x scale, and a life drawn
conditional on exceeding it (by inversion); a gun back from repair, and a new gun, gets a
fresh Weibull barrel in the next free slots. Guns worn out and waiting for a spare, and
guns in repair, hold no slot: the waiting guns are kept as counts by the day they started
waiting (in a ring of ``max_wait_days`` + 2 days; one count without ``max_wait_days``), so
FIFO service takes from the oldest days and write-offs after ``max_wait_days`` empty the
days too old; repairs as counts due back by day, in a ring of ``repair_days`` + 1 days.
Combat losses destroy Binomial(exposed, q) of the exposed guns (serviceable or waiting;
guns in repair are safe), chosen uniformly among them: a hypergeometric share of them
waiting (each a uniform one of the waiting guns, one at a time), the rest serviceable,
one at a time without replacement (a uniform slot in ``[0, serviceable)``, whose place
the last gun takes). The mean wear fraction and the accuracy factor mean(1 - a (wear / life)^b) come
from power sums over serviceable guns kept up to date as guns join and leave (the engine
does the same), so they cost O(n) a day. A fleet starts with as many slots as the largest
initial fleet of any trajectory and grows (by at least a quarter) when a trajectory needs
more, so the width is the largest number of serviceable guns any trajectory reaches: at
most the initial guns plus the guns delivered (lots are drawn day by day, so no bound
is fixed in advance).

Epistemic draws: every uncertain parameter is drawn once per trajectory with numpy:
uniform, triangular (``Generator.triangular``), pert as Beta(1 + shape (mode - low) /
range, 1 + shape (high - mode) / range) scaled to [low, high] (rand_distr's
parametrisation), normal and lognormal truncated by inverting the normal CDF between the
truncation points (``scipy.special.ndtr`` / ``ndtri``, as the engine does), beta scaled,
and choice with its weights.

``simulate(..., samples=result.params)`` takes the engine's drawn parameters instead
(``tests/test_bench_agreement.py`` compares the two implementations trajectory by
trajectory that way), and ``params=`` receives the drawn values.

Single-threaded: numpy's element-wise operations and random draws run on one core, and
nothing here calls BLAS.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

import attrition

__all__ = ["KEY_OUTCOMES", "KEY_SERIES", "KM2_PER_SQMI", "MAX_FIRE_RATIO", "draw_parameters", "simulate"]

#: Default cap on the fire ratios in the couplings (the scenario's ``max_fire_ratio``).
MAX_FIRE_RATIO = 5.0
#: Square kilometres per square mile.
KM2_PER_SQMI = 2.589_988_110_336

#: Series recorded when ``series=None``.
KEY_SERIES = (
    "*.ammo.*.stock",
    "*.ammo.*.fired",
    "*.fleet.*.serviceable",
    "*.fleet.*.worn_out",
    "*.fleet.*.destroyed",
    "*.casualties.total.cumulative",
    "*.territory.area.cumulative_km2",
    "*.fire.total.effective",
)


def _quantities(module: str, outcome: bool = False) -> tuple[str, ...]:
    """The quantities the engine records for a module, in its order, read from its one
    registry (``attrition.series_info()`` / ``outcome_info()``): the reference names its
    series and outcomes exactly as the engine does, and fails loudly when they drift."""
    kinds = attrition.outcome_info() if outcome else attrition.series_info()
    return tuple(k["pattern"].split(".")[-1] for k in kinds if k["pattern"].split(".")[1] == module)


#: Outcomes every benchmark comparison looks at (all outcomes are returned): the
#: engine's key first-passage outcomes, the casualty total, contingent rates and years
#: to take the reference area.
KEY_OUTCOMES = tuple(
    k["pattern"].replace("{side}", "*").replace("{caliber}", "*").replace("{fleet}", "*").replace("{threshold}", "*")
    for k in attrition.outcome_info()
    if k["first_passage"] and "{threshold}" not in k["pattern"]
) + (
    "*.casualties.total.run_total",
    "*.contingent.*.rate_per_30d",
    "*.territory.area.years_to_reference",
)

AMMO_SERIES = _quantities("ammo")
AMMO_OUTCOMES = _quantities("ammo", outcome=True)
LINE_SERIES = _quantities("supply")
LINE_OUTCOMES = _quantities("supply", outcome=True)
FLEET_SERIES = _quantities("fleet")
FLEET_OUTCOMES = _quantities("fleet", outcome=True)
CAS_SERIES = _quantities("casualties")
CONT_SERIES = _quantities("contingent")
CONT_OUTCOMES = _quantities("contingent", outcome=True)
TERR_SERIES = _quantities("territory")
TERR_OUTCOMES = _quantities("territory", outcome=True)

_OPEN = (-(2**62), 2**62)


def _round(x: np.ndarray) -> np.ndarray:
    """Round half away from zero (Rust's ``f64::round``), exactly."""
    a = np.abs(x)
    f = np.floor(a)
    return np.copysign(f + (a - f >= 0.5), x)


def _date(x: Any) -> _dt.date:
    return x if isinstance(x, _dt.date) else _dt.date.fromisoformat(str(x))


def _window(start: _dt.date, a: Any, b: Any) -> tuple[int, int]:
    lo = _OPEN[0] if a is None else (_date(a) - start).days
    hi = _OPEN[1] if b is None else (_date(b) - start).days
    return lo, hi


def _holds(w: tuple[int, int], t: int) -> bool:
    return w[0] <= t < w[1]


def _threshold_name(x: float) -> str:
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x)).replace(".", "_")


class _Draws:
    """Draws every parameter once per trajectory: fixed ones as constant arrays."""

    def __init__(self, rng: np.random.Generator, n: int, given: Mapping[str, Any] | None = None):
        self.rng, self.n = rng, n
        self.given = {} if given is None else dict(given)
        self.params: dict[str, np.ndarray] = {}

    def __call__(self, table: Mapping[str, Any], key: str, path: str, default: float | None = None) -> np.ndarray:
        v = table.get(key, default)
        if v is None:
            raise KeyError(f"{path}.{key} is missing")
        return self.value(v, f"{path}.{key}")

    def value(self, v: Any, path: str) -> np.ndarray:
        n, rng = self.n, self.rng
        if not isinstance(v, Mapping):
            return np.full(n, float(v))
        if path in self.given:
            x = np.array(self.given.pop(path), dtype=float)
            if x.shape != (n,):
                raise ValueError(f"samples[{path!r}] has shape {x.shape}; expected ({n},)")
            self.params[path] = x
            return x
        d = v["dist"]
        if d == "fixed":
            return np.full(n, float(v["value"]))
        if d == "uniform":
            x = v["low"] + (v["high"] - v["low"]) * rng.random(n)
        elif d == "triangular":
            x = rng.triangular(v["low"], v["mode"], v["high"], n)
        elif d == "pert":
            lo, mo, hi, s = v["low"], v["mode"], v["high"], v.get("shape", 4.0)
            r = hi - lo
            x = lo + r * rng.beta(1 + s * (mo - lo) / r, 1 + s * (hi - mo) / r, n)
        elif d in ("normal", "lognormal"):
            x = self._normal(v, d == "lognormal")
        elif d == "beta":
            lo, hi = v.get("low", 0.0), v.get("high", 1.0)
            x = lo + (hi - lo) * rng.beta(v["a"], v["b"], n)
        elif d == "choice":
            vals = np.asarray(v["values"], float)
            w = np.asarray(v.get("weights", np.ones(len(vals))), float)
            x = vals[rng.choice(len(vals), size=n, p=w / w.sum())]
        else:
            raise ValueError(f"{path}: unknown distribution {d!r}")
        x = np.asarray(x, float)
        self.params[path] = x
        return x

    def _normal(self, v: Mapping[str, Any], log: bool) -> np.ndarray:
        m, s = (v["mu"], v["sigma"]) if log else (v["mean"], v["sd"])
        lo, hi = v.get("low"), v.get("high")
        n, rng = self.n, self.rng
        if s == 0:
            x = np.full(n, float(m))
        elif lo is None and hi is None:
            x = m + s * rng.standard_normal(n)
        else:
            from scipy.special import ndtr, ndtri

            def tr(b: float) -> float:
                return (np.log(b) if b > 0 else -np.inf) if log else b

            pl = 0.0 if lo is None else float(ndtr((tr(lo) - m) / s))
            ph = 1.0 if hi is None else float(ndtr((tr(hi) - m) / s))
            p = np.clip(pl + rng.random(n) * (ph - pl), np.finfo(float).tiny, 1 - np.finfo(float).eps / 2)
            x = m + s * ndtri(p)
        x = np.exp(x) if log else x
        if lo is not None or hi is not None:
            low = -np.inf if lo is None else lo
            x = np.clip(x, max(low, 0.0) if log else low, np.inf if hi is None else hi)
        return x


# --------------------------------------------------------------------------- ammunition
class _Line:
    def __init__(self, name: str, c: Mapping[str, Any], P: _Draws, path: str, start: _dt.date, cal: int):
        self.name, self.cal = name, cal
        self.rate = P(c, "rate", path)
        self.gpd = np.log1p(P(c, "growth", path, 0.0)) / 365.25
        self.lot = np.maximum(_round(P(c, "lot_size", path, 1.0)), 1.0)
        self.dud = P(c, "dud_fraction", path, 0.0)
        self.price = P(c, "price", path, 0.0)
        self.window = _window(start, c.get("start"), c.get("end"))
        self.total = np.zeros(P.n)
        self.payee: str | None = None

    def deliver(self, rng: np.random.Generator, t: int) -> tuple[np.ndarray, np.ndarray] | None:
        if not _holds(self.window, t):
            return None
        rate = self.rate * np.exp(self.gpd * t)
        shells = rng.poisson(np.where(self.rate > 0, rate / self.lot, 0.0)) * self.lot
        duds = rng.binomial(shells.astype(np.int64), self.dud).astype(float)
        self.total += shells
        return shells, duds


class _Stock:
    def __init__(self, c: Mapping[str, Any], P: _Draws, path: str):
        n = P.n
        self.stock = _round(P(c, "initial_stock", path))
        self.duds = _round(self.stock * P(c, "initial_dud_fraction", path, 0.0))
        self.lethality = P(c, "lethality", path, 1.0)
        self.reserve = P(c, "reserve", path, 0.0)
        self.reserve_days = P(c, "reserve_days", path, 0.0)
        self.floor: np.ndarray | None = None  # fixed on day 0 by the planned demand
        self.first_short = np.full(n, np.nan)
        self.first_empty = np.full(n, np.nan)
        self.fired_total = np.zeros(n)

    def fire(self, rng: np.random.Generator, t: int, demand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.floor is None:  # day 0: every gun serviceable, the demand is the planned one
            self.floor = np.maximum(self.reserve, self.reserve_days * demand)
        fired = np.floor(np.minimum(demand, np.maximum(self.stock - self.floor, 0.0)))
        short = (fired < demand) & (demand > 0) & np.isnan(self.first_short)
        self.first_short[short] = t
        draw = (fired > 0) & (self.duds > 0)
        p = np.zeros_like(fired)
        np.divide(self.duds, self.stock, out=p, where=draw)
        duds_fired = np.minimum(rng.binomial(np.where(draw, fired, 0).astype(np.int64), np.minimum(p, 1.0)), self.duds)
        self.stock -= fired
        self.duds -= duds_fired
        self.fired_total += fired
        self.first_empty[np.isnan(self.first_empty) & (self.stock <= 0)] = t
        return fired, duds_fired


# --------------------------------------------------------------------------- fleets
class _Fleet:
    def __init__(
        self, name: str, c: Mapping[str, Any], P: _Draws, path: str, start: _dt.date, cal: int, rng: np.random.Generator
    ):
        n = P.n
        self.name, self.cal, self.n, self.rng = name, cal, n, rng
        guns = _round(P(c, "guns", path))
        self.initial = guns
        self.rpgd = P(c, "rounds_per_gun_day", path)
        self.efc = P(c, "efc_per_round", path, 1.0)
        self.scale = P(c, "barrel_life", path)
        self.shape = P(c, "barrel_shape", path, 3.0)
        self.spares = _round(P(c, "spares", path, 0.0))
        self.spare_rate = P(c, "spare_rate", path, 0.0)
        self.repair_days = _round(P(c, "repair_days", path, 0.0)).astype(np.int64)
        mw = c.get("max_wait_days")
        self.max_wait = None if mw is None else _round(P.value(mw, f"{path}.max_wait_days")).astype(np.int64)
        self.q = P(c, "combat_loss", path, 0.0)
        self.beta = P(c, "combat_beta", path, 0.0)
        self.a = P(c, "accuracy_loss", path, 0.0)
        self.b = int(min(max(int(c.get("accuracy_exponent", 1)), 1), 3))
        self.threshold = P(c, "threshold", path, 0.5) * guns
        dl = c.get("deliveries")
        if dl is not None:
            dp = f"{path}.deliveries"
            self.dl_rate = P(dl, "rate", dp)
            self.dl_lot = np.maximum(_round(P(dl, "lot_size", dp, 1.0)), 1.0)
            self.dl_window = _window(start, dl.get("start"), dl.get("end"))
        self.has_deliveries = dl is not None
        self.ar = np.arange(n)

        # Slots, shape (slots, n): failure threshold on the wear clock (inf: empty), clock
        # reading when the barrel was fitted, 1 / life. Trajectory i keeps its serviceable
        # guns in slots [0, serv[i]).
        g = max(int(guns.max(initial=0)), 1)
        occupied = np.arange(g)[:, None] < guns[None, :]
        k = self.shape[None, :]
        lam = self.scale[None, :]
        wear = c.get("initial_wear", 0.0)  # per barrel, not a parameter of the trajectory
        u0 = _Draws(rng, g * n).value(wear, f"{path}.initial_wear").reshape(g, n)
        age = u0 * self.scale[None, :]
        u = 1.0 - rng.random((g, n))  # (0, 1]
        life = lam * ((age / lam) ** k - np.log(u)) ** (1.0 / k)
        self.thr = np.where(occupied, life - age, np.inf)
        self.c = np.where(occupied, -age, 0.0)
        self.il = np.where(occupied, 1.0 / life, 0.0)
        self.serv = guns.astype(np.int64)
        self.clock = np.zeros(n)
        # Power sums over serviceable guns: pw[j] = sum c^j / life^b, q0 = sum 1/life, q1 = sum c/life.
        ilb = self.il**self.b
        self.pw = np.stack([(self.c**j * ilb).sum(axis=0) for j in range(self.b + 1)])
        self.q0 = self.il.sum(axis=0)
        self.q1 = (self.c * self.il).sum(axis=0)

        # Guns waiting, by the day they started (ring: day d in row d % span; one row
        # without max_wait, where the day does not matter).
        span = 1 if self.max_wait is None else int(self.max_wait.max(initial=0)) + 2
        self.queue = np.zeros((span, n))
        self.due = np.zeros((int(self.repair_days.max(initial=0)) + 1, n))  # repairs ending, ring by day
        self.in_repair = np.zeros(n)
        self.destroyed = np.zeros(n)
        self.written_off = np.zeros(n)
        self.worn_out = np.zeros(n)
        self.delivered = np.zeros(n)
        self.first_below = np.where(guns < self.threshold, 0.0, np.nan)
        self.waiting = np.zeros(n)
        self.acc = self._accuracy()

    # -- day quantities
    def demand(self) -> np.ndarray:
        return _round(self.serv * self.rpgd)

    def _accuracy(self) -> np.ndarray:
        x, p, s = self.clock, self.pw, self.serv
        if self.b == 1:
            w = x * p[0] - p[1]
        elif self.b == 2:
            w = x * x * p[0] - 2.0 * x * p[1] + p[2]
        else:
            w = x * x * x * p[0] - 3.0 * x * x * p[1] + 3.0 * x * p[2] - p[3]
        ok = (s > 0) & (self.a != 0)
        mean = np.divide(w, s, out=np.zeros_like(w), where=ok)
        return np.where(ok, np.clip(1.0 - self.a * np.maximum(mean, 0.0), 0.0, 1.0), 1.0)

    def mean_wear(self) -> np.ndarray:
        return np.divide(self.clock * self.q0 - self.q1, self.serv, out=np.zeros(self.n), where=self.serv > 0)

    # -- slot bookkeeping (arguments: trajectory indices, then slot indices)
    def _account(self, rows: np.ndarray, c: np.ndarray, il: np.ndarray, sign: float) -> None:
        n = self.n
        ilb = il**self.b
        cj = np.ones_like(c)
        for j in range(self.b + 1):
            self.pw[j] += sign * np.bincount(rows, cj * ilb, minlength=n)
            cj = cj * c
        self.q0 += sign * np.bincount(rows, il, minlength=n)
        self.q1 += sign * np.bincount(rows, c * il, minlength=n)

    def _reset_empty(self) -> None:
        empty = self.serv == 0
        if empty.any():
            self.pw[:, empty] = 0.0
            self.q0[empty] = 0.0
            self.q1[empty] = 0.0

    def _move(self, dr: np.ndarray, dc: np.ndarray, sr: np.ndarray, sc: np.ndarray) -> None:
        self.thr[dc, dr] = self.thr[sc, sr]
        self.c[dc, dr] = self.c[sc, sr]
        self.il[dc, dr] = self.il[sc, sr]

    def _clear(self, rows: np.ndarray, cols: np.ndarray) -> None:
        self.thr[cols, rows] = np.inf
        self.c[cols, rows] = 0.0
        self.il[cols, rows] = 0.0

    def _grow(self, need: int) -> None:
        g, n = self.thr.shape
        extra = max(need - g, g // 4, 16)
        self.thr = np.concatenate([self.thr, np.full((extra, n), np.inf)])
        self.c = np.concatenate([self.c, np.zeros((extra, n))])
        self.il = np.concatenate([self.il, np.zeros((extra, n))])

    @staticmethod
    def _ranges(rows: np.ndarray, k: np.ndarray, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of columns first[r] .. first[r] + k[r] - 1 of every row r in ``rows``."""
        rr = np.repeat(rows, k)
        offs = np.arange(rr.size) - np.repeat(np.cumsum(k) - k, k)
        return rr, np.repeat(first, k) + offs

    def _insert(self, k: np.ndarray) -> None:
        """Fit ``k`` fresh barrels (guns back from repair, or new guns) after the serviceable ones."""
        rows = np.flatnonzero(k > 0)
        if rows.size == 0:
            return
        kk = k[rows].astype(np.int64)
        need = int((self.serv[rows] + kk).max())
        if need > self.thr.shape[0]:
            self._grow(need)
        rr, cols = self._ranges(rows, kk, self.serv[rows])
        life = self.scale[rr] * self.rng.weibull(self.shape[rr])
        clock = self.clock[rr]
        il = 1.0 / life
        self.thr[cols, rr] = clock + life
        self.c[cols, rr] = clock
        self.il[cols, rr] = il
        self._account(rr, clock, il, 1.0)
        self.serv[rows] += kk

    def _fail(self, t: int, active: np.ndarray) -> np.ndarray:
        """Take out the barrels whose threshold the wear clock passed; the count per row."""
        n = self.n
        w = int(self.serv.max(initial=0))
        clock = np.where(active, self.clock, -np.inf)
        hit = self.thr[:w] <= clock
        flat = np.flatnonzero(hit)
        if flat.size == 0:
            return np.zeros(n, dtype=np.int64)
        order = np.argsort(flat % n, kind="stable")  # by trajectory, then slot
        rows, cols = flat[order] % n, flat[order] // n
        self._account(rows, self.c[cols, rows], self.il[cols, rows], -1.0)
        kf = np.bincount(rows, minlength=n)
        new = self.serv - kf
        # Refill the holes below the new count with the survivors above it (same count per
        # row; both lists come in row-major order, so they pair up element by element).
        hole = cols < new[rows]
        fr = np.flatnonzero(kf)
        tr, tc = self._ranges(fr, kf[fr], new[fr])
        keep = ~hit[tc, tr]
        self._move(rows[hole], cols[hole], tr[keep], tc[keep])
        self._clear(tr, tc)
        self.serv = new
        self._reset_empty()
        return kf

    def _destroy(self, k: np.ndarray) -> None:
        """Destroy ``k`` serviceable guns per trajectory, chosen uniformly without replacement."""
        rows = np.flatnonzero(k > 0)
        rem = k[rows].astype(np.int64)
        while rows.size:
            col = self.rng.integers(0, self.serv[rows])
            last = self.serv[rows] - 1
            self._account(rows, self.c[col, rows], self.il[col, rows], -1.0)
            self._move(rows, col, rows, last)
            self._clear(rows, last)
            self.serv[rows] -= 1
            self.destroyed[rows] += 1
            rem -= 1
            keep = rem > 0
            rows, rem = rows[keep], rem[keep]
        self._reset_empty()

    def _oldest_first(self, t: int) -> np.ndarray:
        """Rows of the waiting ring from the oldest day to day ``t``."""
        span = self.queue.shape[0]
        return (t + 1 + np.arange(span)) % span

    def _destroy_waiting(self, k: np.ndarray) -> None:
        """Destroy ``k`` waiting guns per trajectory, each uniform among those still waiting."""
        rows = np.flatnonzero(k > 0)
        rem = k[rows].astype(np.int64)
        while rows.size:
            q = self.queue[:, rows]
            pick = self.rng.integers(0, q.sum(axis=0).astype(np.int64))
            day = (np.cumsum(q, axis=0) > pick[None, :]).argmax(axis=0)
            self.queue[day, rows] -= 1
            self.destroyed[rows] += 1
            rem -= 1
            keep = rem > 0
            rows, rem = rows[keep], rem[keep]

    def step(self, t: int, share: np.ndarray, ratio: np.ndarray | float) -> None:
        """One day after the fleet's caliber met a share ``share`` of its demand (1 when it asked for nothing)."""
        ar = self.ar
        # 1. Wear and failures: each serviceable gun fires its planned rounds times the share.
        active = (self.serv > 0) & (share > 0)
        self.clock += np.where(active, self.efc * self.rpgd * share, 0.0)
        kf = self._fail(t, active)
        self.worn_out += kf
        span = self.queue.shape[0]
        self.queue[t % span] += kf
        # 2. Spares, first come first served; repairs that end today rejoin with a fresh barrel.
        self.spares += self.rng.poisson(self.spare_rate)
        serve = np.minimum(self.spares, self.queue.sum(axis=0))
        if serve.any():
            order = self._oldest_first(t)
            left = np.maximum(np.cumsum(self.queue[order], axis=0) - serve[None, :], 0.0)
            self.queue[order] = np.diff(left, axis=0, prepend=0.0)
        self.spares -= serve
        self.in_repair += serve
        ring = self.due.shape[0]
        self.due[(t + self.repair_days) % ring, ar] += serve
        back = self.due[t % ring].copy()
        self.due[t % ring] = 0.0
        if back.any():
            self.in_repair -= back
            self._insert(back)
        if self.max_wait is not None:
            # Guns that started waiting more than max_wait days ago are written off.
            age = (span - 1 - np.arange(span))[:, None]
            too_old = age > self.max_wait[None, :]
            order = self._oldest_first(t)
            gone = np.where(too_old, self.queue[order], 0.0)
            self.written_off += gone.sum(axis=0)
            self.queue[order] -= gone
        self.waiting = self.queue.sum(axis=0)
        # 3. Combat losses among the exposed guns: serviceable or waiting.
        exposed = self.serv + self.waiting.astype(np.int64)
        alive = (self.q > 0) & (exposed > 0)
        if alive.any():
            q = np.where(self.beta == 0, self.q, np.minimum(self.q * np.power(ratio, self.beta), 1.0))
            k = self.rng.binomial(np.where(alive, exposed, 0), np.where(alive, q, 0.0))
            if k.any():
                kw = np.zeros(self.n, dtype=np.int64)
                hit = k > 0
                kw[hit] = self.rng.hypergeometric(self.waiting[hit].astype(np.int64), self.serv[hit], k[hit])
                self._destroy(k - kw)
                self._destroy_waiting(kw)
                self.waiting = self.queue.sum(axis=0)
        # 4. New guns, in lots.
        if self.has_deliveries and _holds(self.dl_window, t):
            lam = np.where(self.dl_rate > 0, self.dl_rate / self.dl_lot, 0.0)
            new = self.rng.poisson(lam) * self.dl_lot
            self._insert(new)
            self.delivered += new
        below = np.isnan(self.first_below) & (self.serv < self.threshold)
        self.first_below[below] = t
        self.acc = self._accuracy()


# --------------------------------------------------------------------------- personnel
class _Casualties:
    def __init__(self, c: Mapping[str, Any], P: _Draws, path: str, start: _dt.date):
        n = P.n
        self.base = P(c, "base", path)
        self.k = None if c.get("dispersion") is None else P.value(c["dispersion"], f"{path}.dispersion")
        self.alpha = P(c, "alpha", path, 0.0)
        self.tempo = [
            (_window(start, st["start"], st.get("end")), P.value(st["factor"], f"{path}.tempo[{i}].factor"))
            for i, st in enumerate(c.get("tempo", []))
        ]
        self.sd = P(c, "drift_sd", path, 0.0)
        self.keep = 1.0 - P(c, "drift_reversion", path, 0.0)
        self.drift = bool((self.sd > 0).any())
        self.x = np.zeros(n)
        self.var = np.zeros(n)
        self.slow_sd = P(c, "slow_drift_sd", path, 0.0)
        self.slow_keep = 1.0 - P(c, "slow_drift_reversion", path, 0.0)
        self.slow = bool((self.slow_sd > 0).any())
        self.y = np.zeros(n)
        self.slow_var = np.zeros(n)
        self.cumulative = P(c, "initial_cumulative", path, 0.0).copy()
        self.run_total = np.zeros(n)
        self.thresholds = sorted({float(x) for x in c.get("thresholds", [])})
        self.first_cross = [np.full(n, np.nan) for _ in self.thresholds]

    def tempo_at(self, rng: np.random.Generator, t: int) -> np.ndarray:
        f = np.ones_like(self.base)
        for w, factor in self.tempo:
            if _holds(w, t):
                f = f * factor
        if self.drift:
            e = rng.standard_normal(f.size)
            self.x = self.keep * self.x + self.sd * e
            self.var = self.keep * self.keep * self.var + self.sd * self.sd
            f = f * np.exp(self.x - 0.5 * self.var)
        if self.slow:
            e = rng.standard_normal(f.size)
            self.y = self.slow_keep * self.y + self.slow_sd * e
            self.slow_var = self.slow_keep * self.slow_keep * self.slow_var + self.slow_sd * self.slow_sd
            f = f * np.exp(self.y - 0.5 * self.slow_var)
        return f

    def draw(self, rng: np.random.Generator, tempo: np.ndarray, ratio: np.ndarray | float) -> np.ndarray:
        mean = self.base * tempo * np.where(self.alpha == 0, 1.0, np.power(ratio, self.alpha))
        pos = mean > 0
        if self.k is None:
            lam = np.where(pos, mean, 0.0)
        else:
            lam = np.where(pos, rng.gamma(self.k, np.where(pos, mean, 1.0) / self.k), 0.0)
        return rng.poisson(lam).astype(float)

    def record(self, t: int, c: np.ndarray) -> None:
        self.cumulative += c
        self.run_total += c
        for th, fc in zip(self.thresholds, self.first_cross, strict=True):
            fc[np.isnan(fc) & (self.cumulative >= th)] = t


class _Contingent:
    def __init__(self, name: str, c: Mapping[str, Any], P: _Draws, path: str, start: _dt.date):
        n = P.n
        self.name = name
        self.strength = _round(P(c, "strength", path))
        self.rr = P(c, "relative_risk", path, 1.0)
        self.kf = P(c, "killed_fraction", path)
        self.rtd = P(c, "rtd", path, 0.0)
        self.rtd_days = _round(P(c, "rtd_days", path, 30.0)).astype(np.int64)
        self.payment = P(c, "payment", path, 0.0)
        self.arrival_rate = P(c, "arrival_rate", path, 0.0)
        self.schedule = [
            ((_date(a["date"]) - start).days, _round(P.value(a["size"], f"{path}.schedule[{i}].size")))
            for i, a in enumerate(c.get("schedule", []))
        ]
        self.window = _window(start, c.get("arrivals_start"), c.get("arrivals_end"))
        self.ring = np.zeros((n, int(self.rtd_days.max(initial=0)) + 1))
        self.ar = np.arange(n)
        self.cumulative = np.zeros(n)
        self.killed = np.zeros(n)
        self.payments = np.zeros(n)
        self.exposure = np.zeros(n)
        self.payee: str | None = None

    def weight(self) -> np.ndarray:
        return self.strength * self.rr

    def step(self, rng: np.random.Generator, t: int, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self.exposure += self.strength
        killed = rng.binomial(c.astype(np.int64), self.kf).astype(float)
        wounded = c - killed
        back = rng.binomial(wounded.astype(np.int64), self.rtd).astype(float)
        size = self.rtd_days + 1
        self.ring[self.ar, (t + self.rtd_days) % size] += back
        self.strength -= c
        self.cumulative += c
        self.killed += killed
        slot = t % size
        returned = self.ring[self.ar, slot].copy()
        self.ring[self.ar, slot] = 0.0
        self.strength += returned
        if _holds(self.window, t):
            self.strength += rng.poisson(self.arrival_rate)
            for d, size_ in self.schedule:
                if d == t:
                    self.strength += size_
        self.payments += self.strength * self.payment
        return killed, wounded, returned


def _split(rng: np.random.Generator, c: np.ndarray, conts: list[_Contingent]) -> tuple[list[np.ndarray], np.ndarray]:
    """Casualties over contingents as sequential binomials on weights, each capped at its strength."""
    w_left = sum(k.weight() for k in conts)
    left = c.copy()
    taken = np.zeros_like(c)
    out = []
    for k in conts:
        w = k.weight()
        go = (left > 0) & (w > 0) & (w_left > 0)
        p = np.zeros_like(c)
        np.divide(w, w_left, out=p, where=go)
        ci = rng.binomial(np.where(go, left, 0).astype(np.int64), np.minimum(p, 1.0)).astype(float)
        left = left - ci
        w_left = w_left - w
        ci = np.minimum(ci, k.strength)
        taken += ci
        out.append(ci)
    return out, taken


class _Territory:
    def __init__(self, c: Mapping[str, Any], P: _Draws, path: str):
        self.rate = P(c, "rate", path)
        self.cv = P(c, "cv", path, 0.5)
        self.gamma = P(c, "gamma", path, 0.0)
        self.ref_ratio = P(c, "ref_ratio", path, 1.0)
        self.reference = P(c, "reference_area_km2", path, 603_550.0)
        self.cumulative = np.zeros(P.n)

    def step(
        self, rng: np.random.Generator, tempo: np.ndarray, own: np.ndarray, enemy: np.ndarray, cap: np.ndarray | None
    ) -> np.ndarray:
        if cap is not None:
            pos = enemy > 0
            r = np.divide(own, enemy * self.ref_ratio, out=np.zeros_like(own), where=pos)
            r = np.where(pos, np.minimum(r, cap), np.where(own > 0, cap, 1.0))
            m = np.where(self.gamma == 0, 1.0, np.power(r, self.gamma))
        else:
            m = np.ones_like(self.rate)
        mean = self.rate * tempo * m
        pos = mean > 0
        noisy = pos & (self.cv > 0)
        shape = np.where(noisy, 1.0 / np.where(noisy, self.cv, 1.0) ** 2, 1.0)
        a = rng.gamma(shape, np.where(noisy, mean, 1.0) / shape)
        a = np.where(noisy, a, np.where(pos, mean, 0.0))
        self.cumulative += a
        return a


# --------------------------------------------------------------------------- the run
class _Side:
    """One side's sub-models, in the engine's (sorted) order."""

    def __init__(self, name: str, enemy: int, ref_fire: np.ndarray):
        self.name, self.enemy, self.ref_fire = name, enemy, ref_fire
        self.cal_names: list[str] = []
        self.stocks: list[_Stock] = []
        self.lines: list[_Line] = []
        self.fleets: list[_Fleet] = []
        self.cas: _Casualties | None = None
        self.conts: list[_Contingent] = []
        self.terr: _Territory | None = None
        self.payees: list[str] = []


def _build(d: Mapping[str, Any], P: _Draws, rng: np.random.Generator) -> tuple[list[_Side], list[str], list[str]]:
    start = _date(d["start"])
    names = sorted(d["sides"])
    series: list[str] = []
    outcomes: list[str] = []
    sides = []
    for si, sname in enumerate(names):
        sd = d["sides"][sname]
        sp = f"sides.{sname}"
        opp = sd.get("opponent")
        enemy = names.index(opp) if opp is not None else (si if len(names) == 1 else 1 - si)
        s = _Side(sname, enemy, P(sd, "ref_fire", sp, 1.0))
        series.append(f"{sname}.fire.total.effective")
        cals = sorted(sd.get("calibers", {}))
        s.cal_names = cals
        for cname in cals:
            s.stocks.append(_Stock(sd["calibers"][cname], P, f"{sp}.calibers.{cname}"))
            series += [f"{sname}.ammo.{cname}.{x}" for x in AMMO_SERIES]
            outcomes += [f"{sname}.ammo.{cname}.{x}" for x in AMMO_OUTCOMES]
        payees = s.payees
        for lname in sorted(sd.get("supply", {})):
            lc = sd["supply"][lname]
            ln = _Line(lname, lc, P, f"{sp}.supply.{lname}", start, cals.index(lc["caliber"]))
            price = lc.get("price", 0.0)
            if isinstance(price, Mapping) or float(price) != 0.0:
                sup = lc.get("supplier") or lname
                if sup not in payees:
                    payees.append(sup)
                ln.payee = sup
            s.lines.append(ln)
            series += [f"{sname}.supply.{lname}.{x}" for x in LINE_SERIES]
            outcomes += [f"{sname}.supply.{lname}.{x}" for x in LINE_OUTCOMES]
        for fname in sorted(sd.get("fleets", {})):
            fc = sd["fleets"][fname]
            s.fleets.append(_Fleet(fname, fc, P, f"{sp}.fleets.{fname}", start, cals.index(fc["caliber"]), rng))
            series += [f"{sname}.fleet.{fname}.{x}" for x in FLEET_SERIES]
            outcomes += [f"{sname}.fleet.{fname}.{x}" for x in FLEET_OUTCOMES]
        if sd.get("casualties") is not None:
            s.cas = _Casualties(sd["casualties"], P, f"{sp}.casualties", start)
            series += [f"{sname}.casualties.total.{x}" for x in CAS_SERIES]
            outcomes += [f"{sname}.casualties.total.run_total"]
            outcomes += [f"{sname}.casualties.total.days_to_{_threshold_name(x)}" for x in s.cas.thresholds]
        for cname in sorted(sd.get("contingents", {})):
            cc = sd["contingents"][cname]
            k = _Contingent(cname, cc, P, f"{sp}.contingents.{cname}", start)
            pay = cc.get("payment", 0.0)
            if isinstance(pay, Mapping) or float(pay) != 0.0:
                snd = cc.get("sender") or cname
                if snd not in payees:
                    payees.append(snd)
                k.payee = snd
            s.conts.append(k)
            series += [f"{sname}.contingent.{cname}.{x}" for x in CONT_SERIES]
            outcomes += [f"{sname}.contingent.{cname}.{x}" for x in CONT_OUTCOMES]
        if sd.get("territory") is not None:
            s.terr = _Territory(sd["territory"], P, f"{sp}.territory")
            series += [f"{sname}.territory.area.{x}" for x in TERR_SERIES]
            outcomes += [f"{sname}.territory.area.{x}" for x in TERR_OUTCOMES]
        outcomes += [f"{sname}.supplier.{p}.revenue" for p in payees]
        sides.append(s)
    return sides, series, outcomes


def _select(names: list[str], series: str | Iterable[str] | None) -> list[str]:
    if series is None:
        patterns: Iterable[str] = KEY_SERIES
    elif isinstance(series, str):
        patterns = names if series == "all" else [series]
    else:
        patterns = list(series)
    chosen: list[str] = []
    for p in patterns:
        hits = [x for x in names if fnmatch.fnmatchcase(x, p)]
        if not hits:
            raise KeyError(f"no series matches {p!r}")
        chosen += [x for x in hits if x not in chosen]
    return chosen


def draw_parameters(scenario: Any, n: int, seed: int | None = None) -> dict[str, np.ndarray]:
    """Draw every uncertain parameter of a scenario ``n`` times, as :func:`simulate` does.

    Parameters
    ----------
    scenario
        An ``attrition.Scenario``.
    n
        Number of trajectories.
    seed
        Seed of ``np.random.default_rng``.

    Returns
    -------
    dict
        ``{dotted path: array of n values}``, as ``Result.params`` of an engine run.

    Examples
    --------
    >>> import attrition
    >>> sc = attrition.Scenario.builtin("baseline-2024-12")
    >>> p = draw_parameters(sc, 1000, seed=1)
    >>> x = p["sides.russia.fleets.msta_s.barrel_life"]
    >>> bool(x.min() >= 1500 and x.max() <= 3000)
    True
    """
    P = _Draws(np.random.default_rng(seed), int(n))
    for u in scenario.uncertain_list():
        P.value(u["spec"], u["path"])
    return P.params


def simulate(
    scenario: Any,
    n: int,
    seed: int | None = None,
    series: str | Iterable[str] | None = None,
    *,
    samples: Mapping[str, Any] | None = None,
    params: dict[str, np.ndarray] | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Simulate ``n`` trajectories of a scenario with numpy.

    Parameters
    ----------
    scenario
        An ``attrition.Scenario`` (or the dict of its ``to_dict()``).
    n
        Number of trajectories.
    seed
        Seed of ``np.random.default_rng``.
    series
        Series to record: names or glob patterns, ``"all"``, or ``None`` for
        :data:`KEY_SERIES`.
    samples
        Explicit values of uncertain parameters, ``{dotted path: array of n values}``
        (as ``attrition.run(samples=...)``, e.g. ``Result.params`` of an engine run);
        the others are drawn.
    params
        A dict that receives the drawn (or given) value of every uncertain parameter.

    Returns
    -------
    series : dict
        ``{name: array of shape (n, days)}``, the state at the end of each day.
    outcomes : dict
        ``{name: array of shape (n,)}``, every outcome the engine reports, with its names.

    Examples
    --------
    >>> import attrition
    >>> sc = attrition.Scenario.builtin("baseline-2024-12").with_values({"days": 30})
    >>> s, o = simulate(sc, 8, seed=1, series=["russia.ammo.152mm.stock"])
    >>> s["russia.ammo.152mm.stock"].shape
    (8, 30)
    >>> sorted(o) == sorted(sc.outcome_names)
    True
    """
    d = scenario.to_dict() if hasattr(scenario, "to_dict") else scenario
    n = int(n)
    days = int(d.get("days", 730))
    coupling = bool(d.get("coupling", True))
    rng = np.random.default_rng(seed)
    P = _Draws(rng, n, samples)
    cap = P.value(d.get("max_fire_ratio", MAX_FIRE_RATIO), "max_fire_ratio")
    sides, names, onames = _build(d, P, rng)
    if P.given:
        raise KeyError(f"samples for unknown or fixed parameters: {sorted(P.given)}")
    if params is not None:
        params.update(P.params)
    want = _select(names, series)
    buf = {name: np.empty((days, n)) for name in want}

    def put(name: str, t: int, v: Any) -> None:
        b = buf.get(name)
        if b is not None:
            b[t] = v

    fire = [np.zeros(n) for _ in sides]
    rounds = [[np.zeros(n) for _ in s.fleets] for s in sides]
    shares = [[np.ones(n) for _ in s.fleets] for s in sides]
    zeros = np.zeros(n)
    for t in range(days):
        # Phase A: deliveries and firing.
        for si, s in enumerate(sides):
            delivered = [zeros] * len(s.stocks)
            for ln in s.lines:
                got = ln.deliver(rng, t)
                shells, duds = (zeros, zeros) if got is None else got
                st = s.stocks[ln.cal]
                st.stock += shells
                st.duds += duds
                delivered[ln.cal] = delivered[ln.cal] + shells
                put(f"{s.name}.supply.{ln.name}.delivered", t, shells)
                put(f"{s.name}.supply.{ln.name}.duds", t, duds)
            total = np.zeros(n)
            for ci, (cname, st) in enumerate(zip(s.cal_names, s.stocks, strict=True)):
                demand = np.zeros(n)
                acc = np.zeros(n)
                mine = [(fi, f) for fi, f in enumerate(s.fleets) if f.cal == ci]
                dem = {}
                for fi, f in mine:
                    dem[fi] = f.demand()
                    demand += dem[fi]
                    acc += dem[fi] * f.acc
                fired, duds_fired = st.fire(rng, t, demand)
                has = demand > 0
                share = np.divide(fired, demand, out=np.zeros(n), where=has)
                for fi, _ in mine:
                    rounds[si][fi] = dem[fi] * share
                    shares[si][fi] = np.where(has, share, 1.0)
                accuracy = np.divide(acc, demand, out=np.ones(n), where=has)
                eff = (fired - duds_fired) * st.lethality * accuracy
                total += eff
                p = f"{s.name}.ammo.{cname}."
                put(p + "stock", t, st.stock)
                put(p + "duds", t, st.duds)
                put(p + "delivered", t, delivered[ci])
                put(p + "demand", t, demand)
                put(p + "fired", t, fired)
                put(p + "duds_fired", t, duds_fired)
                put(p + "shortfall", t, demand - fired)
                put(p + "effective_fire", t, eff)
            fire[si] = total
            put(f"{s.name}.fire.total.effective", t, total)
        # Phase B: the consequences of the day's fire.
        for si, s in enumerate(sides):
            e = s.enemy
            coupled = coupling and e != si
            ratio = np.minimum(fire[e] / sides[e].ref_fire, cap) if coupled else 1.0
            for fi, f in enumerate(s.fleets):
                f.step(t, shares[si][fi], ratio)
                p = f"{s.name}.fleet.{f.name}."
                put(p + "serviceable", t, f.serv)
                put(p + "waiting", t, f.waiting)
                put(p + "repair", t, f.in_repair)
                put(p + "destroyed", t, f.destroyed)
                put(p + "written_off", t, f.written_off)
                put(p + "worn_out", t, f.worn_out)
                put(p + "spares", t, f.spares)
                if p + "wear" in buf:
                    put(p + "wear", t, f.mean_wear())
                put(p + "accuracy", t, f.acc)
                put(p + "delivered", t, f.delivered)
                put(p + "fired", t, rounds[si][fi])
            tempo: np.ndarray | float = 1.0
            if s.cas is not None:
                tempo = s.cas.tempo_at(rng, t)
                c = s.cas.draw(rng, tempo, ratio)
                killed, wounded, returned = zeros, zeros, zeros
                if s.conts:
                    split, taken = _split(rng, c, s.conts)
                    for k, ck in zip(s.conts, split, strict=True):
                        kd, wd, rt = k.step(rng, t, ck)
                        killed, wounded, returned = killed + kd, wounded + wd, returned + rt
                        p = f"{s.name}.contingent.{k.name}."
                        put(p + "strength", t, k.strength)
                        put(p + "casualties", t, ck)
                        put(p + "cumulative", t, k.cumulative)
                        put(p + "killed", t, k.killed)
                        put(p + "payments", t, k.payments)
                else:
                    taken = c
                s.cas.record(t, taken)
                p = f"{s.name}.casualties.total."
                put(p + "daily", t, taken)
                put(p + "cumulative", t, s.cas.cumulative)
                put(p + "killed", t, killed)
                put(p + "wounded", t, wounded)
                put(p + "returned", t, returned)
                put(p + "tempo", t, tempo)
            if s.terr is not None:
                a = s.terr.step(rng, np.broadcast_to(tempo, (n,)), fire[si], fire[e], cap if coupled else None)
                p = f"{s.name}.territory.area."
                put(p + "daily_km2", t, a)
                put(p + "cumulative_km2", t, s.terr.cumulative)
                put(p + "daily_sqmi", t, a / KM2_PER_SQMI)
                put(p + "cumulative_sqmi", t, s.terr.cumulative / KM2_PER_SQMI)

    out: dict[str, np.ndarray] = {}
    for s in sides:
        revenue = {p: np.zeros(n) for p in s.payees}
        for cname, st in zip(s.cal_names, s.stocks, strict=True):
            out[f"{s.name}.ammo.{cname}.days_to_rationing"] = st.first_short
            out[f"{s.name}.ammo.{cname}.days_to_empty"] = st.first_empty
            out[f"{s.name}.ammo.{cname}.fired_total"] = st.fired_total
        for ln in s.lines:
            r = ln.total * ln.price
            out[f"{s.name}.supply.{ln.name}.delivered_total"] = ln.total
            out[f"{s.name}.supply.{ln.name}.revenue"] = r
            if ln.payee is not None:
                revenue[ln.payee] += r
        for f in s.fleets:
            p = f"{s.name}.fleet.{f.name}."
            out[p + "days_to_half"] = f.first_below
            out[p + "worn_out"] = f.worn_out
            out[p + "destroyed"] = f.destroyed
            out[p + "written_off"] = f.written_off
            out[p + "serviceable_end"] = f.serv.astype(float)
        run_total = s.cas.run_total if s.cas is not None else np.zeros(n)
        if s.cas is not None:
            out[f"{s.name}.casualties.total.run_total"] = run_total
            for th, fc in zip(s.cas.thresholds, s.cas.first_cross, strict=True):
                out[f"{s.name}.casualties.total.days_to_{_threshold_name(th)}"] = fc
        for k in s.conts:
            p = f"{s.name}.contingent.{k.name}."
            ok = k.exposure > 0
            rate = np.divide(k.cumulative, k.exposure, out=np.zeros(n), where=ok) * 30.0
            out[p + "rate_per_30d"] = np.where(ok, rate, np.nan)
            out[p + "casualties"] = k.cumulative
            out[p + "killed"] = k.killed
            out[p + "payments"] = k.payments
            if k.payee is not None:
                revenue[k.payee] += k.payments
        if s.terr is not None:
            km2 = s.terr.cumulative
            pos = km2 > 0
            p = f"{s.name}.territory.area."
            out[p + "total_km2"] = km2
            out[p + "total_sqmi"] = km2 / KM2_PER_SQMI
            per = np.where(pos, np.divide(run_total, km2, out=np.zeros(n), where=pos), np.nan)
            out[p + "casualties_per_km2"] = per
            out[p + "casualties_per_sqmi"] = per * KM2_PER_SQMI
            pace = np.divide(km2, days)
            years = np.divide(s.terr.reference, pace, out=np.zeros(n), where=pos) / 365.25
            out[p + "years_to_reference"] = np.where(pos, years, np.inf)
        for p, r in revenue.items():
            out[f"{s.name}.supplier.{p}.revenue"] = r
    outcomes = {k: out[k] for k in onames}
    # (days, n) buffers, filled a day at a time, go out as (n, days), one copy at a time.
    return {k: np.ascontiguousarray(buf.pop(k).T) for k in want}, outcomes
