"""What the trainee does to the patient with the monitor-defibrillator: charge, shock, disarm,
AED analysis, pads, the transcutaneous pacer and CPR, and the trainer's settings of the device.

Each is stored like every other change (the session row locked, the device's state on the
session, one event whose detail keeps that state for the replay) and broadcast after commit as
one message type, "treatment". What a shock does to the patient is the scenario's: the current
step may name a step to go to after a shock of enough energy (`on_shock`); the live transport
applies it when it falls due (apply_due_step), any process, once. Otherwise the trainer chooses.

The device's rules (charge times, what is shockable, capture) are simulator/treatment.py's,
which the screens' treatment.js mirrors.
"""

import datetime
import uuid

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from sessions_app import scenarios, services
from sessions_app.models import Session, SessionEvent
from simulator import treatment as rules
from simulator.vitals import VitalsError

PACER_RATES = (30, 180)  # /min, as transcutaneous pacers offer (ZOLL R Series: 30-180 ppm)
PACER_MILLIAMPS = (0, 200)  # mA, the output range of the LIFEPAK 15's pacer (0-200 mA)
PACER_MODES = ("demand", "fixed")


def _iso(moment: datetime.datetime) -> str:
    return moment.isoformat()


def _at(text: str) -> datetime.datetime:
    return parse_datetime(text)


def _integer(value, low: int, high: int, field: str, message: str, errors: dict) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[field] = message
        return None
    return value


def validate_settings(settings, current: dict) -> dict:
    """The trainer's settings of the device, merged over `current`; VitalsError when wrong."""
    if not isinstance(settings, dict):
        raise VitalsError({"defibrillator": _("The defibrillator's settings are missing.")})
    clean = {**rules.default_settings(), **current}
    errors = {}
    mode = settings.get("mode", clean["mode"])
    if mode not in rules.MODES:
        errors["mode"] = _("Choose off, manual defibrillator or AED.")
    threshold = _integer(
        settings.get("capture_threshold_ma", clean["capture_threshold_ma"]),
        *PACER_MILLIAMPS,
        "capture_threshold_ma",
        _("The capture threshold is a whole number of mA from %(low)s to %(high)s.")
        % {"low": PACER_MILLIAMPS[0], "high": PACER_MILLIAMPS[1]},
        errors,
    )
    quality = settings.get("cpr_quality", clean["cpr_quality"])
    if not isinstance(quality, str) or quality not in rules.CPR_ETCO2:
        errors["cpr_quality"] = _("Choose good, fair or poor CPR.")
    if errors:
        raise VitalsError(errors)
    return {"mode": mode, "capture_threshold_ma": threshold, "cpr_quality": quality}


def set_defibrillator(session_id: uuid.UUID, settings, *, trainer=None, now=None):
    """The trainer turns the monitor into a manual defibrillator or an AED, or back; a change
    of mode drops a charge, an analysis and the pads (another device), never CPR or the pacer
    of a manual one."""
    with transaction.atomic():
        session, now = services.lock_open_session(session_id, trainer, now)
        clean = validate_settings(settings, session.defibrillator)
        state = dict(session.treatment)
        if clean["mode"] != session.defibrillator.get("mode"):
            # last_shock too: an AED must not say "Shock delivered" for the manual's shock.
            for key in ("charge", "analysis", "pads", "last_shock"):
                state.pop(key, None)
            if clean["mode"] != "manual":
                state.pop("pacer", None)
        return _store(session, SessionEvent.DEFIBRILLATOR, state, now, {**clean}, settings=clean)


