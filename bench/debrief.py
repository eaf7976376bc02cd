"""The debrief of long sessions: how long the server takes, and how much it sends.

Builds sessions of 1,000 and 10,000 events in its own database (recreated): a change of values
every few seconds, a third of them trends, with the alarms they raise silenced, limits changed,
the cuff started, scenario steps, notes, compressions and shocks. Then, through Django's ASGI
handler (AsyncClient: the path daphne takes, server time only, no network, no browser), the
median of `--runs` requests of the debrief page, the CSV (to its first byte, and whole),
replay.json and the replay page: their time, the server's CPU time (this process's, which runs
the handler) and their sizes; the debrief twice: a first visit (the cache emptied before
each) and the later visits of the ended session, which find its plot kept. Beside them, as a
floor, the time to read the session's events from PostgreSQL as bare rows, which any of them
spends at least. Issue 21's targets, for 10,000
events: the debrief under 300 ms and 1 MB, the CSV's first byte under 300 ms.

    make bench   (runs this after the fan-out benches)
    .venv/bin/python bench/debrief.py --events 1000 10000 --runs 5
"""

import argparse
import asyncio
import datetime
import os
import random
import statistics
import sys
import time

import psycopg
import stack

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shiller"
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
SECONDS_PER_EVENT = 4
# Issue 21's targets for a 10,000-event session.
DEBRIEF_TARGET_MS = 300
DEBRIEF_TARGET_BYTES = 1_000_000
CSV_FIRST_BYTE_TARGET_MS = 300


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5, help="requests of each, the median shown")
    parser.add_argument("--database", default="shiller_bench_debrief", help="dropped and created")
    return parser.parse_args(argv)


