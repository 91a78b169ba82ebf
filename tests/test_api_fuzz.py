"""Hostile callers of the whole Python API: run, compare, merge, sweep and
samples=, summary blobs and pickles, and the command line's arguments.

Every call returns an answer or raises one of the library's documented errors
(ValueError and its ScenarioError and IntegrityError, TypeError, KeyError,
ResourceError, AttritionError) with a short message; never another exception,
a panic, a crash or a hang. An answer that comes back is checked: its size and
identity, bit-identical on one thread, a merge equal to the whole run, a
comparison of a scenario with itself all zero, corrupted data refused.

Each call runs under a deadline (a request of 2**63 trajectories is valid: it
must stop when interrupted, here by SIGALRM, like Ctrl-C) and a watchdog that
ends the process with a traceback if it hangs anyway. The examples come from
hypothesis (profile ``ci``: fixed and short; ``ATTRITION_FUZZ_EXAMPLES`` scales
them up, see docs/reliability.md), and every crash found is kept in
tests/corpus/ and replayed by :func:`test_corpus`. A failing example prints its
case as a JSON line (``corpus case: {...}``) ready to be saved there.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import io
import json
import os
import pathlib
import pickle
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import attrition
from attrition import AttritionError, Scenario, cli

sys.path.insert(0, os.path.dirname(__file__))
import _api_strategies as A  # noqa: E402
import _strategies as S  # noqa: E402

DATA = pathlib.Path(__file__).parent / "data"
CORPUS = pathlib.Path(__file__).parent / "corpus"
SC = Scenario.load(DATA / "two_sides.toml").with_values({"days": A.DAYS})
#: Seconds a call may take before it is interrupted (valid requests can be endless).
DEADLINE = 3.0
#: Seconds until the deadline is tried again when it fell where an exception would be lost.
RETRY_ALARM = 0.01
#: Seconds a call may take to stop once interrupted (a run checks every 50 ms).
STOP_LATENCY = 10.0
#: Seconds before the watchdog ends the process (a call that ignores the interrupt).
WATCHDOG = 120
#: Longest message: the input they echo is capped at about 200 characters.
MAX_MESSAGE = 3000
#: The errors the API raises on purpose.
ALLOWED = (ValueError, TypeError, KeyError, MemoryError, AttritionError)
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


def fuzz(share: int) -> Any:
    """Settings of a fuzz test: ``share`` examples of the CI total (see tests/_strategies.py);
    no hypothesis deadline (each call has its own, :data:`DEADLINE`)."""
    return settings(max_examples=S.examples(share), suppress_health_check=SLOW, deadline=None)


class Deadline(BaseException):
    """The call ran past :data:`DEADLINE` and was interrupted (not a failure)."""


@contextlib.contextmanager
def limits() -> Iterator[None]:
    """A deadline (SIGALRM, which the core's runs check like Ctrl-C) and a watchdog."""

    def alarm(signum: int, frame: Any) -> None:
        if _swallowing(frame):  # an exception raised here would be lost: ask again shortly
            signal.setitimer(signal.ITIMER_REAL, RETRY_ALARM)
            return
        raise Deadline

    faulthandler.dump_traceback_later(WATCHDOG, exit=True)
    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, DEADLINE)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        faulthandler.cancel_dump_traceback_later()


def stop_latency() -> float:
    """:data:`STOP_LATENCY`, stretched by the machine's load: on a machine with more runnable
    threads than cores (the last minute's load average over the core count), every thread
    gets that much less of a core, and a stop takes that much longer in wall time."""
    return STOP_LATENCY * max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))


