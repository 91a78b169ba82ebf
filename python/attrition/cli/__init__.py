"""The ``attrition`` command line.

``attrition run``, ``compare``, ``validate``, ``list``, ``backtest``, and ``sources``, ``schema`` and
``model`` (one module each, the last three in :mod:`.reference`), their
shared options and scenario loading (:mod:`.common`) and tables (:mod:`.tables`).
Errors print one line, ``error: ...``, and exit with status 2; Ctrl-C exits quietly
with status 130.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .. import _core
from ..errors import AttritionError
from . import backtest, compare, listing, reference, run, validate
from .run import summary_table

__all__ = ["main", "summary_table"]


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="attrition",
        description="Monte Carlo scenarios of a war of attrition.",
        epilog="Scenarios are built-in names (attrition list) or TOML files. Documentation: docs/cli.md.",
    )
    ap.add_argument("--version", action="version", version=f"attrition {_core.__version__}")
    sub = ap.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    for command in (run, compare, validate, listing, backtest, reference):
        command.add(sub)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser().parse_args(argv)
        return int(args.func(args, argv))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (| head): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (AttritionError, OSError, KeyError, ValueError, ImportError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
