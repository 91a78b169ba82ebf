"""The options of a run, checked in one place for every entry point.

:func:`attrition.run`, :func:`attrition.compare`, :func:`attrition.sweep`,
:func:`attrition.parallel.run_distributed` and :func:`attrition.parallel.plan`
take the same keyword arguments (each the subset it needs); each builds its
:class:`RunOptions` with :meth:`RunOptions.from_args`, which checks and
normalises every one, and hands it on. The blocks of a distributed run, the
chunks of a comparison and the variants of a sweep run with the run's options
changed by :meth:`RunOptions.part` or ``dataclasses.replace``, checked again.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np

from .. import _core
from .._utils.fmt import shown
from .._utils.names import select
from ..scenario import Scenario
from ..scenario.registry import DEFAULT_SERIES
from .memory import Headroom, memory_budget

__all__ = [
    "DEFAULT_N",
    "MAX_RETRIES",
    "MAX_THREADS",
    "OUTCOMES",
    "RETRIES",
    "TRAJECTORY_LIMIT",
    "RunOptions",
    "fresh_seed",
]

#: Trajectories of a run when neither ``n``, ``trajectories`` nor ``samples`` says.
DEFAULT_N = 10_000
#: Trajectory indices are 64-bit: every trajectory of a run lies in ``range(0, TRAJECTORY_LIMIT)``.
TRAJECTORY_LIMIT = 2**64
#: Most worker threads a run may ask for.
MAX_THREADS: int = _core.MAX_THREADS
#: Most retries of a failed block.
MAX_RETRIES = 1000
#: How a run may keep outcomes and drawn parameters.
OUTCOMES = ("auto", "arrays", "sketch")
#: Default number of retries of a failed block of a distributed run.
RETRIES = 2


def _is_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _is_bool(x: Any) -> bool:
    return isinstance(x, (bool, np.bool_))


def fresh_seed() -> int:
    """A fresh 64-bit seed from the operating system's randomness."""
    return secrets.randbits(64)


