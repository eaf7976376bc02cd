"""Many-sessions benchmark: a simulation centre on one box.

S sessions, each with K trainee screens and its own control socket, every trainer sending R
changes a second (the trainers staggered over the second), over P daphne processes on
PostgreSQL and the Redis layer, as bench/fanout.py runs them. Reports the delivery latency over
all screens (p50, p95, p99, max), lost deliveries, acks and their latency, rows stored (each ack
must name a stored event), and the server CPU per stored change. `--search` raises S until p99
passes 100 ms or a delivery is lost, and reports the highest rate sustained. `--connect N`
times N screens connecting to one session and getting their snapshot.

    make bench       # runs --sessions 50 200 and --connect 1000 after the fan-out table
    .venv/bin/python bench/sessions.py --sessions 200 --processes 2 --search
"""

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import report
import stack
from trainer_client import TrainerClient

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shiller"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
P99_LIMIT_MS = 100
DRAIN_TIMEOUT = 20


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, nargs="+", default=[50, 200], metavar="S")
    parser.add_argument("--screens-per-session", type=int, default=5, metavar="K")
    parser.add_argument("--rate", type=float, default=1, help="changes per second per trainer")
    parser.add_argument("--seconds", type=float, default=20, help="how long the trainers send")
    parser.add_argument("--processes", type=int, default=1, help="daphne processes")
    parser.add_argument("--client-processes", type=int, default=2, help="screen processes")
    parser.add_argument("--search", action="store_true", help="raise S until p99 > 100 ms")
    parser.add_argument("--connect", type=int, default=0, metavar="N", help="time N screens connecting")
    parser.add_argument("--database", default="shiller_bench_sessions", help="dropped and created")
    parser.add_argument("--redis-db", type=int, default=5, help="flushed")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results")
    return parser.parse_args(argv)


async def send_changes(trainer: TrainerClient, first: int, count: int, rate: float, offset: float):
    """Change numbers first..first+count-1 at `rate`, starting `offset` seconds in."""
    await asyncio.sleep(offset)
    await trainer.send_at_rate(first, count, rate)


async def run_load(servers, bench_sessions: list, args) -> tuple[dict, list[TrainerClient]]:
    """The screens and trainers of `bench_sessions`; the delivery figures, and the trainers
    (their sends and acks) for the rows stored to be checked against."""
    sessions = len(bench_sessions)
    per_session = changes_per_session(args)
    screen_urls = [
        [f"ws://{servers[(i + k) % len(servers)].address}/ws/monitor/{s.code}/", i * per_session]
        for i, s in enumerate(bench_sessions)
        for k in range(args.screens_per_session)
    ]
    trainers = [
        TrainerClient(f"ws://{servers[i % len(servers)].address}/ws/control/{s.id}/", cookie=s.cookie)
        for i, s in enumerate(bench_sessions)
    ]
    pids = [server.pid for server in servers]
    workers = min(args.client_processes, len(screen_urls))
    async with stack.ScreenProcesses(workers) as screens:
        connect = {"cmd": "connect", "changes": per_session, "concurrency": 25, "wait_snapshot": True}
        connected = await screens.ask(
            [{**connect, "urls": screen_urls[i::workers]} for i in range(workers)],
            timeout=30 + 0.1 * len(screen_urls),
        )
        for trainer in trainers:
            await trainer.__aenter__()
        try:
            cpu_before = stack.cpu_seconds(pids)
            started = time.perf_counter()
            await asyncio.gather(*(
                send_changes(t, i * per_session, per_session, args.rate, i / sessions / args.rate)
                for i, t in enumerate(trainers)
            ))  # fmt: skip
            await asyncio.gather(*(t.wait_for_replies(per_session) for t in trainers))
            drained = await screens.ask_all({"cmd": "drain", "timeout": DRAIN_TIMEOUT}, DRAIN_TIMEOUT + 5)
            elapsed = time.perf_counter() - started
            server_cpu = stack.cpu_seconds(pids) - cpu_before
            load = os.getloadavg()[0]
            sent_ns = [None] * (sessions * per_session)
            for t in trainers:
                for seq, at in t.sent_ns.items():
                    sent_ns[seq] = at
            results = await screens.ask_all({"cmd": "finish", "sent_ns": sent_ns}, 120)
        finally:
            for trainer in trainers:
                await trainer.__aexit__(None, None, None)
    del drained
    figures = report.screen_figures(connected, results, len(screen_urls), per_session)
    figures.update(seconds=elapsed, server_cpu=server_cpu, load=load)
    return figures, trainers


