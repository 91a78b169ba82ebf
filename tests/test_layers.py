"""The Python package's layering beyond what import-linter sees.

The compiled core (``attrition._core``) is not Python source, so import-linter's
graph reads ``from .. import _core`` as an import of the top package and its
contract ignores imports of the bare package. This test closes that gap: no
module inside the package imports anything from the top package but ``_core``.
"""

import ast
import pathlib

import attrition

PACKAGE = pathlib.Path(attrition.__file__).parent


def _imports_of_the_top_package(source: str, depth: int) -> list[str]:
    """Names a module ``depth`` folders below the top package imports from it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            top = (node.level and node.level == depth + 1 and not node.module) or (
                node.level == 0 and node.module == "attrition"
            )
            if top:
                found += [a.name for a in node.names if a.name != "_core"]
    return found


def test_no_module_imports_the_top_package_but_the_core():
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "__init__.py":
            continue
        depth = len(path.relative_to(PACKAGE).parts) - 1
        names = _imports_of_the_top_package(path.read_text("utf-8"), depth)
        if names:
            offenders[str(path.relative_to(PACKAGE))] = names
    assert offenders == {}


def test_the_check_catches_an_import_of_the_top_package():
    assert _imports_of_the_top_package("from .. import _core, run\n", 1) == ["run"]
    assert _imports_of_the_top_package("from . import api\n", 0) == ["api"]
    assert _imports_of_the_top_package("from attrition import Result\n", 2) == ["Result"]
    assert _imports_of_the_top_package("from . import display\n", 1) == []
