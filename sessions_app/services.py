"""Everything that changes a session, used by the views, the consumers and the commands.

A vitals change is validated, stored (the session's last values and one event row, in one
transaction with the session row locked) and only then broadcast, so that no screen ever shows
a value that is not in the audit trail.
"""

import datetime
import logging
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone

from schools import access
from sessions_app import nibp, publishing
from sessions_app.models import Session, SessionEvent, SessionNote, SessionResult
from shiller import throttle
from simulator import alarms, treatment, trends, vitals

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L: a code read off a projector must not be ambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_ATTEMPTS = 10


# How much later than the newest event a change is dated when its own clock says it came
# before it: the events' order is the order they were stored in (Session.last_event_at).
EVENT_TICK = datetime.timedelta(microseconds=1)


class SessionNotOpen(Exception):
    """The session is closed or expired; `reason` is "closed" or "expired"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Actor:
    """Who acts in a transaction: a trainer, or a trainee screen (MonitorConsumer.screen);
    neither is Shiller itself (a step a shock triggered). Every event stored names them."""

    trainer: object | None = None
    screen: dict | None = None


@dataclass
class AppliedChange:
    event: SessionEvent
    # Whether the change reached the channel layer; False when it is down (the change is stored).
    broadcast: bool = False


def generate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    return code.strip().upper()


def create_session(
    trainer,
    trainee_name: str,
    duration_minutes: int,
    now=None,
    profile: str = vitals.DEFAULT_PROFILE,
    school=None,
) -> Session:
    """Open a session with a fresh code; the unique constraint decides, a clash draws again.

    The patient's `profile` (adult, child, infant, neonate) gives its first alarm limits."""
    profile = vitals.validate_profile(profile)
    now = now or timezone.now()
    expires_at = now + datetime.timedelta(minutes=duration_minutes)
    for _attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return Session.objects.create(
                    trainer=trainer,
                    code=generate_code(),
                    trainee_name=trainee_name,
                    created_at=now,
                    expires_at=expires_at,
                    profile=profile,
                    alarm_limits=vitals.profile_alarm_limits(profile),
                    school=school,
                )
        except IntegrityError:
            logger.info("Join code clash, drawing another")
    raise RuntimeError(f"No free join code after {CODE_ATTEMPTS} attempts")


def attempt_join(code: str, address: str) -> tuple[Session | None, int | None]:
    """Look up a join code typed at `address`: the session (None for a wrong code) and the
    seconds to wait before it is answered (None: answer now). Shared by the join page, the
    monitor URL and the screens' socket.

    Only failures are throttled, so a right code gets in however many wrong ones its address
    sent, up to JOIN_CEILING (checked first: past it nothing reaches the database). A wrong
    code counts as a failure, refused or not (see settings.JOIN_CEILING).
    """
    [answer] = attempt_joins(code, [address])
    return answer


def attempt_joins(code: str, addresses: list[str]) -> list[tuple[Session | None, int | None]]:
    """attempt_join for each of `addresses` (one per attempt) that typed `code` at once: the
    screens of a class reconnecting together. The code is looked up once; each wrong attempt
    counts as its own failure, as it would one by one."""
    ceilings = {
        address: throttle.retry_after("join-ceiling", address, settings.JOIN_CEILING)
        for address in set(addresses)
    }
    session = None if all(ceilings.values()) else find_session_by_code(code)
    answers = []
    for address in addresses:
        if wait := ceilings[address]:
            answers.append((None, wait))
        elif session is not None:
            answers.append((session, None))
        else:
            wait = throttle.retry_after("join", address, settings.JOIN_RATES)
            throttle.record_failure("join", address, settings.JOIN_RATES)
            throttle.record_failure("join-ceiling", address, settings.JOIN_CEILING)
            answers.append((None, wait))
    return answers


