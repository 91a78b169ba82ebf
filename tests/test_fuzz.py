"""Hostile input: whatever a scenario dict, TOML text or file holds, loading it
gives a Scenario that runs, or a ScenarioError naming where the problem is
(a TypeError for a scenario that is not a mapping). Never a panic (pyo3's
PanicException derives from BaseException), a crash, a hang or another
exception.

Property-based (hypothesis), with a fixed derandomised seed in CI; the number
of examples scales with ATTRITION_FUZZ_EXAMPLES (see docs/reliability.md).
Each example runs under a watchdog that ends the process with a traceback if
it hangs, and hypothesis' deadline flags one that is merely very slow.
"""

from __future__ import annotations

import datetime as dt
import faulthandler
import json
import math
import os
import pathlib
import pickle
import re
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import attrition
from attrition import Scenario, ScenarioError

sys.path.insert(0, os.path.dirname(__file__))
import _strategies as S  # noqa: E402

# Hostile and random scenarios: implausible values are the point.
pytestmark = pytest.mark.filterwarnings("ignore::attrition.ScenarioWarning")

DATA = pathlib.Path(__file__).parent / "data"
BASES = [Scenario.builtin(b).to_dict() for b in attrition.builtins()] + [
    Scenario.load(DATA / "two_sides.toml").to_dict()
]
#: Seconds one example may take before the watchdog ends the process.
WATCHDOG = 120
#: Longest acceptable error message (a message echoes at most a window of the input).
MAX_MESSAGE = 20_000
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]

# A message starts with the dotted path of the problem ("sides.red.fleets.guns.guns: must be >= 0")
# or, for the text as a whole, with one of these.
WHOLE_TEXT = ("not valid TOML", "not valid text", "scenario text is")


class Watchdog:
    def __enter__(self) -> None:
        faulthandler.dump_traceback_later(WATCHDOG, exit=True)

    def __exit__(self, *exc: object) -> None:
        faulthandler.cancel_dump_traceback_later()


def check_message(e: ScenarioError) -> str:
    msg = str(e)
    assert msg, "empty error message"
    assert len(msg) < MAX_MESSAGE, f"message of {len(msg)} characters"
    lines = msg.splitlines()
    problems = lines[1:] if lines[0].endswith("problems in the scenario:") else lines[:1]
    for line in problems:
        line = line.strip()
        if line.startswith(WHOLE_TEXT):
            continue
        if "is neither a built-in scenario" in line:  # run("some name or path")
            continue
        assert ": " in line and not line.startswith(": "), f"no path in {line!r}"
    assert not any(c < " " for c in msg.replace("\n", "")), f"control characters in {msg!r}"
    return msg


def exercise(s: Scenario, full: bool = False) -> None:
    """A loaded scenario survives export and re-import and runs for a few days;
    ``full`` also checks the dict and pickle round trips and the repr."""
    assert isinstance(s, Scenario)
    assert Scenario.from_toml(s.to_toml()) == s
    if full:
        assert Scenario.from_dict(s.to_dict()) == s
        assert pickle.loads(pickle.dumps(s)) == s
        assert repr(s)
    short = s.with_values({"days": min(s.days, 3)})
    r = attrition.run(short, n=2, seed=11, series="all", threads=1)
    for name in r.series_names:
        assert r.series(name).shape == (2, short.days), name
    assert set(r.outcomes) == set(short.outcome_names)


def attempt(make, *, mapping: bool = True, full: bool = False) -> str | None:
    """Build a scenario and exercise it; return the error message when refused."""
    with Watchdog():
        try:
            s = make()
        except ScenarioError as e:
            return check_message(e)
        except TypeError as e:
            if mapping:
                raise AssertionError(f"TypeError for a mapping: {e}") from e
            return str(e)
        except Exception as e:  # noqa: BLE001 - anything else is a bug, reported with its input
            raise AssertionError(f"{type(e).__name__} instead of ScenarioError: {e}") from e
        except BaseException as e:  # PanicException
            if isinstance(e, KeyboardInterrupt):
                raise
            raise AssertionError(f"{type(e).__module__}.{type(e).__name__} (a panic?): {e}") from None
        try:
            exercise(s, full)
        except BaseException as e:
            if isinstance(e, (KeyboardInterrupt, AssertionError)):
                raise
            raise AssertionError(f"a loaded scenario failed: {type(e).__name__}: {e}") from None
    return None


