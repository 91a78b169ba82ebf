"""Distributed runs and sweeps: bit-identical to local runs, on Dask and on process pools,
through worker deaths and block errors."""

from __future__ import annotations

import concurrent.futures as cf
import functools
import importlib
import multiprocessing
import textwrap
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pytest

import attrition
from attrition import parallel
from attrition.engine import RunOptions
from attrition.errors import AttritionError, ResourceError, ScenarioError
from attrition.parallel import planning, worker

SPAWN = multiprocessing.get_context("spawn")

# Functions that misbehave on a worker. They live in a module of their own,
# written to a temporary folder on sys.path, so that worker processes (spawned,
# with the parent's sys.path) import them by name when unpickling.
FAULTS = textwrap.dedent('''
    import dataclasses
    import os

    from attrition.parallel import worker


    def _first(marker):
        """True for the first caller of all processes (the marker file is created atomically)."""
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True


    def die_once(marker, task):
        """The first block to run kills its worker process; then blocks run normally."""
        if _first(marker):
            os._exit(17)
        return worker.run_block(task)


    def die(task):
        """Every block kills its worker."""
        os._exit(17)


    def flaky(marker, task):
        """The first block to run raises an OSError (a transient error); then blocks run normally."""
        if _first(marker):
            raise OSError("disk hiccup")
        return worker.run_block(task)


    def bad_block(start, task):
        """The block starting at `start` gets a scenario that does not exist."""
        if task.options.first == start:
            task = dataclasses.replace(task, scenario="no-such-scenario")
        return worker.run_block(task)


    def other_version(task):
        return worker.run_block(dataclasses.replace(task, build="0.0.0 (elsewhere)"))
''')


@pytest.fixture(scope="module")
def faults(tmp_path_factory):
    d = tmp_path_factory.mktemp("faults")
    (d / "attrition_test_faults.py").write_text(FAULTS)
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(d))
        yield importlib.import_module("attrition_test_faults")


@pytest.fixture(scope="module")
def client(faults):
    dd = pytest.importorskip("distributed")
    with dd.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster:
        with dd.Client(cluster) as c:
            yield c


@pytest.fixture(scope="module")
def pool(faults):
    with cf.ProcessPoolExecutor(2, mp_context=SPAWN) as ex:
        yield ex


@pytest.fixture(params=["dask", "pool"])
def executor(request):
    return request.getfixturevalue("client" if request.param == "dask" else "pool")


@pytest.fixture
def swap(monkeypatch):
    """Replace the function submitted for each block."""
    return lambda fn: monkeypatch.setattr(worker, "block_function", fn)


def notes(exc: BaseException) -> str:
    """The notes (PEP 678) an exception gained on its way to the caller."""
    return "\n".join(getattr(exc, "__notes__", []))


def identical(a: attrition.Result, b: attrition.Result) -> None:
    """Bit for bit: paths or summaries, outcomes and drawn parameters, ranges, seed."""
    assert (a.n, a.seed, a._ranges, a.paths, a.outcomes_kept) == (b.n, b.seed, b._ranges, b.paths, b.outcomes_kept)
    assert a.scenario == b.scenario and a.series_names == b.series_names
    if a.paths:
        for k in a.series_names:
            assert np.array_equal(a.series(k), b.series(k), equal_nan=True), k
    else:
        assert a._series.table.to_bytes() == b._series.table.to_bytes()
    if a.outcomes_kept == "arrays":
        for mine, theirs in ((a.outcomes, b.outcomes), (a.params, b.params)):
            assert list(mine) == list(theirs)
            for k in mine:
                assert np.array_equal(mine[k], theirs[k], equal_nan=True), k
    else:
        assert a._outcomes.table.to_bytes() == b._outcomes.table.to_bytes()
        assert a._params.table.to_bytes() == b._params.table.to_bytes()


# -- identical to a local run --------------------------------------------------------------


@pytest.mark.parametrize("paths", [True, False])
def test_run_identical_to_local(executor, small, paths):
    local = attrition.run(small, n=300, seed=11, paths=paths)
    dist = attrition.run(small, n=300, seed=11, paths=paths, executor=executor, block=64)
    identical(dist, local)
    assert dist.n == 300 and dist.trajectories == range(300)


