"""The tables of the command line: text with units and calendar dates in one number
style, or the same rows as JSON or CSV.

``--json`` prints one object::

    {"command": "run", "scenario": ..., "start": "YYYY-MM-DD", "end": "YYYY-MM-DD",
     "days": ..., "seed": ..., "n": ..., "version": ..., "rows": [{...}, ...]}

(``compare`` names both scenarios: ``"a"`` and ``"b"``). Each row is a flat object,
NaN written as ``null``; ``--csv`` prints the same rows, one line each, under a header.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _core
from .._utils.fmt import num, pct
from ..api import Comparison
from ..results import Result
from ..results.display import date_of, key_table_lines, text_table
from ..scenario import Scenario, registry

__all__ = ["compare_lines", "compare_rows", "dump_csv", "dump_json", "run_rows"]


def _plain(x: Any) -> Any:
    """JSON-ready: NaN and infinities as None, numpy scalars as Python numbers."""
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return x if math.isfinite(x) else None
    return x


def run_rows(result: Result, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Outcome rows for JSON and CSV: name, label, unit, whether a first-passage time, the
    statistics, and for a first-passage time the calendar dates of its quantiles."""
    out = []
    for r in rows:
        row: dict[str, Any] = {
            "outcome": r["outcome"],
            "label": registry.label(r["outcome"]),
            "unit": "days" if r["first_passage"] else r["unit"],
            "first_passage": r["first_passage"],
        }
        row.update({k: _plain(v) for k, v in r.items() if k not in ("outcome", "unit", "first_passage")})
        for k in [k for k in r if k.startswith(("q", "cond_q"))]:
            row[f"date_{k}"] = (date_of(result, r[k]) or None) if r["first_passage"] else None
        out.append(row)
    return out


def header(scenario: Scenario, seed: int, n: int, command: str) -> dict[str, Any]:
    """The head of a JSON document: the command, the scenario and its dates, the seed, n and the version."""
    return {
        "command": command,
        "scenario": scenario.name,
        "start": str(scenario.start),
        "end": str(scenario.dates[-1]),
        "days": scenario.days,
        "seed": seed,
        "n": n,
        "version": _core.__version__,
    }


def dump_json(obj: dict[str, Any]) -> str:
    return json.dumps(obj, indent=2, allow_nan=False, default=str)


def dump_csv(rows: Sequence[dict[str, Any]]) -> str:
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: "" if v is None else v for k, v in r.items()})
    return buf.getvalue()


def run_lines(result: Result, rows: Sequence[dict[str, Any]]) -> list[str]:
    return key_table_lines(result, list(rows))


# -- compare ---------------------------------------------------------------------------------


def compare_rows(c: Comparison) -> list[dict[str, Any]]:
    """The comparison's rows for JSON and CSV, with each outcome's label and unit."""
    out = []
    for r in c.table():
        fp = bool(r["first_passage"])
        row = {
            "outcome": r["outcome"],
            "label": registry.label(r["outcome"]),
            "unit": "days" if fp else registry.unit(r["outcome"], outcome=True),
        }
        row.update({k: _plain(v) for k, v in r.items() if k != "outcome"})
        out.append(row)
    return out


def _signed(x: float, style: Any = num) -> str:
    s = style(x)
    return s if s.startswith("-") or s in ("0", "0 %") else "+" + s


def _interval(lo: float, hi: float, style: Any = num) -> str:
    return f"{_signed(lo, style)} to {_signed(hi, style)}"


def _points(x: float) -> str:
    """A difference of shares in percentage points, signed."""
    if not math.isfinite(x):
        return "-"
    v = round(100 * x, 1)
    return f"{v:+.1f} pts" if v != 0 else "0.0 pts"


def compare_lines(c: Comparison) -> list[str]:
    """Text tables of a comparison: quantities, then first-passage outcomes as censored
    times, then the first-passage outcomes among pairs where both saw the event."""
    end = c.dates[-1]
    rows = c.table()
    lines: list[str] = []
    qty = [r for r in rows if not r["first_passage"]]
    if qty:
        lines.append("Quantities: means over the runs and the paired difference b - a with its 95 % interval")
        lines += text_table(
            ["outcome", "unit", "a", "b", "b - a", "95 % interval"],
            [
                [
                    r["outcome"],
                    registry.unit(r["outcome"], outcome=True),
                    num(r["mean_a"]),
                    num(r["mean_b"]),
                    _signed(r["mean_diff"]),
                    _interval(r["ci_low"], r["ci_high"]),
                ]
                for r in qty
            ],
        )
    ev = [r for r in rows if r["first_passage"]]
    if ev:
        if lines:
            lines.append("")
        lines.append(f"Events: the share of runs in which each happens by {end},")
        lines.append("and the paired difference b - a in percentage points with its 95 % interval")
        lines += text_table(
            ["outcome", "reached a", "reached b", "b - a", "95 % interval"],
            [
                [
                    r["outcome"],
                    pct(r["reached_a"]),
                    pct(r["reached_b"]),
                    _points(r["reached_diff"]),
                    f"{_points(r['reached_ci_low'])} to {_points(r['reached_ci_high'])}",
                ]
                for r in ev
            ],
            right=1,
        )
        lines.append("")
        lines.append(f"Events: mean days to the event, a run that never sees it counting as {len(c.dates)} days")
        lines.append("(the time restricted to the horizon), and the paired difference b - a with its 95 % interval")
        lines += text_table(
            ["outcome", "a", "b", "b - a", "95 % interval"],
            [
                [
                    r["outcome"],
                    num(r["mean_a"]),
                    num(r["mean_b"]),
                    _signed(r["mean_diff"]),
                    _interval(r["ci_low"], r["ci_high"]),
                ]
                for r in ev
            ],
            right=1,
        )
        both = [r for r in ev if r["both_pairs"] > 0]
        if both:
            lines.append("")
            lines.append("Events, among the pairs where both runs saw it (a selected subset): difference in days b - a")
            lines += text_table(
                ["outcome", "pairs", "b - a", "95 % interval"],
                [
                    [
                        r["outcome"],
                        num(r["both_pairs"]),
                        _signed(r["both_mean_diff"]),
                        _interval(r["both_ci_low"], r["both_ci_high"]),
                    ]
                    for r in both
                ],
                right=1,
            )
    return lines
