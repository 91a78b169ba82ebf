"""Checked serialisation: pickles of scenarios and results carry a format version,
the library version and a checksum; a corrupted, truncated or foreign pickle
raises IntegrityError (or pickle's own error when the damage is in pickle's few
framing bytes), never wrong numbers. Merges refuse parts that are not of one run.
"""

from __future__ import annotations

import pickle
import random
import struct
import zlib

import numpy as np
import pytest

import attrition
from attrition import IntegrityError, Scenario
from attrition._utils.envelope import seal, unseal
from attrition.results import result as result_module
from attrition.scenario import scenario as scenario_module

STOCK = "red.ammo.152mm.stock"


# -- the envelope ------------------------------------------------------------------------------


def test_envelope_round_trip_and_each_check_named():
    blob = seal(b"TEST", 3, "9.9.9", b"payload")
    s = unseal(b"TEST", (3,), blob, "a test blob")
    assert (s.format, s.library, s.payload) == (3, "9.9.9", b"payload")
    cases = {
        "too short for the header": blob[:10],
        "not a test blob data": b"XXXX" + blob[4:],
        "format version 4, which this attrition cannot read": blob[:4] + struct.pack("<H", 4) + blob[6:],
        "the header announces 7 bytes of payload but 6 follow": blob[:-5] + blob[-4:],
        "checksum mismatch": blob[:-6] + b"P" + blob[-5:],
        "expected bytes, got str": "text",
    }
    for match, bad in cases.items():
        with pytest.raises(IntegrityError, match=match):
            unseal(b"TEST", (3,), bad, "a test blob")  # type: ignore[arg-type]


def test_every_single_bit_flip_of_an_envelope_is_caught():
    blob = seal(b"TEST", 1, attrition.__version__, bytes(range(256)) * 4)
    for i in range(len(blob)):
        for bit in range(8):
            bad = bytearray(blob)
            bad[i] ^= 1 << bit
            with pytest.raises(IntegrityError):
                unseal(b"TEST", (1,), bytes(bad), "a test blob")


# -- scenarios ----------------------------------------------------------------------------------


