"""The package: its public names, and what ``import attrition`` loads."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import attrition

#: Optional packages that ``import attrition`` must not load.
HEAVY = ["pandas", "xarray", "matplotlib", "scipy", "SALib", "dask", "distributed"]


def _fresh(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON value, returned here."""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_import_loads_no_optional_package():
    loaded = _fresh(f"""
        import json, sys
        import attrition
        heavy = {HEAVY!r}
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
    """)
    assert loaded == []


def test_lazy_names_load_on_first_use():
    got = _fresh("""
        import json, sys
        import attrition
        before = "attrition.sensitivity" in sys.modules or "attrition.calibration" in sys.modules
        data = attrition.data
        calibrate = attrition.calibrate
        print(json.dumps({
            "before": before,
            "data": data.__name__,
            "calibrate": [callable(calibrate), type(calibrate).__name__, attrition.calibrate is calibrate],
            "Calibration": attrition.Calibration.__name__,
            "sensitivity": attrition.sensitivity.__name__,
            "after": "attrition.sensitivity" in sys.modules and "attrition.calibration" in sys.modules,
        }))
    """)
    assert got["before"] is False
    assert got["data"] == "attrition.data" and got["sensitivity"] == "attrition.sensitivity"
    assert got["calibrate"] == [True, "function", True] and got["Calibration"] == "Calibration"
    assert got["after"] is True


def test_public_names():
    for name in attrition.__all__:
        assert getattr(attrition, name) is not None, name
    assert set(attrition.__all__) <= set(dir(attrition))
    assert attrition.MAX_DAYS == attrition._core.MAX_DAYS and attrition.__version__ == attrition._core.__version__
    assert issubclass(attrition.UnknownNameError, KeyError)
    for name in ("plan", "run_distributed", "sweep", "Plan", "SweepResult"):
        assert hasattr(attrition.parallel, name), name
    assert attrition.parallel.sweep is attrition.sweep and attrition.data.gs_losses


def test_an_unknown_attribute_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="has no attribute 'distributed'"):
        _ = attrition.distributed
