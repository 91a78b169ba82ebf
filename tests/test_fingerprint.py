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
        "8ccc86ad3e255ac38708e34eed87d191c96da6dd040a1855daacb4781b7e92e4",
        "ef81628cbe2e053ca68cbbfef34cfee67f17667935f6424d7f484612b6f3bbf9",
    ),
    "dprk-cutoff-2025-01-20": (
        "5f203f294e4d30058fc66150f9dcf71df6402562536eb57e63b574b332c2b185",
        "7f8b57403ae740816724a23adc1541005f7493802950c8e7e3b1fe37e72c9177",
    ),
    "no-dprk": (
        "fb12c38e8a5f8599c58ea4985f69c61a1cc8ab6b1935839793fcb5618b9ef347",
        "776c460063a24d88bb8c701c4d842e662eafc249815aba5f8f8b1585a211ad2f",
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
