"""Figures of a run: latency percentiles, the Shiller-vs-floors table, the targets, the files."""

import json
import math
from pathlib import Path

# Issue 6's targets, checked on the run with the most screens.
P99_TARGET_MS = 50
# p99 against the Python floor's in the same run: issue 21 tightened issue 6's 2x.
FLOOR_RATIO_TARGET = 1.2
PERSIST_TARGET_PER_S = 200
RSS_TARGET_KB_PER_SCREEN = 100

DASH = "–"


def percentile(ordered: list[int], fraction: float) -> int:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def latency_ms(latencies_us: list[int]) -> dict | None:
    if not latencies_us:
        return None
    ordered = sorted(latencies_us)
    return {
        "p50": percentile(ordered, 0.50) / 1000,
        "p95": percentile(ordered, 0.95) / 1000,
        "p99": percentile(ordered, 0.99) / 1000,
        "max": ordered[-1] / 1000,
    }


def screen_figures(connected: list[dict], results: list[dict], screens: int, changes: int) -> dict:
    """Combine the replies of the screen processes into one stack's delivery figures."""
    received = sum(result["received"] for result in results)
    return {
        "connected": sum(reply["screens"] for reply in connected),
        "connect_errors": [error for reply in connected for error in reply["errors"]],
        "latency_ms": latency_ms([us for result in results for us in result["latencies_us"]]),
        "expected": screens * changes,
        "received": received,
        "lost": screens * changes - received,
        "duplicates": sum(result["duplicates"] for result in results),
        "closed_early": sum(result["closed_early"] for result in results),
    }


def latency_cell(figures: dict | None, key: str) -> str:
    latency = figures and figures["latency_ms"]
    return f"{latency[key]:.1f}" if latency else DASH


def _ratio(shiller: dict, floor: dict | None, key: str) -> str:
    floor_latency = floor and floor["latency_ms"]
    if not shiller["latency_ms"] or not floor_latency or not floor_latency[key]:
        return DASH
    return f"{shiller['latency_ms'][key] / floor_latency[key]:.1f}"


COLUMNS = (
    "Screens", "Server", "p50 ms", "p95 ms", "p99 ms", "max ms",
    "p50 ×Python floor", "p99 ×Python floor", "p50 ×Node floor", "p99 ×Node floor",
    "Expected", "Received", "Lost", "Rows / acks", "Server CPU µs/msg", "RSS MB per 1k screens",
    "Connect s", "Persisted/s",
)  # fmt: skip
SERVERS = (("Shiller", "shiller"), ("Python floor", "floor"), ("Node floor", "node_floor"))


def table(runs: list[dict]) -> str:
    """One Markdown table: a row for Shiller and one for each floor, per number of screens."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---:|" * len(COLUMNS)]
    for run in runs:
        shiller, floor, node_floor = run["shiller"], run["floor"], run.get("node_floor")
        for name, server in SERVERS:
            figures = run.get(server)
            if figures is None:
                continue
            is_shiller = figures is shiller
            persist = figures.get("persist")
            cells = [
                str(run["screens"]),
                name,
                latency_cell(figures, "p50"),
                latency_cell(figures, "p95"),
                latency_cell(figures, "p99"),
                latency_cell(figures, "max"),
                *(
                    _ratio(shiller, other, key) if is_shiller else DASH
                    for other in (floor, node_floor)
                    for key in ("p50", "p99")
                ),
                str(figures["expected"]),
                str(figures["received"]),
                str(figures["lost"]),
                f"{figures['persisted']} / {figures['acks']}" if is_shiller else DASH,
                f"{figures['server_cpu_us_per_message']:.0f}",
                f"{figures['rss_mb_per_1000_screens']:.1f}",
                f"{figures['connect_seconds']:.2f}",
                f"{persist['per_second']:.0f}" if persist else DASH,
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets(runs: list[dict]) -> list[str]:
    """Issue 6's targets (21's for the floor), on the run with the most screens: one
    "met"/"MISSED" line each."""
    run = max(runs, key=lambda run: run["screens"])
    shiller, floor = run["shiller"], run["floor"]
    p99 = shiller["latency_ms"]["p99"] if shiller["latency_ms"] else math.inf
    floor_p99 = floor["latency_ms"]["p99"] if floor["latency_ms"] else math.nan
    persist = shiller.get("persist")
    per_second = persist["per_second"] if persist else math.nan
    kb_per_screen = shiller["rss_mb_per_1000_screens"]  # MB per 1,000 = KB per 1
    checks = [
        (p99 < P99_TARGET_MS, f"p99 {p99:.1f} ms < {P99_TARGET_MS} ms"),
        (shiller["lost"] == 0, f"{shiller['lost']} lost"),
        (
            shiller["persisted"] == shiller["acks"] == shiller["expected_changes"],
            f"{shiller['persisted']} rows for {shiller['acks']} acks"
            f" of {shiller['expected_changes']} changes",
        ),
        (
            p99 <= FLOOR_RATIO_TARGET * floor_p99,
            f"p99 {p99 / floor_p99:.1f}× the Python floor's (≤ {FLOOR_RATIO_TARGET}×)",
        ),
        (
            per_second >= PERSIST_TARGET_PER_S,
            f"{per_second:.0f} persisted/s (≥ {PERSIST_TARGET_PER_S})",
        ),
        (
            kb_per_screen < RSS_TARGET_KB_PER_SCREEN,
            f"{kb_per_screen:.0f} KB RSS per screen (< {RSS_TARGET_KB_PER_SCREEN})",
        ),
    ]
    prefix = f"{run['screens']} screens, {run['rate']:g} changes/s"
    return [f"{'met' if ok else 'MISSED'}: {prefix}: {text}" for ok, text in checks]


def markdown(results: dict) -> str:
    machine = results["machine"]
    lines = [
        f"# Fan-out benchmark, {results['started_at']}",
        "",
        f"Command: `{results['command']}` on revision {results['revision']},"
        f" channel layer {results['channel_layer']}.",
        "",
        f"Machine: {machine['cpus']} CPUs ({machine['cpu_model']}), {machine['memory_gb']} GB,"
        f" Python {machine['python']}, {machine['platform']}.",
        "",
        table(results["runs"]),
        "",
        "Targets:",
        "",
        *(f"- {line}" for line in results["targets"]),
        "",
    ]
    return "\n".join(lines)


def write(results: dict, out_dir: Path) -> tuple[Path, Path]:
    """Write the run as JSON and as a Markdown summary; returns both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"fanout-{results['started_at'].replace(':', '')}"
    json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    md_path.write_text(markdown(results))
    return json_path, md_path
