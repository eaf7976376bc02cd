"""Fan-out benchmark: how closely every screen follows the trainer, next to two floors.

For each number of screens N, in one run:
1. Shiller under daphne (`--processes` of them, screens split across them) on PostgreSQL and
   the Redis channel layer: N trainee screens, in their own processes, watch one session while
   the trainer's control socket sends M changes at a fixed rate; each screen notes when each
   change arrives. Then, screens still connected, the trainer sends changes as fast as the acks
   come back (`--window` unanswered at most): persisted changes per second.
2. The floors, the same N and M through servers that store nothing: a bare `websockets`
   broadcast server (bench/floor_server.py) and a bare Node `ws` one (bench/node/).

Prints one table, writes JSON and a Markdown summary to `--output`. The bench uses its own
database (dropped and created each run) and Redis database (flushed), on the servers that
DATABASE_URL and REDIS_URL name.

    make bench BENCH_ARGS="--screens 1000 --processes 2"
"""

import argparse
import asyncio
import datetime
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import redis

import report
import stack
from changes import MAX_CHANGES
from trainer_client import TrainerClient

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shiller"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
# Bounds on each step; a step that overruns fails the run rather than hanging it.
CONNECT_SECONDS_PER_SCREEN = 0.1
DRAIN_TIMEOUT = 10
FINISH_TIMEOUT = 60


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--screens", type=int, nargs="+", default=[100, 500, 1000], metavar="N")
    parser.add_argument("--changes", type=int, default=200, metavar="M", help="changes per run")
    parser.add_argument("--rate", type=float, default=20, help="changes per second")
    parser.add_argument("--processes", type=int, default=1, help="daphne processes")
    parser.add_argument(
        "--channel-layer", choices=["pubsub", "core"],
        help="Shiller's CHANNEL_LAYER setting (default: the settings' default)",
    )  # fmt: skip
    parser.add_argument("--client-processes", type=int, default=2, help="screen processes")
    parser.add_argument(
        "--connect-concurrency", type=int, default=50,
        help="screens opening at once, in all (daphne's listen backlog is 50)",
    )  # fmt: skip
    parser.add_argument(
        "--persist-seconds", type=float, default=5,
        help="how long to send changes as fast as acks allow (0: skip that phase)",
    )  # fmt: skip
    parser.add_argument("--window", type=int, default=50, help="unanswered changes at most")
    parser.add_argument(
        "--no-node-floor", dest="node_floor", action="store_false",
        help="skip the Node floor (it needs node and npm)",
    )  # fmt: skip
    parser.add_argument("--database", default="shiller_bench", help="dropped and created")
    parser.add_argument("--redis-db", type=int, default=3, help="flushed")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    if args.changes > MAX_CHANGES // 2:  # the rest numbers the persistence phase
        parser.error(f"at most {MAX_CHANGES // 2} changes")
    if min(args.screens) < 1 or args.changes < 1 or args.processes < 1 or args.client_processes < 1:
        parser.error("screens, changes and processes must be at least 1")
    return args