def test_run_sketch_outcomes_and_default_block(executor, small, monkeypatch):
    monkeypatch.setattr(planning, "MIN_BLOCK_TRAJECTORY_DAYS", 1000)  # several blocks for a small n
    base = small.with_values({"days": 30})
    local = attrition.run(base, n=2000, seed=3, paths=False, outcomes="sketch")
    p = parallel.plan(base, n=2000, paths=False, outcomes="sketch")
    assert (p.block, p.blocks, p.outcomes) == (34, 59, "sketch")  # ceil(1000 / 30 days)
    identical(attrition.run(base, n=2000, seed=3, paths=False, outcomes="sketch", executor=executor), local)


def test_dask_client_executor(client, small):
    """client.get_executor() is a plain concurrent.futures.Executor."""
    local = attrition.run(small, n=200, seed=2, paths=False)
    identical(attrition.run(small, n=200, seed=2, paths=False, executor=client.get_executor(), block=50), local)


def test_block_size_does_not_matter(small):
    """Any block size, a partial range and explicit samples: the local result."""
    rng = np.random.default_rng(0)
    samples = {"sides.red.fleets.guns.barrel_life": rng.uniform(1500, 3000, 250)}
    local = attrition.run(small, seed=8, trajectories=range(40, 290), samples=samples, series="all")
    with cf.ThreadPoolExecutor(3) as ex:
        for block in (7, 100, 250, 10**6):
            dist = attrition.run(
                small, seed=8, trajectories=range(40, 290), samples=samples, series="all", executor=ex, block=block
            )
            identical(dist, local)


def test_outcomes_auto_decided_for_the_total(small):
    """With a budget between what one block and the whole run would hold in arrays,
    a local run keeps sketches: so must every block of the distributed run."""
    k = len(RunOptions.from_args(series=None).series_names(small))
    n, workers = 2000, 3
    whole = attrition._core.estimate_summary_bytes(small._core, n, k, workers, True)
    budget = whole - 1
    assert attrition._core.estimate_summary_bytes(small._core, 100, k, workers, True) < budget
    local = attrition.run(small, n=n, seed=4, paths=False, threads=workers, max_memory=budget)
    assert local.outcomes_kept == "sketch"
    with cf.ThreadPoolExecutor(2) as ex:
        dist = attrition.run(
            small, n=n, seed=4, paths=False, threads=workers, max_memory=budget, executor=ex, block=100
        )
        identical(dist, local)
        roomy = attrition.run(
            small, n=n, seed=4, paths=False, threads=workers, max_memory=whole, executor=ex, block=100
        )
    assert roomy.outcomes_kept == "arrays"
    identical(roomy, attrition.run(small, n=n, seed=4, paths=False, threads=workers, max_memory=whole))


# -- sweeps ----------------------------------------------------------------------------------


GRID = {"sides.red.supply.home.rate": [0, 800], "days": [30, 60]}


def test_sweep_identical_to_local(executor, small):
    series = ["red.ammo.152mm.stock", "red.fleet.*.serviceable"]
    local = attrition.sweep(small, GRID, n=120, seed=5, series=series)
    dist = attrition.sweep(small, GRID, n=120, seed=5, series=series, executor=executor, block=50)
    assert dist.results[0].series_names == ["red.ammo.152mm.stock", "red.fleet.guns.serviceable"]
    assert dist.variants == local.variants and len(dist) == 4
    for a, b in zip(dist.results, local.results, strict=True):
        identical(a, b)
    assert dist.table.equals(local.table)