def find_session_by_code(code: str) -> Session | None:
    code = normalize_code(code)
    # Not a code at all (a NUL byte, another alphabet, another length): no session, no query.
    if len(code) != CODE_LENGTH or not (code.isascii() and code.isalnum()):
        return None
    return Session.objects.filter(code=code).first()


def apply_vitals(
    session_id: uuid.UUID,
    values,
    *,
    transition_seconds=0,
    trainer=None,
    now=None,
    step: int | None = None,
) -> AppliedChange:
    """Validate and store a change, then broadcast it once the transaction commits.

    With a transition, the monitor moves from the values it shows now to `values` over that
    many seconds (see trends.py). `step` is the index of the scenario step this change applies
    (scenarios.py), kept in the event's detail and the broadcast. Raises VitalsError (nothing
    stored), Session.DoesNotExist (unknown, or not `trainer`'s), or SessionNotOpen.
    """
    clean = vitals.validate(values)
    seconds = vitals.validate_transition(transition_seconds)
    if seconds == 0 and trainer is not None and connection.vendor == "postgresql":
        change = _store_instant_values(session_id, clean, trainer, now or timezone.now(), step)
        if change is not None:
            return change
    # A trend starts from the values shown now, read under the lock; and an instant change the
    # one statement did not store is refused here, with the reason.
    with transaction.atomic():
        session, now = lock_open_session(session_id, trainer, now)
        _refuse_if_paused(session)
        trend = trends.start(current_values(session, now), seconds, now)
        return _store_values(session, SessionEvent.VITALS, clean, trend, now, step=step)


