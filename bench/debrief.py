"""Debrief benchmark: the debrief page, its CSV and the replay of long sessions.

Builds sessions of 1,000 and 10,000 events in its own database (`--database`, by default
`shiller_bench_debrief`, dropped and created each run) on the PostgreSQL server DATABASE_URL names: a change of values
every few seconds (a third of them trends), alarm limits, cuff starts, silences, steps, notes,
a few shocks and compressions, as a long scenario stores them. Then times each page through
Django's test client, server side (median of --repeat runs), with its size; the CSV's first
byte too.

    make bench           # runs it after the fan-out benchmark
    .venv/bin/python bench/debrief.py --events 1000 10000 --repeat 5
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import stack  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shiller"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database", default="shiller_bench_debrief", help="dropped and created")
    return parser.parse_args(argv)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shiller.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_session(trainer, count: int, code: str):
    """A session of `count` events, two seconds apart, closed at its end."""
    from sessions_app.models import Session, SessionEvent, SessionNote
    from simulator import vitals

    start = datetime.datetime(2026, 11, 24, 8, 0, tzinfo=datetime.UTC)
    session = Session.objects.create(
        trainer=trainer, code=code, trainee_name="Bench", created_at=start,
        expires_at=start + datetime.timedelta(hours=24),
    )  # fmt: skip
    events, values = [], dict(vitals.DEFAULT_VALUES)
    for number in range(count):
        at = start + datetime.timedelta(seconds=2 * number)
        kind, detail, seconds = SessionEvent.VITALS, {}, 0
        match number % 10:
            case 3:
                kind, detail = SessionEvent.ALARM_LIMITS, {"limits": vitals.default_alarm_limits()}
            case 5:
                kind = SessionEvent.NIBP_STARTED
                detail = {"by_trainer": False}
            case 7:
                kind, detail = SessionEvent.ALARMS_SILENCED, {"until": at.isoformat(), "acknowledged": []}
            case _:
                previous = dict(values)
                values = {
                    **values,
                    "heart_rate": 60 + (number * 7) % 90,
                    "spo2": 85 + (number * 3) % 15,
                    "systolic": 90 + (number * 5) % 70,
                }
                if number % 3 == 0:
                    seconds = 30
                    detail = {"from": {k: v for k, v in previous.items() if k != "flags"}}
                if number % 200 == 0:
                    detail["step"] = (number // 200) % 5
        events.append(
            SessionEvent(
                session=session, kind=kind, created_at=at, detail=detail, transition_seconds=seconds,
                author=trainer if kind != SessionEvent.ALARMS_SILENCED else None,
                **{f: values.get(f) for f in vitals.NUMBER_FIELDS}, flags=values["flags"],
            )  # fmt: skip
        )
    SessionEvent.objects.bulk_create(events, batch_size=2000)
    end = start + datetime.timedelta(seconds=2 * count)
    SessionNote.objects.bulk_create(
        SessionNote(session=session, text=f"Note {n}", at=start + datetime.timedelta(seconds=n * 300), author=trainer)
        for n in range(count // 150)
    )
    Session.objects.filter(pk=session.pk).update(closed_at=end, last_values=values)
    return session


def timed(client, url: str, repeat: int) -> dict:
    runs, first_bytes, size = [], [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, secure=True)  # DEBUG=false redirects to HTTPS
        if response.streaming:
            iterator = iter(response.streaming_content)
            first = next(iterator, b"")
            first_bytes.append(time.perf_counter() - started)
            size = len(first) + sum(len(chunk) for chunk in iterator)
        else:
            first_bytes.append(time.perf_counter() - started)
            size = len(response.content)
        runs.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return {
        "ms": 1000 * statistics.median(runs),
        "first_byte_ms": 1000 * statistics.median(first_bytes),
        "bytes": size,
    }


def main(argv=None) -> None:
    args = parse_args(argv)
    base = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    url = stack.with_database(base, args.database)
    stack.recreate_database(url)
    setup_django(url)
    from django.test import Client
    from django.urls import reverse

    from trainers.models import Trainer

    trainer = Trainer.objects.create_user(email="bench@example.org", password="bench-password-1", name="Bench")
    client = Client()
    client.force_login(trainer)
    load = os.getloadavg()[0]
    print(f"\nDebrief of long sessions (median of {args.repeat}; 1-minute load {load:.2f})\n")
    print("| events | debrief ms | debrief size | CSV first byte ms | CSV ms | CSV size | replay.json ms | replay size |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for number, count in enumerate(args.events):
        session = build_session(trainer, count, code=f"BEN{number:03d}"[:6])
        page = timed(client, reverse("sessions:debrief", args=[session.pk]), args.repeat)
        export = timed(client, reverse("sessions:export", args=[session.pk]), args.repeat)
        replay = timed(client, reverse("sessions:replay_json", args=[session.pk]), args.repeat)
        print(
            f"| {count:,} | {page['ms']:.0f} | {page['bytes'] / 1e6:.2f} MB | {export['first_byte_ms']:.0f} "
            f"| {export['ms']:.0f} | {export['bytes'] / 1e6:.2f} MB | {replay['ms']:.0f} | {replay['bytes'] / 1e6:.2f} MB |"
        )


if __name__ == "__main__":
    main()
