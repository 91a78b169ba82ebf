"""Benchmarks of the attrition engine, measured side by side in one process.

    python benchmarks/run.py                    # the full table (several minutes)
    python benchmarks/run.py --quick            # smaller n; no user waits, Dask or memory runs
    python benchmarks/run.py --json out.json --markdown table.md

Prints, on the benchmark scenario (benchmarks/bench.toml, 730 days), one row per figure:

- engine: one thread, outcomes only; its random-number floor (the time to draw exactly
  the variates the run draws, with the engine's own generator and samplers and no model
  around them; a daily count drawn by an event-time clock is one variate a day); the
  ratio of the two;
- summaries: a summary-mode run with the 29 default series against one that records
  nothing (``series=[]``), one thread each;
- the numpy reference (benchmarks/numpy_reference.py) at its best n (its time per
  trajectory falls as n grows): a figure without a target;
- what users wait for (benchmarks/waits.py): ``import attrition``, a calibration, a
  Sobol' analysis and a lever sweep with compare, each beside the engine's time for the
  same trajectories;
- scaling: 2 threads against 1, 2 local Dask workers against 1, peak memory of
  summary-mode runs as n grows.

Each timing is the best of ``--repeat`` runs, the contenders taken in turn so that a
noisy neighbour hurts them alike. ``--json PATH`` writes every figure as
``{"name", "value", "unit", "target", "met"}`` (``target`` null or ``{"op", "value"}``,
``met`` null without a target), with the machine, the load average and the options.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import platform
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import attrition
from attrition import _core
from attrition.engine import RunOptions

HERE = Path(__file__).resolve().parent
BENCH = HERE / "bench.toml"
sys.path.insert(0, str(HERE))

import waits  # noqa: E402  (benchmarks/ is not a package)


@dataclasses.dataclass
class Figure:
    """One row of the table: a measured value, and the target it is held to (if any)."""

    name: str
    value: float
    unit: str
    op: str | None = None
    target: float | None = None
    digits: int = 2

    @property
    def met(self) -> bool | None:
        if self.op is None or self.target is None:
            return None
        return {"<": self.value < self.target, "<=": self.value <= self.target, ">=": self.value >= self.target}[
            self.op
        ]

    def as_dict(self) -> dict[str, Any]:
        target = None if self.op is None else {"op": self.op, "value": self.target}
        return {"name": self.name, "value": self.value, "unit": self.unit, "target": target, "met": self.met}

    def row(self) -> tuple[str, str, str]:
        value = f"{self.value:,.{self.digits}f} {self.unit}".strip()
        if self.met is None:
            return self.name, value, ""
        return self.name, value, f"{self.op} {self.target:g} {self.unit}: {'met' if self.met else 'NOT met'}".strip()


def _module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def clock(f) -> float:
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


# Peak resident memory of the child itself: VmHWM of its own address space.
# (ru_maxrss would not do: on Linux it carries over the parent's resident size
# at the fork that started the child.)
MEMORY = textwrap.dedent("""
    import resource, sys, attrition
    s = attrition.Scenario.load(sys.argv[1])
    r = attrition.run(s, n=int(sys.argv[2]), seed=1, paths=False, outcomes="sketch", progress=False)
    try:
        with open("/proc/self/status") as f:
            print(next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024)
    except OSError:
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
""")


def peak_mb(n: int) -> float:
    out = subprocess.run([sys.executable, "-c", MEMORY, str(BENCH), str(n)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, attrition {attrition.__version__}"


def engine_figures(s: attrition.Scenario, n: int, repeat: int) -> list[Figure]:
    """Engine, floor, summaries and threads on the bench scenario, taken in turn."""

    def run(threads: int, **kw: Any) -> float:
        return clock(lambda: attrition.run(s, n=n, seed=1, threads=threads, progress=False, **kw))

    attrition.run(s, n=64, seed=1, threads=1, series=[], progress=False)  # page in, warm up
    t = dict.fromkeys(("engine", "floor", "none", "summary", "two"), float("inf"))
    for _ in range(repeat):
        t["engine"] = min(t["engine"], run(1, series=[]))
        t["floor"] = min(t["floor"], _core.rng_floor(s._core, 1, n)[0])
        t["none"] = min(t["none"], run(1, series=[], paths=False))
        t["summary"] = min(t["summary"], run(1, paths=False))
        t["two"] = min(t["two"], run(2, series=[]))
    draws = _core.rng_floor(s._core, 1, min(n, 200))[1] / min(n, 200)
    n_default = len(RunOptions.from_args(series=None).series_names(s))
    ms = {k: v / n * 1e3 for k, v in t.items()}
    return [
        Figure("engine, 1 thread, outcomes only", ms["engine"], "ms/trajectory"),
        Figure("random-number floor, 1 thread", ms["floor"], "ms/trajectory"),
        Figure("variates drawn per trajectory", draws, "", digits=0),
        Figure("engine / random-number floor", ms["engine"] / ms["floor"], "x", "<=", 1.4),
        Figure("trajectory-days per second per core", n * s.days / t["engine"], "", digits=0),
        Figure("run recording nothing, 1 thread", ms["none"], "ms/trajectory"),
        Figure(f"summary mode, the {n_default} default series, 1 thread", ms["summary"], "ms/trajectory"),
        Figure("summaries / run recording nothing", t["summary"] / t["none"], "x", "<=", 1.15),
        Figure("2 threads vs 1", t["engine"] / t["two"], "x", ">=", 1.85),
    ]


def numpy_figures(s: attrition.Scenario, ns: list[int], engine_ms: float) -> list[Figure]:
    """The numpy reference at each n (one run each, the largest last); the best n is reported."""
    ref = _module("numpy_reference")
    ref.simulate(s, 8, 1, series=[])
    per = {m: clock(lambda m=m: ref.simulate(s, m, 1, series=[])) / m * 1e3 for m in ns}
    best = min(per, key=per.get)
    return [
        Figure(f"numpy reference, 1 thread, best n ({best:,})", per[best], "ms/trajectory"),
        Figure("numpy reference / engine", per[best] / engine_ms, "x"),
    ]


def wait_figures(threads: int | None, n_sweep: int) -> list[Figure]:
    t, loaded = waits.import_time()
    rows = [Figure("import attrition (fresh interpreter)", t, "s", "<", 0.3, digits=3)]
    if loaded:
        rows[0].name += f" (loaded {', '.join(loaded)})"
    waits.warm_up()
    for name, f in (
        # under a second: the best of three runs (the others take seconds: one run each)
        (
            "calibration (notebook: population 200, 8 generations)",
            lambda: waits.best_of(lambda: waits.calibration(threads), 3),
        ),
        ("Sobol', 10 parameters, N = 256 (3,072 runs)", lambda: waits.sobol(threads)),
        (f"lever sweep, 20 points, + compare at each (n = {n_sweep})", lambda: waits.sweep(threads, n_sweep)),
    ):
        wall, engine, trajectories = f()
        rows += [
            Figure(f"{name}: total", wall, "s"),
            Figure(f"{name}: engine only, same {trajectories:,} trajectories", engine, "s"),
            Figure(f"{name}: Python overhead", (wall / engine - 1) * 100, "%", "<", 10, digits=1),
        ]
    return rows


def scaling_figures(n_dask: int, memory_ns: list[int]) -> list[Figure]:
    rows = []
    if n_dask:
        dask = _module("dask_workers")
        sc = attrition.Scenario.builtin("baseline-2024-12")
        w1 = dask.timed(sc, n_dask, 1, 1, None)[0]
        w2 = dask.timed(sc, n_dask, 1, 2, None)[0]
        rows.append(Figure(f"Dask, 2 local workers vs 1 (baseline, n = {n_dask:,})", w1 / w2, "x", ">=", 1.8))
    mem = [(m, peak_mb(m)) for m in memory_ns]
    rows += [Figure(f"peak memory, summary mode, n = {m:,}", mb, "MB", digits=0) for m, mb in mem]
    if len(mem) >= 2:
        lo, hi = mem[0], mem[-1]
        rows.append(Figure(f"memory growth, n = {lo[0]:,} -> {hi[0]:,}", hi[1] - lo[1], "MB", "<", 50, digits=0))
    return rows


def table(rows: list[Figure]) -> str:
    cells = [f.row() for f in rows]
    w = [max(len(c[i]) for c in [("measure", "value", "target")] + cells) for i in range(3)]
    lines = [
        f"| {'measure':<{w[0]}} | {'value':<{w[1]}} | {'target':<{w[2]}} |",
        "|" + "|".join("-" * (x + 2) for x in w) + "|",
    ]
    lines += [f"| {a:<{w[0]}} | {b:<{w[1]}} | {c:<{w[2]}} |" for a, b, c in cells]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000, help="trajectories for the engine timings (default 2000)")
    ap.add_argument("--n-numpy", type=int, nargs="+", default=[250, 1000, 2000], help="numpy reference n's")
    ap.add_argument("--n-sweep", type=int, default=200, help="trajectories per sweep point and compare")
    ap.add_argument("--n-dask", type=int, default=5000, help="baseline trajectories of the Dask runs (0: none)")
    ap.add_argument("--memory", type=int, nargs="*", default=[10_000, 100_000], help="n of the memory runs")
    ap.add_argument("--threads", type=int, default=None, help="threads of the user-wait rows (default all)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="n = 500, numpy n = 250; no waits, Dask or memory")
    ap.add_argument("--markdown", type=Path, help="also write the table to this file")
    ap.add_argument("--json", type=Path, help="also write every figure to this file as JSON")
    args = ap.parse_args()
    if args.quick:
        args.n, args.n_numpy, args.n_dask, args.memory = 500, [250], 0, []
    s = attrition.Scenario.load(BENCH)
    load0 = os.getloadavg()
    rows: list[Figure] = []

    def section(figures: list[Figure]) -> None:
        rows.extend(figures)
        for f in figures:  # progress, as each section ends (the table comes at the end)
            print(" | ".join(f.row()), file=sys.stderr, flush=True)

    section(engine_figures(s, args.n, args.repeat))
    section(numpy_figures(s, args.n_numpy, rows[0].value))
    if not args.quick:
        section(wait_figures(args.threads, args.n_sweep))
    section(scaling_figures(args.n_dask, args.memory))
    load1 = os.getloadavg()
    header = (
        f"Scenario: benchmarks/bench.toml ({s.days} days); engine n = {args.n}, best of {args.repeat}; "
        f"numpy n = {', '.join(map(str, args.n_numpy))}.\n"
        f"Machine: {machine()}; load average {load0[0]:.2f} before, {load1[0]:.2f} after.\n"
        f"Command: python benchmarks/run.py {' '.join(sys.argv[1:])}\n"
    )
    text = table(rows)
    print(header)
    print(text)
    if args.markdown:
        args.markdown.write_text(f"{header}\n{text}\n")
    if args.json:
        doc = {
            "machine": machine(),
            "load_average": {"before": load0[0], "after": load1[0]},
            "options": {k: v for k, v in vars(args).items() if k not in ("json", "markdown")},
            "figures": [f.as_dict() for f in rows],
        }
        args.json.write_text(json.dumps(doc, indent=2) + "\n")


if __name__ == "__main__":
    main()
