"""``attrition sources``, ``attrition schema`` and ``attrition model``: where every input comes
from, the JSON Schema of a scenario file, and the model's description (docs/model.md)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from ..docs import model, model_path
from ..scenario import as_scenario, json_schema
from ..scenario.provenance import provenance_text

__all__ = ["add"]

DEFAULT = "baseline-2024-12"


def add(sub: argparse._SubParsersAction) -> None:
    src = sub.add_parser(
        "sources", help="where every input of a scenario comes from (facts of the register, assumptions)"
    )
    src.add_argument(
        "scenario", nargs="?", default=DEFAULT, help=f"a built-in name or a TOML file (default: {DEFAULT})"
    )
    src.add_argument("--json", action="store_true", help="print a JSON object: scenario, extends, rows")
    src.set_defaults(func=sources)
    sch = sub.add_parser("schema", help="print the JSON Schema of a scenario file (for editors)")
    sch.set_defaults(func=schema)
    m = sub.add_parser("model", help="print docs/model.md, the model's reference")
    m.add_argument("--path", action="store_true", help="print where the installed file is instead")
    m.set_defaults(func=model_doc)


def sources(args: argparse.Namespace, argv: Sequence[str]) -> int:
    sc = as_scenario(args.scenario)
    if args.json:
        doc = {"scenario": sc.name, "extends": sc.extends, "rows": sc.provenance_list()}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        print(provenance_text(sc))
    return 0


def schema(args: argparse.Namespace, argv: Sequence[str]) -> int:
    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return 0


def model_doc(args: argparse.Namespace, argv: Sequence[str]) -> int:
    if args.path:
        print(model_path())
    else:
        print(model(), end="")
    return 0
