"""README.md tells the truth: its example scenario is valid and plausible, every Python block
followed by a ```text block prints exactly that text, and it counts the notebooks right."""

import contextlib
import io
import pathlib
import re
import warnings

import pytest

import attrition

ROOT = pathlib.Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

#: (code, expected output) for every python block followed by a text block
EXAMPLES = re.findall(r"```python\n((?:(?!```).)*)```\s*```text\n((?:(?!```).)*)```", README, re.S)


def test_there_are_checked_examples():
    assert len(EXAMPLES) >= 1


@pytest.mark.parametrize("code,expected", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_the_quoted_output_is_what_the_code_prints(code, expected):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    assert out.getvalue() == expected


def test_the_example_scenario_is_valid_and_plausible():
    (toml,) = re.findall(r"```toml\n(.*?)```", README, re.S)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sc = attrition.Scenario.from_toml(toml)
    assert sc.warnings() == []
    r = attrition.run(sc.with_values({"days": 60}), n=20, seed=1, series=[])
    # the North Korean contingent is not wiped out: it loses a share of its strength a month
    assert r.outcome_table("russia.contingent.dprk.rate_per_30d")[0]["q0.5"] < 0.5


def test_the_notebooks_are_counted_right():
    notebooks = sorted(p.name for p in (ROOT / "examples").glob("*.ipynb"))
    words = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six"}
    assert f"{words[len(notebooks)]} worked analyses in `examples/`" in README
    for name in notebooks:
        assert f"examples/{name}" in README


def test_the_linked_docs_exist():
    for link in re.findall(r"\]\((docs/[^)#]+)\)", README):
        assert (ROOT / link).exists() or link == "docs/model.md", link