def _swallowing(frame: Any) -> bool:
    """Whether ``frame`` runs where Python reports an exception as "ignored" and drops it:
    inside a garbage-collector callback (hypothesis installs one) or a ``__del__``."""
    callbacks = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    while frame is not None:
        if frame.f_code in callbacks or frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def attempt(call: Callable[[], Any]) -> tuple[str, Any]:
    """("ok", value), ("refused", error) or ("stopped", None); anything else fails the test,
    as does a call that takes more than :func:`stop_latency` to stop once interrupted."""
    t0 = time.monotonic()
    try:
        with limits():
            return "ok", call()
    except Deadline:
        late, allowed = time.monotonic() - t0 - DEADLINE, stop_latency()
        assert late < allowed, f"the call took {late:.1f} s to stop once interrupted (allowed {allowed:.1f} s)"
        return "stopped", None
    except ALLOWED as e:
        msg = str(e)
        assert len(msg) < MAX_MESSAGE, f"a message of {len(msg)} characters: {msg[:300]}..."
        return "refused", e
    except (KeyboardInterrupt, AssertionError):
        raise
    except BaseException as e:  # noqa: BLE001 - a panic, an OverflowError, ...: reported with its input
        raise AssertionError(f"{type(e).__module__}.{type(e).__name__} escaped: {str(e)[:500]}") from e


def case(kind: str, **args: Any) -> None:
    """Print the case in the corpus's form (shown when a hypothesis example fails)."""
    with contextlib.suppress(Exception):  # outside a hypothesis test (the corpus's replay)
        note("corpus case: " + json.dumps({"kind": kind, "args": A.encode(args)}))


def same_result(a: attrition.Result, b: attrition.Result) -> None:
    assert (a.n, a.seed, a._ranges, a.paths, a.outcomes_kept) == (b.n, b.seed, b._ranges, b.paths, b.outcomes_kept)
    for k in a.series_names:
        if a.paths:
            assert np.array_equal(a.series(k), b.series(k), equal_nan=True), k
        else:
            assert np.array_equal(a.quantiles(k, [0, 0.3, 1]), b.quantiles(k, [0, 0.3, 1]), equal_nan=True), k
            for stat, v in a.stats(k).items():
                assert np.array_equal(v, b.stats(k)[stat], equal_nan=True), (k, stat)
    ta = [list(r.values())[1:] for r in a.outcome_table()]
    tb = [list(r.values())[1:] for r in b.outcome_table()]
    assert np.array_equal(ta, tb, equal_nan=True)


# -- run and samples= ------------------------------------------------------------------------


def check_run(kw: dict[str, Any]) -> None:
    case("run", **kw)
    status, r = attempt(lambda: attrition.run(SC, **kw))
    if status != "ok":
        return
    t = kw.get("trajectories")
    n = kw.get("n", t.stop - t.start if isinstance(t, range) else None)
    if n is not None:
        assert r.n == n
    # seed=None draws a fresh seed, which the result records
    assert r.seed == (kw.get("seed") if kw.get("seed") is not None else r.seed) and r.days == A.DAYS
    if isinstance(t, range):
        assert r.trajectories == t
    if r.n <= 200 and kw.get("threads") != 1:
        # bit-identical on one thread
        again = attempt(lambda: attrition.run(SC, **{**kw, "threads": 1, "seed": r.seed}))
        if again[0] == "ok":
            same_result(r, again[1])


def test_a_deadline_inside_a_gc_callback_is_not_lost(monkeypatch):
    """The deadline's alarm can fall inside a garbage-collector callback (hypothesis installs
    one), where Python drops an exception as "ignored": it is then asked again, and the call
    stops instead of running on past its deadline with an unraisable-exception warning."""
    monkeypatch.setitem(globals(), "DEADLINE", 0.05)
    armed, seen = [], []

    def slow_callback(phase: str, info: dict) -> None:
        if phase == "start" and armed and not seen:  # the collection inside the call only
            seen.append(_swallowing(sys._getframe()))
            t = time.monotonic()
            while time.monotonic() - t < 0.3:  # the alarm falls in here
                pass

    gc.callbacks.append(slow_callback)
    try:
        outcome = attempt(lambda: (armed.append(True), gc.collect(), time.sleep(5)))
    finally:
        gc.callbacks.remove(slow_callback)
    assert seen == [True] and not _swallowing(sys._getframe())
    assert outcome == ("stopped", None)


