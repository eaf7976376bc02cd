"""The library's forms: a template's name and description, its expected actions and scoring, and
its steps as a formset."""

from django import forms
from django.forms import formset_factory
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from assessment import expected
from library.models import SessionTemplate
from library.services import MAX_STEPS, StepData, clean_on_shock
from schools import access
from schools.models import School
from sessions_app import results
from sessions_app.forms import (
    LabPanelForm,
    VitalsForm,
    decimal_text_field,
    lab_row_fields,
    result_text_field,
)
from simulator import vitals


class TemplateForm(forms.ModelForm):
    """A template's name, description, patient, and who it is shared with: only its author, or
    one of their schools, whose library it joins."""

    school = forms.ModelChoiceField(
        label=_("Shared with"),
        queryset=School.objects.none(),
        required=False,
        empty_label=_("Only me"),
        error_messages={
            "invalid_choice": _("You can only share a template with a school you belong to.")
        },
    )

    class Meta:
        model = SessionTemplate
        fields = ["name", "description", "profile", "school"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, trainer, **kwargs):
        super().__init__(*args, **kwargs)
        # A page from before the patient field posts none: an adult, as before.
        self.fields["profile"].required = False
        # A new template has its uuid already: ask whether it is stored.
        template = None if self.instance._state.adding else self.instance
        self.is_author = template is None or template.trainer_id == trainer.pk
        field = self.fields["school"]
        if not self.is_author:
            # A school's admin edits its library: the template stays in it, its author's to move.
            field.queryset = School.objects.filter(pk=template.school_id)
            field.empty_label = None
            field.help_text = _("Only its author can move it out of this library.")
        elif template is not None and template.school_id:
            # Kept where it is shared even if its author has since left that school.
            field.queryset = (
                access.schools_of(trainer) | School.objects.filter(pk=template.school_id)
            ).distinct()
        else:
            field.queryset = access.schools_of(trainer)

    def clean_profile(self):
        return self.cleaned_data["profile"] or vitals.DEFAULT_PROFILE

    def clean_school(self):
        school = self.cleaned_data["school"]
        if not self.is_author and school is None:
            raise forms.ValidationError(
                _("Only its author can take this template out of %(school)s's library."),
                params={"school": self.instance.school},
            )
        return school


