"""Many sessions at once: S sessions of K screens, each trainer sending R changes/s.

For each S in `--sessions`, in one run on `--processes` daphnes (PostgreSQL, the Redis layer):
every session has its own trainer (own login cookie) and control socket; the screens and the
control socket of session i go to daphne i mod P. The trainers send R changes/s each for
`--seconds`, staggered evenly across 1/R s, so the server sees S·R changes/s spread out; each
screen notes when each change of its session arrives. Reports delivery latency over all
screens, changes lost, acks and their latency, rows stored, and the daphnes' CPU per stored
change.

`--search` raises S (or R) step by step until p99 reaches 100 ms or a change is lost: the
highest stored changes/s sustained. `--connect N`: the seconds for N screens to connect to one
session and get their snapshot, and the server CPU per screen, beside the same on daphne serving
a constant snapshot (bench/daphne_floor.py): the floor.

    make bench   (runs fanout.py, neighbours.py, then this with a modest default)
    .venv/bin/python bench/sessions.py --sessions 200 --processes 2 --search sessions
"""

import argparse
import asyncio
import datetime
import json
import math
import os
import shlex
import sys
import time
from contextlib import AsyncExitStack, ExitStack
from pathlib import Path

import fanout
import report
import stack
from changes import MAX_CHANGES
from trainer_client import TrainerClient

SOCKETS_PER_CLIENT_PROCESS = 500
# All sockets opening at once, over all client processes: daphne's listen backlog is 50.
CONNECT_CONCURRENCY = 50
CONNECT_SECONDS_PER_SCREEN = 0.1
DRAIN_TIMEOUT = 10
FINISH_TIMEOUT = 60
P99_LIMIT_MS = 100


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, nargs="*", default=[50, 200], metavar="S")
    parser.add_argument("--screens-per-session", type=int, default=5, metavar="K")
    parser.add_argument("--rate", type=float, default=1, help="changes/s of each trainer")
    parser.add_argument("--seconds", type=float, default=20, help="of sending, per run")
    parser.add_argument("--processes", type=int, default=1, help="daphne processes")
    parser.add_argument("--nginx", action="store_true", help="every socket through nginx")
    parser.add_argument(
        "--search", choices=["sessions", "rate"],
        help="from the first S (and R), raise this by --step until p99 >= 100 ms or a loss",
    )  # fmt: skip
    parser.add_argument("--step", type=float, help="default: 50 sessions, or 1 change/s")
    parser.add_argument("--max-steps", type=int, default=10)
    parser.add_argument(
        "--connect", type=int, default=0, metavar="N",
        help="also time N screens connecting to one session and getting their snapshot",
    )  # fmt: skip
    parser.add_argument("--database", default="shiller_bench", help="dropped and created")
    parser.add_argument("--redis-db", type=int, default=3, help="flushed")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    if not args.sessions and not args.connect:
        parser.error("give --sessions, --connect or both")
    if args.search and not args.sessions:
        parser.error("--search starts from the first of --sessions")
    if min(args.sessions, default=1) < 1 or args.screens_per_session < 1 or args.processes < 1:
        parser.error("sessions, screens per session and processes must be at least 1")
    if args.rate <= 0 or args.seconds <= 0:
        parser.error("rate and seconds must be positive")
    if args.step is None:
        args.step = 50 if args.search == "sessions" else 1
    return args


def changes_per_trainer(rate: float, seconds: float) -> int:
    changes = max(1, round(rate * seconds))
    if changes > MAX_CHANGES:
        raise SystemExit(f"at most {MAX_CHANGES} changes per trainer")
    return changes


