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
        "1a520fa8e3957114940486d979850960492423a2efbc32b4338794e572579ecf",
        "729ecd5c9e1938c8d349cb8a6498cf7d04a7180640f025d34ab00606a9bece8f",
    ),
    "dprk-cutoff-2025-01-20": (
        "c71f6693fdba3b9f2d2056f4c71eaec7ed2b0f8c371b159010494c2a6e2cd26a",
        "4afb2f3247168b15037e75c64251b3216f355e2668cc09b6c7167cf04e25d1bc",
    ),
    "no-dprk": (
        "4c7379ea0d44877d8b7f19f4be13efadfca958b3302da4e3e8356992ea5496ba",
        "ed73f6f72337277ff761910a7acc90df6b22ac201203cef28f2e304b351139d8",
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
    for row in s.outcome_table():
        h.update(repr(sorted(row.items())).encode())
    return h.hexdigest()


def test_every_builtin_has_a_fingerprint():
    assert sorted(EXPECTED) == attrition.builtins()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_builtin_outputs_are_unchanged(name):
    assert (paths_digest(name), summaries_digest(name)) == EXPECTED[name]
