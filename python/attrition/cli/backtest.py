"""``attrition backtest``: score the model's forecasts of the record at rolling origins."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from . import common

__all__ = ["add", "main"]

DEFAULT = "baseline-2024-12"


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backtest",
        help="score the model's forecasts of the General Staff series against naive forecasts",
        description="Rolling-origin backtest: at each origin, fit the casualty process (and the fleets' "
        "losses) to the reports up to the origin, forecast the cumulative counts at each horizon, and "
        "score the forecasts (CRPS, 50 %% and 90 %% coverage, PIT) against the record and against naive "
        "forecasts. Needs the validity extra: pip install 'attrition[validity]'.",
    )
    p.add_argument("scenario", nargs="?", default=DEFAULT, help=f"a built-in name or a TOML file (default: {DEFAULT})")
    common.add_sets(p)
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
    p.add_argument(
        "--slow-window",
        type=int,
        default=None,
        help="also fit a slow drift of the tempo to this many reports up to each origin (e.g. 364; default: none)",
    )
    p.add_argument("--population", type=int, default=300, help="ABC-SMC particles per generation (default 300)")
    p.add_argument("--generations", type=int, default=20, help="most ABC-SMC generations per fit (default 20)")
    p.add_argument("-n", type=int, default=400, help="trajectories per forecast (default 400)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="worker threads (default: all cores)")
    p.add_argument("--csv", metavar="FILE", default=None, help="also write the table of scored forecasts")
    p.add_argument("--plot", metavar="FILE", default=None, help="also write the plot (PNG; needs matplotlib)")
    p.add_argument("--quiet", action="store_true", help="no progress line per origin")
    p.set_defaults(func=main)


def main(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from ..calibration.backtest import backtest

    def items(text: str) -> list[str]:
        return [x.strip() for x in text.split(",") if x.strip()]

    try:
        horizons = [int(h) for h in items(args.horizons)]
    except ValueError:
        raise ValueError(f"--horizons must be comma-separated whole days, got {args.horizons!r}") from None
    bt = backtest(
        common.load(args.scenario, args.sets),
        data=args.data,
        origins=items(args.origins) if args.origins else None,
        horizons=horizons,
        targets=items(args.targets),
        window=args.window,
        slow_window=args.slow_window,
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
