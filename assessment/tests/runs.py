"""Runs of a scenario for the assessment tests: a template with expected actions, and sessions
started from it whose steps, shocks and logged actions fall at chosen seconds from T0.

The scenario ("Septic shock drill"): two steps; expected of the whole scenario "Call for help"
within 60 s and a recognised first shock within 120 s (critical); of step 1 "Blood cultures"
within 120 s of it; of step 2 "Noradrenaline", any time after it; "Adrenaline" within 60 s of
the third shock.
"""

import datetime

from assessment.models import LoggedAction
from library.models import SessionTemplate, TemplateStep
from sessions_app.models import Session, SessionEvent
from sessions_app import services
from shiller.tests.factory import T0, later, make_session
from simulator import vitals

HELP = {"key": "help", "name": "Call for help", "from": "scenario", "shock_number": None,
        "target_seconds": 60, "critical": False, "recognise": None}  # fmt: skip
SHOCK = {"key": "shock1", "name": "First shock", "from": "scenario", "shock_number": None,
         "target_seconds": 120, "critical": True, "recognise": "first_shock"}  # fmt: skip
CULTURES = {"key": "cultures", "name": "Blood cultures", "from": "step", "shock_number": None,
            "target_seconds": 120, "critical": False, "recognise": None}  # fmt: skip
NORAD = {"key": "norad", "name": "Noradrenaline", "from": "step", "shock_number": None,
         "target_seconds": None, "critical": False, "recognise": None}  # fmt: skip
ADRENALINE = {"key": "adren", "name": "Adrenaline", "from": "shock", "shock_number": 3,
              "target_seconds": 60, "critical": False, "recognise": None}  # fmt: skip
SCORING = {"on_time": 2, "late": 1, "missed": 0, "critical_missed": -5, "pass_percent": 70}


def make_template(trainer, name="Septic shock drill", school=None) -> SessionTemplate:
    template = SessionTemplate.objects.create(
        trainer=trainer, school=school, name=name, expected_actions=[HELP, SHOCK], scoring=SCORING
    )
    for position, actions in enumerate([[CULTURES], [NORAD, ADRENALINE]]):
        TemplateStep.objects.create(
            template=template, position=position, values=vitals.DEFAULT_VALUES,
            expected_actions=actions,
        )  # fmt: skip
    return template


def make_run(
    trainer,
    template: SessionTemplate,
    code: str,
    *,
    start: datetime.datetime = T0,
    steps=(),
    shocks=(),
    events=(),
    logged=(),
    ended: float | None = 900,
    school=None,
) -> Session:
    """A session of `template` started at `start`: step i applied at `steps[i]` seconds, a
    shock at each of `shocks`, other (seconds, kind, detail) `events`, a logged action at
    each (seconds, expected key or a free name); closed `ended` seconds in (None: still open,
    for two hours)."""
    session = make_session(trainer, code=code, now=start, school=school, trainee_name="Alex Doe")
    session.template = template
    session.steps = [step.as_snapshot() for step in template.steps.all()]
    session.expected_actions = template.expected_actions
    session.scoring = template.scoring
    session.save()

    def at(seconds):
        return start + datetime.timedelta(seconds=seconds)

    rows = [(seconds, SessionEvent.VITALS, {"step": index}) for index, seconds in enumerate(steps)]
    rows += [(seconds, SessionEvent.SHOCK, {"joules": 200, "sync": False}) for seconds in shocks]
    rows += list(events)
    SessionEvent.objects.bulk_create(
        SessionEvent(
            session=session,
            kind=kind,
            **({name: vitals.DEFAULT_VALUES[name] for name in vitals.NUMBER_FIELDS}
               if kind == SessionEvent.VITALS else {}),
            flags=vitals.DEFAULT_VALUES["flags"] if kind == SessionEvent.VITALS else {},
            detail=detail,
            created_at=at(seconds),
        )  # fmt: skip
        for seconds, kind, detail in rows
    )
    keys = {a["key"]: a["name"] for a in [*template.expected_actions, CULTURES, NORAD, ADRENALINE]}
    for seconds, what in logged:
        log(session, seconds, what, keys.get(what, what), author=trainer, start=start)
    if ended is not None:
        Session.objects.filter(pk=session.pk).update(closed_at=at(ended))
        session.refresh_from_db()
    return session


def log(session, seconds, key, name=None, *, author=None, start=T0, undoes=None) -> LoggedAction:
    """A logged action (`key` "" or unknown: unexpected), or an undo of `undoes`."""
    expected = key if key in {a["key"] for a in [HELP, SHOCK, CULTURES, NORAD, ADRENALINE]} else ""
    return LoggedAction.objects.create(
        session=session,
        name=name or key,
        expected_key=expected,
        at=start + datetime.timedelta(seconds=seconds),
        author=author,
        undoes=undoes,
    )



def make_debriefed_run(trainer, template) -> Session:
    """The run the debrief's tests read. Step 1 at 00:30, step 2 at 05:00; help at 00:50 (on
    time), cultures at 03:20 (late by 50 s), noradrenaline at 04:40 (early by 20 s), no shock
    (the critical first shock missed); a free "Oxygen 15 L" at 01:00, an "Intubation" undone;
    the heart rate at 140 from 01:40 to 02:40 (60 s above its limit of 120). Closed at 15:00."""
    run = make_run(
        trainer, template, "RUN001", steps=[30, 300], ended=None,
        logged=[(50, "help"), (200, "cultures"), (280, "norad"), (60, "Oxygen 15 L")],
    )  # fmt: skip
    intubation = log(run, 70, "", "Intubation", author=trainer)
    log(run, 75, "", "Intubation", author=trainer, undoes=intubation)
    services.apply_vitals(run.pk, {**vitals.DEFAULT_VALUES, "heart_rate": 140}, now=later(100))
    services.apply_vitals(run.pk, vitals.DEFAULT_VALUES, now=later(160))
    Session.objects.filter(pk=run.pk).update(closed_at=later(900))
    run.refresh_from_db()
    return run
