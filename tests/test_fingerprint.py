"""Value stability: the built-in scenarios' outputs at a fixed seed, as literal digests.

A digest covers, for each built-in scenario, every outcome, every drawn parameter
and every series of a 64-trajectory run with full paths (bit for bit), and the
per-day statistics and quantiles of a summary-mode run with the outcome table.
A change to the engine, the samplers, the streams or a built-in scenario that
moves any number changes a digest: update the literals only for a change that
is meant to move results, and say so in the commit.
"""

import hashlib

import numpy as np
import pytest

import attrition

SEED = 20241224
N = 64

#: (paths digest, summaries digest) per built-in scenario.
EXPECTED = {
    "baseline-2024-12": (
        "89a0087888389e867523dd5058e46012e4a04b905f0eab586e0a043d6419e280",
        "fcb330901aee107e84defda73239a77f6921fbcaa068df87fba20e0375eac2b7",
    ),
    "dprk-cutoff-2025-01-20": (
        "9071aecfc117b0842aa4e22d5966ad87728365fa5fc8e552a95c1c4c75075dfe",
        "59a89a77a1f77abf0f21633e5e2b7739c74556e95fb6be0d8085a0db2f1c0407",
    ),
    "no-dprk": (
        "e99a53c5fef7056a625228febcbd7fb76922cf36f44302dbc1ae018a3d5128ff",
        "67a4cf4d2577a750c15bf46d16a450d56985c764702694d65fdf755797247221",
    ),
}


def _update(h, name: str, a) -> None:
    h.update(name.encode())
    h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())


def paths_digest(name: str) -> str:
    r = attrition.run(name, n=N, seed=SEED, series="all", progress=False, threads=2)
    h = hashlib.sha256()
    for k in sorted(r.outcomes):
        _update(h, k, r.outcomes[k])
    for k in sorted(r.params):
        _update(h, k, r.params[k])
    for k in sorted(r.series_names):
        _update(h, k, r.series(k))
    return h.hexdigest()


def summaries_digest(name: str) -> str:
    s = attrition.run(name, n=N, seed=SEED, paths=False, outcomes="sketch", progress=False, threads=2)
    h = hashlib.sha256()
    for k in sorted(s.series_names):
        _update(h, k, s.quantiles(k, [0.05, 0.5, 0.95]))
        st = s.stats(k)
        for stat in ("count", "mean", "sd", "min", "max"):
            _update(h, stat, st[stat])
    # The sketches of the outcomes as the engine kept them: mean, quantiles of the values
    # that are not NaN and the NaN share, per outcome (the outcome table reads these).
    for k in s.outcome_names:
        row = {"outcome": k, **s._outcomes.row(k, (0.05, 0.5, 0.95))}
        h.update(repr(sorted(row.items())).encode())
    return h.hexdigest()


def test_every_builtin_has_a_fingerprint():
    assert sorted(EXPECTED) == attrition.builtins()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_builtin_outputs_are_unchanged(name):
    assert (paths_digest(name), summaries_digest(name)) == EXPECTED[name]
