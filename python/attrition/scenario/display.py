"""Text and HTML views of a scenario (``Scenario.__repr__`` and ``_repr_html_``),
and the page style and escaping that the views of results share.

Every piece of text that reaches HTML goes through :func:`esc`.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

from .._utils.fmt import num
from .reference import field_unit
from .view import ScenarioView

__all__ = ["CSS", "esc", "scenario_html", "scenario_text", "window"]


def esc(x: Any) -> str:
    """``x`` as text, escaped for HTML (quotes too)."""
    return html.escape(str(x), quote=True)


_ORDER: dict[str, tuple[str, ...]] = {
    "calibers": ("initial_stock", "initial_dud_fraction", "reserve", "reserve_days", "lethality"),
    "supply": ("caliber", "supplier", "rate", "growth", "window", "lot_size", "dud_fraction", "price"),
    "fleets": (
        "caliber",
        "guns",
        "rounds_per_gun_day",
        "efc_per_round",
        "barrel_life",
        "barrel_shape",
        "initial_wear",
        "spares",
        "spare_rate",
        "repair_days",
        "max_wait_days",
        "combat_loss",
        "combat_beta",
        "accuracy_loss",
        "accuracy_exponent",
        "threshold",
        "deliveries",
    ),
    "contingents": (
        "strength",
        "relative_risk",
        "killed_fraction",
        "rtd",
        "rtd_days",
        "arrival_rate",
        "schedule",
        "arrivals",
        "payment",
        "sender",
    ),
    "casualties": (
        "base",
        "dispersion",
        "alpha",
        "tempo",
        "drift_sd",
        "drift_reversion",
        "slow_drift_sd",
        "slow_drift_reversion",
        "initial_cumulative",
        "thresholds",
    ),
    "territory": ("rate", "cv", "gamma", "ref_ratio", "reference_area_km2"),
}

_TITLES = {
    "calibers": "calibers",
    "supply": "supply lines",
    "fleets": "fleets",
    "contingents": "contingents",
    "casualties": "casualties",
    "territory": "territory",
}


def window(start: Any, end: Any) -> str:
    """An active window ``[start, end)`` in words."""
    if start is None and end is None:
        return "always"
    if start is None:
        return f"until {end}"
    if end is None:
        return f"from {start}"
    return f"{start} to {end}"


class _Fmt:
    """Formats scenario values, marking uncertain ones with '~' and their distribution."""

    def __init__(self, scenario: ScenarioView) -> None:
        self.uncertain = {u["path"]: u["distribution"] for u in scenario.uncertain_list()}
        self.seen: set[str] = set()

    def __call__(self, path: str, v: Any) -> str:
        if path in self.uncertain:
            self.seen.add(path)
            return "~" + self.uncertain[path]
        if isinstance(v, dict) and "dist" in v:
            args = ", ".join(f"{k}={num(x)}" for k, x in v.items() if k != "dist")
            return f"{v['dist']}({args})"
        if isinstance(v, dict) and isinstance(v.get("schedule"), list):
            # A rate that changes over time: "schedule (step): from 2025-01-01 10; from ..."
            parts = "; ".join(
                f"from {seg.get('from')} {self(f'{path}.schedule[{i}].value', seg.get('value'))}"
                for i, seg in enumerate(v["schedule"])
            )
            return f"schedule ({v.get('interpolate', 'step')}): {parts}"
        if isinstance(v, dict):
            if "start" in v or "end" in v:
                v = {
                    **{k: x for k, x in v.items() if k not in ("start", "end")},
                    "window": window(v.get("start"), v.get("end")),
                }
            return ", ".join(f"{k} {self(f'{path}.{k}', x)}" for k, x in v.items())
        if isinstance(v, list):
            if not v:
                return "none"
            return "; ".join(self(f"{path}[{i}]", x) for i, x in enumerate(v))
        return num(v)


def _rows(kind: str, item: dict[str, Any], base: str, fmt: _Fmt) -> list[tuple[str, str]]:
    """(field, formatted value) pairs of one component, windows merged."""
    item = dict(item)
    if kind == "supply":
        item["window"] = window(item.pop("start", None), item.pop("end", None))
        item.setdefault("supplier", base.rsplit(".", 1)[-1])  # the schema's default: the line's name
    if kind == "contingents":
        item["arrivals"] = window(item.pop("arrivals_start", None), item.pop("arrivals_end", None))
    order = list(_ORDER.get(kind, ()))
    keys = [k for k in order if k in item] + sorted(k for k in item if k not in order)
    out = []
    for k in keys:
        v = item[k]
        text = v if k in ("window", "arrivals") else fmt(f"{base}.{k}", v)
        out.append((k, str(text)))
    return out


def _components(side: dict[str, Any]) -> list[tuple[str, dict[str, dict[str, Any]]]]:
    """(kind, {item name: fields}) for the side's components; casualties and territory as one item."""
    out = []
    for kind in ("calibers", "supply", "fleets", "contingents"):
        if side.get(kind):
            out.append((kind, side[kind]))
    for kind in ("casualties", "territory"):
        if side.get(kind):
            out.append((kind, {"": side[kind]}))
    return out


