"""The ``attrition`` command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from . import _core
from ._utils.fmt import num
from .api import run
from .docs import model, model_path
from .errors import AttritionError
from .results import Result
from .results.display import key_outcomes, outcome_rows
from .scenario import Scenario, as_scenario, builtins, json_schema
from .scenario.provenance import provenance_text
from .scenario.registry import KEY_OUTCOMES

DEFAULT = "baseline-2024-12"


def summary_table(result: Result, patterns: Sequence[str] = KEY_OUTCOMES) -> str:
    """A plain-text table of the key outcomes: median, 5-95 % range and censored share."""
    rows = outcome_rows(result, key_outcomes(result, patterns))
    w = max([len("outcome")] + [len(r["outcome"]) for r in rows])
    lines = [f"{'outcome':<{w}}  {'median':>12}  {'5 %':>12}  {'95 %':>12}  {'never':>6}"]
    lines.append("-" * len(lines[0]))
    for r in rows:
        never = f"{r['censored']:.0%}" if r["first_passage"] else ""
        lines.append(
            f"{r['outcome']:<{w}}  {num(r['q0.5']):>12}  {num(r['q0.05']):>12}  {num(r['q0.95']):>12}  {never:>6}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="attrition", description="Monte Carlo scenarios of a war of attrition.")
    ap.add_argument("--version", action="version", version=f"attrition {_core.__version__}")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run a scenario and print a summary table")
    r.add_argument("scenario", nargs="?", default=DEFAULT, help=f"a built-in name or a TOML file (default: {DEFAULT})")
    r.add_argument("-n", type=int, default=10_000, help="trajectories (default 10000)")
    r.add_argument("--seed", type=int, default=None, help="seed (default: a fresh one, printed)")
    r.add_argument("--threads", type=int, default=None, help="worker threads (default: all cores)")
    r.add_argument(
        "--report",
        metavar="DIR",
        default=None,
        help="also write DIR/index.html with the key outcomes and charts (PNG), and the per-day "
        "summaries and outcomes as CSV (needs matplotlib: pip install 'attrition[plot]')",
    )
    sub.add_parser("scenarios", help="list the built-in scenarios")
    v = sub.add_parser("validate", help="check a scenario file and print its errors")
    v.add_argument("file")
    src = sub.add_parser(
        "sources", help="where every input of a scenario comes from (facts of the register, assumptions)"
    )
    src.add_argument(
        "scenario", nargs="?", default=DEFAULT, help=f"a built-in name or a TOML file (default: {DEFAULT})"
    )
    src.add_argument("--json", action="store_true", help="print a JSON object: scenario, extends, rows")
    sub.add_parser("schema", help="print the JSON Schema of a scenario file (for editors)")
    m = sub.add_parser("model", help="print docs/model.md, the model's reference")
    m.add_argument("--path", action="store_true", help="print where the installed file is instead")
    add_backtest(sub)
    args = ap.parse_args(argv)

    try:
        if args.cmd in ("sources", "schema", "model"):
            return _reference(args)
        if args.cmd == "scenarios":
            for name in builtins():
                s = Scenario.builtin(name)
                print(f"{name:<28} {s.start} + {s.days} days  {s.description}")
            return 0
        if args.cmd == "backtest":
            return backtest_main(args)
        if args.cmd == "validate":
            s = Scenario.load(args.file)
            print(
                f"{args.file}: ok ({s.name}, {len(s.uncertain_list())} uncertain parameters, "
                f"{len(s.series_names)} series, {len(s.outcome_names)} outcomes)"
            )
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
    except (AttritionError, OSError, KeyError, ValueError, ImportError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _reference(args: argparse.Namespace) -> int:
    """``attrition sources``, ``attrition schema`` and ``attrition model``."""
    if args.cmd == "sources":
        sc = as_scenario(args.scenario)
        if args.json:
            doc = {"scenario": sc.name, "extends": sc.extends, "rows": sc.provenance_list()}
            print(json.dumps(doc, indent=2, ensure_ascii=False))
        else:
            print(provenance_text(sc))
        return 0
    if args.cmd == "schema":
        print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
        return 0
    print(model_path() if args.path else model(), end="" if not args.path else "\n")
    return 0


def add_backtest(sub: argparse._SubParsersAction) -> None:
    """``attrition backtest``: score the model's forecasts of the record at rolling origins."""
    p = sub.add_parser(
        "backtest",
        help="score the model's forecasts of the General Staff series against naive forecasts",
        description="Rolling-origin backtest: at each origin, fit the casualty process (and the fleets' "
        "losses) to the reports up to the origin, forecast the cumulative counts at each horizon, and "
        "score the forecasts (CRPS, 50 %% and 90 %% coverage, PIT) against the record and against naive "
        "forecasts. Needs the validity extra: pip install 'attrition[validity]'.",
    )
    p.add_argument("scenario", nargs="?", default=DEFAULT, help=f"a built-in name or a TOML file (default: {DEFAULT})")
    p.add_argument(
        "--data",
        default=None,
        help="a newer copy of the record: a CSV in the shipped format, an upstream JSON file "
        "(russia_losses_personnel.json / russia_losses_equipment.json) or the folder that holds them",
    )
    p.add_argument(
        "--origins", default=None, help="comma-separated origin dates (default: monthly, 2023-01 to 2024-11)"
    )
    p.add_argument("--horizons", default="30,90,180", help="comma-separated horizons in days (default 30,90,180)")
    p.add_argument("--targets", default="personnel,artillery", help="personnel and/or artillery (default both)")
    p.add_argument("--window", type=int, default=90, help="reports up to each origin that the fit reads (default 90)")
    p.add_argument("--population", type=int, default=300, help="ABC-SMC particles per generation (default 300)")
    p.add_argument("--generations", type=int, default=20, help="most ABC-SMC generations per fit (default 20)")
    p.add_argument("-n", type=int, default=400, help="trajectories per forecast (default 400)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="worker threads (default: all cores)")
    p.add_argument("--csv", metavar="FILE", default=None, help="also write the table of scored forecasts")
    p.add_argument("--plot", metavar="FILE", default=None, help="also write the plot (PNG; needs matplotlib)")
    p.add_argument("--quiet", action="store_true", help="no progress line per origin")


def backtest_main(args: argparse.Namespace) -> int:
    from .calibration.backtest import backtest

    def items(text: str) -> list[str]:
        return [x.strip() for x in text.split(",") if x.strip()]

    try:
        horizons = [int(h) for h in items(args.horizons)]
    except ValueError:
        raise ValueError(f"--horizons must be comma-separated whole days, got {args.horizons!r}") from None
    bt = backtest(
        as_scenario(args.scenario),
        data=args.data,
        origins=items(args.origins) if args.origins else None,
        horizons=horizons,
        targets=items(args.targets),
        window=args.window,
        population=args.population,
        generations=args.generations,
        n=args.n,
        seed=args.seed,
        threads=args.threads,
        progress=not args.quiet,
    )
    print(bt)
    print()
    print(bt.summary().to_string(float_format=lambda v: f"{v:,.3g}" if abs(v) < 100 else f"{v:,.0f}"))
    if args.csv:
        bt.table.to_csv(args.csv, index=False)
        print(f"\ntable written to {args.csv}")
    if args.plot:
        bt.plot().savefig(args.plot, dpi=120)
        print(f"plot written to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
