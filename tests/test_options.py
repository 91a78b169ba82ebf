"""RunOptions: every rule of a run's arguments, checked once for every entry point."""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses

import numpy as np
import pytest

import attrition
from attrition import parallel
from attrition.engine import RunOptions, memory_budget
from attrition.engine.options import DEFAULT_N, RETRIES
from attrition.errors import UnknownNameError

BARREL = "sides.red.fleets.guns.barrel_life"


# -- n, trajectories and samples ----------------------------------------------------------


def test_defaults():
    for o in (RunOptions.from_args(), RunOptions()):
        assert (o.n, o.trajectories, o.first) == (DEFAULT_N, range(0, DEFAULT_N), 0)
        assert o.series == attrition.DEFAULT_SERIES and o.paths is True and o.outcomes == "auto"
        assert (o.threads, o.progress, o.max_memory, o.samples, o.block) == (None, None, None, None, None)
        assert o.retries == RETRIES and isinstance(o.seed, int) and 0 <= o.seed < 2**64


def test_built_directly_the_fields_are_checked_too():
    o = RunOptions(trajectories=range(3, 9), seed=np.uint64(5), series=["red.*"], threads=np.int8(2))
    assert (o.n, o.seed, o.series, o.threads) == (6, 5, ("red.*",), 2) and type(o.seed) is int
    with pytest.raises(ValueError, match="trajectories must be a non-empty range"):
        RunOptions(trajectories=range(0))
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 2\*\*64\), got None"):
        RunOptions(seed=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="samples has 2 rows but n=3"):
        RunOptions(trajectories=range(3), samples={BARREL: np.ones(2)})


def test_n_comes_from_n_trajectories_or_samples():
    assert RunOptions.from_args(n=7).trajectories == range(0, 7)
    o = RunOptions.from_args(trajectories=range(10, 40))
    assert (o.n, o.first) == (30, 10)
    assert RunOptions.from_args(n=30, trajectories=range(10, 40)).n == 30
    assert RunOptions.from_args(samples={BARREL: np.ones(12)}).n == 12
    assert RunOptions.from_args(n=np.int64(5)).n == 5 and type(RunOptions.from_args(n=np.int64(5)).n) is int


@pytest.mark.parametrize("n", [0, -5, 2.5, True, "3"])
def test_n_must_be_a_positive_integer(n):
    with pytest.raises(ValueError, match="n must be a positive integer"):
        RunOptions.from_args(n=n)


@pytest.mark.parametrize("t", [range(5, 2), range(0, 10, 2), range(-1, 3), range(4, 4), [0, 1, 2], (0, 3)])
def test_trajectories_must_be_a_non_empty_range(t):
    with pytest.raises(ValueError, match=r"trajectories must be a non-empty range\(a, b\) with 0 <= a < b"):
        RunOptions.from_args(trajectories=t)


def test_64_bit_trajectory_indices():
    # len() of such ranges overflows (OverflowError); 2**64 trajectories do not fit a count.
    assert RunOptions.from_args(n=2**64 - 1).n == 2**64 - 1
    o = RunOptions.from_args(trajectories=range(2**64 - 10, 2**64))
    assert (o.n, o.first) == (10, 2**64 - 10)
    assert RunOptions.from_args(trajectories=range(5, 2**64)).n == 2**64 - 5
    with pytest.raises(ValueError, match=r"n must be below 2\*\*64 \(trajectory indices and counts are 64-bit\)"):
        RunOptions.from_args(n=2**64)
    rule = r"trajectories must be a non-empty range\(a, b\) with 0 <= a < b <= 2\*\*64"
    for t in (range(2**64 - 10, 2**64 + 10), range(0, 2**64), range(2**70, 2**70 + 1)):
        with pytest.raises(ValueError, match=rule):
            RunOptions.from_args(trajectories=t)


def test_huge_or_hostile_values_are_shown_short():
    for kw in ({"n": "x" * 10**6}, {"seed": 10**5000}, {"threads": [0] * 10**5}, {"trajectories": "r" * 10**6}):
        with pytest.raises(ValueError) as e:
            RunOptions.from_args(**kw)
        assert len(str(e.value)) < 400, str(e.value)[:500]
    with pytest.raises(ValueError, match="got an integer of 16,610 bits"):
        RunOptions.from_args(seed=10**5000)


def test_n_and_trajectories_must_agree():
    with pytest.raises(ValueError, match=r"n=5 disagrees with trajectories=range\(0, 3\)"):
        RunOptions.from_args(n=5, trajectories=range(3))