@dataclasses.dataclass(frozen=True, eq=False)
class RunOptions:
    """Checked options of a run.

    :meth:`from_args` takes the arguments of :func:`attrition.run` as a user gives them
    (``n`` or ``trajectories`` or ``samples`` for the trajectories, ``seed=None`` for a
    fresh seed, ``series=None`` for :data:`DEFAULT_SERIES`...). The fields hold the
    checked values; building the class directly, or changing a field with
    ``dataclasses.replace``, checks them again. Each rule raises ``ValueError`` (or
    ``TypeError`` for a value of the wrong kind) naming the argument.

    Attributes
    ----------
    trajectories : range
        The trajectories of the seed's streams to run, ``range(first, first + n)``.
    seed : int
        In ``[0, 2**64)``.
    series : tuple of str, or "all"
        Names or glob patterns of the series to record; :meth:`series_names` resolves
        them for a scenario.
    paths : bool
        Full paths (True) or streaming summaries (False).
    threads : int or None
        Worker threads (None: all cores; per block in a distributed run).
    progress : bool or None
        Show a progress bar: True always, False never, None when watched (in a
        notebook, or stderr is a terminal) and the run should take over two seconds.
    max_memory : int or None
        Memory budget in bytes (None: half the memory available at the time of the
        run, see :meth:`budget`).
    samples : dict of str to float64 array, or None
        Explicit parameter values, one row per trajectory.
    outcomes : str
        ``"auto"``, ``"arrays"`` or ``"sketch"``.
    block : int or None
        Trajectories per block of a distributed run.
    retries : int
        Attempts after the first for a failed block of a distributed run.

    Examples
    --------
    >>> from attrition.engine import RunOptions
    >>> o = RunOptions.from_args(seed=7, trajectories=range(100, 150), paths=False)
    >>> o.n, o.first, o.seed, o.outcomes
    (50, 100, 7, 'auto')
    >>> o.part(range(120, 130)).trajectories
    range(120, 130)
    >>> RunOptions.from_args(n=0)
    Traceback (most recent call last):
    ...
    ValueError: n must be a positive integer, got 0
    """

    trajectories: range = range(DEFAULT_N)
    seed: int = dataclasses.field(default_factory=fresh_seed)
    series: tuple[str, ...] | Literal["all"] = DEFAULT_SERIES
    paths: bool = True
    threads: int | None = None
    progress: bool | None = None
    max_memory: int | None = None
    samples: dict[str, np.ndarray] | None = None
    outcomes: str = "auto"
    block: int | None = None
    retries: int = RETRIES

    @classmethod
    def from_args(
        cls,
        *,
        n: int | None = None,
        seed: int | None = None,
        series: str | Iterable[str] | None = None,
        paths: bool = True,
        threads: int | None = None,
        progress: bool | None = None,
        max_memory: int | None = None,
        samples: Any = None,
        trajectories: range | None = None,
        outcomes: str = "auto",
        block: int | None = None,
        retries: int = RETRIES,
    ) -> RunOptions:
        """The options of a run from the arguments of :func:`attrition.run`.

        The trajectories are ``trajectories``, else ``range(n)``, else one per row of
        ``samples``, else ``range(DEFAULT_N)``; ``samples`` is a dict of 1-D arrays, a
        pandas DataFrame (columns are dotted paths) or a numpy structured array.
        """
        given, rows = _sample_columns(samples)
        first, n = _trajectories(n, trajectories, rows)
        return cls(
            trajectories=range(first, first + n),
            seed=fresh_seed() if seed is None else seed,
            series=_series(series),
            paths=paths,
            threads=threads,
            progress=progress,
            max_memory=max_memory,
            samples=given,
            outcomes=outcomes,
            block=block,
            retries=retries,
        )

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        t = self.trajectories
        _check_range(t)
        if not _is_int(self.seed) or not 0 <= self.seed < 2**64:
            raise ValueError(f"seed must be an integer in [0, 2**64), got {shown(self.seed)}")
        put("seed", int(self.seed))
        put("series", _series(self.series))
        if not _is_bool(self.paths):
            raise TypeError(f"paths must be True or False, got {shown(self.paths)}")
        put("paths", bool(self.paths))
        if self.threads is not None:
            if not _is_int(self.threads) or not 1 <= self.threads <= MAX_THREADS:
                raise ValueError(f"threads must be a positive integer <= {MAX_THREADS}, got {shown(self.threads)}")
            put("threads", int(self.threads))
        if self.progress is not None:
            if not _is_bool(self.progress):
                raise TypeError(f"progress must be True, False or None, got {shown(self.progress)}")
            put("progress", bool(self.progress))
        if self.max_memory is not None:
            m = self.max_memory
            if not isinstance(m, (int, float, np.integer, np.floating)) or _is_bool(m) or not 0 <= m < float("inf"):
                raise ValueError(f"max_memory must be a number of bytes >= 0, got {shown(m)}")
            # the core counts bytes in 64 bits; a budget beyond that is no budget at all
            put("max_memory", min(int(m), 2**64 - 1))
        samples, rows = _sample_columns(self.samples)
        if rows is not None and rows != t.stop - t.start:
            raise ValueError(
                f"samples has {rows} rows but n={t.stop - t.start}; leave n out to run one trajectory per row"
            )
        put("samples", samples)
        if self.outcomes not in OUTCOMES:
            raise ValueError(f"outcomes must be 'auto', 'arrays' or 'sketch', got {shown(self.outcomes)}")
        if self.paths and self.outcomes == "sketch":
            raise ValueError("outcomes='sketch' needs paths=False")
        if self.block is not None:
            put("block", _between("block", self.block, 1, TRAJECTORY_LIMIT - 1, "2**64 - 1"))
        put("retries", _between("retries", self.retries, 0, MAX_RETRIES))

    @property
    def n(self) -> int:
        """The number of trajectories (``len()`` of a range stops at ``sys.maxsize``: this does not)."""
        return self.trajectories.stop - self.trajectories.start

    @property
    def first(self) -> int:
        """The first trajectory, ``trajectories.start``."""
        return self.trajectories.start

    def budget(self, room: Headroom | None = None) -> int:
        """The memory budget in bytes: ``max_memory``, or half of the memory available now
        (``room``, when the caller has read it)."""
        return memory_budget(room) if self.max_memory is None else self.max_memory

    def series_names(self, scenario: Scenario) -> list[str]:
        """The series of ``scenario`` to record, in the order asked.

        Raises UnknownNameError (a KeyError, with close matches) for a name the
        scenario does not have; a pattern may match nothing.
        """
        if self.series == "all":
            return scenario.series_names
        return select(scenario.series_names, self.series, "series")

    def part(self, trajectories: range, **changes: Any) -> RunOptions:
        """These options for ``trajectories`` (within this run's), with their rows of
        ``samples``, and any other field changed."""
        if trajectories.start < self.first or trajectories.stop > self.trajectories.stop:
            raise ValueError(f"{shown(trajectories)} is not within the run's {shown(self.trajectories)}")
        samples = self.samples
        if samples is not None:
            a, b = trajectories.start - self.first, trajectories.stop - self.first
            samples = {k: v[a:b] for k, v in samples.items()}
        return dataclasses.replace(self, trajectories=trajectories, samples=samples, **changes)