def _side_scalars(side: dict[str, Any]) -> dict[str, Any]:
    skip = {"calibers", "supply", "fleets", "contingents", "casualties", "territory"}
    return {k: v for k, v in side.items() if k not in skip}


def _header(sc: ScenarioView) -> tuple[str, str]:
    end = sc.dates[-1]
    n_unc = len(sc.uncertain_list())
    return (
        f"{sc.start} to {end} ({sc.days} days), {len(sc.sides)} sides, {n_unc} uncertain parameters",
        sc.description,
    )


def _levers(sc: ScenarioView) -> dict[str, tuple[str, str, str]]:
    """Each lever as (its values or range, the paths it sets, its description)."""
    out = {}
    for name, lever in sc.levers.items():
        span = (
            f"[{', '.join(num(v) for v in lever.values)}]" if lever.values else f"{num(lever.low)} to {num(lever.high)}"
        )
        out[name] = (span, ", ".join(lever.paths), lever.description)
    return out


def _correlations(sc: ScenarioView) -> list[str]:
    """Each rank correlation as ``a ~ b: rho``."""
    return [f"{c['a']} ~ {c['b']}: rank correlation {c['rho']:g}" for c in sc.correlations]


def scenario_text(sc: ScenarioView) -> str:
    d = sc.to_dict()
    fmt = _Fmt(sc)
    span, desc = _header(sc)
    lines = [f"Scenario {sc.name!r}: {span}"]
    if desc:
        lines += textwrap.wrap(desc, 100, initial_indent="  ", subsequent_indent="  ")
    lines.append("  (~ marks an uncertain parameter, drawn once per trajectory; windows end before their end date)")
    for k, v in d.items():
        if k == "sources":
            lines.append(f"  sources: {len(v)} entries (where each value comes from: .provenance())")
        elif k not in ("name", "description", "start", "days", "sides", "levers", "correlations"):
            lines.append(f"  {k}: {fmt(k, v)}")
    for text in _correlations(sc):
        lines.append(f"  correlated: {text}")
    for name, (span, paths, what) in _levers(sc).items():
        lines.append(f"  lever {name}: {span} at {paths}" + (f"; {what}" if what else ""))
    for side_name, side in d["sides"].items():
        base = f"sides.{side_name}"
        scal = ", ".join(f"{k} {fmt(f'{base}.{k}', v)}" for k, v in _side_scalars(side).items())
        lines.append("")
        lines.append(f"{side_name}" + (f" ({scal})" if scal else ""))
        for kind, items in _components(side):
            lines.append(f"  {_TITLES[kind]}")
            for name, item in items.items():
                path = f"{base}.{kind}.{name}" if name else f"{base}.{kind}"
                fields = [
                    f"{k} {v}" + (f" {field_unit(kind, k)}" if field_unit(kind, k) and v != "none" else "")
                    for k, v in _rows(kind, item, path, fmt)
                ]
                head = f"    {name}: " if name else "    "
                body = "; ".join(fields)
                lines += textwrap.wrap(
                    body,
                    110,
                    initial_indent=head,
                    subsequent_indent=" " * 6,
                    break_on_hyphens=False,
                    break_long_words=False,
                )
    missing = [p for p in fmt.uncertain if p not in fmt.seen]
    if missing:  # parameters the layout above did not reach: list them so none is hidden
        lines.append("")
        lines.append("other uncertain parameters")
        lines += [f"  {p} ~{fmt.uncertain[p]}" for p in missing]
    return "\n".join(lines)


