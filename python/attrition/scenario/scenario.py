"""Scenarios: load, build, change and save them."""

from __future__ import annotations

import copy
import datetime as _dt
import difflib
import errno
import os
import stat
import warnings
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _core
from .._utils.envelope import seal, unseal
from .._utils.fmt import shorten, shown
from .._utils.optional import require
from ..errors import IntegrityError, ScenarioError, ScenarioWarning
from . import display, plausibility
from . import provenance as _provenance

__all__ = ["MAX_PICKLED_SCENARIO_BYTES", "Scenario", "as_scenario", "builtins"]

#: A pickled scenario: an envelope (see :mod:`attrition._utils.envelope`) of this kind and
#: format around its overlay text (``to_overlay_toml()``), zlib-compressed.
PICKLE_MAGIC = b"ATSC"
PICKLE_FORMAT = 1
#: Largest pickled scenario read back, as uncompressed text. It is not bound by
#: ``MAX_SCENARIO_BYTES`` (a limit on what users write): the text the library writes
#: for a scenario read from a text at that limit may be longer.
MAX_PICKLED_SCENARIO_BYTES = 64 << 20


def builtins() -> list[str]:
    """Names of the built-in scenarios.

    Examples
    --------
    >>> import attrition
    >>> "baseline-2024-12" in attrition.builtins()
    True
    """
    return list(_core.builtin_names())


