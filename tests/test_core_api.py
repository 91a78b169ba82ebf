"""The parts of the extension's API that the Python layer builds on, through
``attrition._core`` directly: the registry of series and outcomes, the
distributions' inverse CDFs, the built-in scenarios and their overlays, and
the exceptions each error raises."""

import pathlib
import re

import numpy as np
import pytest

from attrition import _core
from attrition.errors import AttritionError, ResourceError, ScenarioError, UnknownNameError

DATA = pathlib.Path(__file__).parent / "data"


def small() -> _core.Scenario:
    return _core.Scenario.from_toml((DATA / "two_sides.toml").read_text("utf-8"))


# -- registry ----------------------------------------------------------------------------
def _matches(pattern: str, name: str) -> bool:
    rx = "".join("[^.]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[a-z]+\})", pattern))
    return re.fullmatch(rx, name) is not None


def test_kinds_describe_every_name():
    series, outcomes = _core.series_kinds(), _core.outcome_kinds()
    assert {"pattern", "unit", "description", "label", "owner"} == set(series[0])
    assert {"pattern", "unit", "description", "label", "owner", "first_passage", "key"} == set(outcomes[0])
    owners = {"ammo", "fleet", "personnel", "territory", "side"}
    for k in series + outcomes:
        assert k["unit"] and k["description"].endswith(".") and k["owner"] in owners, k
    for kinds in (series, outcomes):
        patterns = [k["pattern"] for k in kinds]
        assert len(set(patterns)) == len(patterns)
    first = {k["pattern"] for k in outcomes if k["first_passage"]}
    assert first == {
        "{side}.ammo.{caliber}.days_to_rationing",
        "{side}.ammo.{caliber}.days_to_empty",
        "{side}.fleet.{fleet}.days_to_half",
        "{side}.casualties.total.days_to_{threshold}",
    }
    assert {k["pattern"] for k in outcomes if k["key"]} == {
        "{side}.ammo.{caliber}.days_to_rationing",
        "{side}.fleet.{fleet}.days_to_half",
        "{side}.fleet.{fleet}.serviceable_end",
        "{side}.fleet.{fleet}.worn_out",
        "{side}.fleet.{fleet}.written_off",
        "{side}.fleet.{fleet}.destroyed",
        "{side}.casualties.total.days_to_{threshold}",
        "{side}.casualties.total.run_total",
        "{side}.contingent.{contingent}.rate_per_30d",
        "{side}.territory.area.casualties_per_sqmi",
        "{side}.territory.area.years_to_reference",
        "{side}.supplier.{supplier}.revenue",
    }
    unit = {k["pattern"]: k["unit"] for k in series}
    assert unit["{side}.fleet.{fleet}.serviceable"] == "guns"
    assert unit["{side}.ammo.{caliber}.stock"] == "shells"
    assert unit["{side}.territory.area.daily_km2"] == "km²/day"


@pytest.mark.parametrize("name", _core.builtin_names())
def test_info_of_the_builtins(name):
    check_info(_core.Scenario.builtin(name))


def test_info_in_id_order():
    check_info(small())


def check_info(sc: _core.Scenario) -> None:
    series, outcomes = sc.series_info(), sc.outcome_info()
    assert [e["name"] for e in series] == sc.series_names
    assert [e["name"] for e in outcomes] == sc.outcome_names
    for infos, kinds in ((series, _core.series_kinds()), (outcomes, _core.outcome_kinds())):
        by_pattern = {k["pattern"]: k for k in kinds}
        for e in infos:
            k = by_pattern[e["pattern"]]
            assert _matches(e["pattern"], e["name"]), (e["pattern"], e["name"])
            assert {x: e[x] for x in k} == k
    assert set(series[0]) == {"name", "unit", "description", "label", "owner", "pattern"}
    assert set(outcomes[0]) == {"name", "unit", "description", "label", "owner", "pattern", "first_passage", "key"}


