"""Typed stubs of the Rust extension ``attrition._core`` (src/python/).

Checked against the compiled module by ``python -m mypy.stubtest attrition._core``
(tests/test_stubs.py).
"""

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypedDict, final

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "BLOCK",
    "Dist",
    "EventTable",
    "MAX_DAYS",
    "MAX_GUNS",
    "MAX_ITEMS",
    "MAX_SCENARIO_BYTES",
    "MAX_THREADS",
    "MAX_TOTAL_GUNS",
    "MAX_TOTAL_RTD_DAYS",
    "RELATIVE_ACCURACY",
    "SUMMARY_FORMAT",
    "Scenario",
    "SummaryTable",
    "__version__",
    "builtin_names",
    "check_samples",
    "estimate_bytes",
    "estimate_summary_bytes",
    "facts",
    "json_schema",
    "outcome_kinds",
    "rng_floor",
    "run",
    "run_summary",
    "series_kinds",
    "worker_threads",
]

__version__: str
MAX_DAYS: int
MAX_SCENARIO_BYTES: int
#: Trajectories per block of the runner (each block draws from its own keyed streams).
BLOCK: int
#: Relative accuracy of the quantile sketches (0.01 = 1 %).
RELATIVE_ACCURACY: float
#: Most worker threads a run may ask for.
MAX_THREADS: int
#: Most guns one fleet may hold (initial, and delivered over the run).
MAX_GUNS: float
#: Most guns all fleets of a scenario may hold in a trajectory, initial plus delivered.
MAX_TOTAL_GUNS: float
#: Most days of returns all contingents may wait on (rtd_days + 1 each).
MAX_TOTAL_RTD_DAYS: float
#: Most items (calibers, lines, fleets, contingents, tempo windows, arrivals, thresholds) in a scenario.
MAX_ITEMS: int
#: Format version of SummaryTable.to_bytes (inside a checked envelope).
SUMMARY_FORMAT: int

_Columns = dict[str, NDArray[np.float64]]

class _SeriesKind(TypedDict):
    pattern: str
    unit: str
    description: str
    label: str
    owner: str

class _OutcomeKind(_SeriesKind):
    first_passage: bool
    key: bool

class _SeriesInfo(_SeriesKind):
    name: str

class _OutcomeInfo(_OutcomeKind):
    name: str

@final
class Scenario:
    """A validated scenario with its compiled model (series, outcomes, uncertain parameters)."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @staticmethod
    def builtin(name: str) -> Scenario:
        """A built-in scenario by name (``UnknownNameError`` with the closest names otherwise)."""
    @staticmethod
    def from_toml(text: str, dir: str | None = None, *, max_bytes: int | None = None) -> Scenario:
        """Parse a TOML text of at most ``max_bytes`` bytes (default: ``MAX_SCENARIO_BYTES``);
        ``dir``: the folder a CSV series' relative path is taken from (None: absolute paths only)."""
    @staticmethod
    def from_dict(d: Any) -> Scenario: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_toml(self) -> str: ...
    def to_overlay_toml(self) -> str:
        """For an overlay of a built-in: ``extends`` and only what differs from it; otherwise as ``to_toml``."""
    @property
    def extends(self) -> str | None:
        """The built-in this scenario overlays (equality ignores it)."""
    def with_values(self, overrides: dict[str, Any]) -> Scenario: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def start(self) -> str: ...
    @property
    def days(self) -> int: ...
    @property
    def series_names(self) -> list[str]: ...
    @property
    def outcome_names(self) -> list[str]: ...
    def series_info(self) -> list[_SeriesInfo]:
        """Every series in id order: ``name``, ``unit``, ``description``, ``owner``, ``pattern``."""
    def outcome_info(self) -> list[_OutcomeInfo]:
        """Every outcome in id order: as :meth:`series_info`, plus ``first_passage`` and ``key``."""
    def provenance(self) -> list[tuple[str, Any, str, list[str], str, str, str]]:
        """Every input with where it comes from: (path, value or None, unit, fact ids, note, assumption, origin)."""
    def uncertain(self) -> list[tuple[str, str, float, float, Any]]:
        """Each uncertain parameter as (path, description, low, high, distribution as a dict)."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __lt__(self, value: object, /) -> bool: ...
    def __le__(self, value: object, /) -> bool: ...
    def __gt__(self, value: object, /) -> bool: ...
    def __ge__(self, value: object, /) -> bool: ...

_Floats = float | NDArray[np.float64]

@final
class Dist:
    """A distribution of the scenario format (a number, a 90 % interval such as
    ``"5000 to 12000"``, or a dict such as ``{"dist": "pert", "low": 1, "mode": 2,
    "high": 3}``), checked as the scenario
    checks it (``ScenarioError`` naming ``path``), with its CDF and inverse CDFs.

    ``ppf``, ``isf``, ``cdf`` and ``from_normal_score`` take a float (and give a
    float) or an array of any shape (and give a float64 array of that shape).
    """

    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __new__(cls, spec: float | str | dict[str, Any], path: str = "") -> Dist: ...
    def ppf(self, u: float | ArrayLike) -> _Floats:
        """The inverse CDF at ``u`` in [0, 1] (NaN outside)."""
    def isf(self, q: float | ArrayLike) -> _Floats:
        """The value exceeded with probability ``q``: ``ppf(1 - q)``, accurate for ``q`` near 0."""
    def cdf(self, x: float | ArrayLike) -> _Floats:
        """The CDF at ``x``."""
    def from_normal_score(self, z: float | ArrayLike) -> _Floats:
        """``ppf(Phi(z))`` for standard-normal scores ``z``, keeping the upper tail's precision."""
    def support(self) -> tuple[float, float]:
        """The smallest and largest value."""
    def median(self) -> float: ...
    def describe(self) -> str:
        """A short form, e.g. ``pert(1500, 2000, 3000)``."""
    @property
    def degenerate(self) -> bool:
        """True when the distribution has a single value."""
    @property
    def discrete(self) -> bool:
        """True for ``choice``."""
    def to_dict(self) -> dict[str, Any] | str:
        """The distribution in the scenario format (``fixed`` as ``{"dist": "fixed", "value": v}``,
        a 90 % interval as its text)."""
    def __reduce__(self) -> tuple[type[Dist], tuple[dict[str, Any] | str]]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __lt__(self, value: object, /) -> bool: ...
    def __le__(self, value: object, /) -> bool: ...
    def __gt__(self, value: object, /) -> bool: ...
    def __ge__(self, value: object, /) -> bool: ...

