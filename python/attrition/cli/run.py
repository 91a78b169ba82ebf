"""``attrition run``: run a scenario and print its key outcomes."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from .._utils.names import select
from ..api import run
from ..results import Result
from ..results.display import key_outcomes, outcome_rows
from ..scenario import registry
from . import common, tables

__all__ = ["add", "main", "summary_table"]

DEFAULT = "baseline-2024-12"


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run a scenario and print its key outcomes",
        description="Run a scenario (a built-in name or a TOML file) and print its key outcomes: "
        "median and 90 %% interval with units; first-passage outcomes as calendar dates with the "
        "share of runs that reach them.",
    )
    p.add_argument("scenario", nargs="?", default=DEFAULT, help=f"a built-in name or a TOML file (default: {DEFAULT})")
    common.add_sets(p)
    common.add_run_options(p, 10_000)
    common.add_output(p)
    p.add_argument(
        "--report",
        metavar="DIR",
        default=None,
        help="also write DIR/index.html with the key outcomes and charts (PNG), and the per-day "
        "summaries and outcomes as CSV (needs matplotlib: pip install 'attrition[plot]')",
    )
    p.set_defaults(func=main)


def summary_table(result: Result, patterns: Sequence[str] = registry.KEY_OUTCOMES) -> str:
    """The text table of a run's key outcomes (or of the outcomes ``patterns`` name)."""
    return "\n".join(tables.run_lines(result, outcome_rows(result, key_outcomes(result, patterns))))


def main(args: argparse.Namespace, argv: Sequence[str]) -> int:
    sc = common.load(args.scenario, args.sets)
    if args.report is not None:
        common.require_up_front("matplotlib.figure", "--report")
    patterns = tuple(args.outcomes) if args.outcomes else registry.KEY_OUTCOMES
    # names checked before the run: a typo costs nothing
    names = select(sc.outcome_names, patterns, "outcome")
    t0 = time.perf_counter()
    res = run(sc, n=args.n, seed=args.seed, threads=args.threads, paths=False, progress=args.progress)
    dt = time.perf_counter() - t0
    rows = outcome_rows(res, names)
    if args.json:
        print(tables.dump_json({**tables.header(sc, res.seed, res.n, "run"), "rows": tables.run_rows(res, rows)}))
    elif args.csv:
        sys.stdout.write(tables.dump_csv(tables.run_rows(res, rows)))
    else:
        print(
            f"{sc.name}: {sc.start} to {sc.dates[-1]} ({sc.days} days), n = {res.n:,}, seed = {res.seed} ({dt:.1f} s)"
        )
        print("Median and 90 % interval (5 % to 95 %) over the runs.")
        print()
        print("\n".join(tables.run_lines(res, rows)))
    if args.report is not None:
        from ..visual import write_report

        index = write_report(res, args.report, command="attrition " + " ".join(argv))
        print(f"report written to {index}", file=sys.stderr if (args.json or args.csv) else sys.stdout)
    return 0
