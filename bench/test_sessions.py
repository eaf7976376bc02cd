"""The many-sessions benchmark still runs: 2 sessions x 2 screens for 2 s, 4 screens connecting.

It checks counts, not speed: nothing lost, every change acked and stored.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parent


def test_the_many_sessions_bench_loses_nothing_and_stores_every_ack(tmp_path):
    if not (os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")) and os.environ.get("REDIS_URL")):
        if os.environ.get("CI") == "true":
            pytest.fail("the bench needs DATABASE_URL (PostgreSQL) and REDIS_URL; make test sets both")
        pytest.skip("the bench needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    command = [
        sys.executable, str(BENCH_DIR / "sessions.py"), "--sessions", "2", "--screens-per-session", "2",
        "--seconds", "2", "--rate", "2", "--connect", "4", "--database", "shiller_bench_sessions_test",
        "--redis-db", "6", "--output", str(tmp_path),
    ]  # fmt: skip
    r = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    [row] = [line for line in r.stdout.splitlines() if line.startswith("| 2 x 2 |")]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[6] == "0"  # lost
    assert cells[7] == "8/8" and cells[9] == "8"  # acks, rows stored
    assert re.search(r"4 screens connected and got their snapshot in [\d.]+ s", r.stdout)