def _flips(blob: bytes, count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        b = bytearray(blob)
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        out.append(bytes(b))
    return out


def _never_wrong(blob: bytes, same, count: int = 400, seed: int = 1) -> int:
    """Load ``count`` one-bit corruptions of ``blob``: each raises or gives the same
    object (a flip in a byte pickle ignores). Returns how many IntegrityErrors."""
    caught = 0
    for bad in _flips(blob, count, seed):
        try:
            got = pickle.loads(bad)
        except IntegrityError:
            caught += 1
            continue
        except Exception:  # noqa: BLE001 - pickle's own error, for damage in its framing
            continue
        assert same(got), "a corrupted pickle loaded as a different object"
    return caught


def test_scenario_pickles_are_checked(small):
    blob = pickle.dumps(small)
    assert pickle.loads(blob) == small
    assert scenario_module.PICKLE_MAGIC in blob and attrition.__version__.encode() in blob
    caught = _never_wrong(blob, lambda s: s == small)
    assert caught > 0.9 * 400  # the rest hit pickle's framing (a few dozen bytes)


def test_scenario_pickle_of_another_format_or_kind(small):
    payload = zlib.compress(b'{"name": 1}')
    with pytest.raises(IntegrityError, match="format version 9"):
        scenario_module._unpickle(seal(b"ATSC", 9, "0.0.1", payload))
    with pytest.raises(IntegrityError, match="not a pickled attrition scenario data"):
        scenario_module._unpickle(seal(b"ATRS", 1, "0.0.1", payload))
    with pytest.raises(IntegrityError, match="not compressed data"):
        scenario_module._unpickle(seal(b"ATSC", 1, "0.0.1", b"plain"))
    with pytest.raises(IntegrityError, match="not UTF-8 text"):
        scenario_module._unpickle(seal(b"ATSC", 1, "0.0.1", zlib.compress(b"\xff\xfe")))
    with pytest.raises(attrition.ScenarioError, match="not valid TOML"):
        scenario_module._unpickle(seal(b"ATSC", 1, "0.0.1", zlib.compress(b"[1, 2]")))
    bomb = zlib.compress(b" " * (scenario_module.MAX_PICKLED_SCENARIO_BYTES + 10))
    with pytest.raises(IntegrityError, match="more than 67,108,864 bytes of text"):
        scenario_module._unpickle(seal(b"ATSC", 1, "0.0.1", bomb))


def test_scenario_pickles_keep_the_overlay():
    s = Scenario.builtin("no-dprk").with_values({"days": 30})
    back = pickle.loads(pickle.dumps(s))
    assert back == s and back.extends == "baseline-2024-12"


def test_scenario_pickles_do_not_go_through_the_text_limit(small):
    # A pickle used to go through to_toml and from_toml, which refuses texts above
    # MAX_SCENARIO_BYTES: a scenario with a long description could not be pickled.
    long = small.with_values({"description": "x" * (attrition.MAX_SCENARIO_BYTES - 10_000)})
    d = long.to_dict()
    d["description"] += "y" * 20_000  # valid as a dict, too long as a text
    big = Scenario.from_dict(d)
    assert len(big.to_toml().encode()) > attrition.MAX_SCENARIO_BYTES
    assert pickle.loads(pickle.dumps(big)) == big


# -- results ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kw", [{}, {"paths": False}, {"paths": False, "outcomes": "sketch"}])
def test_result_pickles_are_checked_and_keep_their_version(small, kw):
    r = attrition.run(small.with_values({"days": 30}), n=40, seed=2, series=[STOCK], **kw)
    blob = pickle.dumps(r)
    back = pickle.loads(blob)
    assert back.version == attrition.__version__ and back.n == 40
    assert result_module.PICKLE_MAGIC in blob
    q = r.quantiles(STOCK, [0.1, 0.5, 0.9])

    table = [list(row.values())[1:] for row in r.outcome_table()]

    def same(x):
        t = [list(row.values())[1:] for row in x.outcome_table()]
        return np.array_equal(x.quantiles(STOCK, [0.1, 0.5, 0.9]), q) and np.array_equal(t, table, equal_nan=True)

    assert same(back)
    assert _never_wrong(blob, same, count=150) > 0.9 * 150


def test_a_result_pickled_by_another_version_keeps_that_version(small):
    r = attrition.run(small, n=5, seed=1, series=[STOCK])
    r.version = "0.0.1"
    assert pickle.loads(pickle.dumps(r)).version == "0.0.1"


# -- merges -------------------------------------------------------------------------------------


def _parts(small, starts, **kw):
    s = small.with_values({"days": 10})
    return [attrition.run(s, seed=3, trajectories=range(a, a + 10), series=[STOCK], paths=False, **kw) for a in starts]


def test_merge_refuses_overlapping_trajectories(small):
    with pytest.raises(IntegrityError, match=r"range\(0, 10\) and range\(5, 15\) overlap"):
        attrition.merge(_parts(small, [0, 10, 5]))


def test_merge_refuses_other_versions_scenarios_and_seeds(small):
    a, b = _parts(small, [0, 10])
    b.version = "0.0.1"
    with pytest.raises(IntegrityError, match=r"one version of attrition: part 0 by .*, part 1 of 2 by 0\.0\.1"):
        attrition.merge([a, b])
    other = attrition.run(small.with_values({"days": 10, "name": "other"}), seed=3, trajectories=range(10, 20))
    with pytest.raises(IntegrityError, match="same scenario: part 1 of 2 ran 'other'"):
        attrition.merge([a, other])
    same_name = attrition.run(
        small.with_values({"days": 10, "sides.red.ref_fire": 1}), seed=3, trajectories=range(10, 20)
    )
    with pytest.raises(IntegrityError, match="differs from part 0's .* in its values"):
        attrition.merge([a, same_name])
    with pytest.raises(IntegrityError, match="same seed, got 3 and 4"):
        attrition.merge([a, attrition.run(small.with_values({"days": 10}), seed=4, trajectories=range(10, 20))])
    with pytest.raises(TypeError, match="merge takes attrition Results, got int"):
        attrition.merge([a, 1])


def test_merge_near_the_end_of_the_64_bit_range_needs_no_index(small):
    # The overlap check and the ranges are integer arithmetic: no array of 2**64 indices.
    parts = _parts(small, [2**64 - 10, 0, 2**63], outcomes="sketch")
    m = attrition.merge(parts)
    assert m.n == 30 and m._ranges == [(0, 10), (2**63, 2**63 + 10), (2**64 - 10, 2**64)]
    assert m.stats(STOCK)["count"][0] == 30
