"""What users wait for: a calibration, a Sobol' analysis, a lever sweep with compare, the import.

Each measure times the whole call as a user makes it and, in the same call, the time spent
inside the engine (the core's ``run`` and ``run_summary``, wrapped by :class:`EngineClock`):
the rest is what the Python layer adds (designs, scenario variants, results, statistics).

- calibration: ``attrition.calibrate`` as examples/calibration.ipynb runs it (the built-in
  baseline with four casualty priors, population 200, 8 generations, seed 1), the best of
  three runs (it takes half a second; the others take seconds and run once);
- Sobol': ``attrition.sensitivity.sobol`` of the baseline's Russian casualties over its first
  10 varying uncertain parameters, N = 256 without the noise factor: N x (10 + 2) = 3,072
  runs of the scenario, one trajectory each;
- lever sweep: ``attrition.sweep`` of the baseline's ``dprk_supply_end`` lever at 20 points,
  then ``attrition.compare(baseline, point)`` at each point (paired differences on common
  random numbers), ``n`` trajectories each;
- ``import attrition`` in a fresh interpreter (best of 5), and whether it loaded any of the
  packages it must load lazily.

The optional packages each analysis needs (pandas, scipy, SALib) are imported before the
clock starts, by :func:`warm_up`: their import is a once-a-session cost (over a second for
scipy.stats), not part of an analysis a user repeats.

    python benchmarks/waits.py [--n-sweep 200] [--threads N]
"""

from __future__ import annotations

import argparse
import functools
import math
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import attrition
from attrition import _core

#: Packages ``import attrition`` must not load.
HEAVY = ("pandas", "xarray", "matplotlib", "scipy", "SALib", "dask")

IMPORT = (
    "import sys, time; t = time.perf_counter(); import attrition; t = time.perf_counter() - t; "
    f"print(t, ','.join(m for m in {HEAVY!r} if m in sys.modules))"
)


class EngineClock:
    """Wraps the core's run functions while in use and sums the seconds spent in them."""

    NAMES = ("run", "run_summary")

    def __init__(self) -> None:
        self.seconds = 0.0
        self.trajectories = 0
        self._saved: dict[str, Callable[..., Any]] = {}

    def _wrap(self, f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return f(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t
                self.trajectories += int(kwargs.get("n", 0))

        return timed

    def __enter__(self) -> EngineClock:
        for name in self.NAMES:
            self._saved[name] = getattr(_core, name)
            setattr(_core, name, self._wrap(self._saved[name]))
        return self

    def __exit__(self, *exc: object) -> None:
        for name, f in self._saved.items():
            setattr(_core, name, f)


def timed(f: Callable[[], Any]) -> tuple[float, float, int]:
    """(wall seconds of ``f()``, seconds inside the engine, trajectories the engine ran)."""
    with EngineClock() as clock:
        t = time.perf_counter()
        f()
        wall = time.perf_counter() - t
    return wall, clock.seconds, clock.trajectories


def best_of(f: Callable[[], tuple[float, float, int]], repeat: int) -> tuple[float, float, int]:
    """The run of ``f`` (a measure above) with the least wall time, of ``repeat``: one
    slow run on a shared machine must not decide a sub-second figure."""
    return min((f() for _ in range(max(1, repeat))), key=lambda r: r[0])


def warm_up() -> None:
    """Import what the analyses below use, outside their timings."""
    import importlib

    for module in ("pandas", "scipy.stats", "SALib.sample.sobol", "SALib.analyze.sobol"):
        importlib.import_module(module)
    import attrition.calibration  # noqa: F401
    import attrition.sensitivity  # noqa: F401

    attrition.data.gs_losses()


def calibration(threads: int | None) -> tuple[float, float, int]:
    """examples/calibration.ipynb's calibration of the built-in baseline."""
    gs = attrition.data.gs_losses()
    daily = gs.loc[:"2024-12-24", "personnel_daily"]
    p = "sides.russia.casualties."
    priors = {
        p + "base": {"dist": "uniform", "low": 500, "high": 3000},
        p + "dispersion": {"dist": "lognormal", "mu": math.log(60), "sigma": 1.5, "low": 5, "high": 1000},
        p + "drift_sd": {"dist": "uniform", "low": 0.0, "high": 0.25},
        p + "drift_reversion": {"dist": "uniform", "low": 0.0, "high": 0.5},
    }
    prior = attrition.Scenario.builtin("baseline-2024-12").with_values(priors)
    return timed(
        lambda: attrition.calibrate(
            prior,
            daily,
            params=list(priors),
            window=("2024-09-26", "2024-12-24"),
            lag=1,
            population=200,
            max_generations=8,
            seed=1,
            threads=threads,
        )
    )


def sobol(threads: int | None, n: int = 256, k: int = 10) -> tuple[float, float, int]:
    """Sobol' indices of the baseline's casualties over its first ``k`` varying parameters."""
    from attrition.sensitivity import sobol as analyse

    sc = attrition.Scenario.builtin("baseline-2024-12")
    params = _varying(sc)[:k]
    outcome = "russia.casualties.total.run_total"
    return timed(lambda: analyse(sc, outcome, n=n, seed=1, params=params, noise=False, threads=threads))


def _varying(sc: attrition.Scenario) -> list[str]:
    """The scenario's uncertain parameters that are not a single value, in draw order."""
    from attrition.scenario.dist import Dist

    return [u["path"] for u in sc.uncertain_list() if not Dist(u["spec"], u["path"]).degenerate]


def sweep(threads: int | None, n: int, points: int = 20) -> tuple[float, float, int]:
    """A sweep of the baseline's dprk_supply_end lever, then a paired compare at each point."""
    base = attrition.Scenario.builtin("baseline-2024-12")

    def work() -> None:
        sw = attrition.sweep(base, levers="dprk_supply_end", points=points, n=n, seed=1, threads=threads)
        for sc in sw.scenarios:
            attrition.compare(base, sc, n=n, seed=1, threads=threads)

    return timed(work)


def import_time(repeat: int = 5) -> tuple[float, list[str]]:
    """Best seconds of ``import attrition`` in a fresh interpreter, and the heavy packages it loaded."""
    best, loaded = math.inf, []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", IMPORT], capture_output=True, text=True, check=True)
        t, mods = out.stdout.split()[0], out.stdout.split()[1:]
        best = min(best, float(t))
        loaded = sorted(set(loaded) | set(",".join(mods).split(",")) - {""})
    return best, loaded


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-sweep", type=int, default=200, help="trajectories per sweep point and per compare")
    ap.add_argument("--threads", type=int, default=None, help="worker threads (default: all cores)")
    a = ap.parse_args()
    t, loaded = import_time()
    print(f"import attrition: {t:.3f} s; heavy packages loaded: {', '.join(loaded) or 'none'}")
    warm_up()
    for name, f in (
        ("calibration", lambda: best_of(lambda: calibration(a.threads), 3)),
        ("sobol", lambda: sobol(a.threads)),
        ("sweep + compare", lambda: sweep(a.threads, a.n_sweep)),
    ):
        wall, engine, n = f()
        print(f"{name}: {wall:.2f} s, engine {engine:.2f} s ({n:,} trajectories), Python {wall / engine - 1:+.1%}")


if __name__ == "__main__":
    main()