def test_samples_take_dicts_frames_and_structured_arrays():
    pd = pytest.importorskip("pandas")
    x = np.linspace(1500, 3000, 4)
    for given in ({BARREL: x}, {BARREL: list(x)}, pd.DataFrame({BARREL: x}, index=[9, 8, 7, 6])):
        o = RunOptions.from_args(samples=given)
        assert list(o.samples) == [BARREL] and o.samples[BARREL].dtype == np.float64
        np.testing.assert_array_equal(o.samples[BARREL], x)
    rec = np.zeros(4, dtype=[(BARREL, "f8"), ("sides.red.calibers.152mm.initial_stock", "f4")])
    assert RunOptions.from_args(samples=rec).samples["sides.red.calibers.152mm.initial_stock"].dtype == np.float64


@pytest.mark.parametrize(
    "samples, error, match",
    [
        ({BARREL: [1.0, 2.0], "sides.x": [1.0]}, ValueError, r"samples\['sides.x'\] has shape \(1,\); expected \(2,\)"),
        ({BARREL: [[1.0, 2.0]]}, ValueError, "expected one dimension"),
        ({BARREL: [1.0, np.nan]}, ValueError, "non-finite value nan in row 1"),
        ({BARREL: [1.0, np.inf]}, ValueError, "non-finite value inf in row 1"),
        ({}, ValueError, "samples is empty"),
        ({BARREL: []}, ValueError, "samples is empty"),
        ({1: [1.0]}, TypeError, "keyed by dotted parameter paths"),
        ([1.0, 2.0], TypeError, "samples must be a dict"),
    ],
)
def test_samples_rules(samples, error, match):
    with pytest.raises(error, match=match):
        RunOptions.from_args(samples=samples)


def test_samples_rows_must_match_n():
    with pytest.raises(ValueError, match="samples has 3 rows but n=4; leave n out"):
        RunOptions.from_args(n=4, samples={BARREL: [1.0, 2.0, 3.0]})


# -- seed, threads, flags --------------------------------------------------------------------


def test_seed():
    assert RunOptions.from_args(seed=0).seed == 0 and RunOptions.from_args(seed=2**64 - 1).seed == 2**64 - 1
    assert RunOptions.from_args(seed=np.uint64(2**63)).seed == 2**63
    fresh = {RunOptions.from_args().seed for _ in range(4)}
    assert len(fresh) == 4 and all(0 <= s < 2**64 for s in fresh)


@pytest.mark.parametrize("seed", [-1, 2**64, 1.5, True, "7"])
def test_seed_must_be_a_64_bit_integer(seed):
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 2\*\*64\)"):
        RunOptions.from_args(seed=seed)


def test_threads():
    assert RunOptions.from_args(threads=np.int32(3)).threads == 3 and RunOptions.from_args().threads is None
    assert RunOptions.from_args(threads=1024).threads == 1024
    for bad in (0, -1, 1.5, True, "2", 1025, 2**64):
        with pytest.raises(ValueError, match="threads must be a positive integer <= 1024"):
            RunOptions.from_args(threads=bad)


def test_paths_and_progress_are_flags():
    assert RunOptions.from_args(paths=np.bool_(False), outcomes="sketch").paths is False
    assert RunOptions.from_args(progress=True).progress is True
    with pytest.raises(TypeError, match="paths must be True or False"):
        RunOptions.from_args(paths="no")
    with pytest.raises(TypeError, match="progress must be True, False or None"):
        RunOptions.from_args(progress=1)


def test_outcomes():
    for mode in ("auto", "arrays"):
        assert RunOptions.from_args(outcomes=mode).outcomes == mode
    assert RunOptions.from_args(outcomes="sketch", paths=False).outcomes == "sketch"
    with pytest.raises(ValueError, match="outcomes must be 'auto', 'arrays' or 'sketch', got 'all'"):
        RunOptions.from_args(outcomes="all")
    with pytest.raises(ValueError, match="outcomes='sketch' needs paths=False"):
        RunOptions.from_args(outcomes="sketch")


def test_max_memory_and_the_budget():
    assert RunOptions.from_args(max_memory=10**6).budget() == 10**6
    assert RunOptions.from_args(max_memory=2e9).max_memory == 2_000_000_000
    assert abs(RunOptions.from_args().budget() - memory_budget()) < memory_budget() / 2  # read now: the machine moves
    for bad in (-1, float("inf"), float("nan"), "1GB", True):
        with pytest.raises(ValueError, match="max_memory must be a number of bytes"):
            RunOptions.from_args(max_memory=bad)


def test_block_and_retries():
    assert RunOptions.from_args(block=64).block == 64 and RunOptions.from_args(retries=0).retries == 0
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="block must be an integer >= 1"):
            RunOptions.from_args(block=bad)
    with pytest.raises(ValueError, match="retries must be an integer >= 0"):
        RunOptions.from_args(retries=-1)
    with pytest.raises(ValueError, match="retries must be an integer >= 0 and <= 1000"):
        RunOptions.from_args(retries=10**100)
    with pytest.raises(ValueError, match=r"block must be an integer >= 1 and <= 2\*\*64 - 1"):
        RunOptions.from_args(block=2**64)


