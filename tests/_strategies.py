"""Hypothesis strategies shared by the robustness tests: valid random
scenarios, hostile values, mutations of valid scenarios, and a small TOML
writer that can also write what the library would refuse.

The number of examples scales with ``ATTRITION_FUZZ_EXAMPLES`` (the total over
the fuzz, API fuzz and invariant tests; default :data:`CI_TOTAL`).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import os
import random
from typing import Any

import numpy as np
from hypothesis import strategies as st

#: Examples over all fuzz and invariant tests in a default (CI) run: the sum of the
#: shares passed to :func:`examples` in tests/test_fuzz.py (2,580), tests/test_api_fuzz.py
#: (465) and tests/test_invariants.py (100).
CI_TOTAL = 3145


def total_examples() -> int:
    raw = os.environ.get("ATTRITION_FUZZ_EXAMPLES", "")
    return int(raw) if raw.strip() else CI_TOTAL


def examples(share: int) -> int:
    """``share`` examples out of :data:`CI_TOTAL`, scaled to the requested total."""
    return max(1, round(share * total_examples() / CI_TOTAL))


# ----------------------------------------------------------------------------- names
NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_-"
names = st.text(alphabet=NAME_ALPHABET, min_size=1, max_size=10)


# ----------------------------------------------------------------------------- valid scenarios
# One generator, two sources of choices: hypothesis (which shrinks a failing
# scenario to a small one) and a seeded random.Random (about a hundred times
# cheaper per scenario, for the fuzz tests' base scenarios).
NONNEG, PROB, POSITIVE, GROWTH = "nonneg", "prob", "positive", "growth"


class HypothesisChoices:
    def __init__(self, draw: Any) -> None:
        self.draw = draw

    def floats(self, lo: float, hi: float) -> float:
        return self.draw(st.floats(lo, hi, allow_nan=False, allow_infinity=False))

    def integers(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def choice(self, xs: list[Any]) -> Any:
        return self.draw(st.sampled_from(xs))

    def boolean(self) -> bool:
        return self.draw(st.booleans())

    def names(self, lo: int, hi: int) -> list[str]:
        return self.draw(st.lists(names, min_size=lo, max_size=hi, unique=True))

    def text(self) -> str:
        return self.draw(st.text(max_size=40))


class RandomChoices:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def floats(self, lo: float, hi: float) -> float:
        r = self.rng.random()
        return lo if r < 0.05 else hi if r < 0.1 else self.rng.uniform(lo, hi)

    def integers(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, xs: list[Any]) -> Any:
        return self.rng.choice(xs)

    def boolean(self) -> bool:
        return self.rng.random() < 0.5

    def names(self, lo: int, hi: int) -> list[str]:
        k = self.rng.randint(lo, hi)
        out: list[str] = []
        while len(out) < k:
            n = "".join(self.rng.choice(NAME_ALPHABET) for _ in range(self.rng.randint(1, 8)))
            if n not in out:
                out.append(n)
        return out

    def text(self) -> str:
        return "".join(chr(self.rng.randint(32, 0x2FFF)) for _ in range(self.rng.randint(0, 20)))


def gen_param(c: Any, lo: float, hi: float, domain: str = NONNEG) -> Any:
    """A number or a distribution table whose whole support lies in [lo, hi]
    and in the domain (``positive`` keeps above zero)."""
    if domain == POSITIVE:
        lo = max(lo, 1e-3 * max(hi, 1e-3))
    kind = c.choice(["plain", "plain", "int", "uniform", "triangular", "pert", "normal", "lognormal", "beta", "choice"])
    if kind == "plain":
        return c.floats(lo, hi)
    if kind == "int":
        return c.integers(math.ceil(lo), max(math.ceil(lo), math.floor(hi)))
    a, b, z = sorted(c.floats(lo, hi) for _ in range(3))
    if not a < z:
        a, z = lo, hi
        if not a < z:
            return a
    b = min(max(b, a), z)
    if kind == "uniform":
        return {"dist": "uniform", "low": a, "high": z}
    if kind == "triangular":
        return {"dist": "triangular", "low": a, "mode": b, "high": z}
    if kind == "pert":
        d = {"dist": "pert", "low": a, "mode": b, "high": z}
        if c.boolean():
            d["shape"] = c.floats(0.5, 20)
        return d
    if kind == "normal":
        return {"dist": "normal", "mean": b, "sd": c.floats(0, z - a), "low": a, "high": z}
    if kind == "lognormal":
        a = max(a, 1e-6 * max(z, 1e-6))
        if not a < z:
            return z
        return {"dist": "lognormal", "mu": math.log(min(max(b, a), z)), "sigma": c.floats(0.01, 2), "low": a, "high": z}
    if kind == "beta":
        return {"dist": "beta", "a": c.floats(0.2, 20), "b": c.floats(0.2, 20), "low": a, "high": z}
    values = [c.floats(lo, hi) for _ in range(c.integers(1, 4))]
    d = {"dist": "choice", "values": values}
    if c.boolean():
        w = [c.floats(0, 10) for _ in values]
        if sum(w) > 0:
            d["weights"] = w
    return d


def _date(c: Any, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=c.integers(0, (hi - lo).days))


def _window(c: Any, start: dt.date, days: int, keys: tuple[str, str] = ("start", "end")) -> dict[str, str]:
    """An optional window, sometimes outside the horizon, never ending before it starts."""
    out: dict[str, str] = {}
    lo, hi = start - dt.timedelta(days=30), start + dt.timedelta(days=days + 30)
    s = _date(c, lo, hi) if c.boolean() else None
    e = _date(c, s or lo, hi) if c.boolean() else None
    if s is not None:
        out[keys[0]] = s.isoformat()
    if e is not None:
        out[keys[1]] = e.isoformat()
    return out


def gen_side(c: Any, start: dt.date, days: int) -> dict[str, Any]:
    p = lambda lo, hi, dom=NONNEG: gen_param(c, lo, hi, dom)  # noqa: E731
    out: dict[str, Any] = {"ref_fire": p(1, 1e5, POSITIVE)}
    cal_names = c.names(0, 2)
    out["calibers"] = {
        k: {
            "initial_stock": p(0, 1e6),
            "initial_dud_fraction": p(0, 1, PROB),
            "lethality": p(0, 3),
            "reserve": p(0, 1e5),
            "reserve_days": p(0, 10),
        }
        for k in cal_names
    }
    if cal_names:
        supply = {}
        for line in c.names(0, 3):
            d = {
                "caliber": c.choice(cal_names),
                "rate": p(0, 1e4),
                "growth": p(-0.5, 1, GROWTH),
                "lot_size": p(1, 1000),
                "dud_fraction": p(0, 1, PROB),
                "price": p(0, 1e4),
            }
            if c.boolean():
                d["supplier"] = c.names(1, 1)[0]
            d.update(_window(c, start, days))
            supply[line] = d
        out["supply"] = supply
        fleets = {}
        for fleet in c.names(0, 3):
            d = {
                "caliber": c.choice(cal_names),
                "guns": p(0, 300),
                "rounds_per_gun_day": p(0, 50),
                "efc_per_round": p(0, 2),
                "barrel_life": p(1, 5000, POSITIVE),
                "barrel_shape": p(1, 10, POSITIVE),
                "initial_wear": p(0, 1, PROB),
                "spares": p(0, 100),
                "spare_rate": p(0, 5),
                "repair_days": p(0, 30),
                "combat_loss": p(0, c.choice([0.01, 0.1, 1.0]), PROB),
                "combat_beta": p(0, 3),
                "accuracy_loss": p(0, 1, PROB),
                "accuracy_exponent": c.integers(1, 3),
                "threshold": p(0, 1, PROB),
            }
            if c.boolean():
                d["max_wait_days"] = p(0, 60)
            if c.boolean():
                dl = {"rate": p(0, 5), "lot_size": p(1, 20)}
                dl.update(_window(c, start, days))
                d["deliveries"] = dl
            fleets[fleet] = d
        out["fleets"] = fleets
    if c.boolean():
        cas: dict[str, Any] = {
            "base": p(0, c.choice([100.0, 5000.0, 1e6])),
            "alpha": p(0, 2),
            "drift_sd": p(0, 0.2),
            "drift_reversion": p(0, 1, PROB),
            "slow_drift_sd": p(0, 0.05),
            "slow_drift_reversion": p(0, 1, PROB),
            "initial_cumulative": p(0, 1e6),
        }
        if c.boolean():
            cas["dispersion"] = p(0.1, 100, POSITIVE)
        tempo = []
        for _ in range(c.integers(0, 2)):
            t = {"factor": p(0, 3)}
            t.update(_window(c, start, days))
            t.setdefault("start", start.isoformat())
            if "end" in t and t["end"] < t["start"]:
                t["end"] = t["start"]
            tempo.append(t)
        if tempo:
            cas["tempo"] = tempo
        th = [c.floats(0, 2e6) for _ in range(c.integers(0, 3))]
        if th:
            cas["thresholds"] = th
        out["casualties"] = cas
        conts = {}
        for cname in c.names(0, 3):
            d = {
                "strength": p(0, 1e5),
                "relative_risk": p(0, 5),
                "killed_fraction": p(0, 1, PROB),
                "rtd": p(0, 1, PROB),
                "rtd_days": p(0, 60),
                "payment": p(0, 100),
                "arrival_rate": p(0, 100),
            }
            if c.boolean():
                d["sender"] = c.names(1, 1)[0]
            lo, hi = start - dt.timedelta(days=5), start + dt.timedelta(days=days + 5)
            sched = [{"date": _date(c, lo, hi).isoformat(), "size": p(0, 1e4)} for _ in range(c.integers(0, 2))]
            if sched:
                d["schedule"] = sched
            d.update(_window(c, start, days, ("arrivals_start", "arrivals_end")))
            conts[cname] = d
        out["contingents"] = conts
    if c.boolean():
        out["territory"] = {
            "rate": p(0, 50),
            "cv": p(0, 2),
            "gamma": p(0, 2),
            "ref_ratio": p(0.1, 10, POSITIVE),
            "reference_area_km2": p(1, 1e6, POSITIVE),
        }
    return out


def gen_scenario(c: Any, max_days: int = 60) -> dict[str, Any]:
    """A valid scenario dict: one or two sides with random sub-models."""
    start = _date(c, dt.date(1990, 1, 1), dt.date(2040, 12, 31))
    days = c.integers(1, max_days)
    side_names = c.names(1, 2)
    sides = {s: gen_side(c, start, days) for s in side_names}
    if len(side_names) == 2 and c.boolean():
        a, b = side_names
        sides[a]["opponent"], sides[b]["opponent"] = b, a
    d = {"name": c.names(1, 1)[0], "start": start.isoformat(), "days": days, "sides": sides}
    if c.boolean():
        d["coupling"] = c.boolean()
    if c.boolean():
        d["description"] = c.text()
    return d


def scenarios(max_days: int = 60) -> st.SearchStrategy[dict[str, Any]]:
    """Valid scenario dicts, shrinking towards small ones."""
    return st.composite(lambda draw: gen_scenario(HypothesisChoices(draw), max_days))()


def seeded_scenarios(max_days: int = 60) -> st.SearchStrategy[dict[str, Any]]:
    """Valid scenario dicts from a seeded generator: cheap, shrinking only the seed."""
    return st.integers(0, 2**32 - 1).map(lambda seed: gen_scenario(RandomChoices(seed), max_days))


# ----------------------------------------------------------------------------- hostile values
HUGE = [1e15, 1e100, 1e101, 1e300, 1.7976931348623157e308, 2.0**63, 2.0**64]
hostile_numbers = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 0.0, -1.0, 5e-324, -5e-324, *HUGE, *(-x for x in HUGE)]),
    st.sampled_from([0, -1, 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1, -(2**63), 2**63, 2**64, 10**30, -(10**30), 10**400]),
    st.floats(),
    st.integers(),
)
hostile_strings = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "__import__('os').system('echo pwned')",
            "${HOME}",
            "$(id)",
            "`id`",
            "{{7*7}}",
            "%s%n",
            "../../etc/passwd",
            "include.toml",
            "2024-02-30",
            "2023-02-29",
            "0000-01-01",
            "10000-01-01",
            "+999-01-01",
            "2024-1-1",
            "2024-01-01T00:00:00",
            "2024/01/01",
            "nan",
            "inf",
            "1e308",
            "12",
            "pert",
            "\x00",
            "\ud800",
            "é" * 5,
            "\u202e",
            "a" * 10_000,
            "russia",
            "152mm",
        ]
    ),
    st.text(max_size=30),
)
hostile_scalars = st.one_of(
    hostile_numbers,
    hostile_strings,
    st.booleans(),
    st.none(),
    st.sampled_from([dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.datetime(2024, 12, 24, 12, 0), dt.time(7, 32)]),
    st.sampled_from([np.float64("nan"), np.float32(1.5), np.int64(7), np.uint64(2**64 - 1), np.bool_(True)]),
    st.sampled_from([b"bytes", bytearray(b"x"), {1, 2}, frozenset(), 1j, object()]),
)


def _deep(depth: int, leaf: Any = 1) -> Any:
    out: Any = leaf
    for i in range(depth):
        out = {"a": out} if i % 2 else [out]
    return out


hostile_containers = st.one_of(
    st.just({}),
    st.just([]),
    st.sampled_from([_deep(40), _deep(5), [[]], [{}], {"dist": None}]),
    st.dictionaries(
        st.sampled_from(
            [
                "dist",
                "low",
                "mode",
                "high",
                "value",
                "values",
                "weights",
                "shape",
                "mean",
                "sd",
                "mu",
                "sigma",
                "a",
                "b",
                "x",
            ]
        ),
        st.one_of(
            hostile_numbers,
            st.sampled_from(
                ["pert", "normal", "choice", "fixed", "beta", "uniform", "lognormal", "triangular", "gamma"]
            ),
            st.lists(hostile_numbers, max_size=3),
        ),
        max_size=5,
    ),
    st.lists(hostile_scalars, max_size=4),
)
#: Values a scenario may well accept: edges of the domains, extreme distributions.
edge_values = st.one_of(
    st.sampled_from(
        [
            0,
            0.0,
            -0.0,
            1,
            2,
            3,
            0.5,
            1 - 1e-16,
            1e-300,
            5e-324,
            30,
            365,
            1e4,
            1e6,
            1e9,
            1e12,
            1e15,
            1e99,
            1e100,
            "2024-12-24",
            "1990-01-01",
            "2100-01-01",
            "9999-12-31",
            "0001-01-01",
            dt.date(2024, 12, 25),
        ]
    ),
    st.sampled_from(
        [
            {"dist": "uniform", "low": 0, "high": 1e100},
            {"dist": "pert", "low": 0, "mode": 0, "high": 1e100, "shape": 1e100},
            {"dist": "triangular", "low": 0, "mode": 1e100, "high": 1e100},
            {"dist": "normal", "mean": 0, "sd": 1e100, "low": 0},
            {"dist": "normal", "mean": 1, "sd": 0},
            {"dist": "lognormal", "mu": 0, "sigma": 17, "high": 1e100},
            {"dist": "lognormal", "mu": -700, "sigma": 0.1},
            {"dist": "beta", "a": 1e-100, "b": 1e100},
            {"dist": "choice", "values": [0, 1e100], "weights": [1e-100, 1e100]},
            {"dist": "choice", "values": [1]},
            {"dist": "fixed", "value": 1},
        ]
    ),
    st.floats(0, 1),
    st.floats(0, 1e7),
)
hostile_values = st.one_of(edge_values, hostile_scalars, hostile_containers)

#: Keys a user might add or misspell.
hostile_keys = st.one_of(
    st.sampled_from(
        [
            "include",
            "import",
            "extends",
            "__proto__",
            "__class__",
            "sides ",
            "Sides",
            "side",
            "stat",
            "dats",
            "ref-fire",
            "refire",
            "caliber",
            "calibres",
            "fleet",
            "gunz",
            "barrel_lif",
            "rate ",
            "",
            ".",
            "a.b",
            "\x00",
            "\ud800",
            "é",
            "k" * 300,
        ]
    ),
    st.text(max_size=12),
)


# ----------------------------------------------------------------------------- mutations
def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node)
    if isinstance(node, list):
        return list(range(len(node)))
    return []


@st.composite
def mutated(draw: Any, base: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    """A deep copy of ``base`` with one to three mutations. Returns the dict,
    the dotted path of the first mutation and its kind."""
    d = json.loads(json.dumps(base))
    first: tuple[str, str] | None = None
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        # Walk down to a container, stopping at random.
        node, path = d, []
        while True:
            kids = [k for k in _children(node) if isinstance(node[k], (dict, list))]
            if not kids or draw(st.integers(0, 7)) == 0:
                break
            k = draw(st.sampled_from(kids))
            node, path = node[k], path + [k]
        keys = _children(node)
        kind = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add", "rename", "wrap"]))
        if not keys and kind != "add":
            kind = "add" if isinstance(node, dict) else "replace"
        if kind == "replace" and keys:
            k = draw(st.sampled_from(keys))
            old = node[k]
            numeric = isinstance(old, (int, float)) or (isinstance(old, dict) and "dist" in old)
            # A number is replaced by an edge value half the time, so that many mutants
            # pass the validation and reach the model.
            pool = st.one_of(edge_values, hostile_values) if numeric else hostile_values
            node[k] = copy.deepcopy(draw(pool))
            path = path + [k]
        elif kind == "delete" and keys:
            k = draw(st.sampled_from(keys))
            del node[k]
            path = path + [k]
        elif kind == "rename" and isinstance(node, dict) and keys:
            k = draw(st.sampled_from(keys))
            new = draw(hostile_keys | st.just(k[:-1] + "x" if k else "x") | st.just(k.upper()))
            node[new] = node.pop(k)
            path = path + [k]
        elif kind == "wrap" and keys:
            k = draw(st.sampled_from(keys))
            node[k] = copy.deepcopy(
                draw(
                    st.sampled_from([[node[k]], {"value": node[k]}, {"dist": "fixed", "value": node[k]}, str(node[k])])
                )
            )
            path = path + [k]
        elif isinstance(node, dict):
            kind = "add"
            node[draw(hostile_keys)] = copy.deepcopy(draw(hostile_values))
        else:
            kind = "add"
            node.append(copy.deepcopy(draw(hostile_values)))
        if first is None:
            first = (".".join(str(p) for p in path), kind)
    assert first is not None
    return d, first[0], first[1]


# ----------------------------------------------------------------------------- TOML writer
def _toml_string(x: str) -> str:
    # JSON escapes what TOML must escape, except DEL.
    return json.dumps(x, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_key(k: Any) -> str:
    return _toml_string(str(k))


def _toml_value(v: Any) -> str | None:
    """A TOML literal for any value, or None when TOML has no way to say it."""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        x = float(v)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    if isinstance(v, str):
        return _toml_string(v)
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        items = [_toml_value(x) for x in v]
        return "[" + ", ".join(x for x in items if x is not None) + "]"
    if isinstance(v, dict):
        items = [(k, _toml_value(x)) for k, x in v.items()]
        return "{" + ", ".join(f"{_toml_key(k)} = {x}" for k, x in items if x is not None) + "}"
    return None


def to_toml(d: dict[str, Any]) -> str:
    """TOML text for a dict, valid or not: top-level keys as lines, tables inline
    (TOML 1.1), values TOML cannot hold (None, bytes, sets) left out."""
    lines = []
    for k, v in d.items():
        s = _toml_value(v)
        if s is not None:
            lines.append(f"{_toml_key(k)} = {s}")
    return "\n".join(lines) + "\n"