def test_sweep_grid_table_and_common_random_numbers(small):
    sw = attrition.sweep(small, GRID, n=200, seed=9, series=["red.ammo.152mm.stock"])
    assert sw.variants == [
        {"sides.red.supply.home.rate": 0, "days": 30},
        {"sides.red.supply.home.rate": 0, "days": 60},
        {"sides.red.supply.home.rate": 800, "days": 30},
        {"sides.red.supply.home.rate": 800, "days": 60},
    ]
    assert [s.days for s in sw.scenarios] == [30, 60, 30, 60]
    for sc, r in zip(sw.scenarios, sw.results, strict=True):
        identical(
            r, attrition.run(sc, n=200, seed=9, series=["red.ammo.152mm.stock"], paths=False, outcomes=sw.outcomes_kept)
        )
    # Common random numbers: the parameters the overrides leave alone are drawn the same.
    p = "sides.red.fleets.guns.barrel_life"
    assert all(np.array_equal(r.params[p], sw.results[0].params[p]) for r in sw.results)
    t = sw.table
    assert list(t.columns) == [
        "variant",
        "sides.red.supply.home.rate",
        "days",
        "outcome",
        "mean",
        "q0.05",
        "q0.5",
        "q0.95",
        "censored",
        "reached",
        "restricted_mean",
        "cond_mean",
        "cond_q0.05",
        "cond_q0.5",
        "cond_q0.95",
    ]
    assert len(t) == sum(len(r.outcome_names) for r in sw.results)
    fired = t[t.outcome == "red.ammo.152mm.fired_total"].set_index("variant")
    assert fired.loc[2, "mean"] >= fired.loc[0, "mean"]  # more supply, no less fire
    assert fired.loc[3, "days"] == 60 and fired.loc[3, "sides.red.supply.home.rate"] == 800
    want = sw.results[1].outcome_table(["red.ammo.152mm.fired_total"])[0]
    assert fired.loc[1, "mean"] == want["mean"] and fired.loc[1, "q0.5"] == want["q0.5"]
    one = sw.to_pandas(["red.ammo.152mm.fired_total"], q=[0.1])
    assert len(one) == 4 and "q0.1" in one.columns


def test_sweep_list_of_overrides(small):
    pert = {"dist": "pert", "low": 1000, "mode": 1500, "high": 2000}
    sw = attrition.sweep(
        small, [{}, {"sides.red.fleets.guns.barrel_life": pert}, {"start": "2025-02-01"}], n=50, seed=1
    )
    assert len(sw) == 3 and sw.scenarios[0] == small and str(sw.scenarios[2].start) == "2025-02-01"
    rows = sw.outcome_table(["red.fleet.guns.worn_out"])
    assert [r["variant"] for r in rows] == [0, 1, 2]
    assert rows[1]["sides.red.fleets.guns.barrel_life"].startswith("pert(1000")
    assert rows[0]["sides.red.fleets.guns.barrel_life"] is None and rows[2]["start"] == "2025-02-01"
    assert rows[1]["mean"] > rows[0]["mean"]  # shorter barrel life, more barrels worn out
    assert "3 variants" in repr(sw)


def test_sweep_sketch_when_the_variants_do_not_fit(small):
    one = attrition._core.estimate_summary_bytes(
        small._core, 500, len(RunOptions.from_args(series=()).series_names(small)), 2, True
    )
    sw = attrition.sweep(
        small, {"sides.red.casualties.base": [900, 1000, 1100]}, n=500, seed=3, threads=2, max_memory=2 * one
    )
    assert sw.outcomes_kept == "sketch"
    identical(sw.results[2], attrition.run(sw.scenarios[2], n=500, seed=3, series=(), paths=False, outcomes="sketch"))
    assert len(sw.table) == 3 * len(small.outcome_names)


def test_sweep_errors(small):
    with pytest.raises(ScenarioError, match=r"^sides\.red\.fleets\.guns\.guns: must be between 0") as e:
        attrition.sweep(small, {"sides.red.fleets.guns.guns": [10, -5]}, n=10, seed=1)
    assert type(e.value) is ScenarioError and notes(e.value) == "in variant 1 {'sides.red.fleets.guns.guns': -5}"
    with pytest.raises(TypeError, match="list of values"):
        attrition.sweep(small, {"days": 30}, n=10, seed=1)
    with pytest.raises(ValueError, match="is empty"):
        attrition.sweep(small, {"days": []}, n=10, seed=1)
    with pytest.raises(ValueError, match="no variants"):
        attrition.sweep(small, [], n=10, seed=1)
    with pytest.raises(KeyError, match="no series named 'no.such.series'") as e:
        attrition.sweep(small, [{}], n=10, seed=1, series=["no.such.series"])
    assert notes(e.value) == "in variant 0 {}"
    with pytest.raises(ValueError, match="block= needs executor="):
        attrition.sweep(small, {"days": [30]}, n=10, seed=1, block=5)
    with pytest.raises(ResourceError, match="sweep of 2 variants"):
        attrition.sweep(small, {"days": [30, 40]}, n=10_000, seed=1, paths=True, series="all", max_memory=10**6)