# -- distributions -----------------------------------------------------------------------
# One spec of every distribution (and variant) of the scenario format, all >= 0 so that
# they are valid tempo factors.
SPECS = {
    "uniform": {"dist": "uniform", "low": 0.5, "high": 2.0},
    "triangular": {"dist": "triangular", "low": 0.0, "mode": 3.0, "high": 4.0},
    "pert": {"dist": "pert", "low": 1.0, "mode": 2.0, "high": 6.0},
    "pert_shape": {"dist": "pert", "low": 1.0, "mode": 5.0, "high": 6.0, "shape": 1.5},
    "normal_trunc": {"dist": "normal", "mean": 1.0, "sd": 2.0, "low": 0.0, "high": 3.0},
    "normal_low": {"dist": "normal", "mean": 5.0, "sd": 2.0, "low": 4.0},
    "lognormal": {"dist": "lognormal", "mu": 0.2, "sigma": 0.6},
    "lognormal_trunc": {"dist": "lognormal", "mu": 0.0, "sigma": 1.0, "low": 0.5, "high": 4.0},
    "beta": {"dist": "beta", "a": 2.0, "b": 5.0, "low": 1.0, "high": 3.0},
    "choice": {"dist": "choice", "values": [0.5, 1.0, 2.0, 4.0], "weights": [1.0, 0.0, 2.0, 3.0]},
}


def scipy_dist(spec):
    """The same distribution in scipy.stats (continuous ones), and whether it is in log space."""
    stats = pytest.importorskip("scipy.stats")
    g = spec.get
    kind = spec["dist"]
    if kind == "uniform":
        return stats.uniform(g("low"), g("high") - g("low")), False
    if kind == "triangular":
        lo, hi = g("low"), g("high")
        return stats.triang((g("mode") - lo) / (hi - lo), loc=lo, scale=hi - lo), False
    if kind == "pert":
        lo, mode, hi, shape = g("low"), g("mode"), g("high"), g("shape", 4.0)
        a, b = 1 + shape * (mode - lo) / (hi - lo), 1 + shape * (hi - mode) / (hi - lo)
        return stats.beta(a, b, loc=lo, scale=hi - lo), False
    if kind == "beta":
        lo, hi = g("low", 0.0), g("high", 1.0)
        return stats.beta(g("a"), g("b"), loc=lo, scale=hi - lo), False
    log = kind == "lognormal"
    m, s = (g("mu"), g("sigma")) if log else (g("mean"), g("sd"))
    lo, hi = g("low"), g("high")
    if log:
        lo, hi = (None if lo is None else np.log(lo)), (None if hi is None else np.log(hi))
    if lo is None and hi is None:
        return stats.norm(m, s), log
    a = -np.inf if lo is None else (lo - m) / s
    b = np.inf if hi is None else (hi - m) / s
    return stats.truncnorm(a, b, loc=m, scale=s), log


@pytest.mark.parametrize("name", [k for k in SPECS if k != "choice"])
def test_dist_matches_scipy(name):
    spec = SPECS[name]
    d = _core.Dist(spec)
    ref, log = scipy_dist(spec)
    back = np.exp if log else (lambda x: x)
    # scipy's truncnorm loses digits in the tails (see test_dist_tails_keep_their_precision)
    tail = [1e-6] if "low" in spec or "high" in spec else [1e-12, 1e-6]
    u = np.concatenate([tail, np.linspace(0.001, 0.999, 999), [1 - 1e-6]])
    assert np.allclose(d.ppf(u), back(ref.ppf(u)), rtol=1e-9, atol=0)
    q = np.concatenate([tail, np.linspace(0.001, 0.999, 999)])
    assert np.allclose(d.isf(q), back(ref.isf(q)), rtol=1e-9, atol=0)
    lo, hi = d.support()
    x = np.linspace(lo - 1, min(hi, lo + 20) + 1, 500)
    xs = np.log(np.maximum(x, 1e-300)) if log else x
    assert np.allclose(d.cdf(x), np.where(x <= 0, 0.0, ref.cdf(xs)) if log else ref.cdf(xs), rtol=0, atol=1e-12)
    assert np.allclose(d.cdf(d.ppf(u)), u, rtol=1e-9, atol=1e-14)
    special = pytest.importorskip("scipy.special")
    z = np.linspace(-6, 6, 121)
    assert np.allclose(d.from_normal_score(z), np.where(z < 0, d.ppf(special.ndtr(z)), d.isf(special.ndtr(-z))))
    assert np.allclose(d.from_normal_score(z[:61]), back(ref.ppf(special.ndtr(z[:61]))), rtol=1e-9)
    assert d.median() == pytest.approx(back(ref.ppf(0.5)), rel=1e-12)
    assert not d.degenerate and not d.discrete