def charge(session_id: uuid.UUID, joules, sync=False, *, screen=None, trainer=None, now=None):
    """Charge the manual defibrillator to `joules` (synchronised for a cardioversion): ready
    after the time a real unit takes, disarmed by itself CHARGE_HOLD_SECONDS later."""
    with transaction.atomic():
        session, now = services.lock_open_session(session_id, trainer, now, screen=screen)
        _require_mode(session, "manual")
        errors = {}
        joules = _integer(
            joules,
            rules.MIN_JOULES,
            rules.MAX_JOULES,
            "joules",
            _("Choose an energy from %(low)s to %(high)s J.")
            % {"low": rules.MIN_JOULES, "high": rules.MAX_JOULES},
            errors,
        )
        if not isinstance(sync, bool):
            errors["sync"] = _("Sync is on or off.")
        if errors:
            raise VitalsError(errors)
        state = {**session.treatment, "charge": _charged(joules, sync, now)}
        shown = services.shown_values(session, now)
        detail = {"joules": joules, "sync": sync, **_context(session, shown, screen, trainer)}
        return _store(session, SessionEvent.CHARGED, state, now, detail)


def disarm(session_id: uuid.UUID, *, screen=None, trainer=None, now=None):
    with transaction.atomic():
        session, now = services.lock_open_session(session_id, trainer, now, screen=screen)
        state = dict(session.treatment)
        if _live_charge(state, now) is None:
            raise VitalsError({"charge": _("The defibrillator is not charged.")})
        joules = state.pop("charge")["joules"]
        state.pop("analysis", None)
        shown = services.shown_values(session, now)
        detail = {"joules": joules, **_context(session, shown, screen, trainer)}
        return _store(session, SessionEvent.DISARMED, state, now, detail)


def shock(session_id: uuid.UUID, *, screen=None, trainer=None, now=None):
    """Deliver the charge. A synchronised shock needs R waves to land on (a real unit does not
    fire in sync on VF). The current step's `on_shock` rule, when the shock meets it, sets the
    step to go to and when (`pending_step`)."""
    with transaction.atomic():
        session, now = services.lock_open_session(session_id, trainer, now, screen=screen)
        mode = session.defibrillator.get("mode")
        if mode == "off":
            raise VitalsError({"mode": _("This monitor is not a defibrillator.")})
        state = dict(session.treatment)
        held = state.get("charge")
        if held is None:
            raise VitalsError({"charge": _("Charge first: the defibrillator is not charged.")})
        if now < _at(held["ready_at"]):
            raise VitalsError({"charge": _("Still charging: wait for the charged tone.")})
        if now >= _at(held["disarm_at"]):
            message = _("The charge was disarmed after %(seconds)s s unused: charge again.")
            raise VitalsError({"charge": message % {"seconds": rules.CHARGE_HOLD_SECONDS}})
        shown = services.shown_values(session, now)
        context = _context(session, shown, screen, trainer)
        if held["sync"] and not rules.has_r_waves(shown):
            raise VitalsError(
                {"sync": _("Sync is on, and there is no R wave to synchronise with: disarm, "
                           "turn Sync off and charge again to defibrillate.")}
            )
        state.pop("charge")
        state.pop("analysis", None)
        state["last_shock"] = {"at": _iso(now), "joules": held["joules"], "sync": held["sync"]}
        detail = {"joules": held["joules"], "sync": held["sync"], "cpr": "cpr" in state, **context}
        rule = _shock_rule(session, held)
        if rule is not None:
            due = now + datetime.timedelta(seconds=rule["after_seconds"])
            state["pending_step"] = {"index": rule["go_to"], "at": _iso(due)}
            detail["goes_to_step"] = rule["go_to"]
        return _store(session, SessionEvent.SHOCK, state, now, detail)


