"""Choosing names (series, outcomes, parameter paths) by exact name or glob pattern,
with "did you mean" for a name that does not exist."""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable, Sequence

from ..errors import UnknownNameError
from .fmt import shown

__all__ = ["is_pattern", "select", "unknown"]


def is_pattern(name: str) -> bool:
    """True when ``name`` holds a glob character (``*``, ``?`` or ``[``)."""
    return any(c in name for c in "*?[")


def unknown(name: str, names: Iterable[str], what: str, *, listing: bool = False) -> UnknownNameError:
    """The error for a ``what`` (``"series"``, ``"outcome"``) called ``name`` that is
    not among ``names``, with up to three close matches; ``listing`` also lists
    every name (for short lists such as the built-in scenarios)."""
    names = list(names)
    # A name far longer than any that exists has no close match (and difflib is quadratic).
    longest = max((len(n) for n in names), default=0)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6) if len(name) <= 2 * longest + 8 else []
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    if listing:
        hint += f" ({what}s: {', '.join(names)})" if names else f" (there is no {what})"
    return UnknownNameError(f"no {what} named {shown(name)}{hint}")


def select(
    names: Sequence[str],
    patterns: str | Iterable[str],
    what: str,
    *,
    empty_pattern_ok: bool = True,
    order: str = "asked",
) -> list[str]:
    """The names matching ``patterns`` (names or glob patterns), each once.

    Parameters
    ----------
    names
        Every name that exists.
    patterns
        One name or pattern, or several.
    what
        What the names are, for messages.
    empty_pattern_ok
        When False, a pattern that matches nothing is an error.
    order
        ``"asked"``: in the order the patterns ask for them; ``"names"``: in the
        order of ``names``.

    Raises
    ------
    UnknownNameError
        For an exact name that does not exist (or an empty pattern, see above).
    TypeError
        For a pattern that is not a string.
    """
    if isinstance(patterns, str):
        patterns = [patterns]
    chosen: dict[str, None] = {}
    present: set[str] | None = None  # built on the first exact name: a lookup per name, not a scan
    for p in patterns:
        if not isinstance(p, str):
            raise TypeError(f"{what} names must be strings, got {type(p).__name__}")
        if is_pattern(p):
            hits = [n for n in names if fnmatch.fnmatchcase(n, p)]
            if not hits and not empty_pattern_ok:
                raise UnknownNameError(f"no {what} matches {shown(p)}")
            chosen.update(dict.fromkeys(hits))
        elif p in (present := set(names) if present is None else present):
            chosen[p] = None
        else:
            raise unknown(p, names, what)
    if order == "names":
        return [n for n in names if n in chosen]
    return list(chosen)
