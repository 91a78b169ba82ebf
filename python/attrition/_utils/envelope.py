"""A checked envelope around serialised data: what attrition's pickles carry.

Layout (integers little-endian)::

    magic          4 bytes   what the payload is (b"ATSC" a scenario, b"ATRS" a result, ...)
    format         u16       version of the payload's encoding
    library        u8 + text the attrition version that wrote it (ASCII, at most 64 bytes)
    length         u64       bytes of payload
    payload        length bytes
    checksum       u32       CRC-32 (zlib's) of every byte before it

:func:`unseal` checks each part in that order and names the first that fails:
too short, another kind of data, an unknown format version, a length that
disagrees with the data, or a checksum that does not match (a corrupted copy).
The payload's own decoding comes after and stays separate: a new payload needs
no change here.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from ..errors import IntegrityError

__all__ = ["Sealed", "seal", "unseal"]

_HEAD = struct.Struct("<4sHB")
_LEN = struct.Struct("<Q")
_CRC = struct.Struct("<I")
MAX_LIBRARY = 64


@dataclass(frozen=True)
class Sealed:
    """What :func:`unseal` found: the format version, the library version that wrote the
    data, and the payload."""

    format: int
    library: str
    payload: bytes


def seal(magic: bytes, format: int, library: str, payload: bytes) -> bytes:
    """``payload`` in an envelope (see the module docs)."""
    lib = library.encode("ascii", "replace")[:MAX_LIBRARY]
    head = _HEAD.pack(magic, format, len(lib)) + lib + _LEN.pack(len(payload))
    crc = zlib.crc32(payload, zlib.crc32(head))
    return b"".join((head, payload, _CRC.pack(crc)))


def unseal(magic: bytes, formats: tuple[int, ...], blob: bytes, what: str) -> Sealed:
    """The contents of an envelope of kind ``magic`` whose format is one of ``formats``.

    Raises
    ------
    IntegrityError
        Naming ``what`` and the check that failed.
    """
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise IntegrityError(f"{what}: expected bytes, got {type(blob).__name__}")
    blob = memoryview(blob).cast("B")
    if len(blob) < _HEAD.size + _LEN.size + _CRC.size:
        raise IntegrityError(f"{what}: truncated ({len(blob)} bytes, too short for the header)")
    got, fmt, nlib = _HEAD.unpack_from(blob)
    if got != magic:
        raise IntegrityError(f"{what}: not {what} data (it starts with {got!r}, expected {magic!r})")
    if fmt not in formats:
        known = ", ".join(str(f) for f in formats)
        raise IntegrityError(
            f"{what}: format version {fmt}, which this attrition cannot read (it reads {known}); "
            "it was written by another version of attrition"
        )
    at = _HEAD.size + nlib
    if len(blob) < at + _LEN.size + _CRC.size:
        raise IntegrityError(f"{what}: truncated ({len(blob)} bytes, too short for the header)")
    library = bytes(blob[_HEAD.size : at]).decode("ascii", "replace")
    (length,) = _LEN.unpack_from(blob, at)
    at += _LEN.size
    if length != len(blob) - at - _CRC.size:
        raise IntegrityError(
            f"{what}: the header announces {length:,} bytes of payload but {len(blob) - at - _CRC.size:,} follow "
            "(truncated or extended)"
        )
    (crc,) = _CRC.unpack_from(blob, len(blob) - _CRC.size)
    if zlib.crc32(blob[: len(blob) - _CRC.size]) != crc:
        raise IntegrityError(f"{what}: checksum mismatch (the data was corrupted after attrition {library} wrote it)")
    return Sealed(fmt, library, bytes(blob[at : len(blob) - _CRC.size]))