def _store_instant_values(session_id, values, trainer, now, step) -> AppliedChange | None:
    """Store an instant change in one statement, or None when it may not be (the session is
    not open, is paused, or is not the trainer's to drive): the hot path of a running session.

    The UPDATE's conditions are lock_open_session's and _refuse_if_paused's checks; the row
    lock it takes orders concurrent changes, and the event's time is taken under it too: never
    before the newest event's, so the newest event is always the session's last values.
    One round trip instead of five, and no ORM (docs/performance.md).
    """
    event = _new_event(session_id, Actor(trainer), SessionEvent.VITALS, values, now, detail={})
    if step is not None:
        event.detail["step"] = step
    statement, parameters = _instant_change_statement(trainer)
    # This thread's connection, looked up once: every attribute read through the `connection`
    # proxy is a look-up in asgiref's Local, which outside an event loop raises and catches an
    # exception (~3 us), and preparing the event's fields reads it some twenty times.
    db = connections[DEFAULT_DB_ALIAS]
    prepared = [
        field.get_db_prep_save(getattr(event, field.attname), db) for field in _EVENT_FIELDS
    ]
    last_values = Session._meta.get_field("last_values").get_db_prep_save(values, db)
    with db.cursor() as cursor:
        cursor.execute(
            statement,
            [last_values, now, EVENT_TICK, now, session_id, now, *parameters, *prepared],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    event.created_at = row[0]
    event._state.adding = False
    event._state.db = db.alias
    return _announce(event)


# Every column of an event but its time, which the statement takes under the lock.
_EVENT_FIELDS = [
    field for field in SessionEvent._meta.concrete_fields if field.name != "created_at"
]


def _instant_change_statement(trainer) -> tuple[str, list]:
    table = Session._meta.db_table
    drives, parameters = access.drives_sql(table, trainer)
    columns = ", ".join(field.column for field in _EVENT_FIELDS)
    placeholders = ", ".join("%s" for _field in _EVENT_FIELDS)
    statement = f"""
        WITH changed AS (
            UPDATE {table} SET last_values = %s, trend = NULL,
                last_event_at = CASE WHEN {table}.last_event_at > %s
                    THEN {table}.last_event_at + %s ELSE %s END
            WHERE {table}.id = %s AND {table}.closed_at IS NULL AND {table}.expires_at > %s
                AND {table}.paused_at IS NULL AND {drives}
            RETURNING {table}.last_event_at
        )
        INSERT INTO {SessionEvent._meta.db_table} ({columns}, created_at)
        SELECT {placeholders}, changed.last_event_at FROM changed
        RETURNING created_at
    """
    return statement, parameters


class NoTrend(Exception):
    """There is no trend in progress to stop."""


def stop_trend(session_id: uuid.UUID, *, trainer=None, now=None) -> AppliedChange:
    """Hold the values where the trend has got to; stored as a change of its own kind."""
    with transaction.atomic():
        session, now = lock_open_session(session_id, trainer, now)
        _refuse_if_paused(session)
        if not trends.in_progress(session.trend, now):
            raise NoTrend
        return _store_values(
            session, SessionEvent.TREND_STOPPED, current_values(session, now), None, now
        )


class Paused(Exception):
    """The session is paused: its patient does not change until it is resumed."""


class NotPaused(Exception):
    """Resume asked of a session that is not paused."""


def _refuse_if_paused(session: Session) -> None:
    if session.paused_at is not None:
        raise Paused


def pause_session(session_id: uuid.UUID, *, trainer=None, now=None) -> AppliedChange:
    """Every screen holds the values it shows now, a trend in progress included, until resume."""
    with transaction.atomic():
        session, now = lock_open_session(session_id, trainer, now)
        _refuse_if_paused(session)
        held = current_values(session, now)
        remainder = None
        if trends.in_progress(session.trend, now):
            # Whole seconds, as every stored transition (the replay rebuilds trends from them).
            left = (1 - trends.progress(session.trend, now)) * session.trend["seconds"]
            remainder = {"to": session.last_values, "seconds": max(1, round(left))}
        Session.objects.filter(pk=session.pk).update(paused_at=now, paused_trend=remainder)
        return _store_values(session, SessionEvent.PAUSED, held, None, now)


def resume_session(session_id: uuid.UUID, *, trainer=None, now=None) -> AppliedChange:
    """The patient moves again: a trend the pause cut short goes on for the time it had left."""
    with transaction.atomic():
        session, now = lock_open_session(session_id, trainer, now)
        if session.paused_at is None:
            raise NotPaused
        remainder = session.paused_trend
        Session.objects.filter(pk=session.pk).update(paused_at=None, paused_trend=None)
        if remainder is None:
            return _store_values(session, SessionEvent.RESUMED, session.last_values, None, now)
        trend = trends.start(session.last_values, remainder["seconds"], now)
        return _store_values(session, SessionEvent.RESUMED, remainder["to"], trend, now)


def lock_open_session(
    session_id, trainer=None, now=None, *, screen: dict | None = None
) -> tuple[Session, datetime.datetime]:
    """The session, its row locked for this transaction, if `trainer` may drive it and it is
    open. The events stored in the transaction name the actor (`trainer`, else `screen`)."""
    # The row lock orders concurrent changes: last_values is always the newest event,
    # and event times, taken under the lock, follow the same order.
    session = Session.objects.select_for_update().get(pk=session_id)
    if trainer is not None and not access.may_drive(trainer, session):
        # Checked under the lock, which team changes take too: a co-trainer removed a moment
        # ago is refused.
        raise Session.DoesNotExist
    now = now or timezone.now()
    if session.last_event_at is not None and now < session.last_event_at:
        # Another process's clock, a little ahead, dated the newest event.
        now = session.last_event_at + EVENT_TICK
    if not session.is_open(now):
        raise SessionNotOpen(session.status(now))
    session.actor = Actor(trainer, screen)
    return session, now


def _store_values(session, kind, values, trend, now, step=None) -> AppliedChange:
    detail = {"from": trend["from"]} if trend else {}
    if step is not None:
        detail["step"] = step
    transition_seconds = trend["seconds"] if trend else 0
    return _record(
        session, kind, values, now, detail, transition_seconds, last_values=values, trend=trend
    )


def _record(
    session, kind, values, now, detail: dict, transition_seconds=0, **session_changes
) -> AppliedChange:
    """Store an event (and `session_changes`), and broadcast it as its message once the
    transaction commits. The session is locked, `now` taken under the lock (lock_open_session)."""
    Session.objects.filter(pk=session.pk).update(last_event_at=now, **session_changes)
    actor = getattr(session, "actor", None) or Actor()
    event = _new_event(session.pk, actor, kind, values, now, detail, transition_seconds)
    # One INSERT without Model.save's machinery (signals, the update-or-insert decision): an
    # event is only ever inserted.
    SessionEvent.objects.bulk_create([event])
    return _announce(event)


def _new_event(
    session_id, actor: Actor, kind, values, now, detail: dict, transition_seconds=0
) -> SessionEvent:
    values = values or {}  # None before the first change of values.
    screen = actor.screen or {}
    return SessionEvent(
        session_id=session_id,
        author=actor.trainer,
        screen_id="" if actor.trainer else screen.get("id", ""),
        # The name typed on the join page; the device is described when shown, in its language.
        screen_label="" if actor.trainer else screen.get("name", ""),
        kind=kind,
        **{field: values.get(field) for field in vitals.NUMBER_FIELDS},
        flags=values.get("flags", {}),
        transition_seconds=transition_seconds,
        detail=detail,
        created_at=now,
    )


def _announce(event: SessionEvent) -> AppliedChange:
    change = AppliedChange(event)

    def announce():
        change.broadcast = broadcast(event.session_id, event.message())

    # Broadcast after commit: a rolled-back change must not reach screens.
    transaction.on_commit(announce)
    return change


def current_values(session: Session, now=None) -> dict | None:
    """The trainer's values at `now`, part way along a trend if one is running."""
    return trends.values_at(session.last_values, session.trend, now or timezone.now())


def shown_values(session: Session, now=None) -> dict | None:
    """The values the screens show at `now`: the trainer's, as the pacer and CPR change them."""
    return treatment.treated_values(
        current_values(session, now), session.treatment, session.defibrillator
    )


def set_alarm_limits(session_id: uuid.UUID, limits, *, trainer=None, now=None) -> dict:
    """Change some of the session's alarm limits; returns all of them."""
    with transaction.atomic():
        session, now = lock_open_session(session_id, trainer, now)
        clean = vitals.validate_limits(limits, session.alarm_limits)
        Session.objects.filter(pk=session.pk).update(alarm_limits=clean)
        record_setting(session, SessionEvent.ALARM_LIMITS, now, {"limits": clean})
    return clean


def set_profile(session_id: uuid.UUID, profile, *, trainer=None, now=None) -> dict:
    """Change the patient's age group; its alarm limits become the profile's defaults.

    Stored as two events, the change of patient and the new limits (the debrief's alarm periods
    and every screen follow limits from their own event); returns the new limits."""
    profile = vitals.validate_profile(profile)
    with transaction.atomic():
        session, now = lock_open_session(session_id, trainer, now)
        limits = vitals.profile_alarm_limits(profile)
        Session.objects.filter(pk=session.pk).update(profile=profile, alarm_limits=limits)
        record_setting(session, SessionEvent.PROFILE, now, {"profile": profile})
        record_setting(session, SessionEvent.ALARM_LIMITS, now, {"limits": limits})
    return limits


def acquire_twelve_lead(session_id: uuid.UUID, *, trainer=None, now=None) -> AppliedChange:
    """Every screen shows a 12-lead of the patient as it is now (the values of that moment)."""
    with transaction.atomic():
        session, now = lock_open_session(session_id, trainer, now)
        return record_setting(session, SessionEvent.TWELVE_LEAD, now, {})


def send_result(
    session_id: uuid.UUID,
    clean: dict,
    *,
    trainer=None,
    now=None,
    shipped_text: bool = False,
) -> tuple[AppliedChange, SessionResult]:
    """Store a result checked by sessions_app/results.py (an image with it is saved through
    Django's storage, under a name of ours) and tell every screen, which fetches its card.

    `shipped_text`: its texts come from a shipped template and are shown translated."""
    with transaction.atomic():
        session, now = lock_open_session(session_id, trainer, now)
        result = SessionResult(
            session=session,
            kind=clean["kind"],
            title=clean["title"],
            rows=clean["rows"],
            comment=clean["comment"],
            content_type=clean.get("content_type", ""),
            shipped_text=shipped_text,
            created_at=now,
        )
        if clean.get("image") is not None:
            # The name given is ignored: result_image_name draws one.
            result.image.save("upload", clean["image"], save=False)
        try:
            result.save()
            detail = {"result": str(result.id), "kind": result.kind, "title": result.title}
            change = record_setting(session, SessionEvent.RESULT, now, detail)
        except Exception:
            # Nothing stored means no file left behind either.
            if result.image:
                result.image.delete(save=False)
            raise
    return change, result


def start_nibp(
    session_id: uuid.UUID, *, trainer=None, screen: dict | None = None, now=None
) -> datetime.datetime:
    """Start a cuff measurement, unless one is under way; returns the measurement's start."""
    with transaction.atomic():
        session, now = lock_open_session(session_id, trainer, now, screen=screen)
        under_way = nibp.measuring_since(session, now)
        if under_way is not None:
            return under_way
        Session.objects.filter(pk=session.pk).update(nibp_started_at=now)
        # Whether the trainer or the trainee pressed it.
        record_setting(
            session, SessionEvent.NIBP_STARTED, now, {"by_trainer": bool(trainer)}
        )
    return now


def set_nibp_interval(session_id: uuid.UUID, minutes, *, trainer=None, now=None) -> int:
    """Set the automatic cuff cycle; a new cycle measures at once, as a monitor's does."""
    minutes = vitals.validate_nibp_interval(minutes)
    with transaction.atomic():
        session, now = lock_open_session(session_id, trainer, now)
        cycle_started_at = now if minutes else None
        Session.objects.filter(pk=session.pk).update(
            nibp_interval_minutes=minutes, nibp_cycle_started_at=cycle_started_at
        )
        detail = {
            "minutes": minutes,
            "cycle_started_at": cycle_started_at and cycle_started_at.isoformat(),
        }
        record_setting(session, SessionEvent.NIBP_INTERVAL, now, detail)
    return minutes


class SessionTooLong(Exception):
    """An extension would take the session past SESSION_MAX_MINUTES from its start."""


def extend_session(
    session_id: uuid.UUID, minutes, *, trainer=None, now=None
) -> datetime.datetime:
    """More time for an open session: its end moves `minutes` later, on every screen too."""
    minutes = vitals.validate_extension(minutes)
    with transaction.atomic():
        session, now = lock_open_session(session_id, trainer, now)
        expires_at = session.expires_at + datetime.timedelta(minutes=minutes)
        if expires_at - session.created_at > datetime.timedelta(
            minutes=settings.SESSION_MAX_MINUTES
        ):
            raise SessionTooLong
        Session.objects.filter(pk=session.pk).update(expires_at=expires_at)
        detail = {"minutes": minutes, "expires_at": expires_at.isoformat()}
        record_setting(session, SessionEvent.SESSION_EXTENDED, now, detail)
    return expires_at


class NothingToSilence(Exception):
    """A press changes nothing: no values yet (`until` None), or every alarm sounding is
    acknowledged until `until`."""

    def __init__(self, until: datetime.datetime | None = None):
        super().__init__(until)
        self.until = until


def silence_alarms(
    session_id: uuid.UUID, *, screen: dict | None = None, now=None
) -> AppliedChange:
    """The trainee silences the alarms sounding now for two minutes; stored, with the
    conditions acknowledged, so the trainer and the debrief see what was silenced.

    Conditions that start later, or rise in priority, sound at once (alarms.sounding), and a
    press then silences them too. A press during a silence while nothing new sounds stores
    nothing: a screen cannot flood the audit trail.
    """
    with transaction.atomic():
        session, now = lock_open_session(session_id, None, now, screen=screen)
        if session.last_values is None:
            raise NothingToSilence
        active = active_alarms(session, now)
        silence = current_silence(session, now)
        if silence and not alarms.sounding(active, silence, now):
            raise NothingToSilence(silence["until"])
        until = now + datetime.timedelta(seconds=vitals.SILENCE_SECONDS)
        Session.objects.filter(pk=session.pk).update(alarms_silenced_until=until)
        detail = {"until": until.isoformat(), "acknowledged": active}
        return record_setting(session, SessionEvent.ALARMS_SILENCED, now, detail)


def active_alarms(session: Session, now: datetime.datetime, values: dict | None = None) -> list[dict]:
    """The alarm conditions the monitors show at `now` (with `values`, those of an event then);
    blood pressure is the cuff's reading."""
    values = shown_values(session, now) if values is None else values
    if values is None:
        return []
    reading = nibp.last_reading(session, now) or {}
    shown = {
        **values,
        "systolic": reading.get("systolic"),
        "diastolic": reading.get("diastolic"),
    }
    return alarms.conditions(shown, session.alarm_limits, bool(reading.get("no_pulse")))


def current_silence(session: Session, now: datetime.datetime) -> dict | None:
    """The silence in force at `now`: {"until", "acknowledged"}, or None. A condition that ended
    since it was acknowledged is no longer (alarms.still_acknowledged), as on the screens: the
    stored changes since the silence, and now, say which are still on."""
    until = session.alarms_silenced_until
    if until is None or until <= now:
        return None
    event = (
        session.events.filter(kind=SessionEvent.ALARMS_SILENCED)
        .order_by("-created_at")
        .first()
    )
    silence = {"until": until, "acknowledged": event.detail.get("acknowledged", []) if event else []}
    if event is not None:
        changes = session.events.filter(
            kind__in=SessionEvent.VALUE_KINDS, created_at__gt=event.created_at, created_at__lte=now
        ).order_by("created_at")
        for change in changes:
            active = active_alarms(session, change.created_at, change.values)
            silence = alarms.still_acknowledged(silence, active)
    return alarms.still_acknowledged(silence, active_alarms(session, now))


def record_setting(session, kind, now, detail: dict) -> AppliedChange:
    """Store an event that leaves the values as they are, with those shown now; broadcast it."""
    return _record(session, kind, current_values(session, now), now, detail)


def monitor_state(session: Session, now=None) -> dict:
    """Everything a screen needs to show the session from scratch: the snapshot."""
    now = now or timezone.now()
    silence = current_silence(session, now)
    return {
        "type": "snapshot",
        "now": now.isoformat(),
        "values": session.last_values,
        "trend": session.trend if trends.in_progress(session.trend, now) else None,
        "expires_at": session.expires_at.isoformat(),
        "trainee_name": session.trainee_name,
        "alarm_limits": session.alarm_limits,
        "alarms_silenced_until": silence and silence["until"].isoformat(),
        "alarms_acknowledged": silence["acknowledged"] if silence else [],
        "nibp": nibp.state(session, now),
        "paused": session.paused_at is not None,
        "profile": session.profile,
        "defibrillator": session.defibrillator,
        "treatment": session.treatment,
        # Earlier results, oldest first, so that a screen that joins late can reopen them.
        "results": screen_results(session),
    }


def monitor_state_changes_at(session: Session, now: datetime.datetime) -> datetime.datetime | None:
    """The first moment after `now` at which monitor_state(session) may read otherwise than at
    `now` (its "now" aside) with nothing stored meanwhile: a trend's end (the alarms along it
    too), the silence's, a measurement's. None: not before a change. Keep it beside
    monitor_state: live/connects.py reuses a snapshot until then."""
    moments = [nibp.next_end(session, now)]
    if trends.in_progress(session.trend, now):
        moments.append(trends.ends_at(session.trend))
    if session.alarms_silenced_until and session.alarms_silenced_until > now:
        moments.append(session.alarms_silenced_until)
    return min((moment for moment in moments if moment is not None), default=None)


def screen_results(session: Session) -> list[dict]:
    """The session's results as the snapshot lists them, their titles in the active language."""
    if session._state.adding:  # The replay's session as created: none yet.
        return []
    return [
        {**result.summary(), "label": result.display_title()}
        for result in session.results.only("id", "kind", "title", "created_at", "shipped_text")
    ]


def add_note(session: Session, text: str, at=None, now=None, author=None) -> SessionNote:
    """Store a faculty member's note about a moment of the session (by default now, or its end).

    Notes are the faculty's, not the monitor's: they may be added after the session ended, at
    the debrief; the other control pages are told, never the screens.
    """
    end = session.ended_at(now)
    at = min(max(at or end, session.created_at), end)
    note = SessionNote.objects.create(session=session, text=text, at=at, author=author)
    # Only to the control pages (live/publish.py): the text and the author's name travel.
    message = {
        "type": "note",
        "note": str(note.id),
        "at": at.isoformat(),
        "text": note.text,
        "author": author.display_name if author is not None else "",
    }
    transaction.on_commit(lambda: broadcast(session.pk, message))
    return note


def close_session(session: Session, now=None) -> bool:
    """Close an open session and tell its screens; False when it was not open."""
    now = now or timezone.now()
    closed = Session.objects.open(now).filter(pk=session.pk).update(closed_at=now)
    if closed:
        transaction.on_commit(lambda: broadcast_ended(session.pk, Session.CLOSED))
    return bool(closed)


def expire_sessions(now=None, dry_run: bool = False) -> list[tuple[uuid.UUID, str]]:
    """Close every open session past its end, in one statement; returns their (id, code).

    Safe to run concurrently: PostgreSQL re-checks `closed_at IS NULL` on rows another run
    has just closed, so each session is closed, and announced, once.
    """
    now = now or timezone.now()
    if dry_run:
        return list(Session.objects.expired_open(now).values_list("id", "code"))
    with connection.cursor() as cursor:
        # closed_at = expires_at: the moment it ended, and how status() tells "expired".
        cursor.execute(
            "UPDATE sessions SET closed_at = expires_at"
            " WHERE closed_at IS NULL AND expires_at <= %s RETURNING id, code",
            [now],
        )
        expired = [(uuid.UUID(str(pk)), code) for pk, code in cursor.fetchall()]
    for session_id, _code in expired:
        transaction.on_commit(
            lambda session_id=session_id: broadcast_ended(session_id, Session.EXPIRED)
        )
    return expired


def open_until(session_id: uuid.UUID | str) -> datetime.datetime | None:
    """When the session ends, None when it is closed already."""
    return (
        Session.objects.filter(pk=session_id, closed_at__isnull=True)
        .values_list("expires_at", flat=True)
        .first()
    )


def report_access_changed(sessions) -> None:
    """After commit, tell the control pages of these open sessions that who may see or drive
    them changed: each page's socket checks its trainer again, and closes if they lost it."""
    session_ids = list(Session.objects.open().filter(pk__in=sessions).values_list("pk", flat=True))

    def announce():
        for session_id in session_ids:
            broadcast(session_id, {"type": "access_changed"})

    transaction.on_commit(announce)


def broadcast_ended(session_id: uuid.UUID, reason: str) -> bool:
    return broadcast(
        session_id, {"type": "session_ended", "reason": reason}, ended=True
    )


def broadcast(session_id: uuid.UUID, message: dict, ended: bool = False) -> bool:
    """Report `message` about a session to whoever publishes its changes (the live transport
    registers itself in `publishing`); True when it reached them. Called after commit."""
    return publishing.publish(session_id, message, ended)
