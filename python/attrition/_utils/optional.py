"""Optional dependencies, imported on first use with the extra that installs them.

attrition needs only numpy and tqdm; pandas, xarray, matplotlib, scipy, SALib
and Dask come with extras (``pip install 'attrition[plot]'``). Every optional
import goes through :func:`require`, so a missing package gives one kind of
message naming the extra to install.
"""

from __future__ import annotations

import importlib
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
}


def require(module: str, *, extra: str | None = None, purpose: str | None = None) -> ModuleType:
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
    """
    try:
        return importlib.import_module(module)
    except ImportError as e:
        top = module.split(".")[0]
        extra = extra or EXTRAS.get(top, top)
        raise ImportError(f"{purpose or 'this'} needs {top}: pip install 'attrition[{extra}]'") from e
