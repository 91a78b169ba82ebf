"""Hypothesis strategies for the arguments of the whole Python API (run, compare,
merge, sweep, samples=, summary blobs, pickles, the command line), and a JSON
form of a case for the crash-reproduction corpus (tests/corpus/).

A case is ``{"kind": ..., "args": {...}}``; values JSON cannot hold are tagged:
``{"$range": [a, b, step]}``, ``{"$float": "nan"}``, ``{"$bytes": "hex"}``,
``{"$array": [...], "dtype": "float64"}``, ``{"$tuple": [...]}``,
``{"$object": "type name"}`` (an object of no use to the API).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

#: The scenario of the API fuzz: tests/data/two_sides.toml over a few days.
DAYS = 4
UNCERTAIN = [
    "sides.red.calibers.152mm.initial_stock",
    "sides.red.fleets.guns.barrel_life",
]
SERIES = ["red.ammo.152mm.stock", "red.fleet.guns.serviceable", "blue.ammo.155mm.stock", "red.casualties.total.daily"]

BIG_INTS = [0, 1, -1, 63, 64, 65, 2**31, 2**32, 2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, 2**64, 2**64 + 1, 10**30]
hostile_ints = st.one_of(st.sampled_from(BIG_INTS + [-x for x in BIG_INTS]), st.integers())
hostile_floats = st.sampled_from([math.nan, math.inf, -math.inf, 0.5, 1.5, -0.0, 1e300, 2.0**64])
junk = st.sampled_from([None, "", "x", "all", "1", b"\x00", [], {}, (), {1, 2}, True, False, 1j, object()])
hostile = st.one_of(hostile_ints, hostile_floats, junk, st.text(max_size=20))

small_n = st.integers(1, 200)
counts = st.one_of(small_n, small_n, hostile)
seeds = st.one_of(st.integers(0, 2**64 - 1), hostile)
starts = st.one_of(st.integers(0, 10_000), st.sampled_from([2**63 - 5, 2**64 - 300, 2**64 - 1]))
ranges = st.one_of(
    st.builds(lambda a, k: range(a, min(a + k, 2**64)), starts, st.integers(1, 150)),
    st.builds(range, hostile_ints, hostile_ints),
    st.builds(range, st.integers(0, 100), st.integers(0, 100), st.sampled_from([1, 2, -1])),
    hostile,
)
names = st.one_of(
    st.sampled_from(SERIES + ["red.*", "*.stock", "*", "[", "red.ammo.152mm.stok", "all", "x" * 5000]),
    st.text(max_size=12),
)
series = st.one_of(st.none(), st.just("all"), st.lists(names, max_size=3), names, hostile)
flags = st.one_of(st.booleans(), st.none(), hostile)
threads = st.one_of(st.none(), st.integers(1, 3), st.sampled_from([0, 1024, 1025, 10**6]), hostile)
# Never None: the fuzz bounds every run's results (a valid huge request must not fill the machine).
memory = st.one_of(st.integers(0, 200_000_000), st.sampled_from([0, 1, 10**4]), hostile.filter(lambda x: x is not None))
outcome_modes = st.one_of(st.sampled_from(["auto", "arrays", "sketch"]), hostile)
blocks = st.one_of(st.none(), st.integers(1, 200), hostile)


def sample_values(rows: int) -> st.SearchStrategy[Any]:
    floats = st.one_of(st.floats(), st.sampled_from([1500.0, 2000.0, 0.0, -1.0, 1e300, 1e12]))
    return st.one_of(
        st.lists(floats, min_size=rows, max_size=rows),
        st.lists(floats, max_size=rows + 2),
        st.lists(st.sampled_from([2000.0, "x", None]), min_size=rows, max_size=rows),
        st.just([[1.0, 2.0]] * rows),
        hostile,
    )


@st.composite
def samples(draw: Any, rows: int) -> Any:
    """None, or explicit parameter values: usually of the right shape, sometimes not."""
    if draw(st.integers(0, 3)) == 0:
        return None
    keys = draw(st.lists(st.one_of(st.sampled_from(UNCERTAIN), names), min_size=0, max_size=2, unique_by=str))
    out = {k: draw(sample_values(rows)) for k in keys}
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(junk, st.just(list(out.items()))))
    return out


@st.composite
def run_args(draw: Any) -> dict[str, Any]:
    """Keyword arguments of attrition.run: each left out, valid or hostile."""
    n = draw(counts)
    kw: dict[str, Any] = {}
    if draw(st.integers(0, 4)):
        kw["n"] = n
    if draw(st.integers(0, 3)) == 0:
        kw["trajectories"] = draw(ranges)
    kw["seed"] = draw(seeds)
    for key, strat, p in (
        ("series", series, 2),
        ("paths", flags, 2),
        ("threads", threads, 3),
        ("progress", st.sampled_from([False, None]) | hostile, 6),
        ("outcomes", outcome_modes, 3),
        ("block", blocks, 8),
    ):
        if draw(st.integers(0, p)) == 0:
            kw[key] = draw(strat)
    kw["max_memory"] = draw(memory)
    rows = n if isinstance(n, int) and 0 < n <= 200 else 3
    s = draw(samples(rows))
    if s is not None:
        kw["samples"] = s
    return kw


# -- a JSON form of cases, for the corpus --------------------------------------------------


def encode(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return {"$float": repr(x)}
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if isinstance(x, range):
        return {"$range": [x.start, x.stop, x.step]}
    if isinstance(x, (bytes, bytearray)):
        return {"$bytes": bytes(x).hex()}
    if isinstance(x, np.ndarray):
        return {"$array": [encode(v) for v in x.tolist()], "dtype": str(x.dtype)}
    if isinstance(x, tuple):
        return {"$tuple": [encode(v) for v in x]}
    if isinstance(x, list):
        return [encode(v) for v in x]
    if isinstance(x, dict) and all(isinstance(k, str) for k in x):
        return {k: encode(v) for k, v in x.items()}
    return {"$object": type(x).__name__}


def decode(x: Any) -> Any:
    if isinstance(x, list):
        return [decode(v) for v in x]
    if not isinstance(x, dict):
        return x
    if "$float" in x:
        return float(x["$float"])
    if "$range" in x:
        return range(*x["$range"])
    if "$bytes" in x:
        return bytes.fromhex(x["$bytes"])
    if "$array" in x:
        return np.array(decode(x["$array"]), dtype=x["dtype"])
    if "$tuple" in x:
        return tuple(decode(v) for v in x["$tuple"])
    if "$object" in x:
        return {"set": {1, 2}, "complex": 1j}.get(x["$object"], object())
    return {k: decode(v) for k, v in x.items()}
