"""``attrition validate``: check a scenario (a file or a built-in name) and print its errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import common

__all__ = ["add", "main"]


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check a scenario and print its errors",
        description="Check a scenario (a TOML file or a built-in name). Errors name the parameter's "
        "dotted path and the rule; the exit status is 2 when there is one. Values that validate but are "
        "almost surely mistakes are warnings (errors with --strict).",
    )
    p.add_argument("scenario", help="a TOML file or a built-in name")
    common.add_sets(p)
    p.add_argument(
        "--strict",
        action="store_true",
        help="treat plausibility warnings (values that validate but are almost surely mistakes) as errors",
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace, argv: Sequence[str]) -> int:
    s = common.load(args.scenario, args.sets, quiet=True)
    found = s.warnings()
    for w in found:
        print(f"{'error' if args.strict else 'warning'}: {w}", file=sys.stderr)
    if found and args.strict:
        print(f"{args.scenario}: {len(found)} plausibility warning(s), refused by --strict", file=sys.stderr)
        return 2
    print(
        f"{args.scenario}: ok ({s.name}, {s.start} + {s.days} days, {len(s.uncertain_list())} uncertain "
        f"parameters, {len(s.series_names)} series, {len(s.outcome_names)} outcomes)"
    )
    return 0