def test_dist_tails_keep_their_precision():
    special = pytest.importorskip("scipy.special")
    n = _core.Dist({"dist": "normal", "mean": 0, "sd": 1})
    p = 10.0 ** -np.arange(1, 300, 7)
    assert np.allclose(n.ppf(p), special.ndtri(p), rtol=1e-13)
    assert np.allclose(n.isf(p), -special.ndtri(p), rtol=1e-13)
    # the normal-score map keeps the upper tail (ppf(Phi(9)) would be ppf(1.0) = inf)
    assert np.allclose(n.from_normal_score([-9.0, 0.0, 9.0, 30.0]), [-9.0, 0.0, 9.0, 30.0], rtol=1e-13)
    # truncated to [0, inf): P(X > x) = 2 sf(x), so isf(q) = -ndtri(q / 2), far beyond scipy's truncnorm
    h = _core.Dist({"dist": "normal", "mean": 0, "sd": 1, "low": 0})
    assert np.allclose(h.isf(p), -special.ndtri(p / 2), rtol=1e-13)
    # a beta squeezed against 0: the median stays relative, not 1 - (1 - tiny)
    b = _core.Dist({"dist": "beta", "a": 0.01, "b": 5})
    stats = pytest.importorskip("scipy.stats")
    u = np.array([1e-30, 0.1, 0.5, 0.51, 0.9])
    assert np.allclose(b.ppf(u), stats.beta(0.01, 5).ppf(u), rtol=1e-9)
    assert np.allclose(b.isf(1 - u), stats.beta(0.01, 5).ppf(u), rtol=1e-9)


def test_dist_follows_the_engine():
    """The engine's draws of each distribution follow its CDF (Kolmogorov-Smirnov and
    chi-square, alpha = 0.001), and the discrete inverse CDF gives the choice's weights."""
    stats = pytest.importorskip("scipy.stats")
    tempo = [{"start": "2100-01-01", "factor": spec} for spec in SPECS.values()]
    sc = _core.Scenario.from_dict(
        {
            "name": "tempo",
            "start": "2024-01-01",
            "days": 1,
            "sides": {"a": {"casualties": {"base": 10, "tempo": tempo}}},
        }
    )
    n = 4000
    _, _, params = _core.run(sc, seed=11, first=0, n=n, series=[])
    paths = [p for p, *_ in sc.uncertain()]
    assert len(paths) == len(SPECS)
    for (name, spec), path in zip(SPECS.items(), paths, strict=True):
        x = params[path]
        d = _core.Dist(spec, path)
        lo, hi = d.support()
        assert lo <= x.min() and x.max() <= hi, name
        if name == "choice":
            w = np.array(spec["weights"]) / sum(spec["weights"])
            counts = np.array([(x == v).sum() for v in spec["values"]])
            assert counts.sum() == n and counts[1] == 0
            keep = w > 0
            assert stats.chisquare(counts[keep], n * w[keep]).pvalue > 0.001
            grid = d.ppf((np.arange(6000) + 0.5) / 6000)
            assert np.allclose([(grid == v).mean() for v in spec["values"]], w, atol=1e-3)
            assert d.discrete and not d.degenerate
            continue
        assert stats.kstest(x, d.cdf).pvalue > 0.001, name


