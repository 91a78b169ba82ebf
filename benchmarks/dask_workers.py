"""One against two local Dask workers on the baseline (paths=False).

Runs the same distributed run on a LocalCluster of one worker process, then of
two (one thread each), checks that both results are bit-identical to each other
and prints the wall times, their ratio, and the CPU seconds the workers spent
(equal CPU seconds mean the split costs nothing; the wall ratio then depends
only on whether the machine's cores are free). The default n takes about 20 s
on one worker of a 2-core machine.

    python benchmarks/dask_workers.py [--n 5000] [--scenario baseline-2024-12] [--block 256] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import attrition
from attrition import parallel


def _warm_up() -> None:
    """Import attrition and run once on each worker before the clock starts."""
    import attrition

    attrition.run("baseline-2024-12", n=2, seed=0, paths=False, progress=False)


def timed(
    scenario: attrition.Scenario, n: int, seed: int, workers: int, block: int | None
) -> tuple[float, float, attrition.Result]:
    """Wall seconds, CPU seconds of the workers, and the result."""
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster:
        with Client(cluster) as client:
            client.wait_for_workers(workers)
            client.run(_warm_up)
            c0 = client.run(time.process_time)
            t = time.perf_counter()
            r = attrition.run(scenario, n=n, seed=seed, paths=False, executor=client, block=block, progress=False)
            wall = time.perf_counter() - t
            c1 = client.run(time.process_time)
            return wall, sum(c1[w] - c0[w] for w in c1), r


def identical(a: attrition.Result, b: attrition.Result) -> bool:
    if a._series != b._series or a.outcomes_kept != b.outcomes_kept:
        return False
    if a.outcomes_kept == "sketch":
        return a._outcomes == b._outcomes
    return all(np.array_equal(a.outcomes[k], b.outcomes[k], equal_nan=True) for k in a.outcomes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scenario", default="baseline-2024-12")
    ap.add_argument("--block", type=int, default=None, help="trajectories per block (default: the library's choice)")
    ap.add_argument("--repeat", type=int, default=2, help="timings of each (the best is kept)")
    a = ap.parse_args()
    sc = attrition.Scenario.builtin(a.scenario)
    p = parallel.plan(sc, n=a.n, paths=False, block=a.block)
    print(
        f"machine: {os.cpu_count()} cores; {sc.name}: n={a.n}, {sc.days} days, paths=False, "
        f"{p.blocks} blocks of {p.block}, outcomes as {p.outcomes}"
    )
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    times: dict[int, list[float]] = {1: [], 2: []}
    cpus: dict[int, list[float]] = {1: [], 2: []}
    results = {}
    for _ in range(a.repeat):
        for workers in (1, 2):
            t, c, results[workers] = timed(sc, a.n, a.seed, workers, a.block)
            times[workers].append(t)
            cpus[workers].append(c)
            print(f"  {workers} worker{'s' if workers > 1 else ' '}: {t:7.2f} s wall, {c:7.2f} CPU-s on the workers")
    t1, t2 = min(times[1]), min(times[2])
    c1, c2 = min(cpus[1]), min(cpus[2])
    print(f"1 worker : {t1:7.2f} s  ({a.n * sc.days / t1:,.0f} trajectory-days/s), best of {a.repeat}")
    print(f"2 workers: {t2:7.2f} s  ({a.n * sc.days / t2:,.0f} trajectory-days/s), best of {a.repeat}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(
        f"speed-up 1 -> 2 workers: {t1 / t2:.2f}x (wall); CPU-s on the workers 1 -> 2: {c1:.2f} -> {c2:.2f}; "
        f"results identical: {identical(results[1], results[2])}"
    )


if __name__ == "__main__":
    main()
