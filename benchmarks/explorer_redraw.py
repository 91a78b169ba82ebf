"""Time one redraw of the explorer (attrition.explore) on the built-in baseline.

    python benchmarks/explorer_redraw.py            # n = 1,000, the explorer's default
    python benchmarks/explorer_redraw.py --n 500 --repeat 5

A redraw is what a slider's release costs: a run of n trajectories with a lever set (on
the same trajectories as every other redraw), then the fan chart and the key outcomes.
Prints, for the best of --repeat redraws, the time on the clock and the processor time
of the run over every thread; processor time divided by the cores is what a redraw takes
on a machine no one else is using.
"""

from __future__ import annotations

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from attrition.explorer import Explorer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    ex = Explorer("baseline-2024-12", n=args.n, seed=1, threads=args.threads)
    cores = args.threads or os.cpu_count() or 1
    best = None
    for i in range(args.repeat):
        t = time.perf_counter()
        ex.update({"dprk_152_rate": 2000.0 + 1000.0 * i})
        run_wall, run_cpu = ex.seconds, ex.cpu_seconds
        fig, ax = plt.subplots()
        ex.figure(ax=ax)
        fig.canvas.draw()
        plt.close(fig)
        ex.table()
        total = time.perf_counter() - t
        row = (total, run_wall, run_cpu)
        best = row if best is None or row < best else best
    assert best is not None
    total, run_wall, run_cpu = best
    print(f"baseline-2024-12, n = {args.n:,}, {cores} core(s), best of {args.repeat}:")
    rest = total - run_wall
    print(f"  redraw on the clock      {total:6.2f} s  (run {run_wall:.2f} s, chart and table {rest:.2f} s)")
    print(f"  run's processor time     {run_cpu:6.2f} s  ({run_cpu / cores:.2f} s per core on {cores} free cores)")


if __name__ == "__main__":
    main()
