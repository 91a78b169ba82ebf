"""Fork safety: a process that ran attrition on its threads and then forks
(multiprocessing's fork start method, a Pool) gets children that run, each on
a thread pool of its own, with the same numbers; and Ctrl-C still stops a run
in such a child. Each case runs in a fresh interpreter under a timeout, so a
deadlock fails the test instead of hanging it."""

from __future__ import annotations

import multiprocessing
import os
import pathlib
import signal
import subprocess
import sys
import textwrap

import pytest

DATA = pathlib.Path(__file__).parent / "data"

SCRIPT = """
import multiprocessing as mp
import sys

import attrition

# Module level: a child started by spawn or forkserver imports this file again, with
# the parent's sys.argv.
s = attrition.Scenario.load(sys.argv[2]).with_values({"days": 10})
THREADS = None if sys.argv[3] == "default" else int(sys.argv[3])


def work(seed):
    # Over 64 trajectories: more than one block, so the run uses a thread pool.
    r = attrition.run(s, n=300, seed=seed, series=["red.ammo.152mm.stock"], threads=THREADS)
    return float(r.series("red.ammo.152mm.stock").sum()), r.outcomes["red.ammo.152mm.fired_total"].tolist()


if __name__ == "__main__":
    here = [work(seed) for seed in range(4)]  # the parent's pool now exists, with its threads
    ctx = mp.get_context(sys.argv[1])
    with ctx.Pool(4) as pool:
        there = pool.map(work, range(4))
    one = ctx.Process(target=work, args=(0,))
    one.start()
    one.join()
    print("same" if there == here and one.exitcode == 0 else f"different: {there} vs {here}, {one.exitcode}")
"""


def _run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run a script in a session of its own; on a deadlock, end it and its children."""
    p = subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        pytest.fail(f"deadlock: no answer within {timeout} s ({' '.join(args[-3:])})")
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


METHODS = [m for m in ("fork", "spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]


@pytest.mark.parametrize("threads", ["default", "2"])
@pytest.mark.parametrize("method", METHODS)
def test_a_pool_of_four_after_the_parent_ran(tmp_path, method, threads):
    script = tmp_path / "pool_script.py"
    script.write_text(SCRIPT)
    p = _run([str(script), method, str(DATA / "two_sides.toml"), threads])
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.strip() == "same", p.stdout + p.stderr[-2000:]


INTERRUPT = """
    import os, signal, sys, time
    import attrition

    s = attrition.Scenario.load(sys.argv[1])
    attrition.run(s, n=200, seed=1, series=[])  # the parent's pool exists
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a long run, stopped by Ctrl-C
        os.close(r)
        t0 = time.perf_counter()
        try:
            attrition.run(s, n=10**7, seed=1, series=[], paths=False, outcomes="sketch")
            os.write(w, b"finished")
        except KeyboardInterrupt:
            os.write(w, f"interrupted after {time.perf_counter() - t0:.1f} s".encode())
        os._exit(0)
    os.close(w)
    time.sleep(2.0)
    os.kill(pid, signal.SIGINT)
    _, status = os.waitpid(pid, 0)
    print(os.read(r, 100).decode(), os.waitstatus_to_exitcode(status))
"""


@pytest.mark.skipif("fork" not in METHODS, reason="needs fork")
def test_ctrl_c_stops_a_run_in_a_forked_child():
    p = _run(["-c", textwrap.dedent(INTERRUPT), str(DATA / "two_sides.toml")], timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    words = p.stdout.split()
    assert words[:2] == ["interrupted", "after"], p.stdout + p.stderr[-2000:]
    assert float(words[2]) < 5.0 and words[-1] == "0"
