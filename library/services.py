"""Scenario templates: saving a trainer's template and copying one they can see.

Who may read or edit which template is schools/access.py's to say; the views ask it first.

Starting a session from a template and stepping through it act on the session: they live in
sessions_app/scenarios.py.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from assessment import expected
from library.models import SessionTemplate, TemplateStep
from schools import access
from simulator import vitals

MAX_STEPS = 30


@dataclass
class StepData:
    values: dict
    transition_seconds: int = 0
    note: str = ""
    on_shock: dict | None = None
    # Each clean, as sessions_app/results.py returns it.
    results: list = field(default_factory=list)
    # What the trainee is expected to do once it is applied (assessment/expected.py).
    expected_actions: list = field(default_factory=list)


# A shock's step starts at once or after the trainer's pause; ten minutes is more than any.
MAX_AFTER_SHOCK_SECONDS = 600


def clean_on_shock(rule, step_count: int) -> dict | None:
    """A step's rule for a shock; VitalsError({field: message}) when it is not one."""
    if rule is None:
        return None
    errors = {}
    if not isinstance(rule, dict):
        raise vitals.VitalsError({"on_shock": _("A shock's rule is missing its parts.")})
    joules, go_to, after, sync = (rule.get("min_joules"), rule.get("go_to"), rule.get("after_seconds", 0), rule.get("sync"))
    if isinstance(joules, bool) or not isinstance(joules, int) or not 1 <= joules <= 360:
        errors["shock_min_joules"] = _("The shock's energy is from 1 to 360 J.")
    if isinstance(go_to, bool) or not isinstance(go_to, int) or not 0 <= go_to < step_count:
        errors["shock_go_to"] = _("Go to a step of this template (1 to %(count)s).") % {"count": step_count}
    if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= MAX_AFTER_SHOCK_SECONDS:
        errors["shock_after_seconds"] = _("After 0 to %(max)s seconds.") % {"max": MAX_AFTER_SHOCK_SECONDS}
    if sync not in (None, True, False):
        errors["shock_sync"] = _("Synchronised, unsynchronised or either.")
    if errors:
        raise vitals.VitalsError(errors)
    return {"min_joules": joules, "sync": sync, "go_to": go_to, "after_seconds": after}


def _clean_steps(steps: list[StepData]) -> list[StepData]:
    """Every step through the one validator; raises VitalsError with the step's number."""
    clean = []
    for number, step in enumerate(steps, start=1):
        try:
            values = vitals.validate(step.values)
            seconds = vitals.validate_transition(step.transition_seconds)
            on_shock = clean_on_shock(step.on_shock, len(steps))
            actions = expected.clean_expected_actions(step.expected_actions, in_step=True)
        except vitals.VitalsError as error:
            raise vitals.VitalsError(
                {f"steps.{number}.{field}": message for field, message in error.errors.items()}
            ) from None
        clean.append(
            StepData(values, seconds, step.note.strip(), on_shock, step.results, actions)
        )
    return clean


@transaction.atomic
def save_template(
    trainer,
    name: str,
    description: str,
    steps: list[StepData],
    template: SessionTemplate | None = None,
    profile: str = vitals.DEFAULT_PROFILE,
    school=None,
    expected_actions: list = (),
    scoring: dict | None = None,
) -> SessionTemplate:
    """Create a trainer's template, or replace the name, description, steps, school, expected
    actions and scoring of one they may edit (access.can_edit_template): its author stays who
    wrote it, and each save is a new version.

    `school` is the form's clean choice (TemplateForm checks the trainer may share there);
    `expected_actions` the scenario's, each step's in its StepData; `scoring` None: the default.
    Raises VitalsError (nothing stored) when a step's values or an expected action are refused.
    """
    steps = _clean_steps(steps)
    expected_actions = expected.clean_expected_actions(list(expected_actions), in_step=False)
    scoring = expected.clean_scoring(scoring)
    # A row copied in the editor, or a step's copied from another, keeps one key per action.
    expected.unique_keys(expected_actions, [step.expected_actions for step in steps])
    if template is None:
        template = SessionTemplate(trainer=trainer)
    elif not access.can_edit_template(trainer, template):
        raise SessionTemplate.DoesNotExist
    else:
        # In the database: two admins saving at once make two versions, not one.
        template.version = F("version") + 1
    template.name = name
    template.description = description
    template.profile = vitals.validate_profile(profile)
    template.school = school
    template.expected_actions = expected_actions
    template.scoring = scoring
    template.save()
    template.refresh_from_db(fields=["version"])
    # Steps are replaced as a whole: positions stay 0..n-1 whatever was added, removed or moved.
    template.steps.all().delete()
    TemplateStep.objects.bulk_create(
        TemplateStep(
            template=template,
            position=position,
            values=step.values,
            transition_seconds=step.transition_seconds,
            note=step.note,
            on_shock=step.on_shock,
            results=step.results,
            expected_actions=step.expected_actions,
        )
        for position, step in enumerate(steps)
    )
    return template


def duplicate_template(template: SessionTemplate, trainer) -> SessionTemplate:
    """A new template of `trainer`'s own (personal, version 1), a copy of one they can see:
    theirs, their schools' or shipped.

    A shipped template is copied in the language the trainer reads it in: the copy is their own
    text from then on, and is never translated again.
    """
    name = _("Copy of %(name)s") % {"name": template.display_name}

    def actions(listed: list[dict]) -> list[dict]:
        return [
            {**action, "name": expected.display_name(action, template.shipped_text)}
            for action in listed
        ]

    steps = [
        StepData(
            s.values,
            s.transition_seconds,
            s.display_note,
            s.on_shock,
            s.display_results(),
            actions(s.expected_actions),
        )
        for s in template.steps.all()
    ]
    max_length = SessionTemplate._meta.get_field("name").max_length
    return save_template(
        trainer,
        name[:max_length],
        template.display_description,
        steps,
        profile=template.profile,
        expected_actions=actions(template.expected_actions),
        scoring=template.scoring,
    )
