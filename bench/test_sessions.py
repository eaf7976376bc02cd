"""The many-sessions bench still runs: 2 sessions of 2 screens for 3 s, then 20 screens connecting.

It checks counts, not speed: speed is what `make bench` reports.
"""

import json
import subprocess
import sys

from test_fanout import BENCH_DIR, RUN_TIMEOUT, SERVICES, _needs_postgresql_and_redis


def test_every_screen_of_every_session_gets_its_changes_and_every_ack_is_stored(tmp_path):
    _needs_postgresql_and_redis()
    command = [
        sys.executable, str(BENCH_DIR / "sessions.py"),
        "--sessions", "2", "--screens-per-session", "2", "--rate", "2", "--seconds", "3",
        "--processes", "2", "--connect", "20",
        *SERVICES, "--output", str(tmp_path),
    ]  # fmt: skip
    r = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert r.returncode == 0, r.stderr[-3000:]
    [path] = tmp_path.glob("sessions-*.json")
    results = json.loads(path.read_text())
    [run] = results["runs"]

    assert run["connected"] == 4
    # Each trainer's 6 changes reach its own 2 screens, and only those.
    assert run["received"] == run["expected"] == 2 * 2 * 6
    # Every session numbers its changes from 0: another session's change would be a duplicate.
    assert run["lost"] == run["duplicates"] == 0
    assert run["rows"] == run["acks"] == run["changes_sent"] == 12
    assert run["acked_not_stored"] == 0
    assert results["connect"]["connected"] == 20
    assert "| 2 × 2 | 2 | 2 |" in r.stdout
