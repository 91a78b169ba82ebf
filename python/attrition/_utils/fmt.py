"""Numbers as people read them, one style for tables, charts and the command line."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["ECHO_LIMIT", "num", "pct", "shorten", "shown"]


def num(x: Any) -> str:
    """A compact number: thousands separators, 3 significant digits below 100,
    ``bn`` and ``M`` for large ones, ``-`` for NaN."""
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        return str(x)
    x = float(x)
    if math.isnan(x):
        return "-"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    a = abs(x)
    if a >= 1e12:
        return f"{x:.3g}"
    if a >= 1e9:
        return f"{x / 1e9:.3g} bn"
    if a >= 1e7:
        return f"{x / 1e6:.3g} M"
    if a >= 100 or x == round(x):
        return f"{x:,.0f}"
    if a >= 1:
        return f"{x:,.{max(0, 2 - int(math.floor(math.log10(a))))}f}".rstrip("0").rstrip(".")
    return f"{x:.3g}"


#: Most characters of a caller's input that a message quotes.
ECHO_LIMIT = 200


def shorten(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` when it has at most ``limit`` characters, else its start and end joined by ``...``."""
    if len(text) <= limit:
        return text
    tail = limit // 5
    return f"{text[: limit - tail - 3]}...{text[-tail:]}"


def shown(x: Any, limit: int = ECHO_LIMIT) -> str:
    """``repr(x)`` for a message, at most ``limit`` characters of it. A huge integer is
    described by its size (its digits could run to megabytes, and Python refuses to
    print more than a few thousand)."""
    if isinstance(x, int) and not isinstance(x, bool) and x.bit_length() > 600:
        return f"an integer of {x.bit_length():,} bits"
    try:
        text = repr(x)
    except Exception as e:  # noqa: BLE001 - a hostile __repr__ must not hide the real error
        text = f"<{type(x).__name__} object (repr failed: {type(e).__name__})>"
    return shorten(text, limit)


def pct(x: Any, digits: int = 1) -> str:
    """A share as a percentage with a space before the sign (``"62.3 %"``), ``digits``
    decimals; ``"0 %"`` and ``"100 %"`` only when exact, ``"< 0.1 %"`` and ``"> 99.9 %"``
    rather than rounding to them; ``-`` for NaN."""
    x = float(x)
    if math.isnan(x):
        return "-"
    if x == 0 or x == 1:
        return f"{x:.0%}".replace("%", " %")
    step = 10.0 ** -(digits + 2)
    if 0 < x < step:
        return f"< {step:.{digits}%}".replace("%", " %")
    if 1 - step < x < 1:
        return f"> {1 - step:.{digits}%}".replace("%", " %")
    return f"{x:.{digits}%}".replace("%", " %")
