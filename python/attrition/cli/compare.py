"""``attrition compare A B``: two scenarios on common random numbers, paired differences."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from .._utils.names import select
from ..api import compare
from ..scenario import registry
from . import common, tables

__all__ = ["add", "main"]


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="compare two scenarios on common random numbers",
        description="Run scenarios A and B on the same random streams and print the paired differences "
        "B - A of their key outcomes with 95 %% intervals. First-passage outcomes are compared as "
        "censored times: the share of runs that reach the event by the horizon, the mean time "
        "restricted to the horizon, and (labelled so) among the pairs where both saw it.",
    )
    p.add_argument("a", help="scenario A: a built-in name or a TOML file")
    p.add_argument("b", help="scenario B: a built-in name or a TOML file")
    common.add_sets(p)  # applied to both
    common.add_run_options(p, 2_000)
    common.add_output(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace, argv: Sequence[str]) -> int:
    a, b = common.load(args.a, args.sets), common.load(args.b, args.sets)
    shared = [k for k in a.outcome_names if k in set(b.outcome_names)]
    if args.outcomes:
        names = select(shared, args.outcomes, "outcome of both scenarios")
    else:
        names = select(shared, registry.KEY_OUTCOMES, "outcome of both scenarios")
    t0 = time.perf_counter()
    c = compare(a, b, n=args.n, seed=args.seed, outcomes=names, threads=args.threads, progress=args.progress)
    dt = time.perf_counter() - t0
    if args.json:
        head = tables.header(a, c.seed, c.n, "compare")
        del head["scenario"]
        print(
            tables.dump_json({"command": "compare", "a": a.name, "b": b.name, **head, "rows": tables.compare_rows(c)})
        )
    elif args.csv:
        sys.stdout.write(tables.dump_csv(tables.compare_rows(c)))
    else:
        print(
            f"{b.name} - {a.name}: {a.start} to {a.dates[-1]} ({a.days} days), n = {c.n:,} pairs on common "
            f"random numbers, seed = {c.seed} ({dt:.1f} s)"
        )
        print()
        print("\n".join(tables.compare_lines(c)))
    return 0
