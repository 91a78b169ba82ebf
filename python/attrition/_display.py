"""Text and HTML views of scenarios and results (``__repr__`` and ``_repr_html_``).

Every piece of text that reaches HTML goes through :func:`html.escape`.
"""

from __future__ import annotations

import fnmatch
import html
import math
import textwrap
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np

from . import _labels
from ._utils.fmt import num

if TYPE_CHECKING:  # pragma: no cover
    from .results import Result
    from .scenario import Scenario

# ----------------------------------------------------------------------------- numbers


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


# ----------------------------------------------------------------------------- scenario

_ORDER: dict[str, tuple[str, ...]] = {
    "calibers": ("initial_stock", "initial_dud_fraction", "reserve", "reserve_days", "lethality"),
    "supply": ("caliber", "supplier", "rate", "growth", "window", "lot_size", "dud_fraction", "price"),
    "fleets": (
        "caliber", "guns", "rounds_per_gun_day", "efc_per_round", "barrel_life", "barrel_shape", "initial_wear",
        "spares", "spare_rate", "repair_days", "max_wait_days", "combat_loss", "combat_beta", "accuracy_loss",
        "accuracy_exponent", "threshold", "deliveries",
    ),
    "contingents": (
        "strength", "relative_risk", "killed_fraction", "rtd", "rtd_days", "arrival_rate", "schedule",
        "arrivals", "payment", "sender",
    ),
    "casualties": (
        "base", "dispersion", "alpha", "tempo", "drift_sd", "drift_reversion", "initial_cumulative", "thresholds",
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

_FIELD_UNITS = {
    ("calibers", "initial_stock"): "shells",
    ("calibers", "reserve"): "shells",
    ("calibers", "reserve_days"): "days",
    ("supply", "rate"): "shells/day",
    ("supply", "growth"): "per year",
    ("supply", "lot_size"): "shells",
    ("supply", "price"): "USD/shell",
    ("fleets", "guns"): "guns",
    ("fleets", "efc_per_round"): "EFC",
    ("fleets", "barrel_life"): "EFC",
    ("fleets", "spares"): "barrels",
    ("fleets", "spare_rate"): "barrels/day",
    ("fleets", "repair_days"): "days",
    ("fleets", "max_wait_days"): "days",
    ("fleets", "combat_loss"): "per gun-day",
    ("contingents", "strength"): "people",
    ("contingents", "rtd_days"): "days",
    ("contingents", "arrival_rate"): "people/day",
    ("contingents", "payment"): "USD/soldier-day",
    ("casualties", "base"): "people/day",
    ("casualties", "initial_cumulative"): "people",
    ("casualties", "thresholds"): "people",
    ("territory", "rate"): "km²/day",
    ("territory", "reference_area_km2"): "km²",
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

    def __init__(self, scenario: "Scenario") -> None:
        self.uncertain = {u["path"]: u["distribution"] for u in scenario.uncertain_list()}
        self.seen: set[str] = set()

    def __call__(self, path: str, v: Any) -> str:
        if path in self.uncertain:
            self.seen.add(path)
            return "~" + self.uncertain[path]
        if isinstance(v, dict) and "dist" in v:
            args = ", ".join(f"{k}={num(x)}" for k, x in v.items() if k != "dist")
            return f"{v['dist']}({args})"
        if isinstance(v, dict):
            if "start" in v or "end" in v:
                v = {**{k: x for k, x in v.items() if k not in ("start", "end")},
                     "window": window(v.get("start"), v.get("end"))}
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


def _header(sc: "Scenario") -> tuple[str, str]:
    end = sc.dates[-1]
    n_unc = len(sc.uncertain_list())
    return (
        f"{sc.start} to {end} ({sc.days} days), {len(sc.sides)} sides, {n_unc} uncertain parameters",
        sc.description,
    )


def scenario_text(sc: "Scenario") -> str:
    d = sc.to_dict()
    fmt = _Fmt(sc)
    span, desc = _header(sc)
    lines = [f"Scenario {sc.name!r}: {span}"]
    if desc:
        lines += textwrap.wrap(desc, 100, initial_indent="  ", subsequent_indent="  ")
    lines.append("  (~ marks an uncertain parameter, drawn once per trajectory; windows end before their end date)")
    for k, v in d.items():
        if k not in ("name", "description", "start", "days", "sides"):
            lines.append(f"  {k}: {fmt(k, v)}")
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
                    f"{k} {v}" + (f" {_FIELD_UNITS[(kind, k)]}" if (kind, k) in _FIELD_UNITS and v not in ("none",) else "")
                    for k, v in _rows(kind, item, path, fmt)
                ]
                head = f"    {name}: " if name else "    "
                body = "; ".join(fields)
                lines += textwrap.wrap(body, 110, initial_indent=head, subsequent_indent=" " * 6,
                                       break_on_hyphens=False, break_long_words=False)
    missing = [p for p in fmt.uncertain if p not in fmt.seen]
    if missing:  # parameters the layout above did not reach: list them so none is hidden
        lines.append("")
        lines.append("other uncertain parameters")
        lines += [f"  {p} ~{fmt.uncertain[p]}" for p in missing]
    return "\n".join(lines)


_CSS = (
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
    return f"<td{cls}>{_esc(text)}</td>"


def scenario_html(sc: "Scenario") -> str:
    d = sc.to_dict()
    fmt = _Fmt(sc)
    span, desc = _header(sc)
    out = [_CSS, '<div class="attrition-view">']
    out.append(f"<p><b>Scenario <code>{_esc(sc.name)}</code></b>: {_esc(span)}</p>")
    if desc:
        out.append(f"<p>{_esc(desc)}</p>")
    out.append('<p class="muted">Values in <i>italics</i> marked ~ are uncertain: drawn once per trajectory '
               "from the distribution shown. Windows end before their end date.</p>")
    for side_name, side in d["sides"].items():
        base = f"sides.{side_name}"
        scal = ", ".join(f"{k} {fmt(f'{base}.{k}', v)}" for k, v in _side_scalars(side).items())
        out.append(f'<details open><summary>{_esc(side_name)}</summary>')
        if scal:
            out.append(f"<p>{_esc(scal)}</p>")
        for kind, items in _components(side):
            rows = {name: dict(_rows(kind, item, f"{base}.{kind}.{name}" if name else f"{base}.{kind}", fmt))
                    for name, item in items.items()}
            fields: list[str] = []
            for r in rows.values():
                fields.extend(k for k in r if k not in fields)
            order = list(_ORDER.get(kind, ()))
            fields.sort(key=lambda k: (order.index(k) if k in order else len(order), k))
            out.append(f"<p><b>{_esc(_TITLES[kind])}</b></p><table>")
            if any(rows):
                out.append("<tr><th></th>" + "".join(f"<th>{_esc(n)}</th>" for n in rows) + "</tr>")
            for f in fields:
                unit = _FIELD_UNITS.get((kind, f))
                name = f"{f} ({unit})" if unit else f
                out.append(f"<tr><th>{_esc(name)}</th>" + "".join(_cell(r.get(f, "")) for r in rows.values()) + "</tr>")
            out.append("</table>")
        out.append("</details>")
    unc = sc.uncertain_list()
    out.append(f"<details><summary>{len(unc)} uncertain parameters (dotted paths for <code>with_values</code>)"
               "</summary><table><tr><th>path</th><th>distribution</th><th>low</th><th>high</th></tr>")
    for u in unc:
        out.append(
            f"<tr><td><code>{_esc(u['path'])}</code></td><td>{_esc(u['distribution'])}</td>"
            f'<td class="num">{_esc(num(u["low"]))}</td><td class="num">{_esc(num(u["high"]))}</td></tr>'
        )
    out.append("</table></details></div>")
    return "\n".join(out)


# ----------------------------------------------------------------------------- result


def key_outcomes(result: "Result", patterns: Sequence[str] | None = None) -> list[str]:
    """Names of the key outcomes (the command line's table), in pattern order."""
    if patterns is None:
        from .cli import KEY_OUTCOMES

        patterns = KEY_OUTCOMES
    names: list[str] = []
    for p in patterns:
        names.extend(n for n in result.outcome_names if fnmatch.fnmatchcase(n, p) and n not in names)
    return names


def outcome_rows(result: "Result", names: Iterable[str]) -> list[dict[str, Any]]:
    rows = result.outcome_table(list(names), q=(0.05, 0.5, 0.95))
    for r in rows:
        r["unit"] = _labels.unit(r["outcome"], outcome=True)
        r["first_passage"] = _labels.is_first_passage(r["outcome"])
    return rows


def _date_of(result: "Result", day: float) -> str:
    if not np.isfinite(day):
        return ""
    return str(np.datetime64(result.scenario.start, "D") + int(round(day)))


def result_text(result: "Result") -> str:
    head = (
        f"<Result {result.scenario.name!r}: n={result.n}, seed={result.seed}, "
        f"{result.dates[0]} .. {result.dates[-1]} ({result.days} days), "
        f"{len(result.series_names)} series as {'paths' if result.paths else 'summaries'}, "
        f"{len(result.outcome_names)} outcomes as {result.outcomes_kept}>"
    )
    rows = outcome_rows(result, key_outcomes(result))
    if not rows:
        return head
    w = max(len("outcome"), *(len(r["outcome"]) for r in rows))
    uw = max(len("unit"), *(len(r["unit"]) for r in rows))
    lines = [head, "Key outcomes: median and 90 % interval (5 % to 95 %) over trajectories; "
                   "days_to_* count days from the start, 'never' is the share censored at the horizon.",
             f"  {'outcome':<{w}}  {'unit':<{uw}}  {'median':>11}  {'5 %':>11}  {'95 %':>11}  {'never':>5}"]
    for r in rows:
        never = f"{r['censored']:.0%}" if r["first_passage"] else ""
        lines.append(
            f"  {r['outcome']:<{w}}  {r['unit']:<{uw}}  {num(r['q0.5']):>11}  {num(r['q0.05']):>11}  "
            f"{num(r['q0.95']):>11}  {never:>5}"
        )
    return "\n".join(lines)


def result_html(result: "Result") -> str:
    from . import __version__

    sc = result.scenario
    out = [_CSS, '<div class="attrition-view">']
    out.append(
        f"<p><b>Result</b> of <code>{_esc(sc.name)}</code>: <b>n = {result.n:,}</b> trajectories, "
        f"seed = <code>{result.seed}</code>, {_esc(result.dates[0])} to {_esc(result.dates[-1])} "
        f"({result.days} days). {len(result.series_names)} series as "
        f"{'full paths' if result.paths else 'streaming summaries'}, {len(result.outcome_names)} outcomes "
        f"as {'per-trajectory arrays' if result.outcomes_kept == 'arrays' else 'sketches'}; "
        f"attrition {_esc(__version__)}.</p>"
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
                f"<tr><td title='{_esc(r['outcome'])}'>{_esc(_labels.label(r['outcome']))}<br>"
                f"<code class='muted'>{_esc(r['outcome'])}</code></td><td>{_esc(r['unit'])}</td>"
                f"<td class='num'>{_esc(med)}</td><td class='num'>{_esc(num(r['q0.05']))}</td>"
                f"<td class='num'>{_esc(num(r['q0.95']))}</td><td class='num'>{_esc(never)}</td></tr>"
            )
        out.append("</table>")
        out.append(
            "<p class='muted'>Median and 90 % interval over trajectories. First-passage outcomes "
            "(days until ...) are days from the start date, over the trajectories in which the event "
            "happened; <i>never</i> is the share in which it did not happen within the horizon.</p>"
        )
    names = result.series_names
    out.append(f"<details><summary>{len(names)} recorded series</summary><table>"
               "<tr><th>series</th><th>unit</th></tr>")
    out += [f"<tr><td><code>{_esc(n)}</code></td><td>{_esc(_labels.unit(n, outcome=False))}</td></tr>" for n in names]
    out.append("</table></details></div>")
    return "\n".join(out)
