"""The folder a report writes into, kept safe to write again.

A report writes into a new or empty folder, or into one an earlier report
wrote: such a folder holds a marker file, :data:`MARKER`, listing the files the
report wrote. A folder that holds anything else is refused, so a report never
overwrites files it did not write.

Each file is written to a temporary name in the folder (created exclusively,
so a link planted at that name is not followed) and then renamed over its
final name: a reader sees the old file or the new one, never half of one, and
a symbolic link at the final name is replaced, never followed. The marker
lists every file that may be there before each rename, and, at the end, the
files of this report only; the files of an earlier report that this one did
not write are then deleted (a link among them is removed, not its target).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

__all__ = ["MARKER", "ReportFolder"]

#: The marker file of a report folder.
MARKER = ".attrition-report"
#: First line of the marker.
HEADER = "attrition report: files written by attrition, one per line"
#: Prefix of the temporary files (an interrupted report may leave some: the next one removes them).
TEMP_PREFIX = ".attrition-tmp-"
#: What a file name in the marker may look like: a plain name in the folder.
SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}$")
#: The marker is small; a bigger file of that name is not one.
MAX_MARKER_BYTES = 1 << 16

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class ReportFolder:
    """A folder to write a report into (see the module docs).

    Raises
    ------
    FileExistsError
        When ``directory`` holds files and no marker (or a marker that is not a
        regular file of this form): it was not written by a report.
    NotADirectoryError
        When ``directory`` exists and is not a folder.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.path = Path(directory)
        self.path.mkdir(parents=True, exist_ok=True)
        if not self.path.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(self.path))
        self._remove_temporaries()
        self.earlier = self._read_marker()
        self.written: list[str] = []

    # -- the marker ----------------------------------------------------------------------
    def _read_marker(self) -> list[str]:
        """The files an earlier report wrote (empty for a new folder)."""
        entries = sorted(n for n in os.listdir(self.path) if n != MARKER)
        marker = self.path / MARKER
        try:
            st = os.lstat(marker)
        except FileNotFoundError:
            if entries:
                raise self._refusal("no marker", entries) from None
            return []
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_MARKER_BYTES:
            raise self._refusal("the marker is not a regular file of a report", entries)
        fd = os.open(marker, os.O_RDONLY | _NOFOLLOW | _CLOEXEC | _BINARY)
        with os.fdopen(fd, "rb") as f:
            lines = f.read(MAX_MARKER_BYTES).decode("utf-8", "replace").splitlines()
        if not lines or lines[0] != HEADER:
            raise self._refusal("the marker is not one a report wrote", entries)
        # Only plain names in this folder: a marker that names "../x" does not make a report touch it.
        return [n for n in lines[1:] if SAFE_NAME.match(n) and n != MARKER]

    def _refusal(self, why: str, entries: list[str]) -> FileExistsError:
        shown = ", ".join(entries[:5]) + (f" and {len(entries) - 5} more" if len(entries) > 5 else "")
        return FileExistsError(
            errno.EEXIST,
            f"the folder holds files that a report did not write ({why}; {MARKER} lists a report's files): "
            f"{shown}. Give a new or empty folder, or one an earlier report wrote",
            str(self.path),
        )

    def _write_marker(self, names: list[str]) -> None:
        text = "\n".join([HEADER, *dict.fromkeys(names)]) + "\n"
        self._replace(MARKER, lambda f: f.write(text.encode("utf-8")))

    # -- files ---------------------------------------------------------------------------
    def _remove_temporaries(self) -> None:
        for name in os.listdir(self.path):
            if name.startswith(TEMP_PREFIX):
                with contextlib.suppress(OSError):
                    _unlink_file(self.path / name)

    @contextlib.contextmanager
    def _temporary(self) -> Iterator[tuple[Path, IO[bytes]]]:
        """A new file under a random name in the folder (never an existing path, link or not)."""
        tmp = self.path / f"{TEMP_PREFIX}{secrets.token_hex(8)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY, 0o666)
        try:
            with os.fdopen(fd, "wb") as f:
                yield tmp, f
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _replace(self, name: str, write: Callable[[IO[bytes]], object]) -> Path:
        final = self.path / name
        with self._temporary() as (tmp, f):
            write(f)
        try:
            os.replace(tmp, final)  # a link at `final` is replaced, not followed
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return final

    def write_bytes(self, name: str, write: Callable[[IO[bytes]], object]) -> Path:
        """Write the file ``name`` of the report: ``write(f)`` fills a binary file."""
        if not SAFE_NAME.match(name) or name == MARKER:
            raise ValueError(f"not a report file name: {name!r}")
        self._write_marker([*self.earlier, *self.written, name])
        path = self._replace(name, write)
        self.written.append(name)
        return path

    def write_text(self, name: str, write: Callable[[IO[str]], object]) -> Path:
        """As :meth:`write_bytes`, ``write(f)`` filling a UTF-8 text file (newlines as written)."""

        def binary(f: IO[bytes]) -> None:
            text = io.TextIOWrapper(f, encoding="utf-8", newline="")
            write(text)
            text.flush()
            text.detach()

        return self.write_bytes(name, binary)

    def finish(self) -> None:
        """List this report's files in the marker and delete the earlier report's others."""
        self._write_marker(self.written)
        for name in self.earlier:
            if name not in self.written:
                with contextlib.suppress(FileNotFoundError):
                    _unlink_file(self.path / name)


def _unlink_file(path: Path) -> None:
    """Delete a file or a link (the link itself); leave a folder alone."""
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        os.unlink(path)
