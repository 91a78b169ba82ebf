"""``attrition validate``: check a scenario (a file or a built-in name) and print its errors."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from . import common

__all__ = ["add", "main"]


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check a scenario and print its errors",
        description="Check a scenario (a TOML file or a built-in name). Errors name the parameter's "
        "dotted path and the rule; the exit status is 2 when there is one.",
    )
    p.add_argument("scenario", help="a TOML file or a built-in name")
    common.add_sets(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace, argv: Sequence[str]) -> int:
    s = common.load(args.scenario, args.sets)
    print(
        f"{args.scenario}: ok ({s.name}, {s.start} + {s.days} days, {len(s.uncertain_list())} uncertain "
        f"parameters, {len(s.series_names)} series, {len(s.outcome_names)} outcomes)"
    )
    return 0
