"""Text and HTML views of a result (``Result.__repr__`` and ``_repr_html_``): the
run's identity and its key outcomes (median and 90 % interval), first-passage
outcomes as calendar dates with the share of runs that reach them. The command
line and the report build their tables from the same cells.

Every piece of text that reaches HTML goes through :func:`~attrition.scenario.display.esc`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .. import _core
from .._utils.fmt import num, pct
from .._utils.names import select
from ..scenario import registry
from ..scenario.display import CSS, esc
from .view import ResultView

__all__ = [
    "EVENT_NOTE",
    "TABLE_Q",
    "cells",
    "date_of",
    "key_outcomes",
    "key_table_lines",
    "outcome_rows",
    "result_html",
    "result_text",
    "text_table",
    "value_cell",
]


def key_outcomes(result: ResultView, patterns: Sequence[str] = registry.KEY_OUTCOMES) -> list[str]:
    """Names of the key outcomes of a result (:data:`~attrition.scenario.registry.KEY_OUTCOMES`),
    in pattern order."""
    return select(result.outcome_names, patterns, "outcome")


#: The quantiles of the key-outcome tables: the median and the 90 % interval.
TABLE_Q = (0.05, 0.5, 0.95)

#: What the tables of key outcomes say about first-passage outcomes, in words.
EVENT_NOTE = (
    "A date is the day an event first happens in a run. 'reached' is the share of runs in which it "
    "happens by {end}; a median or percentile that fewer runs reach is 'not reached'. "
    "'Among runs where it happened' describes only those runs."
)


def outcome_rows(result: ResultView, names: Iterable[str]) -> list[dict[str, Any]]:
    """Rows of :meth:`Result.outcome_table` (median and 90 % interval) with each outcome's
    ``unit`` and whether it is a ``first_passage`` time."""
    rows = result.outcome_table(list(names), q=TABLE_Q)
    for r in rows:
        r["first_passage"] = result.is_event(r["outcome"])
        r["unit"] = "date" if r["first_passage"] else registry.unit(r["outcome"], outcome=True)
    return rows


def date_of(result: ResultView, day: float) -> str:
    """The calendar date of a day index of the run ('' for NaN)."""
    if not np.isfinite(day):
        return ""
    return str(np.datetime64(result.scenario.start, "D") + int(round(day)))


def value_cell(result: ResultView, row: dict[str, Any], key: str) -> str:
    """One statistic of an outcome row as text, in the library's one number style: a
    first-passage time as its calendar date, or ``not reached``."""
    v = row[key]
    if row["first_passage"]:
        return date_of(result, v) if np.isfinite(v) else "not reached"
    return num(v)


def cells(result: ResultView, row: dict[str, Any]) -> dict[str, str]:
    """The text cells of an outcome row: ``outcome``, ``unit``, ``median``, ``5 %``, ``95 %``,
    ``reached`` (first-passage outcomes) and, among the runs where the event happened,
    ``cond median``, ``cond 5 %`` and ``cond 95 %``."""
    fp = row["first_passage"]
    out = {
        "outcome": row["outcome"],
        "unit": row["unit"],
        "median": value_cell(result, row, "q0.5"),
        "5 %": value_cell(result, row, "q0.05"),
        "95 %": value_cell(result, row, "q0.95"),
        "reached": pct(row["reached"]) if fp else "",
    }
    for q, k in zip(("q0.5", "q0.05", "q0.95"), ("cond median", "cond 5 %", "cond 95 %"), strict=True):
        v = row.get(f"cond_{q}", float("nan"))
        out[k] = date_of(result, v) if fp and np.isfinite(v) else ""
    return out


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "", right: int = 2) -> list[str]:
    """Lines of a plain-text table: the first ``right`` columns left-aligned, the others
    right-aligned, two spaces apart."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]

    def line(cols: Sequence[str]) -> str:
        parts = [c.ljust(w) if i < right else c.rjust(w) for i, (c, w) in enumerate(zip(cols, widths, strict=True))]
        return (indent + "  ".join(parts)).rstrip()

    return [line(header), *(line(r) for r in rows)]