def test_dist_closed_forms_and_shapes():
    u = np.array([0.1, 0.5, 0.9])
    assert np.allclose(_core.Dist({"dist": "uniform", "low": 2, "high": 4}).ppf(u), 2 + 2 * u)
    assert np.allclose(_core.Dist({"dist": "triangular", "low": 0, "mode": 0, "high": 1}).ppf(u), 1 - np.sqrt(1 - u))
    c = _core.Dist({"dist": "choice", "values": [1, 2, 3], "weights": [1, 1, 2]})
    assert c.ppf([0.0, 0.25, 0.49, 0.5, 1.0]).tolist() == [1, 2, 2, 3, 3]
    for spec in (7, 7.0, {"dist": "fixed", "value": 7}, {"dist": "normal", "mean": 7, "sd": 0}):
        d = _core.Dist(spec)
        assert d.degenerate and d.ppf(u).tolist() == [7, 7, 7] and d.support() == (7, 7) and d.median() == 7
    # scalars give floats; arrays (any shape, 0-d included) give float64 arrays of the same shape
    d = _core.Dist({"dist": "pert", "low": 0, "mode": 5, "high": 10})
    assert isinstance(d.ppf(0.5), float) and isinstance(d.cdf(3), float)
    assert d.ppf(np.array(0.5)).shape == () and d.ppf(np.full((2, 3), 0.5)).shape == (2, 3)
    assert d.ppf([0.5]).dtype == np.float64 and np.isnan(d.ppf([-0.1, 1.1])).all()
    assert d.describe() == "pert(0, 5, 10)" and repr(d) == "Dist(pert(0, 5, 10))"
    assert d.to_dict() == {"dist": "pert", "low": 0.0, "mode": 5.0, "high": 10.0}
    assert _core.Dist(7).to_dict() == {"dist": "fixed", "value": 7.0}
    assert _core.Dist(d.to_dict()) == d
    import pickle

    assert pickle.loads(pickle.dumps(d)) == d


def test_dist_refuses_what_the_scenario_refuses():
    with pytest.raises(ScenarioError, match=r"^sides\.a\.rate: pert needs low <= mode <= high"):
        _core.Dist({"dist": "pert", "low": 3, "mode": 1, "high": 2}, "sides.a.rate")
    with pytest.raises(ScenarioError, match="did you mean `normal`"):
        _core.Dist({"dist": "normall", "mean": 0, "sd": 1})
    with pytest.raises(ScenarioError, match="finite"):
        _core.Dist(float("nan"))
    with pytest.raises(ScenarioError, match="wrong type"):
        _core.Dist(None)


# -- built-ins and overlays --------------------------------------------------------------
def test_builtins_are_the_package_files():
    import attrition

    assert _core.builtin_names() == attrition.builtins()
    base = _core.Scenario.builtin("baseline-2024-12")
    assert base.extends is None and base.to_overlay_toml() == base.to_toml()
    for name in _core.builtin_names():
        sc = _core.Scenario.builtin(name)
        assert sc.name == name
        assert sc.extends == (None if name == "baseline-2024-12" else "baseline-2024-12")
        again = _core.Scenario.from_toml(sc.to_overlay_toml())
        assert again == sc and again.extends == sc.extends and again.to_dict() == sc.to_dict()
        # the full form has no extends: it stands alone
        full = _core.Scenario.from_toml(sc.to_toml())
        assert full == sc and full.extends is None


def test_unknown_builtin_is_an_unknown_name():
    with pytest.raises(UnknownNameError, match=r"no built-in scenario named \"baseline-2024\" \(did you mean") as e:
        _core.Scenario.builtin("baseline-2024")
    assert isinstance(e.value, KeyError) and "built-ins: baseline-2024-12, dprk-cutoff-2025-01-20, no-dprk" in str(
        e.value
    )


