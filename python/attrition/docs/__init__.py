"""The documentation that ships with the package.

``docs/model.md``, the reference for what attrition computes (every state,
equation, parameter, random draw and approximation, and where the built-in
scenarios' numbers come from), is installed with the package so that it can be
read where the package is: :func:`model` returns its text, :func:`model_path`
its file, and ``attrition model`` on the command line prints it.

Examples
--------
>>> import attrition.docs
>>> attrition.docs.model().splitlines()[0]
'# The attrition model'
>>> attrition.docs.model_path().name
'model.md'
"""

from __future__ import annotations

import pathlib
from importlib import resources

__all__ = ["model", "model_path"]


def model_path() -> pathlib.Path:
    """The installed ``model.md`` (docs/model.md of the source tree)."""
    return pathlib.Path(str(resources.files(__name__).joinpath("model.md")))


def model() -> str:
    """The text of docs/model.md, the model's reference (Markdown)."""
    return resources.files(__name__).joinpath("model.md").read_text(encoding="utf-8")