def key_table_lines(result: ResultView, rows: list[dict[str, Any]], indent: str = "") -> list[str]:
    """The key-outcome table as text lines: every outcome with its unit, median and 90 %
    interval (and the share that reach it), then the first-passage outcomes among the runs
    where the event happened, then what the columns mean."""
    c = [cells(result, r) for r in rows]
    lines = text_table(
        ["outcome", "unit", "median", "5 %", "95 %", "reached"],
        [[x["outcome"], x["unit"], x["median"], x["5 %"], x["95 %"], x["reached"]] for x in c],
        indent,
    )
    happened = [x for x, r in zip(c, rows, strict=True) if r["first_passage"] and r["reached"] > 0]
    if happened:
        lines += ["", f"{indent}Among runs where it happened:"]
        lines += text_table(
            ["outcome", "reached", "median", "5 %", "95 %"],
            [[x["outcome"], x["reached"], x["cond median"], x["cond 5 %"], x["cond 95 %"]] for x in happened],
            indent,
            right=1,
        )
    if any(r["first_passage"] for r in rows):
        note = EVENT_NOTE.format(end=result.dates[-1])
        lines += [""] + textwrap.wrap(note, 100, initial_indent=indent, subsequent_indent=indent)
    return lines


def result_text(result: ResultView) -> str:
    head = (
        f"<Result {result.scenario.name!r}: n={result.n}, seed={result.seed}, "
        f"{result.dates[0]} .. {result.dates[-1]} ({result.days} days), "
        f"{len(result.series_names)} series as {result._series.kind}, "
        f"{len(result.outcome_names)} outcomes as {result.outcomes_kept}>"
    )
    rows = outcome_rows(result, key_outcomes(result))
    if not rows:
        return head
    lines = [head, "Key outcomes: median and 90 % interval (5 % to 95 %) over the runs."]
    return "\n".join(lines + key_table_lines(result, rows, indent="  "))


def result_html(result: ResultView) -> str:
    sc = result.scenario
    out = [CSS, '<div class="attrition-view">']
    out.append(
        f"<p><b>Result</b> of <code>{esc(sc.name)}</code>: <b>n = {result.n:,}</b> trajectories, "
        f"seed = <code>{result.seed}</code>, {esc(result.dates[0])} to {esc(result.dates[-1])} "
        f"({result.days} days). {len(result.series_names)} series as "
        f"{result._series.description}, {len(result.outcome_names)} outcomes "
        f"as {result._outcomes.description}; "
        f"attrition {esc(_core.__version__)}.</p>"
    )
    rows = outcome_rows(result, key_outcomes(result))
    if rows:
        out.append(
            "<table><tr><th>key outcome</th><th>unit</th><th>median</th><th>5 %</th><th>95 %</th>"
            "<th title='share of runs in which the event happens within the horizon'>reached</th>"
            "<th title='among the runs where the event happened'>median where it happened</th></tr>"
        )
        for r in rows:
            c = cells(result, r)
            out.append(
                f"<tr><td title='{esc(r['outcome'])}'>{esc(registry.label(r['outcome']))}<br>"
                f"<code class='muted'>{esc(r['outcome'])}</code></td><td>{esc(c['unit'])}</td>"
                + "".join(f"<td class='num'>{esc(c[k])}</td>" for k in ("median", "5 %", "95 %", "reached"))
                + f"<td class='num'>{esc(c['cond median'])}</td></tr>"
            )
        out.append("</table>")
        out.append(
            "<p class='muted'>Median and 90 % interval over the runs. "
            + esc(EVENT_NOTE.format(end=result.dates[-1]))
            + "</p>"
        )
    names = result.series_names
    out.append(f"<details><summary>{len(names)} recorded series</summary><table><tr><th>series</th><th>unit</th></tr>")
    out += [f"<tr><td><code>{esc(n)}</code></td><td>{esc(registry.unit(n, outcome=False))}</td></tr>" for n in names]
    out.append("</table></details></div>")
    return "\n".join(out)
