"""Progress bars, one rule for every long call (run, compare, sweep, sobol, calibrate).

``progress=True`` shows a bar, ``False`` never does, and ``None`` (the default)
shows one only where someone is watching: in a Jupyter kernel, or when stderr is
a terminal, and then only for work expected to take more than about two seconds.
A script whose stderr goes to a file or a log gets no bar frames in it.

In a notebook the bar is a widget when ipywidgets is installed (``pip install
'attrition[notebook]'``) and plain text otherwise, without a warning.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

__all__ = ["bar", "close", "in_kernel", "show", "tick", "watched"]

#: Work expected to take longer than this many seconds shows a bar by default.
MIN_SECONDS = 2.0


def in_kernel() -> bool:
    """True inside a Jupyter (IPython) kernel."""
    ipython = sys.modules.get("IPython")
    if ipython is None or "ipykernel" not in sys.modules:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # an IPython too old or half-imported
        return False
    return shell is not None and hasattr(shell, "kernel")


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # closed, replaced or detached streams
        return False


def watched() -> bool:
    """True when someone is likely to see a bar: in a Jupyter kernel, or stderr is a terminal."""
    return in_kernel() or _isatty(sys.stderr)


def show(progress: bool | None, seconds: float | None = None) -> bool:
    """Whether to show a bar: ``progress`` when given; otherwise when :func:`watched` and the
    work is expected to take more than :data:`MIN_SECONDS` (``seconds`` None: long enough)."""
    if progress is not None:
        return bool(progress)
    return watched() and (seconds is None or seconds > MIN_SECONDS)


def _widgets() -> bool:
    """True when ipywidgets can be imported (without importing it)."""
    try:
        return importlib.util.find_spec("ipywidgets") is not None
    except (ImportError, ValueError):
        return False


def bar(visible: bool, total: int, desc: str, unit: str = "traj") -> Any:
    """A tqdm bar of ``total`` steps, or None when not ``visible``.

    In a Jupyter kernel with ipywidgets, the notebook widget; otherwise tqdm's plain
    text bar, on stderr (never ``tqdm.auto`` without ipywidgets, which warns).
    """
    if not visible:
        return None
    if in_kernel() and _widgets():
        from tqdm.notebook import tqdm
    else:
        from tqdm.std import tqdm
    return tqdm(total=total, desc=desc, unit=unit, leave=False)


def tick(b: Any, steps: int = 1) -> None:
    """Advance the bar ``b`` (None: nothing) by ``steps``."""
    if b is not None:
        b.update(steps)


def close(b: Any) -> None:
    """Close the bar ``b`` (None: nothing)."""
    if b is not None:
        b.close()
