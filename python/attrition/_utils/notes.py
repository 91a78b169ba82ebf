"""Context for an exception that keeps its type: notes (PEP 678)."""

from __future__ import annotations

__all__ = ["add_note"]


def add_note(exc: BaseException, note: str) -> BaseException:
    """Add ``note`` to ``exc`` (shown under its message in a traceback) and return ``exc``.

    Python 3.11 and later show notes in tracebacks; on 3.10 the note is kept in
    ``exc.__notes__``, the same attribute, which pytest and the ``exceptiongroup``
    backport also show.
    """
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    else:  # pragma: no cover - Python 3.10
        notes = getattr(exc, "__notes__", None)
        if not isinstance(notes, list):
            notes = []
            try:
                exc.__notes__ = notes  # type: ignore[attr-defined]
            except AttributeError:  # an exception type that refuses new attributes
                return exc
        notes.append(note)
    return exc