def changes_per_session(args) -> int:
    return max(1, round(args.rate * args.seconds))


def measure(setup, servers, sessions: int, args) -> dict:
    bench_sessions = [setup.new_session() for _ in range(sessions)]
    figures, trainers = asyncio.run(run_load(servers, bench_sessions, args))
    per_session = changes_per_session(args)
    expected_changes = sessions * per_session
    acks = {}
    ack_us = []
    for i, t in enumerate(trainers):
        for seq, event_id in t.acks(range(i * per_session, (i + 1) * per_session)).items():
            acks[seq] = event_id
            ack_us.append((t.replies[seq]["at_ns"] - t.sent_ns[seq]) // 1000)
    stored = {}
    for s in bench_sessions:
        stored.update(setup.stored_changes(s.id))
    figures.update(
        sessions=sessions,
        changes=expected_changes,
        changes_per_second=expected_changes / args.seconds,
        acks=len(acks),
        ack_latency_ms=report.latency_ms(ack_us),
        stored=len(stored),
        acked_not_stored=sum(1 for event_id in acks.values() if event_id not in stored),
        server_cpu_ms_per_change=1000 * figures["server_cpu"] / max(1, len(stored)),
    )
    return figures


async def time_connect(servers, session, count: int) -> float:
    urls = [f"ws://{servers[i % len(servers)].address}/ws/monitor/{session.code}/" for i in range(count)]
    workers = 2 if count > 1 else 1
    async with stack.ScreenProcesses(workers) as screens:
        started = time.perf_counter()
        connect = {"cmd": "connect", "changes": 0, "concurrency": 25, "wait_snapshot": True}
        replies = await screens.ask(
            [{**connect, "urls": urls[i::workers]} for i in range(workers)], timeout=60 + 0.1 * count
        )
        seconds = time.perf_counter() - started
    assert sum(reply["screens"] for reply in replies) == count, replies
    return seconds


def row(f: dict) -> str:
    latency, acks = f["latency_ms"] or {}, f["ack_latency_ms"] or {}
    return (
        f"| {f['sessions']} x {f['connected'] // max(1, f['sessions'])} | {f['changes_per_second']:.0f} "
        f"| {latency.get('p50', 0):.0f} | {latency.get('p95', 0):.0f} | {latency.get('p99', 0):.0f} "
        f"| {latency.get('max', 0):.0f} | {f['lost']} | {f['acks']}/{f['changes']} "
        f"| {acks.get('p50', 0):.0f} / {acks.get('p99', 0):.0f} | {f['stored']} "
        f"| {f['server_cpu_ms_per_change']:.2f} | {f['load']:.1f} |"
    )


def main(argv=None) -> None:
    args = parse_args(argv)
    database_url = stack.with_database(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL, args.database)
    redis_url = stack.with_redis_db(os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL, args.redis_db)
    stack.recreate_database(database_url)
    stack.flush_redis(redis_url)
    setup = stack.ShillerSetup(database_url, redis_url)
    (args.output / "logs").mkdir(parents=True, exist_ok=True)
    print(
        f"\nMany sessions: {args.screens_per_session} screens each, {args.rate:g} change/s per "
        f"trainer for {args.seconds:g} s, {args.processes} daphne\n"
    )
    print("| sessions x screens | stored/s | p50 ms | p95 | p99 | max | lost | acks | ack p50/p99 ms | rows | server CPU ms/change | load |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    failed = False
    with stack.daphnes(args.processes, args.output / "logs") as servers:
        sustained = None
        counts = list(args.sessions)
        while counts:
            sessions = counts.pop(0)
            figures = measure(setup, servers, sessions, args)
            print(row(figures), flush=True)
            failed |= figures["acked_not_stored"] > 0 or figures["acks"] != figures["stored"]
            within = figures["lost"] == 0 and (figures["latency_ms"] or {}).get("p99", 1e9) < P99_LIMIT_MS
            if within:
                sustained = max(sustained or 0, figures["changes_per_second"])
            if args.search and within and not counts:
                counts.append(sessions * 2)
        if args.search:
            print(f"\nHighest sustained with p99 under {P99_LIMIT_MS} ms and nothing lost: "
                  f"{sustained or 0:.0f} stored changes/s")  # fmt: skip
        if args.connect:
            session = setup.new_session()
            seconds = asyncio.run(time_connect(servers, session, args.connect))
            print(f"\n{args.connect} screens connected and got their snapshot in {seconds:.2f} s")
    setup.close()
    if failed:
        sys.exit("an ack named a change that is not stored")


if __name__ == "__main__":
    main()
