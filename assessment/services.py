"""What the faculty log during a run, and the checklist their control pages show (issue 18).

A tap logs an expected action done, or one nobody expected; an undo within UNDO_WINDOW is a new
row, never an edit. Both are the faculty's: reported after commit through
sessions_app.services.broadcast to the control pages only (live/publish.py FACULTY_ONLY).
"""

import datetime
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment import expected, scoring
from assessment.models import LoggedAction
from schools import access
from sessions_app import services
from sessions_app.models import Session
from simulator import vitals

# A slip of the finger is taken back at once; after that the log is the record.
UNDO_WINDOW = datetime.timedelta(seconds=10)

# The control page's buttons for what a scenario did not expect: frequent in every emergency
# (the ABCDE approach, Resuscitation Council UK). Logged in the words of the page that tapped.
COMMON_ACTIONS = [
    gettext_lazy("Call for help"),
    gettext_lazy("ABCDE assessment"),
    gettext_lazy("Oxygen"),
    gettext_lazy("IV access"),
    gettext_lazy("Fluid bolus"),
    gettext_lazy("Airway manoeuvre"),
]

@dataclass
class Logged:
    """A logged row (an action, or the undo of one) and the message its control pages get."""

    row: LoggedAction
    message: dict


def _lock_open(session_id, trainer, now) -> tuple[Session, datetime.datetime]:
    """The session, its row locked, if `trainer` is on its faculty (any role) and it is open:
    two taps at once on two control pages are then taken in turn."""
    session = (
        access.sessions_for(trainer)
        .select_for_update(of=("self",))
        .select_related("template")
        .get(pk=session_id)
    )
    now = now or timezone.now()
    if not session.is_open(now):
        raise services.SessionNotOpen(session.status(now))
    return session, now


def _message(session, row: LoggedAction, author, start, kind="action_logged") -> dict:
    message = {
        "type": kind,
        "session": str(session.pk),
        "logged": str(row.id),
        "expected": row.expected_key,
        "name": row.name,
        # A shipped template's names are shown in each page's language (expected.display_name).
        "shipped_text": bool(session.template and session.template.is_shipped),
        "at": row.at.isoformat(),
        # Whole seconds from the scenario's start, as the checklist shows it.
        "elapsed": max(0, int((row.at - start).total_seconds())),
        "step": row.step,
        "author": author.display_name if author is not None else "",
    }
    if kind == "action_logged":
        message["undo_until"] = (row.at + UNDO_WINDOW).isoformat()
    else:
        message["undoes"] = str(row.undoes_id)
    return message


def _report(session_id, message: dict) -> None:
    # After commit: a rolled-back log must not reach the control pages.
    transaction.on_commit(lambda: services.broadcast(session_id, message))


def log_action(
    session_id, *, trainer, expected_key: str | None = None, name: str | None = None, now=None
) -> Logged:
    """Log that the trainee did one of the session's expected actions (`expected_key`) or an
    action nobody expected (`name`), now, at the current step, by `trainer` (any of the
    session's faculty). Raises VitalsError (nothing stored), Session.DoesNotExist or
    SessionNotOpen."""
    if (expected_key is None) == (name is None):
        raise vitals.VitalsError({"name": _("Log an expected action or name one.")})
    with transaction.atomic():
        session, now = _lock_open(session_id, trainer, now)
        if expected_key is not None:
            found = expected.by_key(session).get(expected_key) if isinstance(expected_key, str) else None
            if found is None:
                raise vitals.VitalsError({"expected": _("This session expects no such action.")})
            if _effective(session).filter(expected_key=expected_key).exists():
                raise vitals.VitalsError({"expected": _("This action is logged already.")})
            name = found["name"]
        else:
            name = name.strip() if isinstance(name, str) else ""
            if not name or len(name) > LoggedAction.MAX_NAME:
                message = _("Name the action (at most %(max)s characters).")
                raise vitals.VitalsError({"name": message % {"max": LoggedAction.MAX_NAME}})
        row = LoggedAction.objects.create(
            session=session,
            name=name,
            expected_key=expected_key or "",
            step=session.current_step,
            at=now,
            author=trainer,
        )
        message = _message(session, row, trainer, scoring.started_at(session))
        _report(session.pk, message)
    return Logged(row, message)


