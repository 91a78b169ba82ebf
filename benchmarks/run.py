"""Benchmarks of the attrition engine, measured side by side in one process.

    python benchmarks/run.py                 # the full table (takes a while: n = 10^6 memory run)
    python benchmarks/run.py --quick         # smaller n, no 10^6 memory run
    python benchmarks/run.py --markdown BENCHMARKS.md

Prints, on the benchmark scenario (benchmarks/bench.toml, 730 days):

- engine vs the numpy reference (benchmarks/numpy_reference.py), one thread each,
  time per trajectory;
- engine vs its random-number floor: the time to draw exactly the variates the run
  draws, with the engine's own generator and samplers and no model around them
  (a daily count drawn by an event-time clock is one variate a day);
- 2 threads vs 1;
- trajectory-days per second per core;
- peak memory (max RSS of a fresh process) of a summary-mode run at n = 10^4 and 10^6.

Each timing is the best of `--repeat` runs, taken in turn so that a noisy neighbour
hurts every contender alike.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import attrition
from attrition import _core

HERE = Path(__file__).resolve().parent
BENCH = HERE / "bench.toml"


def _reference():
    spec = importlib.util.spec_from_file_location("numpy_reference", HERE / "numpy_reference.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def best(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


# Peak resident memory of the child itself: VmHWM of its own address space.
# (ru_maxrss would not do: on Linux it carries over the parent's resident size
# at the fork that started the child, and this process holds the numpy
# reference's arrays by then.)
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000, help="trajectories for the engine timings (default 2000)")
    ap.add_argument("--n-numpy", type=int, default=1000, help="trajectories for the numpy reference (default 1000)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="n = 500, numpy n = 250, no 10^6 memory run")
    ap.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = ap.parse_args()
    if args.quick:
        args.n, args.n_numpy = 500, 250
    s = attrition.Scenario.load(BENCH)
    days = s.days
    ref = _reference()

    def engine(threads):
        return lambda: attrition.run(s, n=args.n, seed=1, threads=threads, series=[], progress=False)

    # warm up (page in the extension, numpy, caches)
    attrition.run(s, n=64, seed=1, threads=1, series=[], progress=False)
    ref.simulate(s, 8, 1, series=[])

    t1 = t2 = tn = tf = float("inf")
    for _ in range(args.repeat):
        t1 = min(t1, best(engine(1), 1))
        t2 = min(t2, best(engine(2), 1))
        tf = min(tf, _core.rng_floor(s._core, 1, args.n)[0])
        tn = min(tn, best(lambda: ref.simulate(s, args.n_numpy, 1, series=[]), 1))
    draws = _core.rng_floor(s._core, 1, min(args.n, 200))[1] / min(args.n, 200)
    per1 = t1 / args.n
    pern = tn / args.n_numpy
    perf = tf / args.n
    mem = []
    if not args.quick:
        mem = [(n, peak_mb(n)) for n in (10_000, 1_000_000)]

    rows = [
        ("engine, 1 thread", f"{per1 * 1e3:.2f} ms per trajectory", ""),
        ("numpy reference, 1 thread", f"{pern * 1e3:.2f} ms per trajectory", ""),
        ("random-number floor, 1 thread", f"{perf * 1e3:.2f} ms per trajectory ({draws:,.0f} draws)", ""),
        ("engine vs numpy (1 thread each)", f"{pern / per1:.1f}x faster", "target >= 20x"),
        ("numpy vs the engine's RNG floor", f"{pern / perf:.1f}x", "bound on the line above"),
        ("engine / RNG floor", f"{per1 / perf:.2f}x", "target <= 2x"),
        ("2 threads vs 1", f"{t1 / t2:.2f}x", "target >= 1.8x"),
        ("trajectory-days per second per core", f"{args.n * days / t1:,.0f}", ""),
    ]
    rows += [(f"peak memory, summary mode, n = {n:,}", f"{mb:,.0f} MB", "") for n, mb in mem]
    if len(mem) == 2:
        rows.append(("memory growth 10^4 -> 10^6", f"{mem[1][1] - mem[0][1]:+,.0f} MB", "target < 50 MB"))
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    lines = [f"| {'measure':<{w0}} | {'value':<{w1}} | target |", f"|{'-' * (w0 + 2)}|{'-' * (w1 + 2)}|--------|"]
    lines += [f"| {a:<{w0}} | {b:<{w1}} | {c} |" for a, b, c in rows]
    header = (
        f"Scenario: benchmarks/bench.toml ({days} days, {len(s.series_names)} series); "
        f"engine n = {args.n}, numpy n = {args.n_numpy}, best of {args.repeat}.\n"
        f"Machine: {machine()}.\nCommand: python benchmarks/run.py{' --quick' if args.quick else ''}\n"
    )
    table = "\n".join(lines)
    print(header)
    print(table)
    if args.markdown:
        args.markdown.write_text(f"{header}\n{table}\n")


if __name__ == "__main__":
    main()
