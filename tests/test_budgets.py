"""Total budgets, checked before anything is allocated: guns, returns waiting and
items over the whole scenario (each refusal naming the largest contributor), the
memory of a run including each worker's trajectory state and the sketches'
real size, and scenarios up to the size limit compiled in linear time without
the GIL."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import pytest

import attrition
from attrition import ResourceError, Scenario, ScenarioError, _core


def fleets(count: int, guns: float, **extra) -> dict:
    f = {f"f{i}": {"caliber": "c", "guns": guns, "rounds_per_gun_day": 1, "barrel_life": 2000} for i in range(count)}
    side = {"calibers": {"c": {"initial_stock": 1e6}}, "fleets": f, **extra}
    return {"name": "big", "start": "2024-12-24", "days": 10, "sides": {"a": side}}


TOTAL_GUNS = """
    import sys, attrition
    fleets = {f"f{i}": {"caliber": "c", "guns": 1e6, "rounds_per_gun_day": 1, "barrel_life": 2000} for i in range(2000)}
    d = {"name": "big", "start": "2024-12-24", "days": 10,
         "sides": {"a": {"calibers": {"c": {"initial_stock": 1e6}}, "fleets": fleets}}}
    try:
        attrition.run(d, n=1, seed=1, series=[])
    except attrition.ScenarioError as e:
        print("refused:", e)
