"""Everything a control page or a trainee screen can ask of a session, each declared once.

An action is its name (the socket message's `type`, the no-JS URL's last part), who may send it,
the form that validates it when it is posted without the live link, and the function that calls
the service and says what its ack carries. The control socket, the monitor socket and the one
POST view (`sessions/<pk>/actions/<name>/`) all go through `run`; every refusal comes out as
one exception, `Refused`, mapped once per transport.

A new action is its service, one `@action` function here, and its form fragment on the page.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessment import services as assessment
from schools import access
from sessions_app import forms, fragments, results, scenarios, services, team, treatment
from sessions_app.models import Session
from simulator import vitals
from simulator.cuff import MEASUREMENT

# Who may send an action, by what they are to the session (schools/access.py says who is what).
TRAINER = "trainer"  # its owner or a co-trainer, on the control page: they drive the patient
FACULTY = "faculty"  # anyone on its control page, observers and the school's admins too
OWNER = "owner"  # the trainer who opened it: they choose the team
SCREEN = "screen"  # any screen that joined with the code

KINDS_BY_ROLE = {
    access.OWNER: frozenset({OWNER, TRAINER, FACULTY}),
    access.COTRAINER: frozenset({TRAINER, FACULTY}),
    access.OBSERVER: frozenset({FACULTY}),
    access.SCHOOL_ADMIN: frozenset({FACULTY}),
}
SCREEN_KINDS = frozenset({SCREEN})


def kinds_of(role: str | None) -> frozenset[str]:
    """What a trainer with `role` on a session may send as (none: not theirs)."""
    return KINDS_BY_ROLE.get(role, frozenset())

# After a press on Silence, presses are answered without a query this long: a new alarm may
# sound at any moment, so this is short, not the silence's two minutes.
SILENCE_QUIET = datetime.timedelta(seconds=2)


@dataclass
class Sender:
    session_id: str
    trainer: object | None = None  # None for a trainee screen
    # A trainee screen: its id and what it is (MonitorConsumer.screen), kept with what it did.
    screen: dict | None = None


@dataclass
class Done:
    """What an action did: `reply` is what its ack adds; until `quiet_until`, doing it again
    can change nothing (the screens' gate answers such presses without a query)."""

    reply: dict = field(default_factory=dict)
    quiet_until: datetime.datetime | None = None


class Refused(Exception):
    """The one refusal: `errors` maps fields to messages; `ended` is "closed" or "expired" when
    the session is over; `forbidden` when it is not the sender's (or no longer exists)."""

    def __init__(self, errors: dict, *, ended: str | None = None, forbidden: bool = False):
        super().__init__(errors)
        self.errors = errors
        self.ended = ended
        self.forbidden = forbidden


@dataclass(frozen=True)
class Action:
    name: str
    senders: frozenset[str]
    perform: Callable[[Sender, dict], Done]
    # Without the live link: the form (built from the POST and the session) whose cleaned data
    # is the payload, the control page's context name that shows it with its errors (None:
    # its errors become messages), and what the trainer is told when it is done.
    form: Callable | None = None
    form_context: str | None = None
    done: Promise | None = None
    # Its form takes files (an image result): the POST view then passes them.
    uploads: bool = False
    # A screen's press while the same one is on its way is the same press (500 screens pressing
    # NIBP cost one query). Not for the device: two presses of Charge may name two energies,
    # and compressions on then off are two facts.
    coalesce: bool = True


ACTIONS: dict[str, Action] = {}


def action(
    name: str,
    *,
    senders: set[str],
    form=None,
    form_context=None,
    done=None,
    uploads=False,
    coalesce=True,
):
    def register(perform):
        ACTIONS[name] = Action(
            name, frozenset(senders), perform, form, form_context, done, uploads, coalesce
        )
        return perform

    return register


def for_sender(name, kinds: frozenset[str]) -> Action | None:
    """The action `name` if a sender of these kinds (kinds_of) may send it."""
    found = ACTIONS.get(name) if isinstance(name, str) else None
    return found if found is not None and found.senders & kinds else None


def watch_only(name, kinds: frozenset[str]) -> bool:
    """Whether `name` is an action of the control page these kinds may not send: an observer's
    change of the patient, say, refused with one error code (READ_ONLY) and nothing stored."""
    found = ACTIONS.get(name) if isinstance(name, str) else None
    if found is None or SCREEN in kinds or found.senders & kinds:
        return False
    return bool(found.senders & {TRAINER, OWNER, FACULTY})


READ_ONLY = "read_only"


def read_only_message(kinds: frozenset[str]) -> str:
    if TRAINER in kinds:
        return gettext("Only the trainer who opened this session chooses its team.")
    return gettext("You are observing this session: only its trainers change the patient.")


def run(action: Action, sender: Sender, payload: dict) -> Done:
    """Perform `action`; every refusal, whatever its cause, comes out as Refused."""
    try:
        return action.perform(sender, payload)
    except vitals.VitalsError as error:
        raise Refused(error.errors) from error
    except services.NoTrend as error:
        raise Refused({"trend": gettext("No trend is in progress.")}) from error
    except services.Paused as error:
        message = gettext("The session is paused: resume it to change the patient.")
        raise Refused({"session": message}) from error
    except services.NotPaused as error:
        raise Refused({"session": gettext("The session is not paused.")}) from error
    except services.SessionTooLong as error:
        hours = settings.SESSION_MAX_MINUTES // 60
        message = gettext("A session lasts %(hours)s hours at most.") % {"hours": hours}
        raise Refused({"minutes": message}) from error
    except services.SessionNotOpen as ended:
        raise Refused({"session": gettext("This session has ended.")}, ended=ended.reason)
    except Session.DoesNotExist as error:
        errors = {"session": gettext("This session is not yours.")}
        raise Refused(errors, forbidden=True) from error


def _change(change: services.AppliedChange, **more) -> Done:
    return Done({"event_id": str(change.event.id), "broadcast": change.broadcast, **more})


@action(
    "set_vitals",
    senders={TRAINER},
    form=lambda data, session: forms.VitalsForm(data),
    form_context="form",
    done=_("Values sent to the monitors."),
)
def set_vitals(sender: Sender, payload: dict) -> Done:
    change = services.apply_vitals(
        sender.session_id,
        payload.get("values"),
        transition_seconds=payload.get("transition_seconds", 0),
        trainer=sender.trainer,
    )
    # Contradictory values are sent all the same; the trainer is told what looks wrong.
    return _change(change, warnings=vitals.warnings(change.event.values))


@action("stop_trend", senders={TRAINER}, done=_("Trend stopped: the monitors hold these values."))
def stop_trend(sender: Sender, payload: dict) -> Done:
    return _change(services.stop_trend(sender.session_id, trainer=sender.trainer))


@action(
    "set_alarm_limits",
    senders={TRAINER},
    form=lambda data, session: forms.AlarmLimitsForm(data, limits=session.alarm_limits),
    form_context="limits_form",
    done=_("Alarm limits sent to the monitors."),
)
def set_alarm_limits(sender: Sender, payload: dict) -> Done:
    limits = services.set_alarm_limits(
        sender.session_id, payload.get("limits"), trainer=sender.trainer
    )
    return Done({"limits": limits})


@action(
    "set_profile",
    senders={TRAINER},
    form=lambda data, session: forms.ProfileForm(data),
    done=_("Patient changed: the alarm limits are now this patient's defaults."),
)
def set_profile(sender: Sender, payload: dict) -> Done:
    profile = payload.get("profile")
    limits = services.set_profile(sender.session_id, profile, trainer=sender.trainer)
    return Done({"profile": profile, "limits": limits})


@action("acquire_12_lead", senders={TRAINER}, done=_("12-lead acquired on every screen."))
def acquire_12_lead(sender: Sender, payload: dict) -> Done:
    change = services.acquire_twelve_lead(sender.session_id, trainer=sender.trainer)
    return _change(change, at=change.event.created_at.isoformat())


@action("start_nibp", senders={TRAINER, SCREEN}, done=_("NIBP measurement started."))
def start_nibp(sender: Sender, payload: dict) -> Done:
    started_at = services.start_nibp(
        sender.session_id, trainer=sender.trainer, screen=sender.screen
    )
    return Done({"started_at": started_at.isoformat()}, quiet_until=started_at + MEASUREMENT)


@action(
    "set_nibp_interval",
    senders={TRAINER},
    form=lambda data, session: forms.NibpIntervalForm(data),
    form_context="nibp_form",
    done=_("NIBP interval set."),
)
def set_nibp_interval(sender: Sender, payload: dict) -> Done:
    minutes = services.set_nibp_interval(
        sender.session_id, payload.get("minutes"), trainer=sender.trainer
    )
    return Done({"minutes": minutes})


@action(
    "apply_step",
    senders={TRAINER},
    form=lambda data, session: forms.StepForm(data),
    done=_("Step applied: values sent to the monitors."),
)
def apply_step(sender: Sender, payload: dict) -> Done:
    # Without an index, the next step.
    change = scenarios.apply_step(sender.session_id, payload.get("index"), trainer=sender.trainer)
    return _change(change, step=change.event.detail["step"])


@action("pause_session", senders={TRAINER}, done=_("Paused: every screen holds its values."))
def pause_session(sender: Sender, payload: dict) -> Done:
    return _change(services.pause_session(sender.session_id, trainer=sender.trainer))


@action("resume_session", senders={TRAINER}, done=_("Resumed: the patient moves again."))
def resume_session(sender: Sender, payload: dict) -> Done:
    return _change(services.resume_session(sender.session_id, trainer=sender.trainer))


@action(
    "extend_session",
    senders={TRAINER},
    form=lambda data, session: forms.ExtendForm(data),
    done=_("Time extended on every screen."),
)
def extend_session(sender: Sender, payload: dict) -> Done:
    expires_at = services.extend_session(
        sender.session_id, payload.get("minutes"), trainer=sender.trainer
    )
    return Done({"expires_at": expires_at.isoformat()})


@action(
    "add_note",
    senders={FACULTY},
    form=lambda data, session: forms.NoteForm(data),
    done=_("Note saved."),
)
def add_note(sender: Sender, payload: dict) -> Done:
    """A note about now, from the control page; the debrief's notes about a chosen moment are
    posted to their own view, which takes an offset."""
    text = payload.get("text")
    if not isinstance(text, str):
        raise Refused({"text": gettext("A note is text.")})
    form = forms.NoteForm({"text": text})
    if not form.is_valid():
        raise Refused({field: errors[0] for field, errors in form.errors.items()})
    session = access.sessions_for(sender.trainer).get(pk=sender.session_id)
    note = services.add_note(session, form.cleaned_data["text"], author=sender.trainer)
    return Done({"note": str(note.id), "note_html": fragments.note_item(note)})


# The checklist (assessment/services.py): any of the faculty logs what the trainee did, and
# takes a slip back within seconds; the trainee screens never hear of it.


@action(
    "log_action",
    senders={FACULTY},
    form=lambda data, session: forms.LogActionForm(data),
    form_context="action_form",
    done=_("Action logged."),
)
def log_action(sender: Sender, payload: dict) -> Done:
    """`expected`: one of the session's expected actions (its key); else `name`: another."""
    expected_key = payload.get("expected") or None
    name = None if expected_key is not None else payload.get("name")
    logged = assessment.log_action(
        sender.session_id, trainer=sender.trainer, expected_key=expected_key, name=name
    )
    reply = {"logged": str(logged.row.id), "expected": logged.row.expected_key}
    return Done({**reply, "logged_html": fragments.logged_item(logged.message)})


@action(
    "undo_action",
    senders={FACULTY},
    form=lambda data, session: forms.UndoActionForm(data),
    done=_("Undone: the action is no longer logged."),
)
def undo_action(sender: Sender, payload: dict) -> Done:
    undo = assessment.undo_action(sender.session_id, payload.get("logged"), trainer=sender.trainer)
    return Done({"logged": str(undo.row.id), "undoes": str(undo.row.undoes_id)})


@action("close_session", senders={TRAINER}, done=_("Session closed."))
def close_session(sender: Sender, payload: dict) -> Done:
    session = access.drivable_by(sender.trainer).get(pk=sender.session_id)
    if not services.close_session(session):
        raise services.SessionNotOpen(session.status())
    return Done()


@action("silence_alarms", senders={SCREEN})
def silence_alarms(sender: Sender, payload: dict) -> Done:
    quiet_until = timezone.now() + SILENCE_QUIET
    try:
        change = services.silence_alarms(sender.session_id, screen=sender.screen)
    except services.NothingToSilence:
        # Nothing sounds (or all of it is acknowledged): nothing changes, nothing is stored.
        return Done(quiet_until=quiet_until)
    detail = change.event.detail
    reply = {"event_id": str(change.event.id), "until": detail["until"]}
    return Done({**reply, "acknowledged": detail["acknowledged"]}, quiet_until=quiet_until)


# The monitor-defibrillator (sessions_app/treatment.py): the trainer sets the device, the trainee
# uses it. Screens are answered by the broadcast; a refusal reaches the screen that sent it.


def _treatment(change: services.AppliedChange) -> Done:
    return _change(change, treatment=change.event.detail["state"]["treatment"])


def _by(sender: Sender) -> dict:
    return {"screen": sender.screen, "trainer": sender.trainer}


@action(
    "set_defibrillator",
    senders={TRAINER},
    form=lambda data, session: forms.DefibrillatorForm(data, settings=session.defibrillator),
    form_context="defibrillator_form",
    done=_("Defibrillator set on every screen."),
)
def set_defibrillator(sender: Sender, payload: dict) -> Done:
    change = treatment.set_defibrillator(sender.session_id, payload, trainer=sender.trainer)
    return _treatment(change)


@action("charge", senders={SCREEN}, coalesce=False)
def charge(sender: Sender, payload: dict) -> Done:
    change = treatment.charge(
        sender.session_id, payload.get("joules"), payload.get("sync", False), **_by(sender)
    )
    return _treatment(change)


@action("shock", senders={SCREEN}, coalesce=False)
def shock(sender: Sender, payload: dict) -> Done:
    return _treatment(treatment.shock(sender.session_id, **_by(sender)))


@action("disarm", senders={SCREEN}, coalesce=False)
def disarm(sender: Sender, payload: dict) -> Done:
    return _treatment(treatment.disarm(sender.session_id, **_by(sender)))


@action("analyse", senders={SCREEN}, coalesce=False)
def analyse(sender: Sender, payload: dict) -> Done:
    return _treatment(treatment.analyse(sender.session_id, **_by(sender)))


@action("pads", senders={SCREEN}, coalesce=False)
def pads(sender: Sender, payload: dict) -> Done:
    return _treatment(treatment.set_pads(sender.session_id, payload.get("connected"), **_by(sender)))


@action("set_pacer", senders={SCREEN}, coalesce=False)
def set_pacer(sender: Sender, payload: dict) -> Done:
    settings = {key: payload.get(key) for key in ("on", "rate", "ma", "mode") if key in payload}
    return _treatment(treatment.set_pacer(sender.session_id, settings, **_by(sender)))


@action(
    "cpr",
    senders={TRAINER, SCREEN},
    coalesce=False,
    form=lambda data, session: forms.CprForm(data),
    done=_("Compressions marked."),
)
def cpr(sender: Sender, payload: dict) -> Done:
    return _treatment(treatment.set_cpr(sender.session_id, payload.get("on"), **_by(sender)))


# Results sent to the bedside (sessions_app/results.py), by the trainer.


def _send_result(sender: Sender, clean: dict) -> Done:
    change, result = services.send_result(sender.session_id, clean, trainer=sender.trainer)
    return _change(change, result=str(result.id), result_html=fragments.result_item(result))


@action(
    "send_blood_gas",
    senders={TRAINER},
    form=lambda data, session: forms.BloodGasForm(data, prefix="gas"),
    form_context="blood_gas_form",
    done=_("Blood gas sent to the monitors."),
)
def send_blood_gas(sender: Sender, payload: dict) -> Done:
    return _send_result(sender, results.validate_blood_gas(payload))


@action(
    "send_lab_panel",
    senders={TRAINER},
    form=lambda data, session: forms.LabPanelForm(data, prefix="lab"),
    form_context="lab_panel_form",
    done=_("Lab results sent to the monitors."),
)
def send_lab_panel(sender: Sender, payload: dict) -> Done:
    return _send_result(sender, results.validate_lab_panel(payload))


@action(
    "send_glucose",
    senders={TRAINER},
    form=lambda data, session: forms.GlucoseForm(data, prefix="glucose"),
    form_context="glucose_form",
    done=_("Glucose sent to the monitors."),
)
def send_glucose(sender: Sender, payload: dict) -> Done:
    return _send_result(sender, results.validate_glucose(payload))


# Only through the POST view: a file does not travel on the control socket.
@action(
    "send_image",
    senders={TRAINER},
    form=lambda data, session, files=None, raw_names=(): forms.ImageForm(
        data, files, prefix="image", raw_names=raw_names
    ),
    form_context="image_form",
    done=_("Image sent to the monitors."),
    uploads=True,
)
def send_image(sender: Sender, payload: dict) -> Done:
    return _send_result(sender, results.validate_image(payload))


# The team (sessions_app/team.py): the owner adds school colleagues, changes and removes them.


@action(
    "add_member",
    senders={OWNER},
    form=lambda data, session: forms.TeamMemberForm(data, session=session),
    form_context="team_form",
    done=_("Added to the team."),
)
def add_member(sender: Sender, payload: dict) -> Done:
    member = team.add_member(
        sender.session_id, payload.get("trainer"), payload.get("role"), owner=sender.trainer
    )
    return Done({"member": member.pk})


@action(
    "remove_member",
    senders={OWNER},
    form=lambda data, session: forms.MemberForm(data, session=session),
    done=_("Removed from the team: their pages lost the session."),
)
def remove_member(sender: Sender, payload: dict) -> Done:
    team.remove_member(sender.session_id, payload.get("member"), owner=sender.trainer)
    return Done()