# The built-ins are large (about 4 ms to load): one base in three.
base_dicts = st.one_of(st.sampled_from(BASES[:-1]), st.just(BASES[-1]), S.seeded_scenarios(max_days=10))


# ----------------------------------------------------------------------------- dicts
@settings(max_examples=S.examples(1000), suppress_health_check=SLOW)
@given(st.data())
def test_mutated_dicts(data):
    base = data.draw(base_dicts, label="base")
    d, path, kind = data.draw(S.mutated(base), label="mutated")
    attempt(lambda: Scenario.from_dict(d))


@settings(max_examples=S.examples(80), suppress_health_check=SLOW)
@given(S.scenarios(max_days=10))
def test_valid_random_scenarios_load_round_trip_and_run(d):
    assert attempt(lambda: Scenario.from_dict(d), full=True) is None
    assert attempt(lambda: Scenario.from_toml(S.to_toml(d))) is None


@settings(max_examples=S.examples(200), suppress_health_check=SLOW)
@given(st.one_of(S.hostile_values, st.lists(st.integers()), st.tuples(st.text())))
def test_anything_as_a_scenario(x):
    attempt(lambda: Scenario.from_dict(x), mapping=isinstance(x, dict))
    attempt(lambda: attrition.run(x, n=1, seed=0), mapping=isinstance(x, dict) or isinstance(x, str))


@settings(max_examples=S.examples(300), suppress_health_check=SLOW)
@given(st.sampled_from(BASES), st.data())
def test_with_values_hostile(base, data):
    s = Scenario.from_dict(base)
    leaves = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else k)
        else:
            leaves.append(path)

    walk(base, "")
    path = data.draw(
        st.one_of(st.sampled_from(leaves), S.hostile_keys, st.sampled_from(leaves).map(lambda p: p + ".x")),
        label="path",
    )
    value = data.draw(S.hostile_values, label="value")
    attempt(lambda: s.with_values({path: value}))


# ----------------------------------------------------------------------------- TOML text
def corrupt_text(data, text: str) -> str:
    """One text-level corruption: duplicate a line (duplicate keys and tables),
    drop, cut or splice."""
    lines = text.splitlines()
    kind = data.draw(st.sampled_from(["dup", "drop", "cut", "splice", "none"]), label="corruption")
    if kind == "dup" and lines:
        i = data.draw(st.integers(0, len(lines) - 1))
        lines.insert(i, lines[i])
    elif kind == "drop" and lines:
        del lines[data.draw(st.integers(0, len(lines) - 1))]
    elif kind == "cut":
        return text[: data.draw(st.integers(0, len(text)))]
    elif kind == "splice":
        i = data.draw(st.integers(0, len(text)))
        tok = data.draw(
            st.sampled_from(
                [
                    "[",
                    "]",
                    "{",
                    "=",
                    '"',
                    "\n[sides]\n",
                    "\n[[sides.a]]\n",
                    '\ninclude = "x.toml"\n',
                    "\\",
                    "#",
                    "'''",
                    "\x00",
                    "\ufeff",
                    " = nan",
                    "\n[sides.x.fleets.f]\n",
                ]
            )
        )
        return text[:i] + tok + text[i:]
    return "\n".join(lines) + "\n"


@settings(max_examples=S.examples(500), suppress_health_check=SLOW)
@given(st.data())
def test_mutated_toml(data):
    base = data.draw(base_dicts, label="base")
    d, path, kind = data.draw(S.mutated(base), label="mutated")
    if data.draw(st.booleans(), label="as written by the library"):
        text = Scenario.from_dict(base).to_toml()
    else:
        text = S.to_toml(d)
    text = corrupt_text(data, text)
    attempt(lambda: Scenario.from_toml(text))