CSS = (
    "<style>"
    ".attrition-view{font-size:0.92em} .attrition-view table{border-collapse:collapse;margin:0.3em 0 0.8em 0}"
    ".attrition-view th,.attrition-view td{padding:2px 8px;text-align:left;vertical-align:top;"
    "border-bottom:1px solid rgba(128,128,128,0.25)}"
    ".attrition-view td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".attrition-view .unc{font-style:italic} .attrition-view .muted{opacity:0.7}"
    ".attrition-view summary{cursor:pointer;font-weight:bold;margin:0.3em 0}"
    ".attrition-view code{font-size:0.95em}"
    "</style>"
)


def _cell(text: str) -> str:
    cls = ' class="unc"' if text.startswith("~") else ""
    return f"<td{cls}>{esc(text)}</td>"


def scenario_html(sc: ScenarioView) -> str:
    d = sc.to_dict()
    fmt = _Fmt(sc)
    span, desc = _header(sc)
    out = [CSS, '<div class="attrition-view">']
    out.append(f"<p><b>Scenario <code>{esc(sc.name)}</code></b>: {esc(span)}</p>")
    if desc:
        out.append(f"<p>{esc(desc)}</p>")
    out.append(
        '<p class="muted">Values in <i>italics</i> marked ~ are uncertain: drawn once per trajectory '
        "from the distribution shown. Windows end before their end date.</p>"
    )
    levers = _levers(sc)
    if levers:
        out.append(
            "<details><summary>levers</summary><table><tr><th>lever</th><th>values</th><th>sets</th><th></th></tr>"
        )
        for name, (span, paths, what) in levers.items():
            out.append(
                f"<tr><td>{esc(name)}</td><td>{esc(span)}</td><td><code>{esc(paths)}</code></td><td>{esc(what)}</td></tr>"
            )
        out.append("</table></details>")
    correlations = _correlations(sc)
    if correlations:
        out.append("<p>Correlated: " + "; ".join(esc(c) for c in correlations) + "</p>")
    for side_name, side in d["sides"].items():
        base = f"sides.{side_name}"
        scal = ", ".join(f"{k} {fmt(f'{base}.{k}', v)}" for k, v in _side_scalars(side).items())
        out.append(f"<details open><summary>{esc(side_name)}</summary>")
        if scal:
            out.append(f"<p>{esc(scal)}</p>")
        for kind, items in _components(side):
            rows = {
                name: dict(_rows(kind, item, f"{base}.{kind}.{name}" if name else f"{base}.{kind}", fmt))
                for name, item in items.items()
            }
            fields: list[str] = []
            for r in rows.values():
                fields.extend(k for k in r if k not in fields)
            order = list(_ORDER.get(kind, ()))
            fields.sort(key=lambda k: (order.index(k) if k in order else len(order), k))
            out.append(f"<p><b>{esc(_TITLES[kind])}</b></p><table>")
            if any(rows):
                out.append("<tr><th></th>" + "".join(f"<th>{esc(n)}</th>" for n in rows) + "</tr>")
            for f in fields:
                unit = field_unit(kind, f)
                name = f"{f} ({unit})" if unit else f
                out.append(f"<tr><th>{esc(name)}</th>" + "".join(_cell(r.get(f, "")) for r in rows.values()) + "</tr>")
            out.append("</table>")
        out.append("</details>")
    unc = sc.uncertain_list()
    out.append(
        f"<details><summary>{len(unc)} uncertain parameters (dotted paths for <code>with_values</code>)"
        "</summary><table><tr><th>path</th><th>distribution</th><th>low</th><th>high</th></tr>"
    )
    for u in unc:
        out.append(
            f"<tr><td><code>{esc(u['path'])}</code></td><td>{esc(u['distribution'])}</td>"
            f'<td class="num">{esc(num(u["low"]))}</td><td class="num">{esc(num(u["high"]))}</td></tr>'
        )
    out.append("</table></details></div>")
    return "\n".join(out)
