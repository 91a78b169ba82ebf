"""Text and HTML views of a result (``Result.__repr__`` and ``_repr_html_``): the
run's identity and its key outcomes (median and 90 % interval).

Every piece of text that reaches HTML goes through :func:`~attrition.scenario.display.esc`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _core
from .._utils.fmt import num
from .._utils.names import select
from ..scenario import registry
from ..scenario.display import CSS, esc

if TYPE_CHECKING:  # pragma: no cover
    from .result import Result

__all__ = ["key_outcomes", "outcome_rows", "result_html", "result_text"]


def key_outcomes(result: Result, patterns: Sequence[str] = registry.KEY_OUTCOMES) -> list[str]:
    """Names of the key outcomes of a result (:data:`~attrition.scenario.registry.KEY_OUTCOMES`),
    in pattern order."""
    return select(result.outcome_names, patterns, "outcome")


def outcome_rows(result: Result, names: Iterable[str]) -> list[dict[str, Any]]:
    """Rows of :meth:`Result.outcome_table` (median and 90 % interval) with each outcome's
    ``unit`` and whether it is a ``first_passage`` time."""
    rows = result.outcome_table(list(names), q=(0.05, 0.5, 0.95))
    for r in rows:
        r["unit"] = registry.unit(r["outcome"], outcome=True)
        r["first_passage"] = registry.is_first_passage(r["outcome"])
    return rows


def _date_of(result: Result, day: float) -> str:
    if not np.isfinite(day):
        return ""
    return str(np.datetime64(result.scenario.start, "D") + int(round(day)))


def result_text(result: Result) -> str:
    head = (
        f"<Result {result.scenario.name!r}: n={result.n}, seed={result.seed}, "
        f"{result.dates[0]} .. {result.dates[-1]} ({result.days} days), "
        f"{len(result.series_names)} series as {result._series.kind}, "
        f"{len(result.outcome_names)} outcomes as {result.outcomes_kept}>"
    )
    rows = outcome_rows(result, key_outcomes(result))
    if not rows:
        return head
    w = max(len("outcome"), *(len(r["outcome"]) for r in rows))
    uw = max(len("unit"), *(len(r["unit"]) for r in rows))
    lines = [
        head,
        "Key outcomes: median and 90 % interval (5 % to 95 %) over trajectories; "
        "days_to_* count days from the start, 'never' is the share censored at the horizon.",
        f"  {'outcome':<{w}}  {'unit':<{uw}}  {'median':>11}  {'5 %':>11}  {'95 %':>11}  {'never':>5}",
    ]
    for r in rows:
        never = f"{r['censored']:.0%}" if r["first_passage"] else ""
        lines.append(
            f"  {r['outcome']:<{w}}  {r['unit']:<{uw}}  {num(r['q0.5']):>11}  {num(r['q0.05']):>11}  "
            f"{num(r['q0.95']):>11}  {never:>5}"
        )
    return "\n".join(lines)


def result_html(result: Result) -> str:
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
            "<th title='share of trajectories in which the event did not happen within the horizon'>never</th></tr>"
        )
        for r in rows:
            med = num(r["q0.5"])
            if r["first_passage"] and np.isfinite(r["q0.5"]):
                med += f" ({_date_of(result, r['q0.5'])})"
            never = f"{r['censored']:.0%}" if r["first_passage"] else ""
            out.append(
                f"<tr><td title='{esc(r['outcome'])}'>{esc(registry.label(r['outcome']))}<br>"
                f"<code class='muted'>{esc(r['outcome'])}</code></td><td>{esc(r['unit'])}</td>"
                f"<td class='num'>{esc(med)}</td><td class='num'>{esc(num(r['q0.05']))}</td>"
                f"<td class='num'>{esc(num(r['q0.95']))}</td><td class='num'>{esc(never)}</td></tr>"
            )
        out.append("</table>")
        out.append(
            "<p class='muted'>Median and 90 % interval over trajectories. First-passage outcomes "
            "(days until ...) are days from the start date, over the trajectories in which the event "
            "happened; <i>never</i> is the share in which it did not happen within the horizon.</p>"
        )
    names = result.series_names
    out.append(f"<details><summary>{len(names)} recorded series</summary><table><tr><th>series</th><th>unit</th></tr>")
    out += [f"<tr><td><code>{esc(n)}</code></td><td>{esc(registry.unit(n, outcome=False))}</td></tr>" for n in names]
    out.append("</table></details></div>")
    return "\n".join(out)