TOKENS = [
    "=",
    "[",
    "]",
    "{",
    "}",
    ",",
    '"',
    "'",
    "\n",
    "name",
    "start",
    "days",
    "sides",
    "dist",
    "pert",
    "1e308",
    "nan",
    "inf",
    "-1",
    "2024-12-24",
    "0000-01-01",
    "true",
    "[sides.a]",
    "ref_fire",
    "guns",
    "caliber",
    "x",
    "1",
]


@settings(max_examples=S.examples(300), suppress_health_check=SLOW)
@given(st.one_of(st.text(max_size=300), st.lists(st.sampled_from(TOKENS), max_size=60).map(" ".join)))
def test_garbage_text(text):
    attempt(lambda: Scenario.from_toml(text))


@settings(max_examples=S.examples(200), suppress_health_check=SLOW)
@given(
    st.one_of(
        st.binary(max_size=300), st.sampled_from(BASES).map(lambda d: Scenario.from_dict(d).to_toml().encode())
    ).flatmap(lambda b: st.tuples(st.just(b), st.integers(0, len(b)), st.binary(min_size=1, max_size=4)))
)
def test_file_bytes(tmp_path_factory, case):
    """Any bytes in a file, invalid UTF-8 included: a Scenario or a ScenarioError."""
    raw, at, junk = case
    path = tmp_path_factory.mktemp("f") / "s.toml"
    path.write_bytes(raw[:at] + junk + raw[at:])
    attempt(lambda: Scenario.load(path))