def setup_django(database_url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="shiller.settings",
        DATABASE_URL=database_url,
        # Nothing is broadcast: the events are written directly, not through the services.
        USE_IN_MEMORY="false",
        REDIS_URL="",
        DEBUG="false",
        STATIC_ROOT=str(stack.collect_static()),
        SECRET_KEY="bench-debrief-" + "x" * 40,
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(stack.BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def build_session(trainer, events: int):
    """A session of `events` events over SECONDS_PER_EVENT seconds each, written in bulk."""
    from sessions_app.models import Session, SessionEvent, SessionNote
    from simulator import vitals

    rng = random.Random(events)
    session = Session.objects.create(
        trainer=trainer,
        code=f"B{events:05d}"[-6:],
        trainee_name="Bench",
        created_at=T0,
        expires_at=T0 + datetime.timedelta(seconds=events * SECONDS_PER_EVENT + 600),
    )
    limits = vitals.default_alarm_limits()
    shown = dict(vitals.DEFAULT_VALUES)
    rows, notes, step, cpr = [], [], 0, False

    def event(at, kind, values=None, **fields):
        values = values or shown
        rows.append(
            SessionEvent(
                session=session,
                author=trainer if kind not in SessionEvent.TREATMENT_KINDS else None,
                screen_id="" if kind not in SessionEvent.TREATMENT_KINDS else "bed-3",
                screen_label="" if kind not in SessionEvent.TREATMENT_KINDS else "Bed 3",
                kind=kind,
                **{name: values.get(name) for name in vitals.NUMBER_FIELDS},
                flags=values.get("flags", {}),
                created_at=at,
                **fields,
            )
        )

    for index in range(events):
        at = T0 + datetime.timedelta(seconds=index * SECONDS_PER_EVENT + rng.random())
        roll = rng.random()
        if roll < 0.70 or index == 0:
            target = {
                **shown,
                "heart_rate": min(max(shown["heart_rate"] + rng.randint(-12, 12), 30), 190),
                "spo2": min(max(shown["spo2"] + rng.randint(-3, 3), 70), 100),
                "systolic": min(max(shown["systolic"] + rng.randint(-10, 10), 60), 200),
            }
            target["diastolic"] = min(target["systolic"] - 30, max(shown["diastolic"], 40))
            seconds = rng.choice((0, 0, 10, 30))
            detail = (
                {"from": {name: shown.get(name) for name in vitals.NUMBER_FIELDS}}
                if seconds
                else {}
            )
            if rng.random() < 0.02:
                detail["step"] = step
                step += 1
            event(at, SessionEvent.VITALS, target, transition_seconds=seconds, detail=detail)
            shown = target
        elif roll < 0.80:
            until = (at + datetime.timedelta(minutes=2)).isoformat()
            event(at, SessionEvent.ALARMS_SILENCED, detail={"until": until, "acknowledged": []})
        elif roll < 0.85:
            limits = {**limits, "heart_rate": [rng.randint(40, 55), rng.randint(110, 130)]}
            event(at, SessionEvent.ALARM_LIMITS, detail={"limits": limits})
        elif roll < 0.93:
            event(at, SessionEvent.NIBP_STARTED, detail={"by_trainer": True})
        elif roll < 0.97:
            notes.append(
                SessionNote(
                    session=session,
                    text=f"Note {index}: the team reassesses.",
                    at=at,
                    author=trainer,
                )
            )
        elif roll < 0.99:
            cpr = not cpr
            event(at, SessionEvent.CPR, detail={"on": cpr})
        else:
            rhythm = shown["flags"].get("rhythm")
            event(at, SessionEvent.SHOCK, detail={"joules": 200, "sync": False, "rhythm": rhythm})
    SessionEvent.objects.bulk_create(rows, batch_size=2000)
    SessionNote.objects.bulk_create(notes, batch_size=2000)
    end = T0 + datetime.timedelta(seconds=events * SECONDS_PER_EVENT + 30)
    Session.objects.filter(pk=session.pk).update(closed_at=end)
    return session


async def timed(client, url: str) -> tuple[float, float, float, int]:
    """(ms to the first byte, ms in all, CPU ms, bytes) of one GET, the body read through."""
    started, cpu = time.perf_counter(), time.process_time()
    response = await client.get(url, secure=True)  # production redirects plain HTTP
    assert response.status_code == 200, (url, response.status_code)
    first_byte, size = None, 0
    if response.streaming:
        chunks = response.streaming_content
        if not response.is_async:
            chunks = _as_async(chunks)
        async for chunk in chunks:
            first_byte = first_byte or time.perf_counter()
            size += len(chunk)
    else:
        size = len(response.content)
    done, cpu = time.perf_counter(), time.process_time() - cpu
    return ((first_byte or done) - started) * 1000, (done - started) * 1000, cpu * 1000, size


async def _as_async(chunks):
    for chunk in chunks:
        yield chunk


PAGES = (
    ("debrief", "debrief"),
    ("csv", "export"),
    ("replay.json", "replay_json"),
    ("replay", "replay"),
)


async def measure(client, session, runs: int) -> dict:
    from asgiref.sync import sync_to_async
    from django.urls import reverse

    from django.core.cache import cache

    figures = {}
    for name, view in PAGES:
        url = reverse(f"sessions:{view}", args=[session.pk])
        await timed(client, url)  # warm: templates, translations
        if name == "debrief":
            # The first visit draws the plot; the later ones find it kept (an ended session's).
            first_visits = []
            for _ in range(runs):
                cache.clear()
                first_visits.append(await timed(client, url))
            figures["debrief-first"] = _summary(first_visits)
        figures[name] = _summary([await timed(client, url) for _ in range(runs)])
    read = sync_to_async(read_events)
    figures["floor"] = _summary([await read(session) for _ in range(runs)])
    return figures


def _summary(samples: list) -> dict:
    return {
        "first_byte_ms": statistics.median(s[0] for s in samples),
        "total_ms": statistics.median(s[1] for s in samples),
        "cpu_ms": statistics.median(s[2] for s in samples),
        "bytes": samples[-1][3],
    }


def read_events(session) -> tuple[float, float, float, int]:
    """As timed(), for reading every column of the session's events as bare rows: the cursor's
    tuples, in the debrief's order, nothing made of them (nothing sent: 0 bytes)."""
    from django.db import connection

    started, cpu = time.perf_counter(), time.process_time()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM session_events WHERE session_id = %s ORDER BY created_at, id",
            [session.pk],
        )
        cursor.fetchall()
    ms = (time.perf_counter() - started) * 1000
    return ms, ms, (time.process_time() - cpu) * 1000, 0


def print_table(results: dict) -> None:
    print(
        f"{'events':>7} {'what':<12} {'first byte ms':>14} {'total ms':>9} {'cpu ms':>7} "
        f"{'size KB':>9}"
    )
    for events, figures in results.items():
        for name, f in figures.items():
            first_byte, total, size = f["first_byte_ms"], f["total_ms"], f["bytes"] / 1000
            print(
                f"{events:>7} {name:<12} {first_byte:>14.0f} {total:>9.0f} {f['cpu_ms']:>7.0f} "
                f"{size:>9.0f}"
            )
    print(
        "(debrief-first: a first visit, nothing kept; debrief: a later visit of the ended session, "
        "its plot kept; floor: reading the session's events from PostgreSQL as bare rows)"
    )
    largest = results[max(results)]
    print(
        f"targets at {max(results)} events: debrief {largest['debrief']['total_ms']:.0f} ms, "
        f"first visit {largest['debrief-first']['total_ms']:.0f} ms "
        f"(< {DEBRIEF_TARGET_MS}), {largest['debrief']['bytes'] / 1e6:.2f} MB "
        f"(< {DEBRIEF_TARGET_BYTES / 1e6:g}), "
        f"CSV first byte {largest['csv']['first_byte_ms']:.0f} ms (< {CSV_FIRST_BYTE_TARGET_MS})"
    )


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    base_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"The bench runs Shiller on PostgreSQL; DATABASE_URL is {base_url!r}.")
    database_url = stack.with_database(base_url, args.database)
    try:
        stack.recreate_database(database_url)
    except psycopg.OperationalError as error:
        sys.exit(f"PostgreSQL ({base_url}) does not answer: {error}")
    setup_django(database_url)
    from django.test import AsyncClient

    from trainers.models import Trainer

    trainer = Trainer.objects.create_user(email=stack.TRAINER_EMAIL)
    # Through Django's ASGI handler, as daphne serves it: a response streams only there.
    client = AsyncClient()
    client.force_login(trainer)
    results = {}
    for events in args.events:
        session = build_session(trainer, events)
        results[events] = asyncio.run(measure(client, session, args.runs))
    print_table(results)
    from django.db import connections

    connections.close_all()
    return results


if __name__ == "__main__":
    main()
