"""The typed stubs of the extension module match it (mypy's stubtest), and ship."""

import subprocess
import sys
from importlib import resources

import attrition


def test_stubtest_passes(tmp_path):
    # run outside the source tree so that no cache lands in it
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "attrition._core"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout


def test_stub_and_marker_are_installed():
    files = resources.files("attrition")
    assert files.joinpath("py.typed").is_file()
    stub = files.joinpath("_core.pyi").read_text(encoding="utf-8")
    for name in attrition._core.__all__:
        assert name in stub, name