def revision() -> str:
    """The commit measured; "-dirty" when the working tree has uncommitted changes."""
    try:
        git = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=stack.BASE_DIR, capture_output=True, text=True, timeout=10,
        )  # fmt: skip
    except OSError:
        return "unknown"
    return git.stdout.strip() or "unknown"


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), ""
    )
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:"))
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(memory_kb / 1024**2, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


async def run_stack(
    trainer: TrainerClient, screen_urls: list[str], server_pids: list[int], args
) -> tuple[dict, tuple[int, float] | None]:
    """Connect the screens, send the changes, collect the arrivals: one stack's figures.

    Also returns, for Shiller, the changes sent and seconds taken by the persistence phase.
    """
    shiller = trainer.expects_replies
    workers = min(args.client_processes, len(screen_urls))
    async with stack.ScreenProcesses(workers) as screens, trainer:
        rss_before = stack.rss_kb(server_pids)
        started = time.perf_counter()
        connect = {
            "cmd": "connect",
            "changes": args.changes,
            "concurrency": max(1, args.connect_concurrency // workers),
            "wait_snapshot": shiller,
        }
        connected = await screens.ask(
            [{**connect, "urls": screen_urls[i::workers]} for i in range(workers)],
            timeout=10 + CONNECT_SECONDS_PER_SCREEN * len(screen_urls),
        )
        connect_seconds = time.perf_counter() - started
        rss_after = stack.rss_kb(server_pids)

        cpu_before = stack.cpu_seconds(server_pids)
        await trainer.send_at_rate(0, args.changes, args.rate)
        if shiller:
            await trainer.wait_for_replies(args.changes)
        drained = await screens.ask_all(
            {"cmd": "drain", "timeout": DRAIN_TIMEOUT}, DRAIN_TIMEOUT + 5
        )
        server_cpu = stack.cpu_seconds(server_pids) - cpu_before
        received_by_then = sum(reply["received"] for reply in drained)
        load_average = os.getloadavg()
        persisting = None
        if shiller and args.persist_seconds:
            persisting = await trainer.send_pipelined(
                args.changes, args.persist_seconds, args.window
            )
        sent_ns = [trainer.sent_ns.get(seq) for seq in range(args.changes)]
        results = await screens.ask_all({"cmd": "finish", "sent_ns": sent_ns}, FINISH_TIMEOUT)

    figures = report.screen_figures(connected, results, len(screen_urls), args.changes)
    kb_per_screen = (rss_after - rss_before) / len(screen_urls)
    figures.update(
        # CPU time, unlike latency, hardly depends on what else the machine is doing.
        server_cpu_seconds=server_cpu,
        server_cpu_us_per_message=server_cpu * 1e6 / max(1, received_by_then),
        load_average=load_average,
        connect_seconds=connect_seconds,
        rss_kb_before=rss_before,
        rss_kb_after=rss_after,
        rss_kb_per_screen=kb_per_screen,
        rss_mb_per_1000_screens=kb_per_screen * 1000 / 1024,
    )
    return figures, persisting


def measure_shiller(setup: stack.ShillerSetup, screens: int, args) -> dict:
    session = setup.new_session()
    with stack.daphnes(args.processes, args.output / "logs") as servers:
        urls = [
            f"ws://{servers[i % len(servers)].address}/ws/monitor/{session.code}/"
            for i in range(screens)
        ]
        control_url = f"ws://{servers[0].address}/ws/control/{session.id}/"
        trainer = TrainerClient(control_url, cookie=session.cookie)
        figures, persisting = asyncio.run(
            run_stack(trainer, urls, [server.pid for server in servers], args)
        )

    stored = setup.stored_changes(session.id)  # event id -> change number
    acks = trainer.acks(range(args.changes))
    sent, seconds = persisting or (0, 0.0)
    persist_acks = trainer.acks(range(args.changes, args.changes + sent))
    figures.update(
        expected_changes=args.changes,
        acks=len(acks),
        errors=[reply for reply in trainer.replies.values() if reply["type"] == "error"][:5],
        persisted=sum(1 for seq in stored.values() if seq < args.changes),
        acked_not_persisted=sum(
            1 for event_id in {**acks, **persist_acks}.values() if event_id not in stored
        ),
        ack_latency_ms=report.latency_ms(
            [(trainer.replies[seq]["at_ns"] - trainer.sent_ns[seq]) // 1000 for seq in acks]
        ),
    )
    if persisting is not None:
        figures["persist"] = {
            "sent": sent,
            "acks": len(persist_acks),
            "persisted": sum(1 for seq in stored.values() if seq >= args.changes),
            "seconds": seconds,
            "per_second": len(persist_acks) / seconds,
        }
    return figures


def measure_floor(floor_server, screens: int, args) -> dict:
    with floor_server(args.output / "logs") as server:
        urls = [f"ws://{server.address}/screen"] * screens
        trainer = TrainerClient(f"ws://{server.address}/trainer", expects_replies=False)
        figures, _ = asyncio.run(run_stack(trainer, urls, [server.pid], args))
    return figures


def prepare_services(args) -> tuple[str, str]:
    """The bench's own database (recreated) and Redis database (flushed), as URLs."""
    base_database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not base_database_url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"The bench runs Shiller on PostgreSQL; DATABASE_URL is {base_database_url!r}.")
    database_url = stack.with_database(base_database_url, args.database)
    redis_url = stack.with_redis_db(os.environ.get("REDIS_URL", DEFAULT_REDIS_URL), args.redis_db)
    try:
        stack.recreate_database(database_url)
    except psycopg.OperationalError as error:
        sys.exit(f"PostgreSQL ({base_database_url}) does not answer: {error}")
    try:
        stack.flush_redis(redis_url)
    except redis.RedisError as error:
        sys.exit(f"Redis ({redis_url}) does not answer: {error}")
    return database_url, redis_url


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    if args.node_floor and not stack.node_available():
        sys.exit("The Node floor needs node and npm on PATH; --no-node-floor skips it.")
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "logs").mkdir(exist_ok=True)
    results = {
        "started_at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": shlex.join(["bench/fanout.py", *(sys.argv[1:] if argv is None else argv)]),
        "revision": revision(),
        "machine": machine(),
        "args": {
            key: str(value) if isinstance(value, Path) else value
            for key, value in vars(args).items()
        },
        "runs": [],
    }
    setup = stack.ShillerSetup(*prepare_services(args), channel_layer=args.channel_layer)
    results["channel_layer"] = setup.channel_layer
    try:
        for screens in args.screens:
            run = {"screens": screens, "changes": args.changes, "rate": args.rate}
            run["shiller"] = measure_shiller(setup, screens, args)
            run["floor"] = measure_floor(stack.floor_server, screens, args)
            if args.node_floor:
                run["node_floor"] = measure_floor(stack.node_floor_server, screens, args)
            results["runs"].append(run)
            print(
                f"{screens} screens: p99 {report.latency_cell(run['shiller'], 'p99')} ms (Shiller),"
                f" {report.latency_cell(run['floor'], 'p99')} ms (Python floor),"
                f" {report.latency_cell(run.get('node_floor'), 'p99')} ms (Node floor)",
                file=sys.stderr,
            )
    finally:
        setup.close()
    results["targets"] = report.targets(results["runs"])
    json_path, md_path = report.write(results, args.output)
    print(report.table(results["runs"]))
    print()
    print("\n".join(results["targets"]))
    print(f"\nWritten: {json_path}, {md_path}")
    return results


if __name__ == "__main__":
    main()
