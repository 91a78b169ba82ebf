"""Optional dependencies, imported on first use with the extra that installs them.

attrition needs only numpy and tqdm; pandas, xarray, matplotlib, scipy, SALib
and Dask come with extras (``pip install 'attrition[plot]'``). Every optional
import goes through :func:`require`, so a missing package gives one kind of
message naming the extra to install.
"""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType

__all__ = ["EXTRAS", "require"]

#: The extra of pyproject.toml that installs each optional top-level package.
EXTRAS = {
    "pandas": "pandas",
    "xarray": "xarray",
    "matplotlib": "plot",
    "scipy": "sensitivity",
    "SALib": "sensitivity",
    "dask": "dask",
    "distributed": "dask",
    "ema_workbench": "ema",
    "sklearn": "ema",
    "ipywidgets": "notebook",
    "IPython": "notebook",
}


def require(module: str, *, extra: str | None = None, purpose: str | None = None, quiet: bool = False) -> ModuleType:
    """Import ``module`` (a dotted name such as ``"matplotlib.pyplot"``), or raise
    ImportError naming the extra that installs it.

    Parameters
    ----------
    module
        The module to import.
    extra
        The extra of attrition that installs it (default: from :data:`EXTRAS`
        by the top-level package).
    purpose
        What needs it, for the message (``"plotting"``); default: "this".
    quiet
        Silence the warnings the import itself raises (the EMA Workbench warns, when it
        is imported, about each optional back-end of its own that is not installed).
    """
    try:
        with warnings.catch_warnings():
            if quiet:
                warnings.simplefilter("ignore")
            return importlib.import_module(module)
    except ImportError as e:
        top = module.split(".")[0]
        extra = extra or EXTRAS.get(top, top)
        raise ImportError(f"{purpose or 'this'} needs {top}: pip install 'attrition[{extra}]'") from e