async def drive(sessions, servers, args, changes: int, rate: float) -> dict:
    """Connect every screen and control socket, send, collect: one run's raw figures."""
    count = len(sessions)
    screens_per_session = args.screens_per_session
    urls = [
        f"ws://{servers[i % len(servers)].address}/ws/monitor/{session.code}/"
        for i, session in enumerate(sessions)
        for _ in range(screens_per_session)
    ]
    trainers = [
        TrainerClient(
            f"ws://{servers[i % len(servers)].address}/ws/control/{session.id}/", session.cookie
        )
        for i, session in enumerate(sessions)
    ]
    pids = [server.pid for server in servers]
    workers = math.ceil(len(urls) / SOCKETS_PER_CLIENT_PROCESS)
    async with stack.ScreenProcesses(workers) as screens:
        connect = {
            "cmd": "connect",
            "changes": changes,
            "concurrency": max(1, CONNECT_CONCURRENCY // workers),
            "wait_snapshot": True,
        }
        connected = await screens.ask(
            [{**connect, "urls": urls[i::workers]} for i in range(workers)],
            timeout=10 + CONNECT_SECONDS_PER_SCREEN * len(urls),
        )
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        async with AsyncExitStack() as control_sockets:

            async def open_trainer(trainer: TrainerClient) -> None:
                async with gate:
                    await control_sockets.enter_async_context(trainer)

            await asyncio.gather(*(open_trainer(trainer) for trainer in trainers))
            cpu_before = stack.cpu_seconds(pids)
            started = time.perf_counter()

            async def send(i: int, trainer: TrainerClient) -> None:
                await asyncio.sleep(i / count / rate)  # staggered across one period
                await trainer.send_at_rate(0, changes, rate)
                await trainer.wait_for_replies(changes)

            await asyncio.gather(*(send(i, trainer) for i, trainer in enumerate(trainers)))
            await screens.ask_all(
                {"cmd": "drain", "timeout": DRAIN_TIMEOUT}, DRAIN_TIMEOUT + 5
            )
            seconds = time.perf_counter() - started
            server_cpu = stack.cpu_seconds(pids) - cpu_before
            load_average = os.getloadavg()
        sent_ns = {
            url: [trainer.sent_ns.get(seq) for seq in range(changes)]
            for url, trainer in zip(urls[::screens_per_session], trainers, strict=True)
        }
        results = await screens.ask_all({"cmd": "finish", "sent_ns": sent_ns}, FINISH_TIMEOUT)
    return {
        "figures": report.screen_figures(connected, results, len(urls), changes),
        "trainers": trainers,
        "seconds": seconds,
        "server_cpu_seconds": server_cpu,
        "load_average": load_average,
    }


def measure(setup: stack.ShillerSetup, count: int, rate: float, args) -> dict:
    changes = changes_per_trainer(rate, args.seconds)
    sessions = [setup.new_session(setup.new_trainer()) for _ in range(count)]
    with stack.daphnes(args.processes, args.output / "logs") as servers:
        with ExitStack() as front:
            if args.nginx:
                # Every socket through nginx, which spreads them; the CPU is still the daphnes'.
                proxy = front.enter_context(stack.nginx(servers, args.output / "logs"))
                servers = [stack.Server(proxy.address, server.pid) for server in servers]
            raw = asyncio.run(drive(sessions, servers, args, changes, rate))

    from sessions_app.models import SessionEvent

    stored = set(
        str(pk)
        for pk in SessionEvent.objects.filter(
            session_id__in=[session.id for session in sessions]
        ).values_list("id", flat=True)
    )
    ack_us, acked_ids, errors = [], [], []
    for trainer in raw["trainers"]:
        acks = trainer.acks(range(changes))
        acked_ids += acks.values()
        ack_us += [(trainer.replies[seq]["at_ns"] - trainer.sent_ns[seq]) // 1000 for seq in acks]
        errors += [reply for reply in trainer.replies.values() if reply["type"] == "error"]
    figures = raw["figures"]
    figures.update(
        sessions=count,
        screens_per_session=args.screens_per_session,
        rate=rate,
        processes=args.processes,
        changes_per_trainer=changes,
        changes_sent=count * changes,
        acks=len(acked_ids),
        errors=errors[:5],
        ack_latency_ms=report.latency_ms(ack_us),
        rows=len(stored),
        acked_not_stored=sum(1 for event_id in acked_ids if event_id not in stored),
        seconds=raw["seconds"],
        stored_per_second=len(stored) / args.seconds,
        server_cpu_seconds=raw["server_cpu_seconds"],
        server_cpu_ms_per_change=raw["server_cpu_seconds"] * 1000 / max(1, len(stored)),
        load_average=raw["load_average"],
    )
    return figures


def sustained(figures: dict) -> bool:
    latency = figures["latency_ms"]
    return (
        latency is not None
        and latency["p99"] < P99_LIMIT_MS
        and figures["lost"] == 0
        and figures["rows"] == figures["acks"] == figures["changes_sent"]
    )


def search(setup: stack.ShillerSetup, args) -> dict:
    """Raise S or R until a run misses; the last run that held is the sustained rate."""
    count, rate = args.sessions[0], args.rate
    steps, best = [], None
    for _ in range(args.max_steps):
        figures = measure(setup, count, rate, args)
        steps.append(figures)
        print(f"search: {row_text(figures)}", file=sys.stderr)
        if not sustained(figures):
            break
        best = figures
        if args.search == "sessions":
            count += round(args.step)
        else:
            rate += args.step
    return {
        "by": args.search,
        "steps": steps,
        "sustained_stored_per_second": best and best["stored_per_second"],
        "sustained_at": best and {"sessions": best["sessions"], "rate": best["rate"]},
    }


async def time_connect(server: stack.Server, code: str, count: int) -> dict:
    url = f"ws://{server.address}/ws/monitor/{code}/"
    workers = math.ceil(count / SOCKETS_PER_CLIENT_PROCESS)
    async with stack.ScreenProcesses(workers) as screens:
        connect = {
            "cmd": "connect",
            "changes": 0,
            "concurrency": max(1, CONNECT_CONCURRENCY // workers),
            "wait_snapshot": True,
        }
        cpu_before = stack.cpu_seconds([server.pid])
        started = time.perf_counter()
        connected = await screens.ask(
            [{**connect, "urls": [url] * len(range(i, count, workers))} for i in range(workers)],
            timeout=10 + CONNECT_SECONDS_PER_SCREEN * count,
        )
        seconds = time.perf_counter() - started
        server_cpu = stack.cpu_seconds([server.pid]) - cpu_before
        await screens.ask_all({"cmd": "finish", "sent_ns": []}, FINISH_TIMEOUT)
    return {
        "screens": count,
        "connected": sum(reply["screens"] for reply in connected),
        "errors": [error for reply in connected for error in reply["errors"]][:5],
        "seconds": seconds,
        "server_cpu_ms_per_screen": server_cpu * 1000 / count,
        "load_average": os.getloadavg(),
    }


def measure_connect(setup: stack.ShillerSetup, args) -> dict:
    """N screens of one session, on one daphne: the connect storm of a big class. Then the
    same N on daphne serving a constant snapshot (bench/daphne_floor.py): what is daphne's."""
    session = setup.new_session()
    with stack.daphnes(1, args.output / "logs") as [server]:
        figures = asyncio.run(time_connect(server, session.code, args.connect))
    with stack.daphnes(1, args.output / "logs", "bench.daphne_floor:application") as [server]:
        figures["floor"] = asyncio.run(time_connect(server, session.code, args.connect))
    return figures


COLUMNS = (
    "Sessions × screens", "Changes/s each", "Daphnes", "p50 ms", "p95 ms", "p99 ms", "max ms",
    "Lost", "Acks", "Ack p50 / p99 ms", "Rows", "Stored/s", "Server CPU ms/change", "Load 1 min",
)  # fmt: skip


def _cells(figures: dict) -> list[str]:
    ack = figures["ack_latency_ms"]
    return [
        f"{figures['sessions']} × {figures['screens_per_session']}",
        f"{figures['rate']:g}",
        str(figures["processes"]),
        report.latency_cell(figures, "p50"),
        report.latency_cell(figures, "p95"),
        report.latency_cell(figures, "p99"),
        report.latency_cell(figures, "max"),
        str(figures["lost"]),
        f"{figures['acks']} / {figures['changes_sent']}",
        f"{ack['p50']:.1f} / {ack['p99']:.1f}" if ack else report.DASH,
        str(figures["rows"]),
        f"{figures['stored_per_second']:.0f}",
        f"{figures['server_cpu_ms_per_change']:.2f}",
        f"{figures['load_average'][0]:.1f}",
    ]


def row_text(figures: dict) -> str:
    return ", ".join(f"{name} {cell}" for name, cell in zip(COLUMNS, _cells(figures)))


def table(runs: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---:|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_cells(figures)) + " |" for figures in runs]
    return "\n".join(lines)


def summary(results: dict) -> list[str]:
    lines = []
    if results["runs"]:
        lines += [table(results["runs"]), ""]
    if found := results.get("search"):
        lines += [table(found["steps"]), ""]
        if found["sustained_at"]:
            at = found["sustained_at"]
            lines.append(
                f"Sustained (p99 < {P99_LIMIT_MS} ms, 0 lost, every ack stored):"
                f" {found['sustained_stored_per_second']:.0f} stored changes/s"
                f" ({at['sessions']} sessions at {at['rate']:g}/s)."
            )
        else:
            lines.append(f"Not sustained even at the first step (p99 < {P99_LIMIT_MS} ms).")
    if connect := results.get("connect"):
        floor = connect["floor"]
        lines.append(
            f"Connect: {connect['connected']} of {connect['screens']} screens connected and got"
            f" their snapshot in {connect['seconds']:.2f} s,"
            f" server CPU {connect['server_cpu_ms_per_screen']:.2f} ms per screen"
            f" (load {connect['load_average'][0]:.1f}); daphne serving a constant snapshot:"
            f" {floor['seconds']:.2f} s, {floor['server_cpu_ms_per_screen']:.2f} ms per screen."
        )
    return lines


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "logs").mkdir(exist_ok=True)
    results = {
        "started_at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": shlex.join(["bench/sessions.py", *(sys.argv[1:] if argv is None else argv)]),
        "revision": fanout.revision(),
        "machine": fanout.machine(),
        "runs": [],
    }
    setup = stack.ShillerSetup(*fanout.prepare_services(args))
    try:
        if args.search:
            results["search"] = search(setup, args)
        else:
            for count in args.sessions:
                results["runs"].append(measure(setup, count, args.rate, args))
                print(row_text(results["runs"][-1]), file=sys.stderr)
        if args.connect:
            results["connect"] = measure_connect(setup, args)
    finally:
        setup.close()
    lines = summary(results)
    path = args.output / f"sessions-{results['started_at'].replace(':', '')}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print("\n".join(lines))
    print(f"\nWritten: {path}")
    return results


if __name__ == "__main__":
    main()
