"""The scenario format's reference, generated from the engine: the committed pages are
up to date, the JSON Schema accepts the built-ins and refuses what validation refuses,
and its allowed ranges are the rules validation applies."""

from __future__ import annotations

import datetime as dt
import importlib.util
import pathlib
import re

import pytest

import attrition
from attrition import Scenario, ScenarioError
from attrition.cli import main
from attrition.scenario import json_schema
from attrition.scenario.reference import TABLES, field_unit, fields

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("gen_reference", ROOT / "scripts" / "gen_reference.py")
assert spec and spec.loader
gen_reference = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen_reference)


@pytest.mark.parametrize("name", gen_reference.PAGES)
def test_the_committed_pages_are_up_to_date(name):
    committed = (ROOT / "docs" / "reference" / name).read_text(encoding="utf-8")
    assert committed == gen_reference.pages()[name], f"docs/reference/{name} is stale: run scripts/gen_reference.py"


def test_the_model_docs_parameter_tables_are_generated():
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    assert text.count("<!-- fields ") == 7
    assert text == gen_reference.model_doc(text), "docs/model.md has a stale table: run scripts/gen_reference.py"
    # every parameter of the format is in one of them
    for table, _ in TABLES:
        for f in fields(table):
            if f["kind"] == "number or distribution":
                assert re.search(rf"\| `([a-z_]+\[?\]?\.)?{f['name']}` \|", text), f"{table}.{f['name']}"


def test_every_field_is_in_the_reference():
    page = gen_reference.pages()["scenario.md"]
    for table, _ in TABLES:
        assert f"\n## {table}\n" in page
        for f in fields(table):
            assert f["description"], f"{table}.{f['name']} has no meaning"
            assert f"| `{f['name']}` |" in page
    outputs = gen_reference.pages()["outputs.md"]
    for k in attrition._core.series_kinds() + attrition._core.outcome_kinds():
        assert f"| `{k['pattern']}` | {k['unit']} |" in outputs


