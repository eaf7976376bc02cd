"""The debrief benchmark still runs: two short sessions, every page answered.

It checks that it runs and what it prints, not speed: speed is what `make bench` reports.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parent


def test_the_debrief_bench_times_each_page_of_each_session():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        if os.environ.get("CI") == "true":
            pytest.fail("the debrief bench needs DATABASE_URL (PostgreSQL); make test sets it")
        pytest.skip("the debrief bench needs DATABASE_URL (PostgreSQL)")
    command = [
        sys.executable, str(BENCH_DIR / "debrief.py"), "--events", "60", "300", "--runs", "1",
        # Apart from the fan-out bench's, and movable like it (test_fanout.SERVICES).
        "--database", os.environ.get("BENCH_TEST_DEBRIEF_DATABASE", "shiller_bench_debrief_test"),
    ]  # fmt: skip
    r = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    rows = [line.split() for line in r.stdout.splitlines() if line.split()[:1] in (["60"], ["300"])]
    # The debrief, the CSV and the replay of each session, each with its three figures.
    assert sorted((row[0], row[1]) for row in rows) == sorted(
        (events, what) for events in ("60", "300") for what in ("debrief", "csv", "replay.json")
    ), r.stdout
    assert all(len(row) == 5 for row in rows)
