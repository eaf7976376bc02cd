"""A played session for the debrief tests: ten minutes, four events, closed at 10:00.

00:30 normal values; 02:00 hypotension over 60 s (systolic 120 -> 78: below its 90 limit from
about 02:43); 02:30 the trainee silences the alarms; 05:00 cardiac arrest (red); 10:00 closed.
And long_session: thousands of changes, written at once, for the debrief of a long session.
"""

import datetime
import json

from sessions_app import services
from sessions_app.models import Session, SessionEvent
from shiller.tests.factory import make_session
from simulator import vitals

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
HYPOTENSION = vitals.PRESETS["hypotension"][1]
ARREST = vitals.PRESETS["arrest"][1]


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


def played_session(trainer, code="ABC234") -> Session:
    session = make_session(trainer, code=code, now=T0)
    services.apply_vitals(session.pk, vitals.DEFAULT_VALUES, now=at(30))
    services.apply_vitals(session.pk, HYPOTENSION, transition_seconds=60, now=at(120))
    services.silence_alarms(session.pk, now=at(150))
    services.apply_vitals(session.pk, ARREST, now=at(300))
    return close(session, 600)


def close(session: Session, seconds: float) -> Session:
    Session.objects.filter(pk=session.pk).update(closed_at=at(seconds))
    session.refresh_from_db()
    return session


def long_session(trainer, events: int, spike_at: int | None = None, steps=(), code="ABC234"):
    """`events` changes of values, one every 4 s, the heart rate wandering between 70 and 89
    (150 at `spike_at`); scenario steps applied by the changes of index in `steps`."""
    session = make_session(trainer, code=code, now=T0, minutes=events)
    SessionEvent.objects.bulk_create(
        SessionEvent(
            session=session,
            kind=SessionEvent.VITALS,
            **{
                **{name: vitals.DEFAULT_VALUES.get(name) for name in vitals.NUMBER_FIELDS},
                "heart_rate": 150 if index == spike_at else 70 + index * 7 % 20,
            },
            flags=vitals.DEFAULT_VALUES["flags"],
            detail={"step": steps.index(index)} if index in steps else {},
            created_at=at(4 * index),
        )
        for index in range(events)
    )
    return close(session, 4 * events)


def read_replay(response) -> dict:
    """replay.json read back into the messages, as static/sessions_app/replay-messages.js does
    (simulator/contract/replay.json holds both sides to the writer)."""
    data = json.loads(b"".join(response.streaming_content))
    fields, shapes = data["fields"], data["shapes"]
    messages = data["messages"][:1]
    for shape, *items in data["messages"][1:]:
        message = dict(zip(shapes[shape], items))
        if isinstance(message.get("values"), list):
            *numbers, flags = message["values"]
            message["values"] = {**dict(zip(fields, numbers)), "flags": data["flags"][flags]}
        if isinstance(message.get("trend"), list):
            seconds, *start = message["trend"]
            message["trend"] = {
                "from": dict(zip(fields, start)),
                "started_at": message["at"],
                "seconds": seconds,
            }
        if isinstance(message.get("by"), int):
            message["by"] = data["authors"][message["by"]]
        messages.append(message)
    return {**data, "messages": messages}