@fuzz(150)
@given(A.run_args())
def test_run_arguments(kw):
    check_run(kw)


@fuzz(40)
@given(st.integers(1, 50), st.data())
def test_given_samples_are_the_drawn_values(n, data):
    values = {
        p: np.array(data.draw(st.lists(st.floats(lo, hi), min_size=n, max_size=n), label=p))
        for p, lo, hi in [(A.UNCERTAIN[0], 0, 1e7), (A.UNCERTAIN[1], 1, 1e5)]
    }
    case("run", samples=values, seed=1, max_memory=10**8)
    status, r = attempt(lambda: attrition.run(SC, samples=values, seed=1, max_memory=10**8))
    assert status == "ok", r
    for p, v in values.items():
        assert np.array_equal(r.params[p], v), p


# -- compare, merge, sweep --------------------------------------------------------------------

OTHERS = {
    "itself": SC,
    "cut": SC.with_values({"sides.red.supply.home.rate": 0}),
    "longer": SC.with_values({"days": A.DAYS + 1}),
    "missing": "no-such-scenario",
    "number": 7,
}


@fuzz(40)
@given(
    st.sampled_from(sorted(OTHERS)),
    A.counts,
    A.seeds,
    st.one_of(st.none(), A.names, st.lists(A.names, max_size=2), A.hostile),
    st.one_of(st.just(()), A.series),
    A.threads,
)
def test_compare_arguments(other, n, seed, outcomes, series, threads):
    kw = dict(n=n, seed=seed, outcomes=outcomes, series=series, threads=threads)
    case("compare", other=other, **kw)
    status, c = attempt(lambda: attrition.compare(SC, OTHERS[other], **kw))
    if status == "ok" and other == "itself":
        for k, row in c.outcomes.items():
            assert row["mean_diff"] == 0 or row["pairs"] == 0, k
            assert row["p_b_gt_a"] == 0 or row["pairs"] == 0, k


MODES = {
    "paths": {},
    "arrays": {"paths": False, "outcomes": "arrays"},
    "sketch": {"paths": False, "outcomes": "sketch"},
}


@fuzz(40)
@given(
    st.sampled_from(sorted(MODES)),
    st.lists(st.tuples(st.integers(0, 120), st.integers(1, 40)), min_size=1, max_size=4),
    st.lists(st.sampled_from(["seed", "scenario", "mode", "junk", "version"]), max_size=1),
    st.sampled_from([0, 2**64 - 200]),
)
def test_merge_parts(mode, cuts, spoil, offset):
    kw = {"seed": 5, "series": A.SERIES[:2], **MODES[mode]}
    parts: list[Any] = [attrition.run(SC, trajectories=range(offset + a, offset + a + k), **kw) for a, k in cuts]
    if spoil:  # one more part, disjoint from the others, that is not of the same run
        how = spoil[0]
        other = {"seed": {"seed": 6}, "mode": {"paths": not kw.get("paths", True)}}.get(how, {})
        sc = SC.with_values({"sides.red.ref_fire": 999}) if how == "scenario" else SC
        mkw = {**kw, **other}
        if mkw.get("paths", True):
            mkw.pop("outcomes", None)
        extra = attrition.run(sc, trajectories=range(offset + 160, offset + 170), **mkw)
        if how == "version":
            extra.version = "0.0.0"
        parts.append(SC if how == "junk" else extra)
    case("merge", mode=mode, cuts=cuts, spoil=spoil, offset=offset)
    status, m = attempt(lambda: attrition.merge(parts))
    spans = sorted((offset + a, offset + a + k) for a, k in cuts)
    overlap = any(b0 > a1 for (_, b0), (a1, _) in zip(spans, spans[1:], strict=False))
    if overlap or spoil:
        assert status == "refused", "merged parts that are not of one run"
        return
    assert status == "ok", m
    for a, b in m._ranges:  # each contiguous stretch equals one run over it
        whole = attrition.run(SC, trajectories=range(a, b), **kw)
        if len(m._ranges) == 1:
            same_result(m, whole)
        elif m.outcomes_kept == "arrays":
            idx = np.flatnonzero((np.asarray(m.trajectories) >= a) & (np.asarray(m.trajectories) < b))
            for k, v in whole.outcomes.items():
                assert np.array_equal(m.outcomes[k][idx], v, equal_nan=True), k


