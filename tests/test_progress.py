"""When progress bars show: forced, refused, or only where someone is watching."""

import io
import sys
import types
import warnings

import pytest

import attrition
from attrition._utils import progress


class _Tty(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def no_kernel(monkeypatch):
    monkeypatch.setattr(progress, "in_kernel", lambda: False)


def test_forced_and_refused_whatever_the_terminal(monkeypatch, no_kernel):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert progress.show(True, 0.0) is True
    monkeypatch.setattr(sys, "stderr", _Tty())
    assert progress.show(False, 1e9) is False


def test_by_default_only_when_watched_and_long(monkeypatch, no_kernel):
    monkeypatch.setattr(sys, "stderr", _Tty())
    assert progress.show(None, 10.0) and progress.show(None) and not progress.show(None, 0.5)
    # stderr redirected to a file or a log: no bar frames in it
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not progress.show(None, 1e9)


def test_a_broken_stderr_is_not_watched(monkeypatch, no_kernel):
    class Closed(io.StringIO):
        def isatty(self):
            raise ValueError("I/O operation on closed file")

    monkeypatch.setattr(sys, "stderr", Closed())
    assert not progress.watched()
    monkeypatch.setattr(sys, "stderr", None)
    assert not progress.watched()


def test_a_kernel_is_watched(monkeypatch):
    shell = types.SimpleNamespace(kernel=object())
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert progress.in_kernel() and progress.watched() and progress.show(None, 10.0)
    # a terminal IPython has no kernel
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: object()))
    assert not progress.in_kernel()


def test_plain_text_without_ipywidgets_and_no_warning(monkeypatch):
    import tqdm.std

    monkeypatch.setattr(progress, "in_kernel", lambda: True)
    monkeypatch.setattr(progress, "_widgets", lambda: False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        b = progress.bar(True, 10, "x")
    try:
        assert type(b) is tqdm.std.tqdm
    finally:
        b.close()
    assert progress.bar(False, 10, "x") is None


def test_a_widget_with_ipywidgets_in_a_kernel(monkeypatch):
    pytest.importorskip("ipywidgets")
    import tqdm.notebook

    made = []

    class Bar:
        def __init__(self, **kw):
            made.append(kw)

    monkeypatch.setattr(progress, "in_kernel", lambda: True)
    monkeypatch.setattr(tqdm.notebook, "tqdm", Bar)
    progress.bar(True, 5, "x")
    assert made == [{"total": 5, "desc": "x", "unit": "traj", "leave": False}]


def _bars(monkeypatch):
    import tqdm.std

    bars = []

    class Bar:
        def __init__(self, total, desc, unit, leave):
            self.total, self.desc, self.unit, self.n, self.closed, self.postfix = total, desc, unit, 0, False, {}
            bars.append(self)

        def update(self, k=1):
            self.n += k

        def set_postfix(self, refresh=True, **kw):
            self.postfix = kw

        def close(self):
            self.closed = True

    monkeypatch.setattr(progress, "in_kernel", lambda: False)
    monkeypatch.setattr(tqdm.std, "tqdm", Bar)
    return bars


def test_compare_and_sobol_show_progress(monkeypatch):
    bars = _bars(monkeypatch)
    sc = attrition.Scenario.builtin("baseline-2024-12").with_values({"days": 20})
    attrition.compare(sc, sc, n=30, seed=1, outcomes=[], progress=True)
    assert [(b.total, b.n, b.closed) for b in bars] == [(60, 60, True)]
    attrition.compare(sc, sc, n=30, seed=1, outcomes=[], progress=False)
    assert len(bars) == 1
    from attrition.sensitivity import sobol

    sobol(sc, "russia.casualties.total.run_total", n=8, seed=1, params="sides.russia.casualties.base", progress=True)
    assert bars[-1].desc.startswith("sobol") and bars[-1].n == bars[-1].total == 8 * 4 and bars[-1].closed


def test_calibrate_shows_progress(monkeypatch):
    bars = _bars(monkeypatch)
    gs = attrition.data.gs_losses()
    attrition.calibrate(
        "baseline-2024-12",
        gs["personnel_daily"],
        lag=1,
        params=["sides.russia.casualties.base"],
        window=("2024-11-25", "2024-12-24"),
        population=40,
        max_generations=3,
        seed=1,
        progress=True,
    )
    (b,) = bars
    assert (
        b.unit == "generation" and b.closed and 1 <= b.n <= 3 and set(b.postfix) == {"tolerance", "acceptance", "ess"}
    )