class RowCountField(forms.IntegerField):
    """How many action rows the page shows (template-edit.js adds some): never a change of its
    own, so a blank new step whose rows were added but left empty is still skipped."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


class ExpectedActionRows:
    """A form's rows of expected actions (a step's, or the whole scenario's), one row per
    action: its name, what its target time counts from, the target in minutes and seconds (none:
    any time), critical, and what Shiller recognises it by. A row left without a name and a time
    is no action; clearing an action's name removes it. Each action is checked by
    assessment/expected.py, its refusals put beside the row's fields.

    Without the script the page offers EXTRA_ROWS blank rows after the actions; the script adds
    more (action_rows counts them, up to expected.MAX_ACTIONS)."""

    EXTRA_ROWS = 2
    COLUMNS = ("name", "from", "shock", "minutes", "seconds", "critical", "recognise")
    # The part of an action each of expected.clean_expected_actions' refusals names.
    ERROR_COLUMNS = {
        "name": "name",
        "from": "from",
        "shock_number": "shock",
        "target_seconds": "minutes",
        "recognise": "recognise",
        "critical": "critical",
    }
    in_step = False

    def add_action_rows(self, actions: list[dict]) -> None:
        count = min(len(actions) + self.EXTRA_ROWS, expected.MAX_ACTIONS)
        if self.is_bound:
            try:
                count = int(self.data.get(self.add_prefix("action_rows"), 0))
            except (TypeError, ValueError):
                count = 0
            count = min(max(count, 0), expected.MAX_ACTIONS)
        self.fields["action_rows"] = RowCountField(initial=count, required=False)
        self.action_row_count = count
        anchors = [("scenario", _("the scenario's start")), ("shock", _("a shock"))]
        if self.in_step:
            anchors.insert(0, ("step", _("this step's start")))
        recognised = [("", _("no: tapped on the control page")), *expected.RECOGNISED.items()]
        for number in range(1, count + 1):
            action = actions[number - 1] if number <= len(actions) else None
            target = action["target_seconds"] if action else None
            row = {
                "key": forms.CharField(required=False, max_length=16, widget=forms.HiddenInput),
                "name": forms.CharField(
                    label=_("Action"), required=False, max_length=expected.MAX_NAME
                ),
                "from": forms.ChoiceField(label=_("Counts from"), choices=anchors, required=False),
                "shock": forms.IntegerField(label=_("Shock number"), required=False),
                "minutes": forms.IntegerField(
                    label=_("Target (min)"),
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                ),
                "seconds": forms.IntegerField(
                    label=_("and (s)"),
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                ),
                "critical": forms.BooleanField(label=_("Critical"), required=False),
                "recognise": forms.ChoiceField(
                    label=_("Recognised automatically"), choices=recognised, required=False
                ),
            }
            row["from"].initial = anchors[0][0]
            if action:
                minutes, seconds = divmod(target, 60) if target is not None else (None, None)
                values = {
                    "key": action["key"],
                    "name": action["name"],
                    "from": action["from"],
                    "shock": action["shock_number"],
                    "minutes": minutes,
                    "seconds": seconds,
                    "critical": action["critical"],
                    "recognise": action["recognise"] or "",
                }
                for part, value in values.items():
                    row[part].initial = value
            for part, field in row.items():
                self.fields[f"act_{number}_{part}"] = field

    def action_table(self) -> list[dict]:
        """Each row's hidden key and its bound fields, in the table's columns."""
        return [
            {
                "key": self[f"act_{number}_key"],
                "fields": [self[f"act_{number}_{part}"] for part in self.COLUMNS],
            }
            for number in range(1, self.action_row_count + 1)
        ]

    def action_field_names(self) -> set[str]:
        return {name for name in self.fields if name.startswith("act_")} | {"action_rows"}

    def clean_actions(self) -> list[dict]:
        """The rows as clean expected actions; each refusal added beside its field."""
        data = self.cleaned_data
        listed, numbers = [], []
        for number in range(1, self.action_row_count + 1):
            row = {part: data.get(f"act_{number}_{part}") for part in ("key", *self.COLUMNS)}
            timed = row["minutes"] is not None or row["seconds"] is not None
            if not (row["name"] or "").strip() and not timed and row["shock"] is None:
                continue  # a blank row, or an action whose name was cleared: none
            target = (row["minutes"] or 0) * 60 + (row["seconds"] or 0) if timed else None
            if timed and not (0 <= (row["seconds"] or 0) < 60 and (row["minutes"] or 0) >= 0):
                self.add_error(f"act_{number}_seconds", _("Minutes, then 0 to 59 seconds."))
                target = None
            listed.append(
                {
                    "key": row["key"],
                    "name": row["name"],
                    "from": row["from"] or None,
                    "shock_number": row["shock"],
                    "target_seconds": target,
                    "critical": bool(row["critical"]),
                    "recognise": row["recognise"] or None,
                }
            )
            numbers.append(number)
        try:
            return expected.clean_expected_actions(listed, in_step=self.in_step)
        except vitals.VitalsError as error:
            for key, message in error.errors.items():
                parts = key.split(".")
                if len(parts) == 3:
                    number = numbers[int(parts[1]) - 1]
                    self.add_error(f"act_{number}_{self.ERROR_COLUMNS[parts[2]]}", message)
                else:
                    self.add_error(None, message)
            return []


class ExpectedForm(ExpectedActionRows, forms.Form):
    """The scenario's own expected actions (whatever the step) and the template's scoring: the
    points each outcome scores and the pass mark (assessment/expected.py checks both)."""

    on_time = forms.IntegerField(label=_("Done on time"), required=False)
    late = forms.IntegerField(label=_("Done late"), required=False)
    missed = forms.IntegerField(label=_("Missed"), required=False)
    critical_missed = forms.IntegerField(
        label=_("A critical action missed (on top)"), required=False
    )
    pass_percent = forms.IntegerField(label=_("Pass mark (%)"), required=False)

    SCORING = ("on_time", "late", "missed", "critical_missed", "pass_percent")

    def __init__(self, *args, actions=(), scoring=None, **kwargs):
        kwargs.setdefault("prefix", "expected")
        super().__init__(*args, **kwargs)
        scoring = scoring or expected.DEFAULT_SCORING
        for name in self.SCORING:
            self.fields[name].initial = scoring.get(name, expected.DEFAULT_SCORING[name])
        self.add_action_rows(list(actions))

    def scoring_fields(self) -> list:
        return [self[name] for name in self.SCORING]

    def clean(self):
        data = super().clean()
        data["expected_actions"] = self.clean_actions()
        # A page from before the scoring posts none of it: the default, as a new template's.
        posted = {name: data[name] for name in self.SCORING if data.get(name) is not None}
        try:
            data["scoring"] = expected.clean_scoring(posted)
        except vitals.VitalsError as error:
            for key, message in error.errors.items():
                self.add_error(key.removeprefix("scoring.") if "." in key else None, message)
        return data


class TemplateStepForm(ExpectedActionRows, VitalsForm):
    """One step of a template: the control page's values, its transition, and a note."""

    note = forms.CharField(
        label=_("Note for the trainer"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the trainee should do, e.g. “give 1 mg adrenaline”."),
    )

    # What a shock does at this step (sessions_app/treatment.py); empty: the trainer decides.
    shock_min_joules = forms.IntegerField(
        label=_("On a shock of at least (J)"),
        required=False,
        help_text=_("With “then go to step”: what a shock does here. Empty: you decide."),
    )
    shock_sync = forms.ChoiceField(
        label=_("Shock"),
        required=False,
        choices=[("", _("synchronised or not")), ("sync", _("synchronised only")), ("unsync", _("unsynchronised only"))],
    )
    shock_go_to = forms.IntegerField(label=_("then go to step"), required=False)
    shock_after_seconds = forms.IntegerField(
        label=_("after (s)"), required=False, help_text=_("Seconds after the shock; 0: at once.")
    )

    SYNC = {"": None, "sync": True, "unsync": False}
    in_step = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_action_rows(self.initial.get("expected_actions") or [])
        # A blank "new step" left untouched must count as unchanged, so it is skipped.
        self.fields["rhythm"].initial = "sinus"
        # The results the step sends: a blood gas, a glucose, a few lab rows or a lab's comment.
        for key, analyte in results.ANALYTES.items():
            label = f"{analyte.label} ({analyte.unit})" if analyte.unit else str(analyte.label)
            self.fields[f"gas_{key}"] = decimal_text_field(label)
        self.fields["result_glucose"] = decimal_text_field(_("Capillary glucose (mmol/L)"))
        self.fields.update(lab_row_fields("lab_{number}_{column}", STEP_LAB_ROWS))
        self.fields["lab_comment"] = result_text_field(
            _("Lab comment (e.g. “tryptase sent, result in an hour”)"), results.COMMENT_MAX, True
        )

    def vital_fields(self):
        actions = self.action_field_names()
        return [
            field
            for field in self
            if not _is_result_field(field.name) and field.name not in actions
        ]

    def gas_fields(self):
        return [self[f"gas_{key}"] for key in results.ANALYTES]

    def lab_rows(self):
        return [
            [self[f"lab_{number}_{column}"] for column in LabPanelForm.COLUMNS]
            for number in range(1, STEP_LAB_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        # Beside the values' refusals, not after them.
        data["expected_actions"] = self.clean_actions()
        if self.errors:
            return data
        sent = []
        gas = {key: data[f"gas_{key}"] for key in results.ANALYTES if data[f"gas_{key}"]}
        if gas:
            sent.append(self._checked(results.validate_blood_gas, {"values": gas}, "gas_{}"))
        if data["result_glucose"]:
            payload = {"value": data["result_glucose"]}
            sent.append(self._checked(results.validate_glucose, payload, "result_glucose"))
        rows = [
            {column: data[f"lab_{number}_{column}"] for column in LabPanelForm.COLUMNS}
            for number in range(1, STEP_LAB_ROWS + 1)
        ]
        if data["lab_comment"] or any(any(row.values()) for row in rows):
            payload = {"rows": rows, "comment": data["lab_comment"]}
            sent.append(self._checked(results.validate_lab_panel, payload, "lab_{}"))
        data["results"] = [result for result in sent if result is not None]
        data["expected_actions"] = self.clean_actions()
        return data

    def _checked(self, validate, payload: dict, field_name: str) -> dict | None:
        """The clean result, or None with each refusal put beside its field."""
        try:
            return validate(payload)
        except vitals.VitalsError as error:
            for key, message in error.errors.items():
                if key.startswith("rows."):  # "rows.2.value": the lab's second row's value
                    _rows, number, column = key.split(".")
                    key = f"{number}_{column}"
                name = field_name.format(key) if "{}" in field_name else field_name
                self.add_error(name if name in self.fields else None, message)
            return None

    @classmethod
    def initial_from_step(cls, step) -> dict:
        rule = step.on_shock or {}
        initial = {
            **cls.initial_from(step.values),
            "transition_seconds": step.transition_seconds,
            "note": step.note,
            "shock_min_joules": rule.get("min_joules"),
            "shock_sync": {True: "sync", False: "unsync"}.get(rule.get("sync"), ""),
            "shock_go_to": rule["go_to"] + 1 if rule else None,
            "shock_after_seconds": rule.get("after_seconds"),
            # The step's results fold open in the editor.
            "results_shown": bool(step.results),
            "expected_actions": step.expected_actions,
        }
        for result in step.results:
            if result["kind"] == results.BLOOD_GAS:
                for row in result["rows"]:
                    initial[f"gas_{row['analyte']}"] = _typed(row["value"], row["decimals"])
            elif result["kind"] == results.GLUCOSE:
                row = result["rows"][0]
                initial["result_glucose"] = _typed(row["value"], row["decimals"])
            elif result["kind"] == results.LAB_PANEL:
                initial["lab_comment"] = result["comment"]
                for number, row in enumerate(result["rows"][:STEP_LAB_ROWS], start=1):
                    decimals = row.get("range_decimals", 0)
                    initial.update(
                        {
                            f"lab_{number}_name": row["name"],
                            f"lab_{number}_value": _typed(row["value"], row["decimals"]),
                            f"lab_{number}_unit": row["unit"],
                            f"lab_{number}_low": _typed(row["low"], decimals),
                            f"lab_{number}_high": _typed(row["high"], decimals),
                        }
                    )
        return initial

    def on_shock(self) -> dict | None:
        """The rule as library.services checks it: both the energy and the step, or neither."""
        data = self.cleaned_data
        joules, go_to = data.get("shock_min_joules"), data.get("shock_go_to")
        if joules is None and go_to is None:
            return None
        if joules is None or go_to is None:
            # The service names what is missing.
            return {"min_joules": joules, "go_to": None if go_to is None else go_to - 1}
        return {
            "min_joules": joules,
            "sync": self.SYNC.get(data.get("shock_sync") or ""),
            "go_to": go_to - 1,
            "after_seconds": data.get("shock_after_seconds") or 0,
        }


# The editor offers this many lab rows per step (a step's results are a scenario's cue, not a
# whole laboratory report).
STEP_LAB_ROWS = 3


def _is_result_field(name: str) -> bool:
    return name.startswith(("gas_", "lab_")) or name == "result_glucose"


def _typed(value, decimals: int) -> str:
    """A stored number as the form shows it back: plain digits, as a person would type it."""
    if value is None:
        return ""
    return f"{value:.{decimals}f}" if isinstance(value, int | float) else str(value)


class BaseStepFormSet(forms.BaseFormSet):
    default_error_messages = {
        "tampered": _("The form was changed or is incomplete: reload the page and try again."),
    }

    @cached_property
    def tampered(self) -> bool:
        """Step counts our page never sends: missing, not numbers, or more than a template holds."""
        if not self.is_bound:
            return False
        management = self.management_form
        if not management.is_valid():
            return True
        counts = management.cleaned_data
        return not 0 <= counts["INITIAL_FORMS"] <= counts["TOTAL_FORMS"] <= self.max_num

    def total_form_count(self):
        # No form is built from a tampered count: a 200-byte POST claiming a billion steps
        # would otherwise cost seconds of CPU (Django builds up to max_num + 1000 forms).
        return 0 if self.tampered else super().total_form_count()

    def full_clean(self):
        if not self.tampered:
            return super().full_clean()
        self._errors = []
        self._non_form_errors = self.error_class(
            [self.error_messages["tampered"]], error_class="nonform", renderer=self.renderer
        )

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.ordered_forms:
            raise forms.ValidationError(_("A template needs at least one step."))
        # Read once: Django refuses ordered_forms once a form has an error.
        ordered = self.ordered_forms
        for form in ordered:
            try:
                clean_on_shock(form.on_shock(), len(ordered))
            except vitals.VitalsError as error:
                for field, message in error.errors.items():
                    form.add_error(field, message)

    def steps(self) -> list[StepData]:
        """The kept steps (not deleted, not a blank new one), in the order the trainer gave."""
        return [
            StepData(
                form.cleaned_data["values"],
                form.cleaned_data["transition_seconds"],
                form.cleaned_data["note"],
                form.on_shock(),
                form.cleaned_data["results"],
                form.cleaned_data["expected_actions"],
            )
            for form in self.ordered_forms
        ]


# Add: the blank forms at the end (three without a script; template-edit.js adds any number);
# remove: "Delete"; reorder: the "Order" numbers.
StepFormSet = formset_factory(
    TemplateStepForm,
    formset=BaseStepFormSet,
    extra=3,
    can_delete=True,
    can_order=True,
    max_num=MAX_STEPS,
    validate_max=True,
)
