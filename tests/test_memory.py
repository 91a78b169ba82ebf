"""The memory guard: the headroom is the smallest of the available memory, the
control groups' limits and the address-space limit, and a run above it is
refused with a ResourceError naming the figure and the limit (instead of the
process being killed)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import attrition
from attrition.engine import local, memory
from attrition.engine.memory import memory_headroom


def fake_tree(tmp_path, *, meminfo_kb=8_000_000, cgroup="", mountinfo="", files=None):
    """A fake / with /proc/meminfo, /proc/self/{cgroup,mountinfo,status} and cgroup files."""
    proc = tmp_path / "proc"
    (proc / "self").mkdir(parents=True)
    (proc / "meminfo").write_text(f"MemTotal: 16000000 kB\nMemAvailable: {meminfo_kb} kB\n")
    (proc / "self" / "cgroup").write_text(cgroup)
    (proc / "self" / "mountinfo").write_text(mountinfo)
    (proc / "self" / "status").write_text("VmSize:  100000 kB\n")
    for rel, text in (files or {}).items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return str(tmp_path)


V2_MOUNT = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n"
V1_MOUNT = "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"


def test_available_memory_when_nothing_else_binds(tmp_path):
    root = fake_tree(tmp_path, meminfo_kb=2_000_000)
    h = memory_headroom(root)
    assert h.bytes == 2_000_000 * 1024 and "MemAvailable" in h.source


def test_cgroup_v2_limit_minus_current_use(tmp_path):
    root = fake_tree(
        tmp_path,
        cgroup="0::/user.slice/job\n",
        mountinfo=V2_MOUNT,
        files={
            "sys/fs/cgroup/user.slice/job/memory.max": "1000000000\n",
            "sys/fs/cgroup/user.slice/job/memory.current": "300000000\n",
            "sys/fs/cgroup/user.slice/memory.max": "max\n",
        },
    )
    h = memory_headroom(root)
    assert h.bytes == 700_000_000 and "memory.max" in h.source


def test_a_parent_groups_limit_binds_its_children(tmp_path):
    root = fake_tree(
        tmp_path,
        cgroup="0::/a/b\n",
        mountinfo=V2_MOUNT,
        files={
            "sys/fs/cgroup/a/b/memory.max": "max\n",
            "sys/fs/cgroup/a/b/memory.current": "10\n",
            "sys/fs/cgroup/a/memory.max": "500000000\n",
            "sys/fs/cgroup/a/memory.current": "100000000\n",
        },
    )
    assert memory_headroom(root).bytes == 400_000_000


def test_cgroup_v1_limit(tmp_path):
    root = fake_tree(
        tmp_path,
        cgroup="4:memory:/docker/abc\n3:cpu:/docker/abc\n",
        mountinfo=V1_MOUNT,
        files={
            "sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "2000000000\n",
            "sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes": "1500000000\n",
            # v1 writes "no limit" as a huge number
            "sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
        },
    )
    h = memory_headroom(root)
    assert h.bytes == 500_000_000 and "memory.limit_in_bytes" in h.source


def test_a_container_whose_cgroup_is_the_mount_root(tmp_path):
    # Inside a cgroup namespace the group's path is "/" and the mount's root is "/" too.
    root = fake_tree(
        tmp_path,
        cgroup="0::/\n",
        mountinfo=V2_MOUNT,
        files={"sys/fs/cgroup/memory.max": "300000000\n", "sys/fs/cgroup/memory.current": "100000000\n"},
    )
    assert memory_headroom(root).bytes == 200_000_000


def test_unreadable_files_fall_back(tmp_path):
    root = fake_tree(tmp_path, cgroup="garbage\n0::/x\n", mountinfo="nonsense - \n" + V2_MOUNT)
    (tmp_path / "proc" / "meminfo").write_text("MemAvailable: lots\n")
    h = memory_headroom(root)
    assert h.bytes == memory.FALLBACK_BYTES and "assumed" in h.source


def test_the_default_budget_is_half_the_headroom():
    assert abs(memory.memory_budget() - memory_headroom().bytes * memory.MEMORY_FRACTION) < 2e8


def test_an_explicit_budget_above_the_headroom_is_still_refused(monkeypatch, small):
    def fake(root: str = "/") -> memory.Headroom:
        return memory.Headroom(5_000_000, "a test limit")

    monkeypatch.setattr(memory, "memory_headroom", fake)
    monkeypatch.setattr(local, "memory_headroom", fake)  # a local run reads it once and passes it on
    with pytest.raises(attrition.ResourceError, match=r"above the 5 MB this process may still take under a test limit"):
        attrition.run(small, n=1000, seed=1, series="all", max_memory=10**15)
    attrition.run(small, n=2, seed=1, series=[], max_memory=10**15)


ULIMIT = """
    import resource, attrition
    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, resource.RLIM_INFINITY))
    try:
        attrition.run("baseline-2024-12", n=100_000, seed=1, series="all", max_memory=10**13)
    except attrition.ResourceError as e:
        print("refused:", e)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and /proc/self/status")
def test_ulimit_v_gives_a_resource_error_not_a_dead_process():
    p = subprocess.run([sys.executable, "-c", textwrap.dedent(ULIMIT)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-500:]
    assert "refused:" in p.stdout and "address-space limit (ulimit -v = 1,500 MB" in p.stdout, p.stdout
