"""Scenario files: read and written as regular files only.

A named pipe with no writer, a device or a folder given as a scenario path is refused
with its kind named, rather than waited on or read without end; a file is read up to
a limit, checked on the open descriptor (no race with a rename).
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Any

from .._utils.fmt import shorten
from ..errors import ScenarioError

__all__ = ["file_kind", "read_regular_file", "shown_path", "write_regular_file"]

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is ("" for a regular file)."""
    if stat.S_ISREG(mode):
        return ""
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def shown_path(path: Any) -> str:
    """A path as a message quotes it (shortened)."""
    return shorten(str(os.fspath(path)))


def read_regular_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    The file is opened without blocking (a named pipe with no writer does not hang the
    open) and checked with ``fstat`` on the open descriptor (no race with a rename);
    anything else is a ScenarioError naming the path and what it is.
    """
    flags = os.O_RDONLY | _NONBLOCK | _CLOEXEC | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:  # Windows refuses to open a folder
        raise ScenarioError(
            f"{shown_path(path)}: a folder, not a scenario file (only regular files are read)"
        ) from None
    try:
        st = os.fstat(fd)
    except BaseException:
        os.close(fd)
        raise
    kind = file_kind(st.st_mode)
    if kind:
        os.close(fd)
        raise ScenarioError(f"{shown_path(path)}: {kind}, not a scenario file (only regular files are read)")
    with os.fdopen(fd, "rb") as f:
        if st.st_size > limit:
            raise ScenarioError(f"{shown_path(path)}: file is {st.st_size} bytes; the limit is {limit}")
        data = f.read(limit + 1)  # the file may have grown since fstat
    if len(data) > limit:
        raise ScenarioError(f"{shown_path(path)}: more than {limit} bytes; that is the limit")
    return data


def write_regular_file(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path``: a new file, or over a regular file (a named pipe or a
    device is refused with ``OSError`` rather than waited on)."""
    flags = os.O_WRONLY | os.O_CREAT | _NONBLOCK | _CLOEXEC | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o666)
    kind = file_kind(os.fstat(fd).st_mode)
    if kind:
        os.close(fd)
        raise OSError(errno.EINVAL, f"{kind}, not a file a scenario can be saved to", shown_path(path))
    with os.fdopen(fd, "wb") as f:
        f.truncate(0)
        f.write(data)
