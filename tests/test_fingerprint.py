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
        "9e77ce31096752dfec4241b07668f16ff2ad5f8cadd2c6c1b3c46b69261b38ea",
        "ab1c6da997c95714b894c5de959c43dd123b9cd00d2228f70528db9444f43b3f",
    ),
    "dprk-cutoff-2025-01-20": (
        "50c6aa373dfd8d783a7f8f6806141109d40f5aac8f7fd42f5268dc76a15a2fc9",
        "28344b6fd19b6df39af77fd1aaa5e6c245538e145a2063c14b0a3cb2f92f49a6",
    ),
    "no-dprk": (
        "1fcd9290aed1e5d5a1b2af206e6f22634647765bf0b55129c13ac18ae98c7f60",
        "5932acbacb4ab8e611322a0df290f849ebc17f89ed3777021609314c1ab453a1",
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
