"""Where the numbers come from: the sources register, each built-in value's
provenance, Scenario.provenance(), ``attrition sources`` and the report's section."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

import attrition
from attrition import Scenario, ScenarioError
from attrition.cli import main
from attrition.scenario import fact, facts
from attrition.scenario.provenance import COLUMNS, provenance_text


@pytest.mark.parametrize("name", attrition.builtins())
def test_every_value_of_every_builtin_cites_facts_or_states_an_assumption(name):
    rows = Scenario.builtin(name).provenance_list()
    register = facts()
    assert len(rows) > 100
    for r in rows:
        assert r["origin"] in ("scenario", "default"), r
        assert r["facts"] or r["assumption"].strip(), f"{r['path']}: no facts and no assumption"
        for i in r["facts"]:
            assert i in register, f"{r['path']} cites {i}"
        assert list(r) == list(COLUMNS)
    paths = {r["path"] for r in rows}
    # numbers, distributions, dates and thresholds are inputs; names are not
    assert {"start", "days", "sides.russia.casualties.thresholds[1]", "sides.russia.ref_fire"} <= paths
    assert not any(p.endswith((".caliber", ".opponent", ".supplier")) for p in paths)


def test_the_register_ships_and_matches_the_engine():
    text = resources.files("attrition").joinpath("sources.toml").read_text(encoding="utf-8")
    ids = re.findall(r"^\[facts\.([a-z0-9-]+)\]$", text, flags=re.M)
    assert sorted(ids) == sorted(facts()) and len(ids) > 100
    f = fact("nk-shells-annual-2024")
    assert f["unit"] and f["source"] and f["verification"] in ("read", "second-hand", "placeholder", "computed")
    with pytest.raises(KeyError, match="did you mean 'nk-shells-annual-2024'"):
        fact("nk-shells-anual-2024")


def test_provenance_table():
    pytest.importorskip("pandas")
    p = Scenario.builtin("baseline-2024-12").provenance()
    assert list(p.columns) == list(COLUMNS[1:]) and p.index.name == "path"
    row = p.loc["sides.russia.fleets.m1989_koksan.deliveries.rate"]
    assert row["unit"] == "guns/day" and row["value"] == "pert(0.1, 0.33, 0.66)"
    assert row["facts"] == ["nk-koksan-delivered-2025-01"] and bool(row["after_cutoff"])
    assert p.loc["days", "value"] == "730" and p.loc["days", "unit"] == "days"
    assert p.loc["sides.russia.casualties.thresholds[0]", "value"] == "800000"
    # an unset field with an entry: the North Korean lines never stop in the baseline
    end = p.loc["sides.russia.supply.dprk_152.end"]
    assert end["value"] == "(not set)" and "never stops" in end["assumption"]
    # a value left at its default takes the default's grounds
    price = p.loc["sides.russia.supply.domestic_152.price"]
    assert price["origin"] == "default" and price["value"] == "0" and price["assumption"]
    # the facts' details, in the order of the ids
    rate = p.loc["sides.russia.supply.dprk_152.rate"]
    assert rate["verification"].split("; ") == [facts()[i]["verification"] for i in rate["facts"]]


def test_overrides_and_overlays_keep_provenance_honest():
    base = Scenario.builtin("baseline-2024-12")
    path = "sides.russia.supply.dprk_152.rate"
    changed = base.with_values({path: 5000})
    row = next(r for r in changed.provenance_list() if r["path"] == path)
    assert row["origin"] == "missing" and row["value"] == "5000" and not row["facts"]
    cited = changed.with_sources({path: {"facts": ["nk-shells-annual-2024"], "note": "the 2024 flow, rounded"}})
    row = next(r for r in cited.provenance_list() if r["path"] == path)
    assert row["origin"] == "scenario" and row["facts"] == ["nk-shells-annual-2024"]
    assert cited.extends is None and changed == base.with_values({path: 5000})
    with pytest.raises(ScenarioError, match=r'sources\."sides\.russia\.supply\.dprk_152\.rat": no such value'):
        base.with_sources({"sides.russia.supply.dprk_152.rat": {"assumption": "x"}})
    with pytest.raises(ScenarioError, match=r"facts\[0\]: no fact \"nope\" in the sources register"):
        base.with_sources({path: {"facts": ["nope"]}})
    # the variant's own entries replace the baseline's for what it changes
    cut = {r["path"]: r for r in Scenario.builtin("dprk-cutoff-2025-01-20").provenance_list()}
    assert "policy lever" in cut["sides.russia.supply.dprk_152.end"]["assumption"]
    assert cut["sides.russia.supply.dprk_152.end"]["value"] == "2025-01-20"


def test_cli_sources(capsys):
    assert main(["sources", "no-dprk"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sources of 'no-dprk'") and "\nsides.russia.supply.domestic_152.rate = pert(" in out
    assert "dprk_152" not in out
    assert main(["sources", "dprk-cutoff-2025-01-20", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["scenario"] == "dprk-cutoff-2025-01-20" and doc["extends"] == "baseline-2024-12"
    rows = {r["path"]: r for r in doc["rows"]}
    assert rows["sides.russia.contingents.dprk.arrivals_end"]["facts"] == ["ru-casualties-800k-expected"]
    assert main(["sources", "no-such-scenario"]) == 2


def test_text_lists_every_input():
    s = Scenario.builtin("baseline-2024-12")
    text = provenance_text(s)
    assert text.count("\n\n") == len(s.provenance_list())
    assert "  (default)" in text and "some published after 2024-12-24" in text


def test_the_report_has_a_sources_section(tmp_path):
    pytest.importorskip("matplotlib")
    from attrition.visual import write_report

    r = attrition.run(Scenario.builtin("baseline-2024-12").with_values({"days": 30}), n=20, seed=1, paths=False)
    html = write_report(r, tmp_path).read_text(encoding="utf-8")
    assert "<h2>Sources</h2>" in html and "1 on neither" in html  # days, changed here without a source
    assert "<code>sides.russia.supply.dprk_152.rate</code>" in html and "nk-shells-annual-2024" in html


def test_nothing_points_outside_the_project():
    """Citations name facts of the register and docs/model.md, not files outside the project."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    outside = ["MODEL" + ".md", "FACTS" + ".md", "FACTS" + " §", "../" + "shared", "shared/" + "data"]
    skip = {".git", ".venv", "target", "node_modules", ".hypothesis", "site"}
    hits = []
    for path in root.rglob("*"):
        if path.suffix not in (".py", ".rs", ".md", ".toml", ".ipynb", ".txt", ".yml", ".cfg") or not path.is_file():
            continue
        if skip & set(path.relative_to(root).parts):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        hits += [f"{path.relative_to(root)}: {w}" for w in outside if w in text]
        if ("fact " + "sheet") in text.lower():
            hits.append(f"{path.relative_to(root)}: the old name of the register")
    assert not hits, hits
