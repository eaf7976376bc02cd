"""Noisy neighbours: does one session's classroom slow another session's trainer?

In one run, on one daphne (PostgreSQL, the Redis layer):
1. The floor: session A has N screens that stay quiet; session B's trainer sends M changes at a
   fixed rate and notes each ack's delay.
2. The same, while each of A's N screens presses NIBP and silences the alarms `--presses` times
   as fast as it can (what a classroom of impatient trainees, or a script, does).

Every trainee message reaches the database through one worker thread per process, shared by
every session, so unthrottled presses queue B's changes behind them; Shiller answers presses
that can change nothing without a query (consumers.ScreenActions). Prints B's ack delays in
both phases and the events A's presses stored.

    make bench BENCH_ARGS=...   (runs fanout.py, then this with its defaults)
    .venv/bin/python bench/neighbours.py --screens 500 --presses 6
"""

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

import fanout
import report
import stack
from trainer_client import TrainerClient
from websockets.asyncio.client import connect


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--screens", type=int, default=500, help="session A's screens")
    parser.add_argument("--presses", type=int, default=6, help="of each button, per screen")
    parser.add_argument("--changes", type=int, default=40, help="session B's changes per phase")
    parser.add_argument("--rate", type=float, default=20, help="B's changes per second")
    parser.add_argument("--database", default="shiller_bench", help="dropped and created")
    parser.add_argument("--redis-db", type=int, default=3, help="flushed")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results")
    return parser.parse_args(argv)


async def open_screens(url: str, count: int) -> list:
    async def open_one():
        screen = await connect(url, origin=f"http://{url.split('/')[2]}", ping_interval=None)
        assert json.loads(await screen.recv())["type"] == "snapshot"
        return screen

    screens = []
    for first in range(0, count, 50):  # daphne's listen backlog is 50
        screens += await asyncio.gather(*(open_one() for _ in range(first, min(count, first + 50))))
    return screens


async def press(screen, presses: int) -> None:
    for _ in range(presses):
        await screen.send('{"type": "start_nibp"}')
        await screen.send('{"type": "silence_alarms"}')


async def drain(screen) -> None:
    try:
        while True:
            await asyncio.wait_for(screen.recv(), 0.5)
    except TimeoutError:
        pass


async def ack_delays(trainer: TrainerClient, first: int, args) -> dict:
    await trainer.send_at_rate(first, args.changes, args.rate)
    await trainer.wait_for_replies(first + args.changes)
    seqs = range(first, first + args.changes)
    delays = [
        (trainer.replies[seq]["at_ns"] - trainer.sent_ns[seq]) // 1000
        for seq in seqs
        if seq in trainer.replies
    ]
    return {"acks": len(delays), "ack_ms": report.latency_ms(delays)}


async def run(server: str, quiet, noisy, args) -> dict:
    screens = await open_screens(f"ws://{server}/ws/monitor/{quiet.code}/", args.screens)
    readers = [asyncio.create_task(drain(screen)) for screen in screens]
    await asyncio.gather(*readers)
    url = f"ws://{server}/ws/control/{noisy.id}/"
    async with TrainerClient(url, cookie=noisy.cookie) as trainer:
        floor = await ack_delays(trainer, 0, args)
        started = time.perf_counter()
        pressing = asyncio.gather(*(press(screen, args.presses) for screen in screens))
        loaded = await ack_delays(trainer, args.changes, args)
        await pressing
        loaded["presses_sent_in_s"] = round(time.perf_counter() - started, 2)
    await asyncio.gather(*(screen.close() for screen in screens))
    return {"floor": floor, "pressing": loaded}


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "logs").mkdir(exist_ok=True)
    setup = stack.ShillerSetup(*fanout.prepare_services(args))
    try:
        pressed, trained = setup.new_session(), setup.new_session()
        from sessions_app.models import Session
        from simulator.vitals import DEFAULT_VALUES

        # Values on the monitor, so that silencing has something to silence.
        Session.objects.filter(pk=pressed.id).update(last_values=DEFAULT_VALUES)
        with stack.daphnes(1, args.output / "logs") as [server]:
            results = asyncio.run(run(server.address, pressed, trained, args))
        from sessions_app.models import SessionEvent

        results["events_stored_by_presses"] = SessionEvent.objects.filter(
            session_id=pressed.id
        ).count()
    finally:
        setup.close()
    results.update(screens=args.screens, presses=args.presses, revision=fanout.revision())
    floor, pressing = results["floor"]["ack_ms"], results["pressing"]["ack_ms"]
    print(
        f"{args.screens} screens of session A pressing NIBP and silence {args.presses} times each;"
        f" session B's change acks:\n"
        f"  quiet neighbours (floor): p50 {floor['p50']} ms, p99 {floor['p99']} ms\n"
        f"  pressing neighbours:      p50 {pressing['p50']} ms, p99 {pressing['p99']} ms,"
        f" max {pressing['max']} ms\n"
        f"  events the presses stored: {results['events_stored_by_presses']}",
    )
    path = args.output / f"neighbours-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"Written: {path}", file=sys.stderr)
    return results


if __name__ == "__main__":
    main()
