"""The private helpers: optional imports, name selection, statistics."""

import numpy as np
import pytest

from attrition._utils import names, notes, optional, stats
from attrition.errors import UnknownNameError


def test_require_names_the_extra():
    assert optional.require("math").sqrt(4) == 2
    with pytest.raises(ImportError, match=r"pip install 'attrition\[plot\]'"):
        optional.require("matplotlib_that_does_not_exist", extra="plot", purpose="plotting")


def test_select_by_name_and_pattern():
    ns = ["a.x", "a.y", "b.x"]
    assert names.select(ns, "*.x", "series") == ["a.x", "b.x"]
    assert names.select(ns, ["b.x", "a.*"], "series") == ["b.x", "a.x", "a.y"]
    assert names.select(ns, ["b.x", "a.*"], "series", order="names") == ["a.x", "a.y", "b.x"]
    assert names.select(ns, "z.*", "series") == []
    with pytest.raises(UnknownNameError, match="no series matches"):
        names.select(ns, "z.*", "series", empty_pattern_ok=False)
    with pytest.raises(KeyError, match="did you mean 'a.y' or 'a.x'") as e:
        names.select(ns, "a.z", "series")
    assert str(e.value).startswith("no series named 'a.z'")  # plain text, not a repr
    with pytest.raises(TypeError):
        names.select(ns, [1], "series")


def test_quantiles_one_convention_weighted_or_not():
    rng = np.random.default_rng(1)
    x = rng.normal(size=101)
    q = [0.0, 0.05, 0.5, 0.95, 1.0]
    ref = np.quantile(x, q, method="inverted_cdf")
    assert np.array_equal(stats.quantiles(x, q), ref)
    assert np.array_equal(stats.quantiles(x, q, np.ones_like(x)), ref)
    # Integer weights are repetitions.
    w = rng.integers(1, 4, size=x.size)
    assert np.array_equal(
        stats.quantiles(x, q, w.astype(float)), np.quantile(np.repeat(x, w), q, method="inverted_cdf")
    )


def test_spearman_against_a_known_case():
    x = np.arange(10.0)
    assert stats.spearman(x, x**3) == (1.0, 10)
    assert stats.spearman(x, -x) == (-1.0, 10)
    rho, used = stats.spearman(np.r_[x, np.nan], np.r_[x, 1.0])
    assert (rho, used) == (1.0, 10)
    assert np.isnan(stats.spearman(x, np.ones(10))[0])
    ties = np.array([1.0, 1.0, 2.0, 3.0])
    assert np.array_equal(stats.rankdata(ties), [1.5, 1.5, 3.0, 4.0])


def test_unknown_can_list_every_name():
    e = names.unknown("baseline", ["baseline-2024-12", "no-dprk"], "built-in scenario", listing=True)
    assert isinstance(e, KeyError)
    assert str(e) == (
        "no built-in scenario named 'baseline'; did you mean 'baseline-2024-12'? "
        "(built-in scenarios: baseline-2024-12, no-dprk)"
    )


def test_add_note_keeps_the_exception():
    e = ValueError("bad value")
    assert notes.add_note(e, "in block 1") is e
    notes.add_note(e, "on the worker")
    assert str(e) == "bad value" and e.__notes__ == ["in block 1", "on the worker"]