@final
class SummaryTable:
    """Streaming statistics per (row, column): rows are series, outcomes or parameters; columns are days."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def rows(self) -> int: ...
    @property
    def cols(self) -> int: ...
    def stats(self, row: int) -> _Columns:
        """Arrays over columns: ``count``, ``nan``, ``mean``, ``sd``, ``min``, ``max``."""
    def quantiles(self, row: int, q: Sequence[float]) -> NDArray[np.float64]:
        """Quantiles of a row, shape ``(len(q), cols)``."""
    def merge(self, other: SummaryTable) -> SummaryTable: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(b: bytes) -> SummaryTable: ...
    def nbytes(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __lt__(self, value: object, /) -> bool: ...
    def __le__(self, value: object, /) -> bool: ...
    def __gt__(self, value: object, /) -> bool: ...
    def __ge__(self, value: object, /) -> bool: ...

@final
class EventTable:
    """Exact counts of first-passage days from a summary run: rows are the first-passage outcomes
    (in outcome order); per row, the trajectories whose event happened on each day and those in which
    it did not happen within the horizon."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def rows(self) -> int: ...
    @property
    def days(self) -> int: ...
    def counts(self, row: int) -> NDArray[np.uint64]:
        """Trajectories whose event happened on each day (``days`` counts)."""
    def never(self, row: int) -> int:
        """Trajectories in which the event did not happen within the horizon."""
    def merge(self, other: EventTable) -> EventTable: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(b: bytes) -> EventTable: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __lt__(self, value: object, /) -> bool: ...
    def __le__(self, value: object, /) -> bool: ...
    def __gt__(self, value: object, /) -> bool: ...
    def __ge__(self, value: object, /) -> bool: ...

def run(
    scenario: Scenario,
    *,
    seed: int,
    first: int,
    n: int,
    series: Sequence[str],
    threads: int | None = None,
    max_bytes: int | None = None,
    given: dict[str, NDArray[np.float64]] | None = None,
    tick: Callable[[int], object] | None = None,
) -> tuple[_Columns, _Columns, _Columns]:
    """Full paths: (series ``{name: (n, days)}``, outcomes ``{name: (n,)}``, params ``{path: (n,)}``)."""

def run_summary(
    scenario: Scenario,
    *,
    seed: int,
    first: int,
    n: int,
    series: Sequence[str],
    arrays: bool,
    threads: int | None = None,
    max_bytes: int | None = None,
    given: dict[str, NDArray[np.float64]] | None = None,
    tick: Callable[[int], object] | None = None,
) -> tuple[SummaryTable, _Columns | SummaryTable, _Columns | SummaryTable, EventTable | None]:
    """Streaming summaries of the series; outcomes and params as arrays when ``arrays``, else sketches
    and the exact counts of the first-passage outcomes' days."""

def builtin_names() -> list[str]:
    """The names of the built-in scenarios (compiled into the extension)."""

def check_samples(scenario: Scenario, given: dict[str, NDArray[np.float64]]) -> None:
    """Check given parameter values against the scenario's rules: ScenarioError naming the
    parameter, the rule and the first bad row."""

def estimate_bytes(scenario: Scenario, n: int, n_series: int, threads: int | None = None) -> int:
    """Bytes a run with full paths would hold on ``threads`` workers (None: the shared pool's; 0: none)."""

def worker_threads(threads: int | None = None) -> int:
    """The worker threads a run with ``threads`` would use (None: the shared pool's)."""

def estimate_summary_bytes(scenario: Scenario, n: int, n_series: int, threads: int, arrays: bool) -> int: ...
def rng_floor(scenario: Scenario, seed: int, n: int) -> tuple[float, int]:
    """The random-number floor of trajectories 0..n: (seconds replaying the draws, number of draws)."""

def series_kinds() -> list[_SeriesKind]:
    """Every kind of series: ``pattern`` (``{side}.fleet.{fleet}.serviceable``), ``unit``, ``description``,
    ``owner``."""

def outcome_kinds() -> list[_OutcomeKind]:
    """Every kind of outcome: as :func:`series_kinds`, plus ``first_passage`` and ``key``."""

def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario (draft 2020-12, with ``x-unit``, ``x-allowed``, ``x-default-basis``,
    ``x-table``)."""

def facts() -> dict[str, dict[str, Any]]:
    """The facts of the sources register, by id."""