def undo_action(session_id, logged_id, *, trainer, now=None) -> Logged:
    """Take back a logged action within UNDO_WINDOW of its logging (server time), by any of the
    session's faculty: a new row that `undoes` it. Raises VitalsError({"logged": ...}) when it
    is unknown, undone already, an undo itself, or too old; Session.DoesNotExist; SessionNotOpen."""
    with transaction.atomic():
        session, now = _lock_open(session_id, trainer, now)
        try:
            row = session.logged_actions.get(pk=uuid.UUID(str(logged_id)), undoes__isnull=True)
        except (LoggedAction.DoesNotExist, ValueError):
            raise vitals.VitalsError({"logged": _("No such logged action.")}) from None
        if LoggedAction.objects.filter(undoes=row).exists():
            raise vitals.VitalsError({"logged": _("This action is undone already.")})
        if now - row.at > UNDO_WINDOW:
            message = _("Too late to undo: an action can be undone for %(seconds)s seconds.")
            seconds = int(UNDO_WINDOW.total_seconds())
            raise vitals.VitalsError({"logged": message % {"seconds": seconds}})
        undo = LoggedAction.objects.create(
            session=session,
            name=row.name,
            expected_key=row.expected_key,
            step=session.current_step,
            at=now,
            undoes=row,
            author=trainer,
        )
        message = _message(session, undo, trainer, scoring.started_at(session), kind="action_undone")
        _report(session.pk, message)
    return Logged(undo, message)


def _effective(session: Session):
    """The session's logged actions that count: neither an undo nor undone."""
    return session.logged_actions.filter(undoes__isnull=True, undone_by__isnull=True)


def checklist(session: Session, now=None) -> dict:
    """The control page's checklist: the current step's expected actions (the first step's
    before any), the scenario's, and those of the steps applied before that are not done yet,
    each with how it was done (a logged message, or the event that did it); and the unexpected
    actions logged. Names in the page's language (expected.display_name)."""
    now = now or timezone.now()
    translate = expected.translator(session.template)
    # The same outcomes the debrief scores (assessment/scoring.py), from the events it needs.
    result = scoring.assess_many([session], now)[session.pk]
    start = result.started_at
    outcomes = {outcome.expected["key"]: outcome for outcome in result.outcomes}
    applied = sorted(result.steps_applied)

    def items(actions: list[dict]) -> list[dict]:
        shown = []
        for described in expected.described(actions, translate):
            outcome = outcomes[described["action"]["key"]]
            mark = recognised = None
            if outcome.how == scoring.LOGGED:
                mark = _message(session, outcome.logged, outcome.logged.author, start)
            elif outcome.how == scoring.RECOGNISED:
                recognised = max(0, int((outcome.done_at - start).total_seconds()))
            shown.append({**described, "logged": mark, "recognised_elapsed": recognised})
        return shown

    groups = []
    current = session.current_step
    steps = session.steps or []
    shown = current if current is not None else 0
    if shown < len(steps) and steps[shown].get("expected_actions"):
        # Before the first step, its actions: the faculty may see one done early.
        title = (
            _("Step %(number)s (current)") if current is not None else _("Step %(number)s (next)")
        ) % {"number": shown + 1}
        groups.append(("current", title, items(steps[shown]["expected_actions"])))
    if session.expected_actions:
        groups.append(("scenario", _("Whole scenario"), items(session.expected_actions)))
    earlier = [
        item
        for index in applied
        if index != shown and index < len(steps)
        for item in items(steps[index].get("expected_actions", []))
        if item["logged"] is None and item["recognised_elapsed"] is None
    ]
    if earlier:
        groups.append(("earlier", _("Earlier steps, not done yet"), earlier))
    return {
        "groups": [{"id": id, "title": title, "items": shown} for id, title, shown in groups],
        "free": [_message(session, row, row.author, start) for row in result.unexpected],
        "has_expected": bool(outcomes),
        "common": [str(name) for name in COMMON_ACTIONS],
        "now": now,
        "url": reverse("sessions:action", args=[session.pk, "log_action"]),
    }