class Scenario:
    """A validated scenario (docs/model.md sections 1 to 6).

    A scenario is immutable: :meth:`with_values` returns a new one. Build one
    with :meth:`builtin`, :meth:`load`, :meth:`from_dict` or :meth:`from_toml`.

    Examples
    --------
    >>> import attrition
    >>> s = attrition.Scenario.builtin("baseline-2024-12")
    >>> s.name, str(s.start), s.days
    ('baseline-2024-12', '2024-12-24', 730)
    >>> cut = s.with_values({"days": 30})
    >>> cut.days
    30
    """

    __slots__ = ("_cache", "_core", "_pickled", "_warnings")

    def __init__(self, core: Any, *, warn: bool = True) -> None:
        if not isinstance(core, _core.Scenario):
            raise TypeError("use Scenario.builtin, Scenario.load, Scenario.from_dict or Scenario.from_toml")
        self._core = core
        self._pickled: bytes | None = None
        # Names and uncertain parameters, read from the core once (a scenario is immutable).
        self._cache: dict[str, Any] = {}
        self._warnings: list[str] | None = None
        if warn:
            for w in self.warnings():
                warnings.warn(w, ScenarioWarning, stacklevel=3)

    def _cached(self, key: str, read: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]

    # -- construction ------------------------------------------------------------------
    @classmethod
    def builtin(cls, name: str) -> Scenario:
        """A built-in scenario by name (see :func:`attrition.builtins`)."""
        return cls(_core.Scenario.builtin(name))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Scenario:
        """Load a TOML scenario file.

        Only a regular file (or a link to one) of at most ``attrition.MAX_SCENARIO_BYTES``
        is read: a folder, a named pipe, a socket or a device is refused with a
        ScenarioError naming the path, without waiting for a writer or reading it.
        A file that does not exist raises ``FileNotFoundError``.
        """
        data = read_regular_file(path, _core.MAX_SCENARIO_BYTES)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ScenarioError(f"{_path(path)}: not UTF-8 text (byte {e.start})") from None
        return cls.from_toml(text)

    @classmethod
    def from_toml(cls, text: str) -> Scenario:
        """Parse a TOML text."""
        if not isinstance(text, str):
            raise TypeError(f"from_toml takes a str, got {type(text).__name__}")
        try:
            core = _core.Scenario.from_toml(text)
        except UnicodeEncodeError as e:
            # A lone surrogate (e.g. from surrogateescape decoding) is not text TOML can hold.
            line = text.count("\n", 0, e.start) + 1
            raise ScenarioError(f"not valid text: line {line} holds a lone surrogate {text[e.start]!r}") from None
        return cls(core)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Scenario:
        """Build from a dict of the same shape as the TOML file (dates as
        ``datetime.date`` or ``"YYYY-MM-DD"``)."""
        if isinstance(d, Mapping) and not isinstance(d, dict):
            d = _plain(d)
        return cls(_core.Scenario.from_dict(d))

    # -- export ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The scenario as a dict (dates as ``"YYYY-MM-DD"`` strings); ``from_dict`` takes it back."""
        return self._core.to_dict()

    def to_toml(self) -> str:
        """The scenario as TOML text, in full, each value's unit as a comment
        (``rate = 8000  # shells/day``); ``from_toml`` takes it back."""
        return self._core.to_toml()

    def to_overlay_toml(self) -> str:
        """For a scenario that extends a built-in: a TOML text with ``extends`` and only what
        differs from that built-in (``remove`` for the tables it drops, ``[sources]`` for the
        entries it adds or changes), units as comments; otherwise the full form."""
        return self._core.to_overlay_toml()

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the scenario as a TOML file people can read: for a variant of a built-in
        (see :attr:`extends`), only what differs from it (:meth:`to_overlay_toml`); otherwise
        the full form (:meth:`to_toml`). Units are comments; :meth:`load` reads it back as
        an equal scenario. A new file, or over a regular file: a named pipe or a device is
        refused rather than waited on.

        Examples
        --------
        >>> import attrition, pathlib, tempfile
        >>> s = attrition.Scenario.builtin("dprk-cutoff-2025-01-20").with_values({"days": 365})
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "cutoff-1y.toml"
        >>> s.save(path)
        >>> for line in path.read_text().splitlines()[:4]:  # doctest: +ELLIPSIS
        ...     print(line)
        extends = "baseline-2024-12"  # a built-in scenario: what follows is what differs from it
        name = "dprk-cutoff-2025-01-20"
        description = "The baseline (Dec 2024), but North Korea stops on 20 Jan 2025: ..."
        days = 365  # days
        >>> attrition.Scenario.load(path) == s
        True
        """
        text = self.to_overlay_toml() if self.extends else self.to_toml()
        flags = os.O_WRONLY | os.O_CREAT | _NONBLOCK | _CLOEXEC | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags, 0o666)
        kind = _file_kind(os.fstat(fd).st_mode)
        if kind:
            os.close(fd)
            raise OSError(errno.EINVAL, f"{kind}, not a file a scenario can be saved to", _path(path))
        with os.fdopen(fd, "wb") as f:
            f.truncate(0)
            f.write(text.encode("utf-8"))

    def with_values(self, values: Mapping[str, Any]) -> Scenario:
        """A new, validated scenario with values replaced by dotted path.

        A value is a number, a distribution dict (``{"dist": "pert", "low": 1,
        "mode": 2, "high": 3}``), a date, a string or a table.
        """
        return Scenario(self._core.with_values(dict(values)))

    def with_sources(self, entries: Mapping[str, Mapping[str, Any]]) -> Scenario:
        """A new scenario with ``[sources]`` entries added or replaced, by dotted path: each
        ``{"facts": [ids], "note": ..., "assumption": ...}`` (at least one of them). The paths
        and fact ids are checked as when a file is loaded.

        :meth:`with_values` drops the entries of the values it changes (they described the
        old values); this gives the new ones theirs.

        Examples
        --------
        >>> import attrition
        >>> s = attrition.Scenario.builtin("baseline-2024-12")
        >>> s2 = s.with_values({"sides.russia.supply.dprk_152.growth": 0.1}).with_sources(
        ...     {"sides.russia.supply.dprk_152.growth": {"assumption": "output keeps rising by 10 % a year"}}
        ... )
        >>> s2.provenance_list()[0]["path"]
        'start'
        >>> [r["assumption"] for r in s2.provenance_list() if r["path"].endswith("dprk_152.growth")]
        ['output keeps rising by 10 % a year']
        """
        merged = dict(self.to_dict().get("sources", {}))
        merged.update({k: _plain(v) for k, v in entries.items()})
        return self.with_values({"sources": merged})

    # -- properties --------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The scenario's name."""
        return self._core.name

    @property
    def description(self) -> str:
        """What the scenario is about, in a sentence."""
        return self._core.description

    @property
    def extends(self) -> str | None:
        """The built-in scenario this one overlays (``extends = "..."`` in its file), or None."""
        return self._core.extends

    @property
    def start(self) -> _dt.date:
        """The date of day 0."""
        return _dt.date.fromisoformat(self._core.start)

    @property
    def days(self) -> int:
        """The horizon: the number of days simulated."""
        return self._core.days

    @property
    def dates(self) -> np.ndarray:
        """The dates of days 0 .. days-1 (``datetime64[D]``)."""
        return np.datetime64(self._core.start, "D") + np.arange(self.days)

    @property
    def series_names(self) -> list[str]:
        """Every series this scenario can record."""
        return list(self._cached("series", lambda: tuple(self._core.series_names)))

    @property
    def outcome_names(self) -> list[str]:
        """Every per-trajectory outcome."""
        return list(self._cached("outcomes", lambda: tuple(self._core.outcome_names)))

    @property
    def sides(self) -> list[str]:
        """The names of the sides, in order."""
        return list(self.to_dict()["sides"])

    def first_passage_names(self) -> list[str]:
        """The outcomes that are first-passage times (the day an event first happens,
        censored at the horizon), in order, as the engine's registry marks them
        (see :func:`attrition.outcome_info`).

        Examples
        --------
        >>> import attrition
        >>> "russia.fleet.msta_b.days_to_half" in attrition.Scenario.builtin("baseline-2024-12").first_passage_names()
        True
        """
        return [d["name"] for d in self._core.outcome_info() if d["first_passage"]]

    def uncertain(self) -> Any:
        """Every uncertain parameter, as a pandas DataFrame indexed by dotted path:
        its distribution (``pert(1500, 2000, 3000)``), the low and high ends of its
        support, and the distribution as a dict (``spec``).

        Examples
        --------
        >>> import attrition
        >>> u = attrition.Scenario.builtin("baseline-2024-12").uncertain()
        >>> u.loc["sides.russia.fleets.msta_b.barrel_life", "distribution"].startswith("pert")
        True
        """
        pd = require("pandas", purpose="Scenario.uncertain()")
        rows = self.uncertain_list()
        return pd.DataFrame(rows, columns=["path", "distribution", "low", "high", "spec"]).set_index("path")

    def provenance(self) -> Any:
        """Where every input comes from, as a pandas DataFrame indexed by dotted path
        (docs/model.md, "Where the numbers come from").

        One row per input (every number, distribution, date and switch, and each casualty
        threshold), then the ``[sources]`` entries of unset fields and whole tables. Columns:
        ``value`` (as the scenario writes it), ``unit``, ``origin`` (``scenario``: its
        ``[sources]``; ``default``: the value is the field's default, with the default's
        grounds; ``missing``: nothing says), ``facts`` (ids in the sources register, see
        :func:`attrition.scenario.facts`), ``assumption``, ``note``, and for the facts their
        ``quantity``, ``source`` and ``verification`` (joined by ``"; "``), and
        ``after_cutoff`` (a fact published after 24 December 2024).

        Examples
        --------
        >>> import attrition
        >>> p = attrition.Scenario.builtin("baseline-2024-12").provenance()
        >>> row = p.loc["sides.russia.supply.dprk_152.rate"]
        >>> row["value"], row["unit"], row["facts"][:2]
        ('pert(4600, 6570, 13140)', 'shells/day', ['nk-shells-aug-oct-2023', 'nk-shells-annual-2024'])
        >>> bool(((p["facts"].str.len() > 0) | (p["assumption"] != "")).all())
        True
        """
        pd = require("pandas", purpose="Scenario.provenance()")
        return pd.DataFrame(self.provenance_list(), columns=list(_provenance.COLUMNS)).set_index("path")

    def provenance_list(self) -> list[dict[str, Any]]:
        """Like :meth:`provenance`, as a list of dicts (no pandas needed)."""
        return _provenance.provenance_rows(self)

    def uncertain_list(self) -> list[dict[str, Any]]:
        """Like :meth:`uncertain`, as a list of dicts (no pandas needed)."""
        rows = self._cached("uncertain", self._core.uncertain)
        return [
            {"path": p, "distribution": desc, "low": lo, "high": hi, "spec": copy.deepcopy(spec)}
            for p, desc, lo, hi, spec in rows
        ]

    def warnings(self) -> list[str]:
        """Values that validate but are almost surely mistakes, each ``"path: what looks
        wrong and why"`` (see :mod:`attrition.scenario.plausibility`): a rate or growth
        written as a percentage, a fleet that loses every gun for want of spares, a
        contingent used up within weeks, a window that never opens within the run.
        Building the scenario emits each as a :class:`~attrition.ScenarioWarning`.

        Examples
        --------
        >>> import warnings, attrition
        >>> attrition.Scenario.builtin("baseline-2024-12").warnings()
        []
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     s = attrition.Scenario.builtin("baseline-2024-12").with_values(
        ...         {"sides.russia.supply.domestic_152.growth": 30})
        >>> s.warnings()[0].split(":")[0], caught[0].category.__name__
        ('sides.russia.supply.domestic_152.growth', 'ScenarioWarning')
        """
        if self._warnings is None:
            self._warnings = plausibility.check(self.to_dict())
        return list(self._warnings)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self._core == other._core

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as a checked envelope (format version, library version, checksum)
        around the scenario's overlay text (:meth:`to_overlay_toml`, so that a scenario
        that extends a built-in still does), compressed; made once per scenario."""
        if self._pickled is None:
            text = self.to_overlay_toml().encode("utf-8")
            self._pickled = seal(PICKLE_MAGIC, PICKLE_FORMAT, _core.__version__, zlib.compress(text, 6))
        return (_unpickle, (self._pickled,))

    def __repr__(self) -> str:
        """Sides, calibers, supply lines (supplier, window), fleets and contingents, every
        value shown where it lives, uncertain ones as ``~distribution``."""
        return display.scenario_text(self)

    def _repr_html_(self) -> str:
        return display.scenario_html(self)


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _file_kind(mode: int) -> str:
    """What a file that is not a regular file is ("" for a regular file)."""
    if stat.S_ISREG(mode):
        return ""
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def _path(path: Any) -> str:
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
        raise ScenarioError(f"{_path(path)}: a folder, not a scenario file (only regular files are read)") from None
    try:
        st = os.fstat(fd)
    except BaseException:
        os.close(fd)
        raise
    kind = _file_kind(st.st_mode)
    if kind:
        os.close(fd)
        raise ScenarioError(f"{_path(path)}: {kind}, not a scenario file (only regular files are read)")
    with os.fdopen(fd, "rb") as f:
        if st.st_size > limit:
            raise ScenarioError(f"{_path(path)}: file is {st.st_size} bytes; the limit is {limit}")
        data = f.read(limit + 1)  # the file may have grown since fstat
    if len(data) > limit:
        raise ScenarioError(f"{_path(path)}: more than {limit} bytes; that is the limit")
    return data


def _unpickle(blob: bytes) -> Scenario:
    """A scenario from its pickle (see :meth:`Scenario.__reduce__`)."""
    what = "a pickled attrition scenario"
    payload = unseal(PICKLE_MAGIC, (PICKLE_FORMAT,), blob, what).payload
    z = zlib.decompressobj()
    try:
        data = z.decompress(payload, MAX_PICKLED_SCENARIO_BYTES + 1)
    except zlib.error as e:
        raise IntegrityError(f"{what}: not compressed data ({e})") from None
    if len(data) > MAX_PICKLED_SCENARIO_BYTES or not z.eof or z.unused_data:
        raise IntegrityError(f"{what}: more than {MAX_PICKLED_SCENARIO_BYTES:,} bytes of text, or trailing data")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise IntegrityError(f"{what}: not UTF-8 text ({e})") from None
    # a copy (another process, a worker): its warnings were given when it was built
    return Scenario(_core.Scenario.from_toml(text, max_bytes=MAX_PICKLED_SCENARIO_BYTES), warn=False)


def _plain(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x


def as_scenario(s: Scenario | Mapping[str, Any] | str | os.PathLike[str]) -> Scenario:
    """A Scenario from a Scenario, a dict, a built-in name or a TOML path."""
    if isinstance(s, Scenario):
        return s
    if isinstance(s, Mapping):
        return Scenario.from_dict(s)
    if isinstance(s, (str, os.PathLike)):
        if isinstance(s, str) and s in builtins():
            return Scenario.builtin(s)
        if os.path.exists(s):
            return Scenario.load(s)
        names = builtins()
        close = difflib.get_close_matches(os.fspath(s), names, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ScenarioError(
            f"{shown(os.fspath(s))} is neither a built-in scenario ({', '.join(names)}) nor a file{hint}"
        )
    raise TypeError(f"expected a Scenario, a dict, a built-in name or a path, got {type(s).__name__}")
