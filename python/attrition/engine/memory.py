"""How much memory a run may use, and what a run would need.

The memory this process may still take (:func:`memory_headroom`) is the
smallest of three figures, each read when a run starts:

* the memory the kernel says is available (``MemAvailable`` in ``/proc/meminfo``;
  elsewhere the free physical pages);
* the room left under the process's control groups: for cgroup v2
  ``memory.max - memory.current``, for cgroup v1 ``memory.limit_in_bytes -
  memory.usage_in_bytes``, the smallest over the group and its ancestors (a
  container's limit);
* the room left in the address space under ``ulimit -v`` (``RLIMIT_AS`` minus
  the process's ``VmSize``).

A run above that is killed (by the kernel's OOM killer or a failed allocation)
instead of raising, so it is refused up front with a :class:`ResourceError`
naming the figure and the limit. The default budget is half of it; an explicit
``max_memory`` is capped at all of it.
"""

from __future__ import annotations

import dataclasses
import os

from .. import _core
from ..errors import ResourceError
from ..scenario import Scenario

__all__ = ["MEMORY_FRACTION", "Headroom", "keeps_arrays", "memory_budget", "memory_headroom", "refuse"]

#: Share of the headroom a run may use by default.
MEMORY_FRACTION = 0.5
#: Assumed when nothing can be read (no /proc, no sysconf).
FALLBACK_BYTES = 4 << 30


@dataclasses.dataclass(frozen=True)
class Headroom:
    """Memory this process may still take (bytes) and the limit that sets it, in words."""

    bytes: int
    source: str


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read(1 << 16)
    except OSError:
        return None


def _number(text: str | None) -> int | None:
    """An integer file (``"max"`` or anything else unreadable is no limit)."""
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def _meminfo_available(root: str) -> int | None:
    text = _read(os.path.join(root, "proc/meminfo"))
    for line in (text or "").splitlines():
        if line.startswith("MemAvailable:"):
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                return int(parts[1]) * 1024
    return None


def _status_vmsize(root: str) -> int | None:
    text = _read(os.path.join(root, "proc/self/status"))
    for line in (text or "").splitlines():
        if line.startswith("VmSize:"):
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                return int(parts[1]) * 1024
    return None


def _mounts(root: str) -> list[tuple[str, str, str, str]]:
    """(mount root, mount point, file system type, super options) of each cgroup mount."""
    out = []
    for line in (_read(os.path.join(root, "proc/self/mountinfo")) or "").splitlines():
        left, sep, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if not sep or len(fields) < 5 or len(tail) < 3 or not tail[0].startswith("cgroup"):
            continue
        out.append((fields[3], fields[4], tail[0], tail[2]))
    return out


def _cgroup_dirs(root: str) -> list[tuple[str, str]]:
    """(version, directory) of this process's memory control groups (v2 and v1) and
    of their ancestors up to the mount point: a parent's limit binds its children."""
    mounts = _mounts(root)
    out: list[tuple[str, str]] = []
    for line in (_read(os.path.join(root, "proc/self/cgroup")) or "").splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":
            version, match = "v2", [m for m in mounts if m[2] == "cgroup2"]
        elif "memory" in controllers.split(","):
            version, match = "v1", [m for m in mounts if m[2] == "cgroup" and "memory" in m[3].split(",")]
        else:
            continue
        for mount_root, point, _, _ in match:
            rel = os.path.relpath(path, mount_root) if path.startswith(mount_root) else path.lstrip("/")
            if rel.startswith(".."):
                continue
            top = os.path.normpath(os.path.join(root, point.lstrip("/")))
            d = os.path.normpath(os.path.join(top, rel))
            while True:
                out.append((version, d))
                if len(d) <= len(top):
                    break
                d = os.path.dirname(d)
    return out


def _cgroup_room(root: str) -> tuple[int, str] | None:
    """The room left under the tightest memory limit of this process's control groups."""
    best: tuple[int, str] | None = None
    for version, d in _cgroup_dirs(root):
        if version == "v2":
            limit = _number(_read(os.path.join(d, "memory.max")))
            used = _number(_read(os.path.join(d, "memory.current")))
            name = "memory.max"
        else:
            limit = _number(_read(os.path.join(d, "memory.limit_in_bytes")))
            used = _number(_read(os.path.join(d, "memory.usage_in_bytes")))
            name = "memory.limit_in_bytes"
        # v1 writes "no limit" as a huge number (PAGE_COUNTER_MAX pages).
        if limit is None or limit >= 1 << 60:
            continue
        room = max(0, limit - (used or 0))
        if best is None or room < best[0]:
            best = (room, f"the control group's limit ({name} = {limit / 1e6:,.0f} MB, {used or 0:,} bytes in use)")
    return best


def _address_space_room(root: str) -> tuple[int, str] | None:
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    size = _status_vmsize(root) or 0
    return max(0, soft - size), f"the address-space limit (ulimit -v = {_mb(soft)}, {_mb(size)} mapped)"


def memory_headroom(root: str = "/") -> Headroom:
    """The memory this process may still take: the smallest of the available memory,
    the room under its control groups' limits and under its address-space limit.

    ``root`` is where ``/proc`` and ``/sys`` are found (tests pass a fake tree).
    """
    candidates: list[tuple[int, str]] = []
    avail = _meminfo_available(root)
    if avail is None and root == "/":
        try:
            avail = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            avail = None
    if avail is not None:
        candidates.append((avail, "the memory available (MemAvailable)"))
    for room in (_cgroup_room(root), _address_space_room(root) if root == "/" else None):
        if room is not None:
            candidates.append(room)
    if not candidates:
        return Headroom(FALLBACK_BYTES, "an assumed 4 GB (the available memory could not be read)")
    b, source = min(candidates, key=lambda c: c[0])
    return Headroom(int(b), source)


def memory_budget(room: Headroom | None = None) -> int:
    """Default memory budget: :data:`MEMORY_FRACTION` of ``room`` (bytes), read now by
    :func:`memory_headroom` when not given."""
    return int((room or memory_headroom()).bytes * MEMORY_FRACTION)


def keeps_arrays(
    scenario: Scenario, n: int, n_series: int, paths: bool, outcomes: str, threads: int | None, budget: int
) -> bool:
    """Whether a run keeps outcomes and drawn parameters as per-trajectory arrays: always
    with paths; with summaries, for ``outcomes="arrays"``, or for ``"auto"`` when the
    run's summaries and arrays fit ``budget``. Decided before the run starts."""
    if paths or outcomes == "arrays":
        return True
    if outcomes == "sketch":
        return False
    workers = _core.worker_threads(threads)
    return _core.estimate_summary_bytes(scenario._core, n, n_series, workers, True) <= budget


def refuse(
    need: int, budget: int, paths: bool, what: str = "this run", held: str = "", room: Headroom | None = None
) -> None:
    """Raise ResourceError when ``need`` bytes exceed ``budget``, or the memory this
    process may still take (``room``, read now when not given), saying what to change."""
    hint = "paths=False, " if paths else ""
    change = f"use {hint}fewer series (series=[...]) or fewer trajectories"
    if need > budget:
        raise ResourceError(
            f"{what} would hold about {_mb(need)}{held}, above the budget of {_mb(budget)} (max_memory); {change}"
        )
    room = room or memory_headroom()
    if need > room.bytes:
        raise ResourceError(
            f"{what} would hold about {_mb(need)}{held}, above the {_mb(room.bytes)} this process may still "
            f"take under {room.source}; {change}"
        )


def _mb(b: int | float) -> str:
    return f"{b / 1e6:,.0f} MB"