def test_overlays_merge_remove_and_write_back():
    text = """
extends = "baseline-2024-12"
remove = ["sides.russia.contingents.dprk"]
name = "mine"
days = 100
[sides.russia.supply.dprk_152]
end = 2025-03-01
[sides.russia.fleets.msta_s]
guns = 600
"""
    sc = _core.Scenario.from_toml(text)
    base = _core.Scenario.builtin("baseline-2024-12").to_dict()
    d = sc.to_dict()
    assert sc.extends == "baseline-2024-12" and sc.name == "mine" and sc.days == 100
    assert "dprk" not in d["sides"]["russia"]["contingents"]
    line = d["sides"]["russia"]["supply"]["dprk_152"]
    assert line["end"] == "2025-03-01" and line["rate"] == base["sides"]["russia"]["supply"]["dprk_152"]["rate"]
    assert d["sides"]["russia"]["fleets"]["msta_s"]["guns"] == 600
    assert (
        d["sides"]["russia"]["fleets"]["msta_s"]["barrel_life"]
        == base["sides"]["russia"]["fleets"]["msta_s"]["barrel_life"]
    )
    # written back: extends, what is removed, what differs; nothing else
    back = sc.to_overlay_toml()
    assert back.startswith('extends = "baseline-2024-12"  # a built-in scenario: what follows is what differs')
    assert '\nremove = [\n    "sides.russia.contingents.dprk",\n]\n' in back and "guns = 600  # guns\n" in back
    assert "[sides.ukraine" not in back and "barrel_life" not in back
    assert _core.Scenario.from_toml(back) == sc
    # with_values keeps the overlay; equality ignores it
    changed = sc.with_values({"sides.russia.fleets.msta_s.spares": 3})
    assert changed.extends == "baseline-2024-12" and "spares = 3" in changed.to_overlay_toml()
    assert _core.Scenario.from_dict(sc.to_dict()) == sc
    # an overlay from a dict
    assert _core.Scenario.from_dict({"extends": "no-dprk", "days": 10}).days == 10


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('extends = "../baseline-2024-12.toml"', r"^extends: no built-in scenario named"),
        ("extends = 3", r"^extends: must be the name of a built-in scenario"),
        ('remove = ["sides.a"]', r"^remove: only an overlay"),
        (
            'extends = "no-dprk"\nremove = ["sides.russia.supply.dprk_152"]',
            r"^remove\[0\]: no table `sides.russia.supply",
        ),
        (
            'extends = "no-dprk"\nremove = ["sides.russia.ref_fire"]',
            r"^remove\[0\]: `sides.russia.ref_fire` is a value",
        ),
        (
            'extends = "no-dprk"\n[sides.russia.fleets.msta_s]\nguns = -1',
            r"^sides\.russia\.fleets\.msta_s\.guns: must be",
        ),
    ],
)
def test_overlay_errors_name_the_key(text, message):
    with pytest.raises(ScenarioError, match=message):
        _core.Scenario.from_toml(text)


# -- errors ------------------------------------------------------------------------------
def test_each_error_raises_its_class():
    sc = small()
    with pytest.raises(UnknownNameError, match="did you mean"):
        _core.run(sc, seed=1, first=0, n=2, series=["red.ammo.152mm.stok"])
    with pytest.raises(ValueError, match="n must be at least 1") as e:
        _core.run(sc, seed=1, first=0, n=0, series=[])
    assert not isinstance(e.value, AttritionError)
    for threads in (0, 10**6):
        with pytest.raises(ValueError, match="threads must be") as e:
            _core.run_summary(sc, seed=1, first=0, n=2, series=[], arrays=True, threads=threads)
        assert not isinstance(e.value, MemoryError)
    path = sc.uncertain()[0][0]
    with pytest.raises(ValueError, match="3 values for 2 trajectories"):
        _core.run(sc, seed=1, first=0, n=2, series=[], given={path: np.ones(3)})
    with pytest.raises(ResourceError, match="budget"):
        _core.run(sc, seed=1, first=0, n=10**6, series=sc.series_names, max_bytes=1000)
    with pytest.raises(KeyboardInterrupt):
        _core.run(sc, seed=1, first=0, n=5000, series=[], tick=lambda done: (_ for _ in ()).throw(KeyboardInterrupt))
