"""scripts/check_dist.py finds what a wheel or an sdist lacks."""

from __future__ import annotations

import importlib.util
import io
import pathlib
import tarfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("check_dist", ROOT / "scripts" / "check_dist.py")
assert spec and spec.loader
check_dist = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_dist)

MODEL = b"# The attrition model\n"


def _wheel(path: pathlib.Path, files: dict[str, bytes], tag: str = "cp310-abi3-manylinux_2_34_x86_64") -> None:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
        z.writestr("attrition-0.1.0.dist-info/WHEEL", f"Wheel-Version: 1.0\nTag: {tag}\n")


def _sdist(path: pathlib.Path, files: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as t:
        for name, data in files.items():
            info = tarfile.TarInfo(f"attrition-0.1.0/{name}")
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))


def _complete_wheel() -> dict[str, bytes]:
    files = {n: (MODEL if n.endswith("model.md") else b"x") for n in check_dist.WHEEL_FILES}
    files.update(
        {
            "attrition/_core.abi3.so": b"\0",
            "attrition/scenarios/baseline-2024-12.toml": b"x",
            "attrition/datasets/a.csv": b"x",
        }
    )
    return files


def _complete_sdist() -> dict[str, bytes]:
    files = {n: (MODEL if n.endswith("model.md") else b"x") for n in check_dist.SDIST_FILES}
    files.update(
        {
            "python/attrition/datasets/a.csv": b"x",
            "src/scenario/overlay.rs": b'include_str!("../../python/attrition/scenarios/baseline-2024-12.toml")',
        }
    )
    return files


def test_a_complete_pair_passes(tmp_path, capsys):
    _wheel(tmp_path / "attrition-0.1.0-cp310-abi3-manylinux_2_34_x86_64.whl", _complete_wheel())
    _sdist(tmp_path / "attrition-0.1.0.tar.gz", _complete_sdist())
    assert check_dist.main([str(tmp_path)]) == 0, capsys.readouterr().err


def test_what_is_missing_is_named(tmp_path, capsys):
    wheel = _complete_wheel()
    del wheel["attrition/sources.toml"]
    wheel["attrition/docs/model.md"] = b"../../../docs/model.md"  # a link's target written as text
    wheel["attrition/scenarios/x.sources.draft.toml"] = b"x"
    _wheel(tmp_path / "attrition-0.1.0-cp311-cp311-manylinux_2_34_x86_64.whl", wheel, tag="cp311-cp311-linux")
    sdist = _complete_sdist()
    del sdist["LICENSE"]
    sdist["src/model/x.rs"] = b'include_str!("../../python/attrition/missing.toml")'
    sdist["python/attrition/extra.txt"] = b"x"
    _sdist(tmp_path / "attrition-0.1.0.tar.gz", sdist)
    assert check_dist.main([str(tmp_path)]) == 1
    err = capsys.readouterr().err
    for want in [
        "not an abi3 wheel",
        "missing attrition/sources.toml",
        "attrition/docs/model.md is not the model's reference",
        "x.sources.draft.toml must not ship",
        "attrition-0.1.0.tar.gz: missing LICENSE",
        "src/model/x.rs reads ../../python/attrition/missing.toml, which is not in the sdist",
        "missing attrition/extra.txt (in the sdist's package)",
    ]:
        assert want in err, want


def test_an_empty_directory_fails(tmp_path, capsys):
    assert check_dist.main([str(tmp_path)]) == 1
    assert "no attrition wheel or sdist" in capsys.readouterr().err
