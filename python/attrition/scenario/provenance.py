"""Where a scenario's values come from.

The sources register (``attrition/sources.toml``, shipped with the package and
compiled into the engine) holds one entry per published figure, a *fact*, under
a stable id: the quantity, the number or range, the source and its date, how far
it was checked, and a note on confidence. A scenario's ``[sources]`` table maps
each value's dotted path to the ids of the facts it rests on, a note, and/or an
assumption (docs/model.md, "Where the numbers come from"). :func:`provenance_rows`
joins the two for every input of a scenario.
"""

from __future__ import annotations

import copy
import functools
import html
from typing import Any

from .. import _core
from .view import ScenarioView

__all__ = ["COLUMNS", "fact", "facts", "provenance_html", "provenance_rows", "provenance_text", "value_text"]

#: The columns of :meth:`attrition.Scenario.provenance`, in order.
COLUMNS = (
    "path",
    "value",
    "unit",
    "origin",
    "facts",
    "assumption",
    "note",
    "quantity",
    "source",
    "verification",
    "after_cutoff",
)


@functools.cache
def _facts() -> dict[str, dict[str, Any]]:
    return _core.facts()


def facts() -> dict[str, dict[str, Any]]:
    """The facts of the sources register, by id (a new dict each call).

    Each fact has ``quantity``, ``unit``, ``value`` or any of ``low``, ``central``,
    ``high``, ``source``, ``verification`` (``read``, ``second-hand``,
    ``placeholder`` or ``computed``), ``after_cutoff``, ``used_for``,
    ``confidence``, and where known ``date``, ``url``, ``dataset``.

    Examples
    --------
    >>> from attrition.scenario import facts
    >>> f = facts()["ukraine-area"]
    >>> f["value"], f["unit"]
    (603550.0, 'km2')
    """
    return copy.deepcopy(_facts())


def fact(fact_id: str) -> dict[str, Any]:
    """One fact of the register (``KeyError`` with the closest ids when unknown)."""
    from .._utils.names import unknown

    try:
        return copy.deepcopy(_facts()[fact_id])
    except KeyError:
        raise unknown(fact_id, _facts(), "fact") from None


def value_text(value: Any) -> str:
    """A scenario value as the scenario writes it: ``17240``, ``pert(350, 500, 650)``,
    ``2025-01-20``, ``true``; ``(not set)`` for an unset field."""
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        if "dist" in value:
            return _core.Dist(value).describe()
        return "{table}"
    if isinstance(value, list):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def provenance_rows(scenario: ScenarioView) -> list[dict[str, Any]]:
    """Every input of ``scenario`` with where it comes from, as dicts with the keys of
    :data:`COLUMNS`: the value as written, its unit, ``origin`` (``scenario``: its
    ``[sources]``; ``default``: the value is the field's default, with the default's
    grounds; ``missing``: nothing says), the fact ids, the assumption and note, and
    for the facts their quantities, sources and verifications (joined by ``"; "`` in
    the order of the ids) and whether any was published after 24 December 2024.
    Entries of ``[sources]`` for unset fields and whole tables follow the inputs."""
    register = _facts()
    rows = []
    for path, value, unit, ids, note, assumption, origin in scenario._core.provenance():
        cited = [register[i] for i in ids if i in register]
        rows.append(
            {
                "path": path,
                "value": value_text(value),
                "unit": "" if unit == "-" else unit,
                "origin": origin,
                "facts": list(ids),
                "assumption": assumption,
                "note": note,
                "quantity": "; ".join(f["quantity"] for f in cited),
                "source": "; ".join(f["source"] for f in cited),
                "verification": "; ".join(f["verification"] for f in cited),
                "after_cutoff": any(f.get("after_cutoff", False) for f in cited),
            }
        )
    return rows


def provenance_text(scenario: ScenarioView, width: int = 110) -> str:
    """The provenance of every input as plain text, one block per value."""
    import textwrap

    out = [f"Sources of {scenario.name!r}: every input, its value, and the facts or assumption it rests on."]
    for r in provenance_rows(scenario):
        unit = f" {r['unit']}" if r["unit"] else ""
        head = f"{r['path']} = {r['value']}{unit}"
        if r["origin"] == "default":
            head += "  (default)"
        out.append("")
        out.append(head)
        parts = []
        if r["facts"]:
            parts.append(
                ("facts", ", ".join(r["facts"]) + (" (some published after 2024-12-24)" if r["after_cutoff"] else ""))
            )
        if r["assumption"]:
            parts.append(("assumption", r["assumption"]))
        if r["note"]:
            parts.append(("note", r["note"]))
        if r["origin"] == "missing":
            parts.append(("source", "none given"))
        for label, text in parts:
            out += textwrap.wrap(
                text,
                width,
                initial_indent=f"  {label}: ",
                subsequent_indent=" " * (len(label) + 4),
                break_on_hyphens=False,
            )
    return "\n".join(out)


def provenance_html(scenario: ScenarioView) -> str:
    """The provenance of every input as an HTML table, the facts linked to their sources."""
    register = _facts()
    esc = html.escape

    def fact_cell(i: str) -> str:
        f = register.get(i, {})
        title = f"{f.get('quantity', '')} ({f.get('source', '')}; {f.get('verification', '')})"
        text = f"<code>{esc(i)}</code>"
        if f.get("url"):
            text = f"<a href='{esc(f['url'], quote=True)}'>{text}</a>"
        mark = "&#8224;" if f.get("after_cutoff") else ""
        return f"<span title='{esc(title, quote=True)}'>{text}{mark}</span>"

    out = [
        "<table class='sources'><tr><th>value</th><th></th><th>facts</th><th>assumption / note</th></tr>",
    ]
    for r in provenance_rows(scenario):
        unit = f" {esc(r['unit'])}" if r["unit"] else ""
        why = "; ".join(esc(x) for x in (r["assumption"], r["note"]) if x)
        if r["origin"] == "default":
            why = "(default) " + why
        if r["origin"] == "missing":
            why = "<i>no source given</i>"
        out.append(
            f"<tr><td><code>{esc(r['path'])}</code></td><td>{esc(r['value'])}{unit}</td>"
            f"<td>{', '.join(fact_cell(i) for i in r['facts'])}</td><td>{why}</td></tr>"
        )
    out.append("</table>")
    out.append(
        "<p class='meta'>Fact ids are those of the sources register (attrition/sources.toml; hover for the "
        "quantity and source); &#8224; marks a figure published after 24 December 2024.</p>"
    )
    return "\n".join(out)
