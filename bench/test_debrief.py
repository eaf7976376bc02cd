"""The debrief benchmark still runs: two short sessions, every page answered.

It checks that it runs and what it prints, not speed: speed is what `make bench` reports.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

BENCH_DIR = Path(__file__).resolve().parent


def test_the_debrief_bench_times_each_page_of_each_session():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        if os.environ.get("CI") == "true":
            pytest.fail("the debrief bench needs DATABASE_URL (PostgreSQL); make test sets it")
        pytest.skip("the debrief bench needs DATABASE_URL (PostgreSQL)")
    # Named after the test database's server database: runs beside each other's stay apart.
    database = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/") + "_bench_debrief_test"
    command = [
        sys.executable, str(BENCH_DIR / "debrief.py"), "--events", "60", "300", "--runs", "1",
        "--database", database,
    ]  # fmt: skip
    r = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    rows = [line.split() for line in r.stdout.splitlines() if line.split()[:1] in (["60"], ["300"])]
    # The debrief (a first visit and a later one), the CSV, the replay's data and page and the
    # floor of each session, each with its four figures.
    pages = ("debrief-first", "debrief", "csv", "replay.json", "replay", "floor")
    assert sorted((row[0], row[1]) for row in rows) == sorted(
        (events, what) for events in ("60", "300") for what in pages
    ), r.stdout
    assert all(len(row) == 6 for row in rows)