GRID_PATHS = ["sides.red.supply.home.rate", "days", "sides.red.fleets.guns.guns", "name", "sides.nope.x"]


@fuzz(25)
@given(
    st.one_of(
        st.dictionaries(
            st.one_of(st.sampled_from(GRID_PATHS), A.names),
            st.one_of(st.lists(st.one_of(st.integers(0, 50), A.hostile), max_size=3), A.hostile),
            max_size=2,
        ),
        st.lists(st.dictionaries(st.sampled_from(GRID_PATHS), st.integers(0, 50), max_size=2), max_size=3),
        A.hostile,
    ),
    A.counts,
)
def test_sweep_arguments(grid, n):
    case("sweep", grid=grid, n=n)
    check_sweep(grid, n)


def check_sweep(grid: Any, n: Any) -> None:
    """A sweep answers or refuses; its first variant equals a run of that variant (in the
    sweep's mode: summaries unless asked for paths)."""
    status, sw = attempt(lambda: attrition.sweep(SC, grid, n=n, seed=3, max_memory=10**8))
    if status == "ok" and len(sw) and sw.variants[0]:
        first = sw.results[0]
        one = attrition.run(SC.with_values(sw.variants[0]), n=n, seed=3, series=first.series_names, paths=first.paths)
        same_result(first, one)


# -- blobs and pickles ------------------------------------------------------------------------


def corrupt(data: Any, blob: bytes) -> bytes:
    kind = data.draw(st.sampled_from(["flip", "flips", "cut", "extend", "splice", "random", "zero"]), label="how")
    b = bytearray(blob)
    if kind in ("flip", "flips"):
        for _ in range(1 if kind == "flip" else data.draw(st.integers(2, 8))):
            i = data.draw(st.integers(0, len(b) - 1))
            b[i] ^= 1 << data.draw(st.integers(0, 7))
    elif kind == "cut":
        del b[data.draw(st.integers(0, len(b) - 1)) :]
    elif kind == "extend":
        b += data.draw(st.binary(min_size=1, max_size=16))
    elif kind == "splice":
        i = data.draw(st.integers(0, len(b)))
        b[i:i] = data.draw(st.binary(min_size=1, max_size=16))
    elif kind == "zero":
        i = data.draw(st.integers(0, len(b) - 1))
        b[i : i + 8] = bytes(len(b[i : i + 8]))
    else:
        return data.draw(st.binary(max_size=200))
    return bytes(b)


BLOB_RUNS = {
    "series": attrition.run(SC, n=30, seed=2, paths=False, series=A.SERIES)._series.table,
    "outcomes": attrition.run(SC, n=30, seed=2, paths=False, outcomes="sketch")._outcomes.table,
}


@fuzz(60)
@given(st.sampled_from(sorted(BLOB_RUNS)), st.data())
def test_corrupted_summary_blobs_are_refused(which, data):
    table = BLOB_RUNS[which]
    blob = table.to_bytes()
    bad = corrupt(data, blob)
    case("blob", hex=bad)
    status, got = attempt(lambda: type(table).from_bytes(bad))
    if status == "ok":
        assert bad == blob or got == table, "a corrupted blob decoded to another table"
    else:
        assert status == "refused"


PICKLED = {
    "scenario": SC,
    "paths": attrition.run(SC, n=10, seed=2, series=A.SERIES[:1]),
    "summaries": attrition.run(SC, n=10, seed=2, paths=False, outcomes="sketch", series=A.SERIES[:1]),
}


