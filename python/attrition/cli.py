"""The ``attrition`` command line."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Sequence

import numpy as np

from . import __version__, builtins, run
from .errors import AttritionError
from .scenario import Scenario, as_scenario

DEFAULT = "baseline-2024-12"

#: Outcomes the summary table shows (glob patterns), in order.
KEY_OUTCOMES = (
    "*.ammo.*.days_to_empty",
    "*.fleet.*.days_to_half",
    "*.fleet.*.serviceable_end",
    "*.fleet.*.worn_out",
    "*.fleet.*.written_off",
    "*.fleet.*.destroyed",
    "*.casualties.total.days_to_*",
    "*.casualties.total.run_total",
    "*.contingent.*.rate_per_30d",
    "*.territory.area.casualties_per_sqmi",
    "*.territory.area.years_to_reference",
    "*.supplier.*.revenue",
)


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "-" if np.isnan(x) else "inf"
    if abs(x) >= 1e9:
        return f"{x / 1e9:,.2f}e9"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.1f}"
    return f"{x:.3f}"


def summary_table(result, patterns: Sequence[str] = KEY_OUTCOMES) -> str:
    """A plain-text table of key outcomes: median, 5-95 % range and censored share."""
    import fnmatch

    names: list[str] = []
    for p in patterns:
        names.extend(n for n in result.outcomes if fnmatch.fnmatchcase(n, p) and n not in names)
    rows = result.outcome_table(names)
    w = max([len("outcome")] + [len(r["outcome"]) for r in rows])
    lines = [f"{'outcome':<{w}}  {'median':>12}  {'5 %':>12}  {'95 %':>12}  {'never':>6}"]
    lines.append("-" * len(lines[0]))
    for r in rows:
        never = f"{r['censored']:.0%}" if r["outcome"].split(".")[-1].startswith("days_to") else ""
        lines.append(
            f"{r['outcome']:<{w}}  {_fmt(r['q0.5']):>12}  {_fmt(r['q0.05']):>12}  {_fmt(r['q0.95']):>12}  {never:>6}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="attrition", description="Monte Carlo scenarios of a war of attrition.")
    ap.add_argument("--version", action="version", version=f"attrition {__version__}")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run a scenario and print a summary table")
    r.add_argument("scenario", nargs="?", default=DEFAULT, help=f"a built-in name or a TOML file (default: {DEFAULT})")
    r.add_argument("-n", type=int, default=10_000, help="trajectories (default 10000)")
    r.add_argument("--seed", type=int, default=None, help="seed (default: a fresh one, printed)")
    r.add_argument("--threads", type=int, default=None, help="worker threads (default: all cores)")
    r.add_argument("--report", metavar="DIR", default=None,
                   help="also write DIR/index.html with the key outcomes and charts (PNG), and the per-day "
                        "summaries and outcomes as CSV (needs matplotlib: pip install 'attrition[plot]')")
    sub.add_parser("scenarios", help="list the built-in scenarios")
    v = sub.add_parser("validate", help="check a scenario file and print its errors")
    v.add_argument("file")
    args = ap.parse_args(argv)

    try:
        if args.cmd == "scenarios":
            for name in builtins():
                s = Scenario.builtin(name)
                print(f"{name:<28} {s.start} + {s.days} days  {s.description}")
            return 0
        if args.cmd == "validate":
            s = Scenario.load(args.file)
            print(f"{args.file}: ok ({s.name}, {len(s.uncertain_list())} uncertain parameters, "
                  f"{len(s.series_names)} series, {len(s.outcome_names)} outcomes)")
            return 0
        sc = as_scenario(args.scenario)
        t0 = time.perf_counter()
        res = run(sc, n=args.n, seed=args.seed, threads=args.threads, paths=False)
        dt = time.perf_counter() - t0
        print(f"{sc.name}: {sc.start} + {sc.days} days, n = {res.n}, seed = {res.seed} ({dt:.1f} s)")
        print("days_to_* are days from the start date; 'never' is the share of trajectories where it did not happen.")
        print()
        print(summary_table(res))
        if args.report is not None:
            from .visual import write_report

            cmd = "attrition " + " ".join(argv if argv is not None else sys.argv[1:])
            try:
                index = write_report(res, args.report, command=cmd)
            except ImportError as e:  # pragma: no cover - exercised without the extra
                print(f"error: {e}", file=sys.stderr)
                return 2
            print()
            print(f"report written to {index}")
        return 0
    except (AttritionError, OSError, KeyError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
