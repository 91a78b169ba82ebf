"""What the commands share: scenarios from names or files with ``--set`` overrides,
output options, and checks of optional dependencies before anything runs."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from .._utils.optional import require
from ..errors import ScenarioError, ScenarioWarning
from ..scenario import Scenario, as_scenario

__all__ = ["add_output", "add_run_options", "add_sets", "load", "parse_sets", "parse_value", "require_up_front"]

try:  # Python 3.11+
    import tomllib as _toml
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    _toml = None  # type: ignore[assignment]


def parse_value(text: str) -> Any:
    """The value of a ``--set path=value``: a TOML value (a number, a date such as
    ``2025-06-30``, ``true``, a quoted string, an inline table such as
    ``{dist = "uniform", low = 1, high = 2}`` or an array); anything else is taken
    as a plain string."""
    text = text.strip()
    if _toml is not None:
        try:
            return _toml.loads(f"v = {text}")["v"]
        except _toml.TOMLDecodeError:
            return text
    try:  # pragma: no cover - Python 3.10: JSON values, dates stay strings
        return json.loads(text)
    except ValueError:  # pragma: no cover
        return text


def parse_sets(items: Sequence[str] | None) -> dict[str, Any]:
    """``["path=value", ...]`` as ``{path: value}``; ScenarioError for an item without ``=``."""
    out: dict[str, Any] = {}
    for item in items or ():
        path, eq, value = item.partition("=")
        path = path.strip()
        if not eq or not path:
            raise ScenarioError(f"--set {item!r}: expected path=value, e.g. --set sides.russia.supply.dprk_152.rate=0")
        out[path] = parse_value(value)
    return out


def load(name: str, sets: Sequence[str] | None = None, *, quiet: bool = False) -> Scenario:
    """A built-in scenario or a TOML file, with ``--set`` overrides applied. Its
    plausibility warnings are printed to stderr as ``warning: ...`` lines (unless ``quiet``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)  # printed below, once, without a source line
        sc = as_scenario(name)
        values = parse_sets(sets)
        if values:
            sc = sc.with_values(values)
    if not quiet:
        for w in sc.warnings():
            print(f"warning: {w}", file=sys.stderr)
    return sc


def add_sets(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        metavar="PATH=VALUE",
        help="override a parameter by dotted path, e.g. --set days=365 or "
        "--set 'sides.russia.supply.dprk_152.end=2025-06-30' (TOML values; repeatable)",
    )


def add_run_options(p: argparse.ArgumentParser, default_n: int) -> None:
    p.add_argument("-n", type=int, default=default_n, help=f"trajectories (default {default_n:,})")
    p.add_argument("--seed", type=int, default=None, help="seed (default: a fresh one, printed)")
    p.add_argument("--threads", type=int, default=None, help="worker threads (default: all cores)")
    p.add_argument(
        "--outcomes",
        nargs="+",
        metavar="NAME",
        default=None,
        help="outcomes to show: names or glob patterns (default: the key outcomes)",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: when stderr is a terminal)",
    )


def add_output(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="print a JSON object instead of tables (see docs/cli.md)")
    g.add_argument("--csv", action="store_true", help="print the rows as CSV instead of tables")


def require_up_front(module: str, purpose: str) -> None:
    """Fail before a run starts when an optional dependency it will need is missing."""
    require(module, purpose=purpose)


def err(msg: str) -> None:
    print(f"error: {msg}", file=sys.stderr)