def _between(name: str, x: Any, low: int, high: int, high_text: str | None = None) -> int:
    if not _is_int(x) or not low <= x <= high:
        raise ValueError(f"{name} must be an integer >= {low} and <= {high_text or high}, got {shown(x)}")
    return int(x)


def _check_range(t: Any) -> None:
    """A non-empty range of trajectory indices with step 1 within ``[0, 2**64)``, of
    fewer than ``2**64`` trajectories."""
    if (
        not isinstance(t, range)
        or t.step != 1
        or not 0 <= t.start < t.stop <= TRAJECTORY_LIMIT
        or t.stop - t.start >= TRAJECTORY_LIMIT
    ):
        raise ValueError(
            f"trajectories must be a non-empty range(a, b) with 0 <= a < b <= 2**64 and b - a < 2**64, got {shown(t)}"
        )


def _series(series: Any) -> tuple[str, ...] | Literal["all"]:
    if series is None:
        return DEFAULT_SERIES
    if isinstance(series, str):
        return "all" if series == "all" else (series,)
    if not isinstance(series, Iterable):
        raise TypeError(f"series must be a name, a glob pattern, a list of them or 'all', got {type(series).__name__}")
    out = tuple(series)
    for p in out:
        if not isinstance(p, str):
            raise TypeError(f"series names must be strings, got {type(p).__name__}")
    return out


def _sample_columns(samples: Any) -> tuple[dict[str, np.ndarray] | None, int | None]:
    """Explicit parameter values as ``{path: float64 array}`` and their row count.

    Takes a mapping of 1-D arrays, a pandas DataFrame (columns are paths) or a
    numpy structured array (fields are paths); refuses ragged or non-finite columns.
    """
    if samples is None:
        return None, None
    if isinstance(samples, np.ndarray) and samples.dtype.names is not None:
        items = [(k, samples[k]) for k in samples.dtype.names]
    elif hasattr(samples, "columns") and hasattr(samples, "__getitem__") and not isinstance(samples, Mapping):
        items = [(k, samples[k].to_numpy()) for k in samples.columns]  # a pandas DataFrame
    elif isinstance(samples, Mapping):
        items = list(samples.items())
    else:
        raise TypeError(
            "samples must be a dict {path: array}, a pandas DataFrame or a numpy structured array, "
            f"got {type(samples).__name__}"
        )
    given: dict[str, np.ndarray] = {}
    rows = None
    for k, v in items:
        if not isinstance(k, str):
            raise TypeError(f"samples are keyed by dotted parameter paths (str), got {shown(k)}")
        a = np.ascontiguousarray(v, dtype=np.float64)
        if a.ndim != 1 or (rows is not None and len(a) != rows):
            want = f"({rows},)" if rows is not None else "one dimension"
            raise ValueError(f"samples[{shown(k)}] has shape {a.shape}; expected {want}")
        rows = len(a)
        bad = np.flatnonzero(~np.isfinite(a))
        if bad.size:
            raise ValueError(f"samples[{shown(k)}] has a non-finite value {a[bad[0]]} in row {bad[0]}")
        given[k] = a
    if not given or not rows:
        raise ValueError("samples is empty: give at least one parameter with at least one row")
    return given, rows


def _trajectories(n: Any, trajectories: Any, rows: int | None) -> tuple[int, int]:
    """(first trajectory, n) from ``n``, ``trajectories`` and the rows of ``samples``."""
    first = 0
    if trajectories is not None:
        _check_range(trajectories)
        if n is not None and n != trajectories.stop - trajectories.start:
            raise ValueError(f"n={shown(n)} disagrees with trajectories={shown(trajectories)}; give one of them")
        first, n = trajectories.start, trajectories.stop - trajectories.start
    if n is None:
        n = DEFAULT_N if rows is None else rows
    if not _is_int(n) or n < 1:
        raise ValueError(f"n must be a positive integer, got {shown(n)}")
    if n >= TRAJECTORY_LIMIT or first + n > TRAJECTORY_LIMIT:
        raise ValueError(
            f"n must be below 2**64 - {first} (trajectory indices and counts are 64-bit), got {n}"
            if first
            else f"n must be below 2**64 (trajectory indices and counts are 64-bit), got {n}"
        )
    if rows is not None and rows != n:
        raise ValueError(f"samples has {rows} rows but n={n}; leave n out to run one trajectory per row")
    return first, int(n)
