"""Scenarios: load, build, change and save them."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _core
from .._utils.names import unknown
from .._utils.optional import require
from ..errors import ScenarioError
from . import display
from . import provenance as _provenance
from .levers import Lever, levers_of

__all__ = ["Scenario", "as_scenario", "builtins"]


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

    __slots__ = ("_core",)

    def __init__(self, core: Any) -> None:
        if not isinstance(core, _core.Scenario):
            raise TypeError("use Scenario.builtin, Scenario.load, Scenario.from_dict or Scenario.from_toml")
        self._core = core

    # -- construction ------------------------------------------------------------------
    @classmethod
    def builtin(cls, name: str) -> Scenario:
        """A built-in scenario by name (see :func:`attrition.builtins`)."""
        return cls(_core.Scenario.builtin(name))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Scenario:
        """Load a TOML scenario file. Files above ``attrition.MAX_SCENARIO_BYTES`` are refused.
        A rate read from a CSV file (``{csv = "series.csv", column = "..."}``) takes a relative
        path from the scenario file's folder; the scenario then holds the series as a schedule."""
        size = os.path.getsize(path)
        if size > _core.MAX_SCENARIO_BYTES:
            raise ScenarioError(f"{os.fspath(path)}: file is {size} bytes; the limit is {_core.MAX_SCENARIO_BYTES}")
        with open(path, "rb") as f:
            # Read no more than the limit: a device or a pipe (/dev/zero) reports size 0.
            data = f.read(_core.MAX_SCENARIO_BYTES + 1)
        if len(data) > _core.MAX_SCENARIO_BYTES:
            raise ScenarioError(f"{os.fspath(path)}: more than {_core.MAX_SCENARIO_BYTES} bytes; that is the limit")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ScenarioError(f"{os.fspath(path)}: not UTF-8 text (byte {e.start})") from None
        return cls.from_toml(text, base_dir=os.path.dirname(os.path.abspath(path)))

    @classmethod
    def from_toml(cls, text: str, *, base_dir: str | os.PathLike[str] | None = None) -> Scenario:
        """Parse a TOML text. ``base_dir``: the folder a rate read from a CSV file takes a
        relative path from (without it, only absolute paths; :meth:`load` gives the scenario
        file's folder)."""
        if not isinstance(text, str):
            raise TypeError(f"from_toml takes a str, got {type(text).__name__}")
        try:
            core = _core.Scenario.from_toml(text, None if base_dir is None else os.fspath(base_dir))
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
        an equal scenario.

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
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def with_values(self, values: Mapping[str, Any]) -> Scenario:
        """A new, validated scenario with values replaced by dotted path.

        A value is a number, a distribution dict (``{"dist": "pert", "low": 1,
        "mode": 2, "high": 3}``), a date, a string or a table.
        """
        return Scenario(self._core.with_values(dict(values)))

    def with_levers(self, values: Mapping[str, Any]) -> Scenario:
        """A new, validated scenario with levers set by name: ``{lever: value}``, each
        value set at every path of its lever (see :attr:`levers`).

        Examples
        --------
        >>> import attrition
        >>> s = attrition.Scenario.builtin("baseline-2024-12").with_levers({"dprk_supply_end": "2025-06-01"})
        >>> s.to_dict()["sides"]["russia"]["supply"]["dprk_122"]["end"]
        '2025-06-01'
        """
        levers = self.levers
        overrides: dict[str, Any] = {}
        for name, value in dict(values).items():
            if name not in levers:
                raise unknown(name, list(levers), "lever")
            overrides.update(levers[name].overrides(value))
        return self.with_values(overrides)

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
        return self._core.name

    @property
    def description(self) -> str:
        return self._core.description

    @property
    def extends(self) -> str | None:
        """The built-in scenario this one overlays (``extends = "..."`` in its file), or None."""
        return self._core.extends

    @property
    def start(self) -> _dt.date:
        return _dt.date.fromisoformat(self._core.start)

    @property
    def days(self) -> int:
        return self._core.days

    @property
    def dates(self) -> np.ndarray:
        """The dates of days 0 .. days-1 (``datetime64[D]``)."""
        return np.datetime64(self._core.start, "D") + np.arange(self.days)

    @property
    def series_names(self) -> list[str]:
        """Every series this scenario can record."""
        return list(self._core.series_names)

    @property
    def outcome_names(self) -> list[str]:
        """Every per-trajectory outcome."""
        return list(self._core.outcome_names)

    @property
    def levers(self) -> dict[str, Lever]:
        """The scenario's policy levers (its ``[levers]`` table), by name; see
        :mod:`attrition.scenario.levers`."""
        return levers_of(self.to_dict())

    @property
    def correlations(self) -> list[dict[str, Any]]:
        """The rank correlations between its uncertain parameters (its ``[[correlations]]``
        entries: ``a``, ``b``, ``rho``); docs/model.md section 2."""
        return list(self.to_dict().get("correlations", []))

    @property
    def sides(self) -> list[str]:
        return list(self.to_dict()["sides"])

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
        return [
            {"path": p, "distribution": desc, "low": lo, "high": hi, "spec": spec}
            for p, desc, lo, hi, spec in self._core.uncertain()
        ]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self._core == other._core

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (Scenario.from_toml, (self.to_overlay_toml(),))

    def __repr__(self) -> str:
        """Sides, calibers, supply lines (supplier, window), fleets and contingents, every
        value shown where it lives, uncertain ones as ``~distribution``."""
        return display.scenario_text(self)

    def _repr_html_(self) -> str:
        return display.scenario_html(self)


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
        raise ScenarioError(f"{os.fspath(s)!r} is neither a built-in scenario ({', '.join(builtins())}) nor a file")
    raise TypeError(f"expected a Scenario, a dict, a built-in name or a path, got {type(s).__name__}")