def analyse(session_id: uuid.UUID, *, screen=None, trainer=None, now=None):
    """The AED reads the rhythm shown now: shock advised (it charges itself) or not."""
    with transaction.atomic():
        session, now = services.lock_open_session(session_id, trainer, now, screen=screen)
        _require_mode(session, "aed")
        state = dict(session.treatment)
        if not state.get("pads"):
            raise VitalsError({"pads": _("Connect the pads first.")})
        if "cpr" in state:
            # As real AEDs: compressions are motion, and the analysis needs a still patient.
            raise VitalsError({"cpr": _("Stop compressions: the AED cannot analyse during CPR.")})
        shown = services.shown_values(session, now)
        advice = "shock" if rules.shockable(shown) else "no_shock"
        done_at = now + datetime.timedelta(seconds=rules.ANALYSIS_SECONDS)
        state["analysis"] = {"advice": advice, "started_at": _iso(now), "done_at": _iso(done_at)}
        state.pop("charge", None)
        if advice == "shock":
            # It charges itself once the analysis is done.
            state["charge"] = _charged(rules.AED_JOULES, False, done_at)
        detail = {"advice": advice, **_context(session, shown, screen, trainer)}
        return _store(session, SessionEvent.ANALYSED, state, now, detail)


def set_pads(session_id: uuid.UUID, connected, *, screen=None, trainer=None, now=None):
    with transaction.atomic():
        session, now = services.lock_open_session(session_id, trainer, now, screen=screen)
        _require_mode(session, "aed")
        if not isinstance(connected, bool):
            raise VitalsError({"connected": _("The pads are connected or not.")})
        state = dict(session.treatment)
        if connected:
            state["pads"] = True
        else:
            for key in ("pads", "analysis", "charge"):
                state.pop(key, None)
        detail = {"connected": connected, **_who(screen, trainer)}
        return _store(session, SessionEvent.PADS, state, now, detail)


def set_pacer(session_id: uuid.UUID, settings, *, screen=None, trainer=None, now=None):
    """Start, change or stop transcutaneous pacing; whether it captures is the trainer's
    threshold (the screens and the alarms apply simulator.treatment.captured)."""
    with transaction.atomic():
        session, now = services.lock_open_session(session_id, trainer, now, screen=screen)
        _require_mode(session, "manual")
        if not isinstance(settings, dict) or not isinstance(settings.get("on"), bool):
            raise VitalsError({"on": _("The pacer is on or off.")})
        state = dict(session.treatment)
        if not settings["on"]:
            if "pacer" not in state:
                raise VitalsError({"on": _("The pacer is not pacing.")})
            state.pop("pacer")
            return _store(session, SessionEvent.PACER, state, now, {"on": False, **_who(screen, trainer)})
        errors = {}
        rate = _integer(
            settings.get("rate"), *PACER_RATES, "rate",
            _("The pacing rate is from %(low)s to %(high)s /min.")
            % {"low": PACER_RATES[0], "high": PACER_RATES[1]},
            errors,
        )  # fmt: skip
        milliamps = _integer(
            settings.get("ma"), *PACER_MILLIAMPS, "ma",
            _("The output is from %(low)s to %(high)s mA.")
            % {"low": PACER_MILLIAMPS[0], "high": PACER_MILLIAMPS[1]},
            errors,
        )  # fmt: skip
        pacing_mode = settings.get("mode", "demand")
        if pacing_mode not in PACER_MODES:
            errors["mode"] = _("Pace on demand or fixed.")
        if errors:
            raise VitalsError(errors)
        since = state.get("pacer", {}).get("since", _iso(now))
        pacer = {"rate": rate, "ma": milliamps, "mode": pacing_mode, "since": since}
        state["pacer"] = pacer
        # What the screens draw: no capture of fibrillating ventricles, nor of a demand pacer
        # the patient's own faster rhythm inhibits (simulator/treatment.py).
        captured = rules.pacer_takes_over(
            services.current_values(session, now), state, session.defibrillator
        )
        detail = {"on": True, **pacer, "captured": captured, **_who(screen, trainer)}
        detail.pop("since")
        return _store(session, SessionEvent.PACER, state, now, detail)


