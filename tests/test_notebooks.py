"""The example notebooks are stored without outputs and run clean, on few trajectories."""

import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = pathlib.Path(__file__).parent.parent / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
#: The notebooks whose charts and runs are checked cell by cell (every notebook must run clean).
OURS = {"quickstart.ipynb", "dprk-supply-stops.ipynb", "barrel-wear.ipynb"}
#: Trajectories per run in the tests (the notebooks default to 2,000).
N = "100"


def test_the_notebooks_are_there():
    assert {p.name for p in NOTEBOOKS} >= OURS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    # the first code cell holds the parameters, and takes n from the environment
    assert "parameters" in code[0].metadata.get("tags", [])
    assert 'os.environ.get("ATTRITION_NB_N"' in code[0].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_runs_clean(path, monkeypatch):
    monkeypatch.setenv("ATTRITION_NB_N", N)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(EXAMPLES)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # no warnings or other noise on stderr
    assert not [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    if path.name not in OURS:
        return
    # every chart cell drew a chart (a cell ending in ';' shows only its figure)
    charts = [c for c in nb.cells if c.cell_type == "code" and (".plot." in c.source or "difference(" in c.source)]
    assert charts
    for c in charts:
        assert any("image/png" in o.get("data", {}) for o in c.outputs), c.source
    # the runs took n from the environment: a displayed result says so
    html = [o["data"].get("text/html", "") for o in outputs if "data" in o]
    assert any(f"<b>n = {N}</b>" in h for h in html)