# ----------------------------------------------------------------------------- regressions
def test_invalid_utf8_file_names_the_file(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_bytes(b'name = "\xff"\n')
    with pytest.raises(ScenarioError, match=r"bad\.toml: not UTF-8 text \(byte 8\)"):
        Scenario.load(p)


def test_year_zero_and_signed_years_are_refused(small_dict):
    # Year 0 passed the parser but broke Scenario.start (Python dates start at year 1).
    for bad in ["0000-01-01", "+999-01-01", " 999-01-01"]:
        d = dict(small_dict, start=bad)
        with pytest.raises(ScenarioError, match="^start: "):
            Scenario.from_dict(d)
    d = dict(small_dict, start="9999-12-31", days=3)
    assert Scenario.from_dict(d).start == dt.date(9999, 12, 31)
    attrition.run(Scenario.from_dict(d), n=1, seed=1)


def test_lone_surrogate_in_toml_is_a_scenario_error(small):
    # Was a bare UnicodeEncodeError from the str conversion.
    with pytest.raises(ScenarioError, match="line 2 holds a lone surrogate"):
        Scenario.from_toml(small.to_toml().replace("\n", '\ndescription = "\ud800"\n', 1))


def test_long_line_gives_a_short_message():
    # The TOML error used to echo the whole offending line (megabytes for a hostile file).
    for text in ["x = " + "[" * 100_000 + "]" * 100_000, 'x = "' + "a" * 1_000_000 + '" y']:
        with pytest.raises(ScenarioError) as e:
            Scenario.from_toml(text)
        msg = str(e.value)
        assert msg.startswith("not valid TOML: line 1, column ")
        assert len(msg) < 500, len(msg)


@pytest.mark.parametrize(
    "dist",
    [
        {"dist": "pert", "low": 0, "mode": 8.9e307, "high": 1.7e308},  # shape x range overflowed: NaN draws
        {"dist": "triangular", "low": 0, "mode": 1.7e308, "high": 1.7e308},  # inf draws
        {"dist": "normal", "mean": 1.7e308, "sd": 1.7e308, "low": 0},  # inf draws
        {"dist": "beta", "a": 1.7e308, "b": 1.7e308},  # NaN draws
        {"dist": "choice", "values": [1, 2], "weights": [1.7e308, 1.7e308]},  # always the last value
        {"dist": "lognormal", "mu": 709, "sigma": 1},  # inf draws
        1e101,
    ],
)
def test_distributions_whose_draws_overflow_are_refused(small, dist):
    with pytest.raises(ScenarioError, match=r"^sides\.red\.casualties\.base: .*(within ±1e100|overflow)"):
        small.with_values({"sides.red.casualties.base": dist})


def test_large_but_representable_distributions_draw_finite_values(small):
    for dist in [
        {"dist": "pert", "low": 0, "mode": 5e99, "high": 1e100, "shape": 1e100},
        {"dist": "triangular", "low": 0, "mode": 1e100, "high": 1e100},
        {"dist": "normal", "mean": 1e100, "sd": 1e100, "low": 0},
        {"dist": "beta", "a": 1e100, "b": 1e100, "high": 1e100},
        {"dist": "choice", "values": [1, 2], "weights": [1e100, 1e100]},
        {"dist": "lognormal", "mu": 600, "sigma": 2},
    ]:
        s = small.with_values({"sides.red.casualties.base": dist, "days": 1})
        p = attrition.run(s, n=64, seed=2, series=[]).params["sides.red.casualties.base"]
        assert np.isfinite(p).all(), dist
        if dist["dist"] == "choice":
            assert set(p) == {1.0, 2.0}


def test_huge_numbers_in_messages_are_short(small):
    with pytest.raises(ScenarioError) as e:
        small.with_values({"sides.red.casualties.base": {"dist": "uniform", "low": -1e99, "high": 1e99}})
    assert "e99" in str(e.value) and len(str(e.value)) < 300


def test_device_file_is_refused_without_reading_it():
    # /dev/zero reports size 0; reading it whole never ended. Only regular files are read.
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    with Watchdog(), pytest.raises(ScenarioError, match="^/dev/zero: a character device, not a scenario file"):
        Scenario.load("/dev/zero")


def test_messages_are_data_not_templates(small_dict):
    for s in ["%s%n", "{0}", "${HOME}", "\x1b[31m"]:
        d = json.loads(json.dumps(small_dict))
        d["sides"]["red"]["fleets"]["guns"]["caliber"] = s
        with pytest.raises(ScenarioError) as e:
            Scenario.from_dict(d)
        msg = str(e.value)
        assert msg.startswith("sides.red.fleets.guns.caliber: no caliber named")
        # Shown as it is, control characters escaped (an escape sequence cannot recolour a terminal).
        assert s.replace("\x1b", "\\u{1b}") in msg


def test_numpy_and_python_numbers_agree(small_dict):
    a = json.loads(json.dumps(small_dict))
    b = json.loads(json.dumps(small_dict))
    a["sides"]["red"]["ref_fire"] = 1000
    b["sides"]["red"]["ref_fire"] = np.float32(1000)
    assert Scenario.from_dict(a) == Scenario.from_dict(b)
    b["sides"]["red"]["ref_fire"] = np.float64(math.nan)
    with pytest.raises(ScenarioError, match="^sides.red.ref_fire: must be a finite number"):
        Scenario.from_dict(b)


@pytest.mark.parametrize(
    "path",
    [
        "sides.red.supply.home",
        "sides.red.fleets.guns.deliveries",
        "sides.red.casualties.tempo[0]",
        "sides.red.contingents.main",
    ],
)
def test_windows_that_end_before_they_start_are_refused(small_dict, path):
    d = json.loads(json.dumps(small_dict))
    red = d["sides"]["red"]
    red["fleets"]["guns"]["deliveries"] = {"rate": 1}
    red["casualties"]["tempo"] = [{"start": "2025-01-01", "factor": 2}]
    node = {
        "sides.red.supply.home": red["supply"]["home"],
        "sides.red.fleets.guns.deliveries": red["fleets"]["guns"]["deliveries"],
        "sides.red.casualties.tempo[0]": red["casualties"]["tempo"][0],
        "sides.red.contingents.main": red["contingents"]["main"],
    }[path]
    start, end = ("arrivals_start", "arrivals_end") if "contingents" in path else ("start", "end")
    node[start], node[end] = "2025-02-01", "2025-01-31"
    with pytest.raises(ScenarioError, match=rf"^{re.escape(path)}\.{end}: the window ends before it starts"):
        Scenario.from_dict(d)
    node[end] = "2025-02-01"  # an empty window is fine
    Scenario.from_dict(d)