"""


def test_two_thousand_fleets_of_a_million_guns_are_refused_before_allocating():
    # Each fleet was within its own limit; together they allocated about 80 GB and aborted.
    p = subprocess.run([sys.executable, "-c", textwrap.dedent(TOTAL_GUNS)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"the process died: {p.stderr[-500:]}"
    assert p.stdout.startswith(
        "refused: sides.a.fleets.f0.guns: the fleets could hold up to 2.000e9 guns in a trajectory in all"
    ), p.stdout
    assert "above the limit of 1e7 in all" in p.stdout


def test_the_largest_contributor_is_named():
    d = fleets(20, 1e5)
    d["sides"]["a"]["fleets"]["f7"]["guns"] = 1e6
    d["sides"]["a"]["fleets"]["f7"]["deliveries"] = {"rate": 5e4}  # and 5e5 more over 10 days
    d["sides"]["a"]["fleets"]["f3"]["deliveries"] = {"rate": 9e4}  # 1e5 + 9e5
    with pytest.raises(
        ScenarioError, match=r"^sides\.a\.fleets\.f7\.guns: .* \(initial and delivered; this one up to 1\.500e6\)"
    ):
        Scenario.from_dict({**d, "sides": {"a": d["sides"]["a"], "b": fleets(9, 1e6)["sides"]["a"]}})
    assert _core.MAX_TOTAL_GUNS == 1e7
    Scenario.from_dict(fleets(9, 1e6))  # 9e6 in all: within


def test_returns_waiting_in_all_contingents_are_bounded():
    conts = {f"k{i}": {"strength": 10, "killed_fraction": 0.1, "rtd_days": 36525} for i in range(300)}
    d = fleets(1, 1, casualties={"base": 10}, contingents=conts)
    with pytest.raises(ScenarioError, match=r"^sides\.a\.contingents\.k0\.rtd_days: the contingents could wait on"):
        Scenario.from_dict(d)


def test_items_are_bounded():
    lines = {f"l{i}": {"caliber": "c", "rate": 1} for i in range(_core.MAX_ITEMS)}
    d = fleets(1, 1)
    d["sides"]["a"]["supply"] = lines
    with pytest.raises(ScenarioError, match=r"^sides\.a: the scenario has 50002 items .* above the limit of 50000"):
        Scenario.from_dict(d)


def test_worker_state_is_in_the_estimates():
    s = Scenario.from_dict(fleets(9, 1e6))
    one, four = (_core.estimate_bytes(s._core, 1, 0, t) for t in (1, 4))
    assert four - one >= 3 * 9e6 * 70  # about 80 bytes a gun, per worker
    summary = [_core.estimate_summary_bytes(s._core, 1, 0, t, False) for t in (1, 4)]
    assert summary[1] - summary[0] >= 3 * 9e6 * 70
    with pytest.raises(ResourceError, match="budget"):
        attrition.run(s, n=1, seed=1, series=[], threads=8, max_memory=2e9)


# -- the sketches' real size --------------------------------------------------------------------

WIDE = "red.casualties.total.cumulative"


def wide_range(small: Scenario, days: int) -> Scenario:
    # Daily casualties drawn over eight orders of magnitude: the cumulative count of a day
    # spans many decades across trajectories, and so do its sketch's buckets. Over 730 days
    # the small scenario's fleet runs out of barrels, which its plausibility check says.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", attrition.ScenarioWarning)
        return small.with_values(
            {
                "days": days,
                "sides.red.casualties.initial_cumulative": 0,
                "sides.red.casualties.base": {"dist": "lognormal", "mu": 4.6, "sigma": 4},
            }
        )


def test_sketches_of_a_wide_range_are_counted_as_they_grow(small):
    # The estimate counts a typical sketch; this one needs about three times more (nine
    # times the old estimate). The run went on and could be killed by the system; it
    # stops with a ResourceError instead.
    s = wide_range(small, 730)
    need = _core.estimate_summary_bytes(s._core, 2000, 1, 1, True)
    with pytest.raises(ResourceError, match=r"outgrew the budget of .* MB: with their quantile sketches' buckets"):
        attrition.run(s, n=2000, seed=1, series=[WIDE], paths=False, threads=1, max_memory=int(need * 1.5))
    r = attrition.run(s, n=2000, seed=1, series=[WIDE], paths=False, threads=1, max_memory=int(need * 40))
    typical = _core.estimate_summary_bytes(s._core, 0, 1, 0, False) - _core.estimate_summary_bytes(
        s._core, 0, 0, 0, False
    )
    assert r._series.table.nbytes() > 2.5 * typical


# -- a scenario at the size limit ---------------------------------------------------------------


def paid_lines_and_contingents(count: int) -> str:
    lines = "\n".join(
        f'[sides.a.supply.l{i}]\ncaliber = "c"\nrate = 1\nprice = 2\nsupplier = "s{i}"' for i in range(count)
    )
    conts = "\n".join(
        f'[sides.a.contingents.k{i}]\nstrength = 10\nkilled_fraction = 0.2\npayment = 1\nsender = "x{i}"'
        for i in range(count)
    )
    return (
        'name = "big"\nstart = 2024-12-24\ndays = 5\n[sides.a.calibers.c]\ninitial_stock = 1000\n'
        f"[sides.a.casualties]\nbase = 10\n{lines}\n{conts}\n"
    )


@pytest.fixture(scope="module")
def big_text() -> str:
    text = paid_lines_and_contingents(24_000)
    assert 0.9 * attrition.MAX_SCENARIO_BYTES < len(text) < attrition.MAX_SCENARIO_BYTES
    return text


def test_a_scenario_at_the_size_limit_compiles_in_linear_time_without_the_gil(big_text):
    # Paid lines and contingents were matched to their payees by a linear search each: 41 s.
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.001)

    other = threading.Thread(target=count)
    other.start()
    t0 = time.perf_counter()
    try:
        s = Scenario.from_toml(big_text)
    finally:
        done.set()
        other.join()
    seconds = time.perf_counter() - t0
    assert seconds < 15, f"{seconds:.1f} s"
    assert ticks > 0.3 * seconds / 0.0011, f"{ticks} ticks in {seconds:.1f} s: the GIL was held"
    assert len(s.outcome_names) > 48_000
    r = attrition.run(s, n=2, seed=1, series=[], max_memory=10**9)
    assert len(r.outcomes) == len(s.outcome_names)
    assert pickle.loads(pickle.dumps(s)) == s


def test_a_large_scenario_error_stays_short(big_text):
    bad = big_text.replace('caliber = "c"', 'caliber = "nope"')
    with pytest.raises(ScenarioError) as e:
        Scenario.from_toml(bad)
    msg = str(e.value)
    assert msg.startswith("51 problems in the scenario:") and msg.endswith("... and 23950 more problems")
    assert len(msg) < 20_000


# -- messages cap the input they echo -----------------------------------------------------------

HUGE = "k" * 10_000_000


@pytest.mark.parametrize(
    "call",
    [
        lambda small: Scenario.from_dict({**small.to_dict(), "sides": {HUGE: {"ref_fire": 1}}}),
        lambda small: Scenario.from_dict({**small.to_dict(), "name": HUGE}),
        lambda small: Scenario.from_dict({**small.to_dict(), HUGE: 1}),
        lambda small: small.with_values({f"sides.red.fleets.guns.{HUGE}": 1}),
        lambda small: small.with_values({"sides.red.fleets.guns.caliber": HUGE}),
        lambda small: small.with_values({"sides.red.fleets.guns.guns": HUGE}),
        lambda small: Scenario.from_toml(f'name = "{HUGE}"'),
        lambda small: attrition.run(small, n=1, seed=1, series=[HUGE]),
        lambda small: attrition.run(small, n=1, seed=1, samples={HUGE: [1.0]}),
        lambda small: attrition.run(small, n=1, seed=1, series="all").outcome(HUGE),
    ],
)
def test_messages_quote_at_most_a_window_of_the_input(small, call):
    t0 = time.perf_counter()
    with pytest.raises((ValueError, KeyError)) as e:
        call(small)
    assert len(str(e.value)) < 2_000, str(e.value)[:300]
    assert time.perf_counter() - t0 < 10
