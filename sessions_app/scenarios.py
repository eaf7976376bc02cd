"""A session's scenario: starting a session from a template, stepping through it.

A session started from a template keeps a snapshot of its steps (`Session.steps`): a template
edited or deleted while a session runs changes neither the session nor, afterwards, the record
of what the trainee was shown. Applying a step is an ordinary change of values
(services.apply_vitals), stored with the step's index in the event's detail. The templates
themselves are saved and copied by library/services.py.
"""

import datetime
import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from library.models import SessionTemplate
from sessions_app import fragments, services
from sessions_app.models import Session
from simulator import vitals


@transaction.atomic
def start_session(
    trainer,
    trainee_name: str,
    duration_minutes: int,
    template: SessionTemplate | None = None,
    profile: str | None = None,
    school=None,
) -> Session:
    """Open a session, from a template when given: its steps are copied into the session.

    The patient is `profile`, else the template's, else an adult. In a `school`, its admins see
    it and its trainers can be on its team."""
    profile = profile or (template.profile if template is not None else vitals.DEFAULT_PROFILE)
    session = services.create_session(
        trainer, trainee_name, duration_minutes, profile=profile, school=school
    )
    if template is not None:
        session.template = template
        # A school's template changes under its admins: the session says which version it ran.
        session.template_version = template.version
        session.steps = [step.as_snapshot() for step in template.steps.all()]
        # What the run is scored against, as the template said then (assessment/expected.py).
        session.expected_actions = template.expected_actions
        session.scoring = template.scoring
        session.save(
            update_fields=["template", "template_version", "steps", "expected_actions", "scoring"]
        )
    return session


def next_step_index(session: Session) -> int | None:
    """The step "Next step" applies: the first one, or the one after the current; None at the end."""
    if not session.steps:
        return None
    index = 0 if session.current_step is None else session.current_step + 1
    return index if index < len(session.steps) else None


def apply_step(
    session_id: uuid.UUID, index: int | None = None, *, trainer=None, now=None
) -> services.AppliedChange:
    """Apply step `index` of the session's scenario (the next one when None) and make it current.

    Raises VitalsError when there is no such step, besides what services.apply_vitals raises.
    """
    with transaction.atomic():
        session, now = services.lock_open_session(session_id, trainer, now)
        steps = session.steps or []
        if index is None:
            index = next_step_index(session)
            if index is None:
                raise vitals.VitalsError({"step": _("This was the last step.")})
        elif isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(steps):
            raise vitals.VitalsError({"step": _("This session has no such step.")})
        step = steps[index]
        change = services.apply_vitals(
            session.pk,
            step["values"],
            transition_seconds=step["transition_seconds"],
            trainer=trainer,
            now=now,
            step=index,
        )
        # Then the step's results, each an event of its own, a microsecond apart: every list
        # (the debrief's, the replay's) orders them after the values, as they were sent.
        for number, result in enumerate(step.get("results", []), start=1):
            clean = {key: result[key] for key in ("kind", "title", "rows", "comment")}
            services.send_result(
                session.pk,
                clean,
                trainer=trainer,
                now=now + datetime.timedelta(microseconds=number),
                shipped_text=result.get("shipped_text", False),
            )
        Session.objects.filter(pk=session.pk).update(current_step=index)
    return change


def control_panel(session: Session) -> dict | None:
    """What the control page's steps panel shows; None for a session without a scenario."""
    if not session.steps:
        return None
    next_index = next_step_index(session)
    # The notes were copied from the template when the session started. They are translated
    # when that template is a shipped one (stored in English, marked in migration 0005), not
    # whenever a note happens to be in the catalogue: a trainer's own notes are their words,
    # even an English copy of a shipped template's.
    template = session.template
    translate = template.shipped_text if template is not None else str
    return {
        "template": template,
        "next": next_index,
        "steps": [
            {
                "index": index,
                "number": index + 1,
                "values": step["values"],
                "transition_seconds": step["transition_seconds"],
                "note": translate(step["note"]),
                "on_shock": step.get("on_shock"),
                "results": [
                    fragments.result_summary(result, translate) for result in step.get("results", [])
                ],
                "is_current": index == session.current_step,
                "is_next": index == next_index,
            }
            for index, step in enumerate(session.steps)
        ],
    }
