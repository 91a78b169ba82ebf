"""Concurrency: Python threads running different scenarios at once get exactly
what they get alone, and Ctrl-C (SIGINT) stopping a run on the main thread
leaves the runs of the other threads untouched.

The core keeps no global mutable state (no `static mut`, thread-local, lazily
initialised cell, lock or atomic in src/) but one: the engine's shared pool of
worker threads, remembered with the id of the process that built it
(src/engine/pool.rs; see tests/test_fork.py). Every run owns its compiled
scenario, its random streams (keyed by seed, trajectory and component) and
its buffers, and releases the GIL while it works. A scan of the sources keeps
it that way.
"""

from __future__ import annotations

import json
import pathlib
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import attrition
from attrition import Scenario

SRC = pathlib.Path(__file__).parent.parent / "src"


def variants(small: Scenario) -> list[tuple[Scenario, int]]:
    """Different scenarios and seeds, each small."""
    d = small.to_dict()
    cut = json.loads(json.dumps(d))
    cut["sides"]["red"]["supply"]["home"]["end"] = "2025-01-10"
    one = json.loads(json.dumps(d))
    del one["sides"]["blue"]
    return [
        (small, 1),
        (small, 2),
        (Scenario.from_dict(cut), 1),
        (Scenario.from_dict(one), 3),
        (small.with_values({"days": 37}), 4),
        (Scenario.builtin("no-dprk").with_values({"days": 60}), 5),
    ]


def solo(s: Scenario, seed: int, **kw) -> attrition.Result:
    return attrition.run(s, n=kw.pop("n", 150), seed=seed, series="all", **kw)


def assert_same(a: attrition.Result, b: attrition.Result) -> None:
    assert a.series_names == b.series_names
    for name in a.series_names:
        assert np.array_equal(a.series(name), b.series(name), equal_nan=True), name
    for k in a.outcomes:
        assert np.array_equal(a.outcomes[k], b.outcomes[k], equal_nan=True), k
    for k in a.params:
        assert np.array_equal(a.params[k], b.params[k], equal_nan=True), k


def test_threads_running_different_scenarios_match_solo_runs(small):
    jobs = variants(small)
    alone = [solo(s, seed) for s, seed in jobs]
    with ThreadPoolExecutor(max_workers=len(jobs)) as ex:
        # Each job twice, in a shuffled order, with different thread counts.
        futures = [ex.submit(solo, s, seed, threads=1 + i % 2) for i, (s, seed) in enumerate(jobs + jobs[::-1])]
        together = [f.result() for f in futures]
    for i, r in enumerate(together):
        assert_same(r, alone[i if i < len(jobs) else 2 * len(jobs) - 1 - i])


def test_summary_runs_in_threads_match_solo_runs(small):
    jobs = variants(small)[:4]
    alone = [attrition.run(s, n=200, seed=seed, paths=False, series="all") for s, seed in jobs]
    with ThreadPoolExecutor(max_workers=4) as ex:
        together = list(ex.map(lambda j: attrition.run(j[0], n=200, seed=j[1], paths=False, series="all"), jobs))
    for a, b in zip(alone, together, strict=True):
        for name in a.series_names:
            for k, v in a.stats(name).items():
                assert np.array_equal(v, b.stats(name)[k], equal_nan=True), (name, k)
            assert np.array_equal(
                a.quantiles(name, [0.1, 0.5, 0.9]), b.quantiles(name, [0.1, 0.5, 0.9]), equal_nan=True
            )


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs signal.pthread_kill")
def test_sigint_on_the_main_thread_leaves_other_threads_untouched(small):
    jobs = variants(small)[:4]
    alone = [solo(s, seed) for s, seed in jobs]
    long = Scenario.builtin("baseline-2024-12")
    results: list[attrition.Result | None] = [None] * len(jobs)
    errors: list[BaseException] = []
    started = threading.Event()

    def worker(i: int) -> None:
        try:
            started.set()
            for _ in range(3):  # keep running through the interrupt
                results[i] = solo(*jobs[i])
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    started.wait()
    main = threading.main_thread().ident
    timer = threading.Timer(0.5, lambda: signal.pthread_kill(main, signal.SIGINT))
    t0 = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        # About a minute of work: the interrupt lands inside the run, and stops it within a wave.
        attrition.run(long, n=20_000, seed=1, series=[], threads=2)
    stopped = time.perf_counter() - t0
    for t in threads:
        t.join()
    timer.join()
    assert stopped < 15, f"the run took {stopped:.1f} s to stop"
    assert not errors, errors
    for a, b in zip(alone, results, strict=True):
        assert b is not None
        assert_same(a, b)
    # The interpreter and the pool are fine afterwards.
    assert_same(solo(*jobs[0]), alone[0])


# Global state: a `static` item (mutable, or holding a lock, an atomic or a lazy cell), a
# thread-local or a lazy_static. Locks and atomics local to one run are fine; constants are `const`.
FORBIDDEN = re.compile(r"(?<!')\bstatic\s+(mut\s+)?[A-Za-z_]\w*\s*:|thread_local!|lazy_static!")


#: The one global: the shared pool and the process that built it.
ALLOWED = {"src/engine/pool.rs": "static SHARED: Mutex<Option<(u32, Arc<ThreadPool>)>>"}


def test_the_core_has_no_global_mutable_state():
    hits = []
    for path in sorted(SRC.rglob("*.rs")):
        rel = str(path.relative_to(SRC.parent))
        for i, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("//")[0]
            if FORBIDDEN.search(code) and not (rel in ALLOWED and ALLOWED[rel] in code):
                hits.append(f"{rel}:{i}: {line.strip()}")
    assert not hits, "global state in the core:\n" + "\n".join(hits)
