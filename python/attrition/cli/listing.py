"""``attrition list``: the built-in scenarios, or a scenario's series and outcomes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..results.display import text_table
from ..scenario import Scenario, builtins, registry
from . import common, tables

__all__ = ["add", "main", "scenarios"]

WHAT = ("builtins", "series", "outcomes")


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "list",
        help="list the built-in scenarios, or a scenario's series and outcomes",
        description="List the built-in scenarios (default), or the series or outcomes of a scenario "
        "with their units and what they mean.",
    )
    p.add_argument("what", nargs="?", choices=WHAT, default="builtins", help="what to list (default: builtins)")
    p.add_argument("--scenario", default="baseline-2024-12", help="the scenario whose series or outcomes to list")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.set_defaults(func=main)
    s = sub.add_parser("scenarios", help="list the built-in scenarios (as 'list builtins')")
    s.set_defaults(func=scenarios)


def _builtin_rows() -> list[dict[str, object]]:
    rows = []
    for name in builtins():
        s = Scenario.builtin(name)
        rows.append(
            {"name": name, "start": str(s.start), "end": str(s.dates[-1]), "days": s.days, "description": s.description}
        )
    return rows


def _name_rows(sc: Scenario, what: str) -> list[dict[str, object]]:
    """Names with their units and descriptions, from the engine's registry."""
    if what == "series":
        info = registry.series_info(sc)
        return [{"name": d["name"], "unit": d["unit"], "description": d["description"]} for d in info]
    return [
        {"name": d["name"], "unit": d["unit"], "first_passage": d["first_passage"], "description": d["description"]}
        for d in registry.outcome_info(sc)
    ]


def main(args: argparse.Namespace, argv: Sequence[str]) -> int:
    if args.what == "builtins":
        rows = _builtin_rows()
        if args.json:
            print(tables.dump_json({"builtins": rows}))
            return 0
        lines = text_table(
            ["name", "dates", "description"],
            [[str(r["name"]), f"{r['start']} to {r['end']}", str(r["description"])] for r in rows],
            right=3,
        )
        print("\n".join(lines))
        return 0
    sc = common.load(args.scenario)
    rows = _name_rows(sc, args.what)
    if args.json:
        print(tables.dump_json({"scenario": sc.name, args.what: rows}))
        return 0
    lines = text_table(
        ["name", "unit", "meaning"], [[str(r["name"]), str(r["unit"]), str(r["description"])] for r in rows], right=3
    )
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def scenarios(args: argparse.Namespace, argv: Sequence[str]) -> int:
    for r in _builtin_rows():
        print(f"{r['name']:<28} {r['start']} + {r['days']} days  {r['description']}")
    return 0