def set_cpr(session_id: uuid.UUID, on, *, screen=None, trainer=None, now=None):
    """Compressions start or stop; a start begins a new two-minute cycle."""
    with transaction.atomic():
        session, now = services.lock_open_session(session_id, trainer, now, screen=screen)
        if not isinstance(on, bool):
            raise VitalsError({"on": _("Compressions are on or off.")})
        state = dict(session.treatment)
        if on == ("cpr" in state):
            message = _("Compressions are already on.") if on else _("Compressions are not on.")
            raise VitalsError({"on": message})
        if on:
            state["cpr"] = {"since": _iso(now)}
        else:
            state.pop("cpr")
        return _store(session, SessionEvent.CPR, state, now, {"on": on, **_who(screen, trainer)})


def apply_due_step(session_id: uuid.UUID | str, *, now=None) -> bool:
    """Apply the step a shock triggered, once it is due; True when this call applied it.

    Every process that relays the shock calls this at the due moment: the row lock and the
    state's own `pending_step` make the first one apply it and the others find nothing."""
    with transaction.atomic():
        try:
            session, now = services.lock_open_session(session_id, None, now)
        except (Session.DoesNotExist, services.SessionNotOpen):
            return False
        pending = session.treatment.get("pending_step")
        if pending is None or _at(pending["at"]) > now:
            return False
        state = {key: value for key, value in session.treatment.items() if key != "pending_step"}
        Session.objects.filter(pk=session.pk).update(treatment=state)
        try:
            scenarios.apply_step(session.pk, pending["index"], now=now)
        except (VitalsError, services.Paused):
            # The template changed under the session, or the trainer paused: the trainer decides.
            return False
    return True


def pending_step_at(session: Session) -> datetime.datetime | None:
    pending = session.treatment.get("pending_step")
    return _at(pending["at"]) if pending else None


def _require_mode(session: Session, mode: str) -> None:
    if session.defibrillator.get("mode") != mode:
        message = {
            "manual": _("This needs the manual defibrillator: the trainer has not set it."),
            "aed": _("This needs the AED: the trainer has not set it."),
        }[mode]
        raise VitalsError({"mode": message})


def _charged(joules: int, sync: bool, start: datetime.datetime) -> dict:
    """A charge begun at `start`: ready after a real unit's time, disarmed unused later."""
    ready_at = start + datetime.timedelta(seconds=rules.charge_seconds(joules))
    disarm_at = ready_at + datetime.timedelta(seconds=rules.CHARGE_HOLD_SECONDS)
    return {"joules": joules, "sync": sync, "ready_at": _iso(ready_at), "disarm_at": _iso(disarm_at)}


def _live_charge(state: dict, now: datetime.datetime) -> dict | None:
    held = state.get("charge")
    return held if held is not None and now < _at(held["disarm_at"]) else None


def _shock_rule(session: Session, held: dict) -> dict | None:
    """The current step's rule for a shock, when this shock meets it."""
    if session.current_step is None or not session.steps:
        return None
    rule = session.steps[session.current_step].get("on_shock")
    if not rule or held["joules"] < rule["min_joules"]:
        return None
    if rule.get("sync") is not None and rule["sync"] != held["sync"]:
        return None
    return rule if rule["go_to"] < len(session.steps) else None


def _who(screen: dict | None, trainer) -> dict:
    """Which screen did it (its id and what it is, as the screens list names it)."""
    return {"screen": screen, "by_trainer": trainer is not None}


def _context(session: Session, shown: dict | None, screen: dict | None, trainer) -> dict:
    """What the debrief needs of any use of the device: who, the mode, the rhythm `shown`."""
    rhythm = ((shown or {}).get("flags") or {}).get("rhythm")
    return {"mode": session.defibrillator.get("mode"), "rhythm": rhythm, **_who(screen, trainer)}


def _store(session, kind, state: dict, now, detail: dict, settings: dict | None = None):
    settings = settings or session.defibrillator
    Session.objects.filter(pk=session.pk).update(treatment=state, defibrillator=settings)
    session.treatment, session.defibrillator = state, settings
    detail = {**detail, "state": {"treatment": state, "defibrillator": settings}}
    return services.record_setting(session, kind, now, detail)