@fuzz(60)
@given(st.sampled_from(sorted(PICKLED)), st.data())
def test_corrupted_pickles_never_load_as_other_objects(which, data):
    obj = PICKLED[which]
    blob = pickle.dumps(obj)
    bad = corrupt(data, blob)
    try:
        with limits():
            got = pickle.loads(bad)
    except Deadline:
        raise AssertionError("loading a corrupted pickle hung") from None
    except Exception:  # noqa: BLE001 - IntegrityError, or pickle's own error for damage in its framing
        return
    if type(got) is not type(obj):
        return  # damage in pickle's few framing bytes can make it build something else entirely
    if isinstance(obj, Scenario):
        assert got == obj
    else:
        same_result(got, obj)


# -- the command line -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    d = tmp_path_factory.mktemp("cli")
    (d / "garbage.toml").write_bytes(b"\xff\x00[[[")
    (d / "foreign").mkdir()
    (d / "foreign" / "thesis.tex").write_text("mine")
    out = {
        "valid": str(DATA / "two_sides.toml"),
        "garbage": str(d / "garbage.toml"),
        "folder": str(d),
        "missing": str(d / "missing.toml"),
        "foreign report folder": str(d / "foreign"),
        "report folder": str(d / "report"),
        "device": "/dev/zero",
    }
    if hasattr(os, "mkfifo"):
        os.mkfifo(d / "pipe.toml")
        out["pipe"] = str(d / "pipe.toml")
    return out


CLI_WORDS = ["run", "validate", "scenarios", "-n", "--seed", "--threads", "--report", "--version", "--help", "-x"]


@fuzz(50)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(CLI_WORDS),
            st.sampled_from(["1", "5", "0", "-1", "2", "1e3", "9" * 30, str(2**63), str(2**64), "nan", ""]),
            st.sampled_from(["baseline-2024-12", "no-dprk", "nope"]),
            st.sampled_from(["FILE:valid", "FILE:garbage", "FILE:folder", "FILE:missing", "FILE:pipe", "FILE:device"]),
            st.sampled_from(["FILE:report folder", "FILE:foreign report folder"]),
            st.text(max_size=8),
        ),
        max_size=7,
    )
)
def test_command_line_arguments(files, argv):
    argv = [files.get(a[5:], a[5:]) if a.startswith("FILE:") else a for a in argv]
    if "run" in argv and "-n" not in argv:
        argv += ["-n", "20"]  # the default, 10,000, is a long run for a fuzz example
    case("cli", argv=argv)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status, code = attempt(lambda: _exit_code(argv))
    if status == "ok":
        assert code in (0, 2), (code, err.getvalue()[-500:])
        if code == 2:
            assert err.getvalue().strip(), "refused without saying why"
            assert len(err.getvalue()) < 5 * MAX_MESSAGE


def _exit_code(argv: list[str]) -> int:
    try:
        return cli.main(argv)
    except SystemExit as e:  # argparse: usage errors (2), --help and --version (0)
        return int(e.code or 0)


# -- the corpus -------------------------------------------------------------------------------


def _replay(kind: str, args: dict[str, Any], files: dict[str, str]) -> None:
    if kind == "run":
        check_run(args)
    elif kind == "compare":
        other = args.pop("other")
        status, _ = attempt(lambda: attrition.compare(SC, OTHERS[other], **args))
    elif kind == "sweep":
        check_sweep(args["grid"], args["n"])
    elif kind == "blob":
        table = BLOB_RUNS["series"]
        status, got = attempt(lambda: type(table).from_bytes(args["hex"]))
        assert status == "refused" or got.to_bytes() == args["hex"]
    elif kind == "cli":
        argv = [files.get(a[5:], a[5:]) if a.startswith("FILE:") else a for a in args["argv"]]
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            status, code = attempt(lambda: _exit_code(argv))
        assert status != "ok" or code in (0, 2)
    else:
        raise AssertionError(f"unknown kind of case {kind!r}")


CASES = sorted(CORPUS.glob("*.json"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_corpus(path, files):
    """Every crash the fuzzing found, replayed: now an answer or a documented error."""
    c = json.loads(path.read_text(encoding="utf-8"))
    _replay(c["kind"], A.decode(c["args"]), files)