def test_a_run_has_at_most_a_million_blocks():
    p = parallel.plan("baseline-2024-12", n=2**63, paths=False, outcomes="sketch")
    assert p.blocks <= parallel.planning.MAX_BLOCKS and p.block * p.blocks >= 2**63
    with pytest.raises(ValueError, match=r"block=1 cuts 1,000,000,000 trajectories into 1,000,000,000 blocks"):
        parallel.plan("baseline-2024-12", n=10**9, paths=False, block=1)


# -- series ----------------------------------------------------------------------------------


def test_series_forms(small):
    assert RunOptions.from_args(series="all").series == "all"
    assert RunOptions.from_args(series="red.*").series == ("red.*",)
    assert RunOptions.from_args(series=iter(["a", "b"])).series == ("a", "b")
    assert RunOptions.from_args(series=()).series_names(small) == []
    assert RunOptions.from_args(series="all").series_names(small) == small.series_names
    default = RunOptions.from_args().series_names(small)
    assert default and all(n in small.series_names for n in default)
    asked = RunOptions.from_args(
        series=["red.fleet.*.serviceable", "red.ammo.152mm.stock", "red.fleet.guns.serviceable"]
    )
    assert asked.series_names(small) == ["red.fleet.guns.serviceable", "red.ammo.152mm.stock"]
    assert RunOptions.from_args(series="green.*").series_names(small) == []  # a pattern may match nothing


def test_series_rules(small):
    with pytest.raises(TypeError, match="series names must be strings, got int"):
        RunOptions.from_args(series=["red.ammo.152mm.stock", 1])
    with pytest.raises(TypeError, match="series must be a name, a glob pattern, a list of them or 'all'"):
        RunOptions.from_args(series=3)
    with pytest.raises(
        UnknownNameError, match="no series named 'red.ammo.152mm.stok'; did you mean 'red.ammo.152mm.stock'"
    ):
        RunOptions.from_args(series=["red.ammo.152mm.stok"]).series_names(small)


# -- immutability and parts ------------------------------------------------------------------


def test_frozen():
    o = RunOptions.from_args(seed=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.seed = 2  # type: ignore[misc]


def test_replace_checks_again():
    o = RunOptions.from_args(n=10)
    assert dataclasses.replace(o, outcomes="arrays").seed == o.seed  # the drawn seed is kept
    assert dataclasses.replace(o, trajectories=range(20, 25)).n == 5
    with pytest.raises(ValueError, match="threads must be"):
        dataclasses.replace(o, threads=0)
    with pytest.raises(ValueError, match="outcomes='sketch' needs paths=False"):
        dataclasses.replace(o, outcomes="sketch")


def test_part_takes_its_rows_of_the_samples():
    x = np.arange(10.0) + 1500
    o = RunOptions.from_args(seed=4, trajectories=range(100, 110), samples={BARREL: x}, series="all")
    p = o.part(range(103, 107), outcomes="arrays", progress=False)
    assert (p.n, p.trajectories, p.seed, p.series, p.outcomes) == (4, range(103, 107), 4, "all", "arrays")
    np.testing.assert_array_equal(p.samples[BARREL], x[3:7])
    with pytest.raises(ValueError, match="not within the run's"):
        o.part(range(105, 111))


# -- the same rules at every entry point -----------------------------------------------------


def _entry_points(small):
    """Each entry point, called with extra keyword arguments."""
    return {
        "run": lambda **kw: attrition.run(small, **{"n": 5, "seed": 1, **kw}),
        "run with executor": lambda **kw: attrition.run(
            small, executor=cf.ThreadPoolExecutor, **{"n": 5, "seed": 1, **kw}
        ),
        "run_distributed": lambda **kw: parallel.run_distributed(
            small, executor=cf.ThreadPoolExecutor, **{"n": 5, "seed": 1, **kw}
        ),
        "sweep": lambda **kw: attrition.sweep(small, {"days": [10]}, **{"n": 5, "seed": 1, **kw}),
        "compare": lambda **kw: attrition.compare(small, small, **{"n": 5, "seed": 1, **kw}),
        "plan": lambda **kw: parallel.plan(small, **{"n": 5, **{k: v for k, v in kw.items() if k != "seed"}}),
    }


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n": 0}, "n must be a positive integer"),
        ({"seed": -1}, "seed must be an integer"),
        ({"threads": 0}, "threads must be a positive integer"),
    ],
)
def test_every_entry_point_checks_the_same_way(small, kwargs, match):
    for name, call in _entry_points(small).items():
        if name == "plan" and "seed" in kwargs:
            continue
        with pytest.raises(ValueError, match=match):
            call(**kwargs)


def test_entry_points_with_blocks(small):
    for name in ("run with executor", "run_distributed", "plan"):
        with pytest.raises(ValueError, match="block must be an integer >= 1"):
            _entry_points(small)[name](block=0)
    for name in ("run", "sweep"):
        with pytest.raises(ValueError, match="block= needs executor="):
            _entry_points(small)[name](block=10)