def _plain(x):
    """A TOML document as JSON sees it (dates as strings)."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    if isinstance(x, dt.date):
        return x.isoformat()
    return x


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _errors(validator, doc):
    return sorted(e.message for e in validator.iter_errors(doc))


@pytest.mark.parametrize("name", attrition.builtins())
def test_the_schema_accepts_the_builtins(validator, name):
    tomllib = pytest.importorskip("tomllib")
    s = Scenario.builtin(name)
    for text in (s.to_toml(), s.to_overlay_toml()):
        assert _errors(validator, _plain(tomllib.loads(text))) == []
    path = ROOT / "python" / "attrition" / "scenarios" / f"{name}.toml"
    assert _errors(validator, _plain(tomllib.loads(path.read_text(encoding="utf-8")))) == []


def test_the_schema_refuses_what_validation_refuses(validator):
    base = Scenario.builtin("baseline-2024-12").to_dict()

    def bad(edit):
        d = Scenario.builtin("baseline-2024-12").to_dict()
        edit(d)
        assert _errors(validator, d), d
        with pytest.raises(ScenarioError):
            Scenario.from_dict(d)

    msta = ("sides", "russia", "fleets", "msta_s")

    def at(d, keys):
        for k in keys:
            d = d[k]
        return d

    bad(lambda d: at(d, msta).update(combat_loss=1.5))
    bad(lambda d: at(d, msta).update(barrel_lif=2000))
    bad(lambda d: at(d, msta).update(accuracy_exponent=4))
    bad(lambda d: at(d, msta).update(barrel_life={"dist": "pert", "low": 1, "high": 3}))
    bad(lambda d: at(d, msta).pop("guns"))
    bad(lambda d: d.update(days=0))
    bad(lambda d: d["sources"].update({"days": {"facts": ["no-such-fact"]}}))
    assert _errors(validator, base) == []
    # an overlay needs nothing, but what it says is checked
    assert _errors(validator, {"extends": "baseline-2024-12", "sides": {"russia": {"fleets": {"msta_s": {}}}}}) == []
    assert _errors(validator, {"extends": "baseline-2025", "days": 10})
    assert _errors(validator, {"extends": "no-dprk", "sides": {"russia": {"ref_fire": -1}}})


def _with_every_table() -> Scenario:
    s = Scenario.builtin("baseline-2024-12")
    return s.with_values(
        {
            "sides.russia.casualties.tempo": [{"start": "2025-01-01", "end": "2025-03-01", "factor": 1.2}],
            "sides.russia.contingents.dprk.schedule": [{"date": "2025-02-01", "size": 1000}],
        }
    )


#: Where a table of each kind sits in the scenario of _with_every_table.
_WHERE = {
    "Scenario": "",
    "Side": "sides.russia",
    "Caliber": "sides.russia.calibers.152mm",
    "SupplyLine": "sides.russia.supply.dprk_152",
    "Fleet": "sides.russia.fleets.msta_s",
    "Deliveries": "sides.russia.fleets.msta_s.deliveries",
    "Casualties": "sides.russia.casualties",
    "Contingent": "sides.russia.contingents.dprk",
    "Territory": "sides.russia.territory",
}


def _outside(p: dict) -> list[float]:
    """Numbers just outside the allowed range of a number field's schema (whole ones for
    an integer field)."""
    n = p["anyOf"][0] if "anyOf" in p else p
    if "enum" in n:
        return [0, 4]
    step = 1 if n["type"] == "integer" else 0.5
    out = []
    if "minimum" in n:
        out.append(n["minimum"] - step)
    if "exclusiveMinimum" in n:
        out.append(n["exclusiveMinimum"])
    if "maximum" in n:
        out.append(n["maximum"] + step)
    return [int(x) if step == 1 else x for x in out]


def test_the_allowed_range_is_the_rule_validation_applies():
    s = _with_every_table()
    schema = json_schema()["$defs"]
    checked = 0
    for table, where in _WHERE.items():
        for f in fields(table):
            p = schema[table]["properties"][f["name"]]
            if not f["allowed"] or f["kind"] not in ("number or distribution", "number"):
                continue
            path = f"{where}.{f['name']}" if where else f["name"]
            for x in _outside(p):
                with pytest.raises(ScenarioError, match=rf"^{path}: {re.escape(f['allowed'])}, got") as e:
                    s.with_values({path: x})
                assert "problems" not in str(e.value)
                checked += 1
    assert checked > 50


def test_units_come_from_the_schema():
    assert field_unit("fleets", "barrel_life") == "EFC" and field_unit("Fleet", "barrel_life") == "EFC"
    assert field_unit("fleets", "combat_beta") == ""  # a pure number
    assert field_unit("supply", "rate") == "shells/day"
    area = {f["name"]: f for f in fields("Territory")}["reference_area_km2"]
    assert area["default"] == 603_550 and area["basis"]["facts"] == ["ukraine-area"]


def test_cli_schema_and_model(capsys, tmp_path):
    import json

    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert list(schema)[:3] == ["$schema", "$id", "title"] and "Fleet" in schema["$defs"]
    assert main(["model"]) == 0
    assert capsys.readouterr().out.startswith("# The attrition model\n")
    assert main(["model", "--path"]) == 0
    path = pathlib.Path(capsys.readouterr().out.strip())
    assert path.name == "model.md" and path.read_text(encoding="utf-8") == attrition.docs.model()
    assert attrition.docs.model() == (ROOT / "docs" / "model.md").read_text(encoding="utf-8")


def test_distribution_errors_point_at_the_rules():
    for bad in ({"dist": "weibull", "scale": 1}, "12"):
        with pytest.raises(ScenarioError, match=r"docs/model\.md section 2"):
            Scenario.builtin("baseline-2024-12").with_values({"sides.russia.fleets.msta_s.barrel_life": bad})
