#!/usr/bin/env python
"""Check the built distributions in DIST_DIR: a wheel and/or an sdist.

Usage::

    maturin build --release -o dist && maturin sdist -o dist
    python scripts/check_dist.py dist

The wheel must be abi3 and ship, beside the extension and the Python modules,
everything a user reads at run time: the built-in scenarios, the datasets, the
sources register, the model's reference (``attrition/docs/model.md``, a file,
not a link), ``py.typed`` and ``_core.pyi``. The sdist must hold everything a
build and a user need: the Cargo files, ``src/`` (and every file its
``include_str!`` reads), ``python/``, ``docs/``, the scenarios, the data, the
register, ``LICENSE`` and ``README.md``. With both, every file of the sdist's
package directory must be in the wheel.

Exits with status 1 and a list of the problems, or prints what it checked.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys
import tarfile
import zipfile

#: Files the wheel must hold (paths inside it).
WHEEL_FILES = (
    "attrition/__init__.py",
    "attrition/_core.pyi",
    "attrition/py.typed",
    "attrition/sources.toml",
    "attrition/docs/__init__.py",
    "attrition/docs/model.md",
    "attrition/datasets/README.md",
)
#: Patterns of which the wheel must hold at least one file.
WHEEL_GLOBS = (
    r"attrition/_core\.abi3\.(so|pyd)",
    r"attrition/scenarios/baseline-2024-12\.toml",
    r"attrition/scenarios/[^/]+\.toml",
    r"attrition/datasets/[^/]+\.csv",
)
#: Files the sdist must hold (paths below its top directory).
SDIST_FILES = (
    "Cargo.toml",
    "Cargo.lock",
    "pyproject.toml",
    "LICENSE",
    "README.md",
    "src/lib.rs",
    "docs/model.md",
    "python/attrition/__init__.py",
    "python/attrition/_core.pyi",
    "python/attrition/py.typed",
    "python/attrition/sources.toml",
    "python/attrition/docs/model.md",
    "python/attrition/scenarios/baseline-2024-12.toml",
)
SDIST_GLOBS = (r"python/attrition/datasets/[^/]+\.csv", r"docs/.+\.md", r"src/[^/]+/.+\.rs")
#: Nothing of these may ship.
FORBIDDEN = (r"(^|/)[^/]*\.draft\.toml$", r"(^|/)__pycache__/", r"\.pyc$")


def check_wheel(path: pathlib.Path, problems: list[str]) -> dict[str, bytes]:
    """The wheel's files (name -> bytes), after checking its tag and contents."""
    if "-abi3-" not in path.name:
        problems.append(f"{path.name}: not an abi3 wheel")
    with zipfile.ZipFile(path) as z:
        files = {i.filename: z.read(i) for i in z.infolist() if not i.is_dir()}
        links = [i.filename for i in z.infolist() if (i.external_attr >> 16) & 0o170000 == 0o120000]
    wheel_meta = next((v for k, v in files.items() if k.endswith(".dist-info/WHEEL")), b"").decode()
    tags = re.findall(r"^Tag: (\S+)", wheel_meta, flags=re.M)
    if not tags or not all("-abi3-" in t for t in tags):
        problems.append(f"{path.name}: WHEEL tags {tags} are not all abi3")
    _require(path.name, files, WHEEL_FILES, WHEEL_GLOBS, problems)
    for name in links:
        problems.append(f"{path.name}: {name} is a symbolic link, not a file")
    model = files.get("attrition/docs/model.md", b"")
    if not model.startswith(b"# The attrition model"):
        problems.append(f"{path.name}: attrition/docs/model.md is not the model's reference ({model[:40]!r})")
    return files


def check_sdist(path: pathlib.Path, problems: list[str]) -> dict[str, bytes]:
    """The sdist's files (path below its top directory -> bytes), after checking its contents."""
    with tarfile.open(path) as t:
        members = [m for m in t.getmembers() if m.isfile() or m.issym()]
        files: dict[str, bytes] = {}
        for m in members:
            name = m.name.split("/", 1)[1] if "/" in m.name else m.name
            if m.issym():
                problems.append(f"{path.name}: {name} is a symbolic link, not a file")
                continue
            f = t.extractfile(m)
            files[name] = f.read() if f else b""
    _require(path.name, files, SDIST_FILES, SDIST_GLOBS, problems)
    # Every file the crate reads at compile time is there.
    for name, data in files.items():
        if name.startswith("src/") and name.endswith(".rs"):
            for rel in re.findall(r'include_str!\("([^"]+)"\)', data.decode("utf-8", "replace")):
                target = (pathlib.PurePosixPath(name).parent / rel).as_posix()
                parts: list[str] = []
                for p in target.split("/"):
                    if p == "..":
                        parts = parts[:-1]
                    elif p != ".":
                        parts.append(p)
                if "/".join(parts) not in files:
                    problems.append(f"{path.name}: {name} reads {rel}, which is not in the sdist")
    if files.get("python/attrition/docs/model.md") != files.get("docs/model.md"):
        problems.append(f"{path.name}: python/attrition/docs/model.md differs from docs/model.md")
    return files


def _require(
    label: str, files: dict[str, bytes], names: tuple[str, ...], globs: tuple[str, ...], problems: list[str]
) -> None:
    for name in names:
        if name not in files:
            problems.append(f"{label}: missing {name}")
        elif name.endswith((".md", ".toml", ".pyi")) and not files[name].strip():
            problems.append(f"{label}: {name} is empty")
    for pattern in globs:
        if not any(re.fullmatch(pattern, n) for n in files):
            problems.append(f"{label}: no file matches {pattern}")
    for pattern in FORBIDDEN:
        problems += [f"{label}: {n} must not ship" for n in files if re.search(pattern, n)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dist_dir", type=pathlib.Path, help="the directory holding the .whl and/or .tar.gz")
    args = ap.parse_args(argv)
    wheels = sorted(args.dist_dir.glob("attrition-*.whl"))
    sdists = sorted(args.dist_dir.glob("attrition-*.tar.gz"))
    problems: list[str] = []
    if not wheels and not sdists:
        problems.append(f"{args.dist_dir}: no attrition wheel or sdist")
    wheel_files = [check_wheel(w, problems) for w in wheels]
    sdist_files = [check_sdist(s, problems) for s in sdists]
    # The wheel ships every file of the package's source directory.
    for sfiles in sdist_files:
        package = [n[len("python/") :] for n in sfiles if n.startswith("python/attrition/")]
        for w, wfiles in zip(wheels, wheel_files, strict=True):
            problems += [f"{w.name}: missing {n} (in the sdist's package)" for n in package if n not in wfiles]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    for p in wheels + sdists:
        print(f"ok: {p.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
