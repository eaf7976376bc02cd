import gc
import subprocess
import sys

import pytest

from shiller import collector


def test_the_served_application_freezes_startup_and_collects_rarely():
    # A process of its own, as daphne's: importing the application tunes its collector.
    probe = "import gc, shiller.asgi; print(gc.get_threshold(), gc.get_freeze_count())"
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split(")")
    assert output[0] + ")" == str(collector.THRESHOLDS)
    assert int(output[1]) > 10_000


@pytest.fixture
def collector_state():
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_an_operator_can_keep_python_s_defaults(collector_state, monkeypatch):
    monkeypatch.setenv("SHILLER_GC", "default")
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    collector.tune()
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0
