"""Cores and wall time for a very large run, from a throughput measured here.

Measures trajectory-days per core-second (CPU time of one thread) on a
scenario (default: the baseline, paths=False with the default series), plus what a
block costs the client (its pickled size and the time to merge it), then
works out the plan and the wall time of a run of --total trajectories on
clusters of several sizes.

    python benchmarks/cluster_estimate.py [--n 3000] [--total 1e9] [--scenario baseline-2024-12] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import pickle
import platform
import time

import attrition
from attrition import parallel
from attrition.engine import RunOptions


def measure(sc: attrition.Scenario, n: int, threads: int, series: object, repeat: int) -> tuple[float, float]:
    """Best of `repeat` timings: (wall seconds, CPU seconds of this process).

    On a machine shared with other work the wall time of one thread stretches,
    its CPU time much less: CPU seconds per trajectory is the cost on a core of
    one's own, which is what a cluster's workers have.
    """
    attrition.run(sc, n=min(n, 50), seed=0, paths=False, threads=threads, series=series, progress=False)  # warm up
    wall = cpu = float("inf")
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        attrition.run(sc, n=n, seed=1, paths=False, threads=threads, series=series, outcomes="sketch", progress=False)
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000, help="trajectories of the measurement")
    ap.add_argument("--total", type=float, default=1e9, help="trajectories of the run to estimate")
    ap.add_argument("--scenario", default="baseline-2024-12")
    ap.add_argument("--repeat", type=int, default=3, help="timings per measurement (the best is kept)")
    a = ap.parse_args()
    sc = attrition.Scenario.builtin(a.scenario)
    total = int(a.total)
    names = RunOptions().series_names(sc)
    print(
        f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, attrition {attrition.__version__}"
    )
    print(f"scenario: {sc.name}, {sc.days} days, {len(names)} default series as summaries (paths=False)\n")

    print(f"load average before: {os.getloadavg()[0]:.2f}")
    w1, c1 = measure(sc, a.n, 1, None, a.repeat)
    rate = a.n * sc.days / c1
    print(
        f"measured, 1 thread : n={a.n} in {c1:.2f} CPU-s = {rate:,.0f} trajectory-days per core-second "
        f"({c1 / a.n * 1e3:.2f} ms per trajectory); wall {w1:.2f} s = {a.n * sc.days / w1:,.0f} per second"
    )
    w0, c0 = measure(sc, a.n, 1, (), a.repeat)
    print(f"  without series   : {a.n * sc.days / c0:,.0f} trajectory-days per core-second (outcomes only)")
    if (os.cpu_count() or 1) > 1:
        w2, _ = measure(sc, a.n, 2, None, a.repeat)
        print(
            f"  2 threads        : {a.n * sc.days / w2:,.0f} trajectory-days per second of wall time "
            f"({w1 / w2:.2f}x one thread)"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")

    p = parallel.plan(sc, n=total, paths=False, outcomes="sketch")
    print(
        f"\nplan for n={total:,}: {p.blocks:,} blocks of {p.block:,} trajectories "
        f"({p.block * sc.days:,} trajectory-days, {p.block * sc.days / rate / 60:.1f} min on one core)"
    )
    print(f"  memory per block on a worker (estimate_summary_bytes, 1 thread): {p.block_bytes / 1e6:,.1f} MB")
    print(f"  merged result on the client: {p.result_bytes / 1e6:,.1f} MB")
    small = attrition.run(sc, n=200, seed=1, paths=False, outcomes="sketch", threads=1, progress=False)
    other = attrition.run(
        sc, n=200, seed=1, paths=False, outcomes="sketch", threads=1, progress=False, trajectories=range(200, 400)
    )
    size = len(pickle.dumps(small))  # sketches hardly grow with n
    reps = 10
    t = time.perf_counter()
    for _ in range(reps):
        attrition.merge([small, other])
    merge_s = (time.perf_counter() - t) / reps
    print(
        f"  one block's result travels as {size / 1e6:.1f} MB (pickled) and merges in {merge_s * 1e3:.0f} ms "
        f"on the client: {p.blocks * merge_s / 60:.1f} min of client time in all, "
        f"{p.blocks * size / 1e9:,.0f} GB moved in all"
    )

    core_s = total * sc.days / rate
    print(
        f"\nwork: {total:,} x {sc.days} = {total * sc.days:.3g} trajectory-days / {rate:,.0f} per core-s "
        f"= {core_s:.3g} core-s = {core_s / 3600:,.0f} core-hours"
    )
    print(f"{'cores':>7} {'wall (ideal)':>14} {'blocks per core':>16}")
    for cores in (64, 256, 1024, 4096):
        wall = core_s / cores
        print(f"{cores:>7} {wall / 3600:>11.1f} h {p.blocks / cores:>16.1f}")


if __name__ == "__main__":
    main()