# -- failures --------------------------------------------------------------------------------


def test_dask_worker_killed_mid_run(client, small, faults, swap, tmp_path):
    """A worker dies running a block: Dask restarts it and reruns its blocks."""
    marker = tmp_path / "died"
    swap(functools.partial(faults.die_once, str(marker)))
    dist = attrition.run(small, n=300, seed=6, paths=False, executor=client, block=50)
    assert marker.exists()
    identical(dist, attrition.run(small, n=300, seed=6, paths=False))


def test_dask_block_that_kills_every_worker(faults, small, swap):
    """Past Dask's allowed failures: KilledWorker itself, with a note naming the block."""
    dd = pytest.importorskip("distributed")
    import dask
    from distributed.scheduler import KilledWorker

    swap(faults.die)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with dd.LocalCluster(n_workers=1, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster:
            with dd.Client(cluster) as c:
                with pytest.raises(KilledWorker, match="Attempted") as e:
                    attrition.run(small, n=100, seed=1, executor=c, block=50)
    assert notes(e.value) == "raised in block 1 of 2, trajectories range(0, 50), of the run of 'two-sides' (seed 1)"


def test_owned_pool_replaced_after_a_worker_dies(small, faults, swap, tmp_path):
    marker = tmp_path / "died"
    swap(functools.partial(faults.die_once, str(marker)))
    factory = functools.partial(cf.ProcessPoolExecutor, 2, mp_context=SPAWN)
    dist = attrition.run(small, n=300, seed=6, paths=True, executor=factory, block=50)
    assert marker.exists()
    identical(dist, attrition.run(small, n=300, seed=6, paths=True))


def test_users_pool_broken_by_a_worker_death_names_the_blocks(small, faults, swap, tmp_path):
    """attrition cannot restart a pool it did not create: the pool's own error, with a note that says so."""
    swap(functools.partial(faults.die_once, str(tmp_path / "died")))
    with cf.ProcessPoolExecutor(2, mp_context=SPAWN) as ex:
        with pytest.raises(
            BrokenProcessPool, match=r"range\(\d+, \d+\).*cannot restart an executor it did not create"
        ) as e:
            attrition.run(small, n=300, seed=6, executor=ex, block=50)
    assert type(e.value) is BrokenProcessPool and "terminated abruptly" in str(e.value)
    assert notes(e.value).startswith("a worker of the executor died while running block ")


def test_block_error_keeps_its_type_and_names_the_block(executor, small, faults, swap):
    swap(functools.partial(faults.bad_block, 64))
    with pytest.raises(ScenarioError, match=r"^'no-such-scenario' is neither a built-in scenario") as e:
        attrition.run(small, n=300, seed=1, executor=executor, block=64)
    assert type(e.value) is ScenarioError
    first, worker_traceback = e.value.__notes__
    assert first == "raised in block 2 of 5, trajectories range(64, 128), of the run of 'two-sides' (seed 1)"
    assert worker_traceback.startswith("on the worker:\nTraceback") and "ScenarioError" in worker_traceback


def test_transient_error_is_retried(executor, small, faults, swap, tmp_path):
    swap(functools.partial(faults.flaky, str(tmp_path / "once")))
    identical(
        attrition.run(small, n=200, seed=2, paths=False, executor=executor, block=50),
        attrition.run(small, n=200, seed=2, paths=False),
    )
    swap(functools.partial(faults.flaky, str(tmp_path / "again")))
    with pytest.raises(OSError, match=r"^disk hiccup\nraised in block \d of 4, trajectories range\(\d+, \d+\)") as e:
        parallel.run_distributed(small, n=200, seed=2, paths=False, executor=executor, block=50, retries=0)
    assert type(e.value) is OSError


def test_workers_must_run_the_same_build(small, faults, swap):
    swap(faults.other_version)
    with cf.ThreadPoolExecutor(2) as ex, pytest.raises(AttritionError, match="same build"):
        attrition.run(small, n=100, seed=1, executor=ex, block=50)


# -- arguments and progress ------------------------------------------------------------------


def test_arguments(small):
    with pytest.raises(ValueError, match="block= needs executor="):
        attrition.run(small, n=10, seed=1, block=5)
    with cf.ThreadPoolExecutor(1) as ex:
        with pytest.raises(ValueError, match="block must be"):
            attrition.run(small, n=10, seed=1, executor=ex, block=0)
        with pytest.raises(ValueError, match="needs paths=False"):
            attrition.run(small, n=10, seed=1, executor=ex, outcomes="sketch")
        with pytest.raises(ResourceError, match="distributed run"):
            attrition.run(small, n=10_000, seed=1, series="all", executor=ex, max_memory=10**6)
    with pytest.raises(TypeError, match="executor must be"):
        attrition.run(small, n=10, seed=1, executor=42)


def test_seed_drawn_once_for_all_blocks(small):
    with cf.ThreadPoolExecutor(2) as ex:
        dist = attrition.run(small, n=100, executor=ex, block=10)
    identical(dist, attrition.run(small, n=100, seed=dist.seed))


def test_progress_bar(small, monkeypatch):
    import tqdm.std

    bars = []

    class Bar:
        def __init__(self, total, **kw):
            self.total, self.done, self.closed = total, [], False
            bars.append(self)

        def update(self, k):
            self.done.append(k)

        def close(self):
            self.closed = True

    monkeypatch.setattr(tqdm.std, "tqdm", Bar)
    with cf.ThreadPoolExecutor(2) as ex:
        attrition.run(small, n=100, seed=1, executor=ex, block=30, progress=True)
        attrition.sweep(small, {"days": [10, 20]}, n=40, seed=1, executor=ex, block=30, progress=True)
        attrition.run(small, n=100, seed=1, executor=ex, block=30, progress=False)
    assert [(b.total, sorted(b.done), b.closed) for b in bars] == [
        (100, [10, 30, 30, 30], True),
        (80, [10, 10, 30, 30], True),
    ]


def test_plan(small):
    base = attrition.Scenario.builtin("baseline-2024-12")
    p = parallel.plan(base, n=10**9, paths=False, outcomes="sketch")
    assert p.block * base.days <= planning.MAX_BLOCK_TRAJECTORY_DAYS + 64 * base.days
    assert p.blocks == -(-(10**9) // p.block) and p.ranges()[-1].stop == 10**9
    assert parallel.plan(base, n=1000, paths=False).blocks == 4  # at least ~2e5 trajectory-days a block
    assert parallel.plan(small, n=10, block=3).ranges() == [range(0, 3), range(3, 6), range(6, 9), range(9, 10)]
    paths = parallel.plan(base, n=10**6, series="all")
    assert paths.block_bytes <= planning.MAX_BLOCK_BYTES  # paths cap the block


# -- what travels to the workers -----------------------------------------------------------


def test_a_scenario_longer_than_the_text_limit_runs_on_a_pool(pool, small):
    # Pickles went through to_toml and from_toml, which refuses texts above the limit: the
    # worker could not read its block, and the pool reported a worker that died.
    d = small.with_values({"days": 20}).to_dict()
    d["description"] = "x" * (attrition.MAX_SCENARIO_BYTES + 10)
    big = attrition.Scenario.from_dict(d)
    assert len(big.to_toml()) > attrition.MAX_SCENARIO_BYTES
    identical(attrition.run(big, n=130, seed=2, executor=pool, block=64), attrition.run(big, n=130, seed=2))


def test_a_block_that_cannot_be_read_on_the_worker_says_so():
    got = worker._receive(b"not a pickle", worker.build())
    assert isinstance(got, worker.Unreadable)
    failure = worker.run_block(got)
    assert isinstance(failure, worker.Failure)
    assert "the block could not be read on the worker: UnpicklingError" in str(failure.exc)
