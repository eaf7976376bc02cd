from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessment.models import LoggedAction
from library.models import SessionTemplate
from sessions_app import debrief, results, screens
from schools import access
from sessions_app.models import SessionMember, SessionNote
from simulator import treatment, vitals


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Join code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    screen_name = forms.CharField(
        label=_("Name this screen (optional)"),
        max_length=screens.SCREEN_NAME_MAX,
        required=False,
        help_text=_("So that your trainer can tell the screens apart, e.g. “Bed 3 TV”."),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean_screen_name(self):
        return screens.clean_name(self.cleaned_data["screen_name"])


class NoteForm(forms.Form):
    """A trainer's note; `offset` (mm:ss from the start) says which moment it is about.

    Without an offset the note is about now, or the end of a session that has ended.
    """

    text = forms.CharField(
        label=_("Note"),
        max_length=SessionNote.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write something first: an empty note is not stored.")},
    )
    offset = forms.CharField(
        label=_("At (mm:ss from the start)"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"placeholder": "04:30", "inputmode": "numeric"}),
    )

    def __init__(self, *args, duration_seconds: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.duration_seconds = duration_seconds

    def clean_offset(self):
        text = self.cleaned_data["offset"]
        if not text:
            return None
        seconds = debrief.parse_offset(text)
        if seconds is None:
            raise forms.ValidationError(_("Give the time as minutes:seconds, for example 04:30."))
        if self.duration_seconds is not None and seconds > self.duration_seconds:
            raise forms.ValidationError(
                _("The session lasted %(length)s: choose a time within it.")
                % {"length": debrief.format_offset(self.duration_seconds)}
            )
        return seconds


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class SessionForm(forms.Form):
    trainee_name = forms.CharField(label=_("Trainee name"), max_length=100)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        initial=settings.SESSION_DEFAULT_MINUTES,
        min_value=settings.SESSION_MIN_MINUTES,
        max_value=settings.SESSION_MAX_MINUTES,
    )
    template = TemplateChoiceField(
        label=_("Scenario template"),
        queryset=SessionTemplate.objects.none(),
        required=False,
        empty_label=_("None: I set the values myself"),
    )

    profile = forms.ChoiceField(
        label=_("Patient"),
        required=False,
        choices=lambda: [
            ("", gettext("As the template says (adult without one)")),
            *((name, profile["label"]) for name, profile in vitals.PROFILES.items()),
        ],
        help_text=_("Sets the first alarm limits and the presets; the control page can change it."),
    )
    school = forms.ModelChoiceField(
        label=_("School"),
        queryset=None,
        required=False,
        empty_label=_("None: only I see it"),
        help_text=_("Its admins see the session; you can add its trainers to the team."),
        error_messages={"invalid_choice": _("Choose one of your schools.")},
    )

    def __init__(self, *args, trainer=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Own, their schools' and shipped templates only: another's id is "not one of the choices".
        self.fields["template"].queryset = access.templates_for(trainer)
        schools = access.schools_of(trainer)
        self.fields["school"].queryset = schools
        if not self.is_bound and "school" not in self.initial and len(schools) == 1:
            # A member of one school runs their sessions there unless they say otherwise.
            self.initial["school"] = schools[0].pk

    def clean(self):
        data = super().clean()
        template = data.get("template")
        if (
            template is not None
            and template.school_id
            and data.get("school") is None
            and self.fields["school"].queryset.filter(pk=template.school_id).exists()
        ):
            # A school's scenario is run in that school, where its colleagues can join.
            data["school"] = template.school
        return data


def _message(template: str, **params):
    """A message translated when shown, not at import (the templates are marked in vitals.py)."""
    return lazy(lambda: gettext(template) % params, str)()


def _number_field(name: str, required: bool = True) -> forms.IntegerField:
    low, high = vitals.RANGES[name]
    return forms.IntegerField(
        label=vitals.LABELS[name],
        required=required,
        error_messages={
            "required": _message("%(field)s is required.", field=vitals.LABELS[name]),
            "invalid": _message("%(field)s must be a whole number.", field=vitals.LABELS[name]),
        },
        # Ranges are checked by vitals.validate(); these only guide the browser's input.
        widget=forms.NumberInput(attrs={"min": low, "max": high, "inputmode": "numeric"}),
    )


class DecimalCommaField(forms.DecimalField):
    """A temperature as it is typed: 37.5, or 37,5 as French writes it (a temperature has no
    thousands to separate, so a comma is always the decimal one)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class VitalsForm(forms.Form):
    """The control page's form; its values go through the same vitals.validate() as a socket's.

    An optional number left empty means the monitor has no such sensor.
    """

    systolic = _number_field("systolic")
    diastolic = _number_field("diastolic")
    heart_rate = _number_field("heart_rate")
    spo2 = _number_field("spo2")
    respiratory_rate = _number_field("respiratory_rate", required=False)
    etco2 = _number_field("etco2", required=False)
    temperature = DecimalCommaField(
        label=vitals.LABELS["temperature"],
        required=False,
        error_messages={
            "invalid": _message("%(field)s must be a number.", field=vitals.LABELS["temperature"])
        },
        # Text, not a number input: a browser drops "37,5" from a number input it reads the
        # English way, and the change would go out without its temperature.
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    abp_systolic = _number_field("abp_systolic", required=False)
    abp_diastolic = _number_field("abp_diastolic", required=False)
    cvp = _number_field("cvp", required=False)
    abp_damping = forms.ChoiceField(
        label=vitals.LABELS["abp_damping"],
        choices=vitals.ABP_DAMPING.items(),
        initial="normal",
        required=False,
    )
    rhythm = forms.ChoiceField(label=vitals.LABELS["rhythm"], choices=vitals.grouped_rhythms)
    ecg_lead2 = forms.ChoiceField(
        label=vitals.LABELS["ecg_lead2"],
        choices=[(lead, lead) for lead in vitals.ECG_LEADS],
        initial=vitals.DEFAULT_ECG_LEAD2,
        required=False,
    )
    ectopy_every = forms.IntegerField(
        label=vitals.LABELS["ectopy_every"],
        required=False,
        help_text=_("Beats, 2 to 20, for PACs and PVCs only; empty: the rhythm's own."),
        error_messages={
            "invalid": _message(
                "%(field)s must be a whole number.", field=vitals.LABELS["ectopy_every"]
            ),
        },
        widget=forms.NumberInput(attrs={"min": 2, "max": 20, "inputmode": "numeric"}),
    )
    pulsus_paradoxus = forms.BooleanField(
        label=vitals.LABELS["pulsus_paradoxus"],
        required=False,
        help_text=_("The arterial pressure falls with each breath in."),
    )
    artefacts = forms.MultipleChoiceField(
        label=vitals.LABELS["artefacts"],
        choices=vitals.ARTEFACTS.items(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    alarm = forms.BooleanField(
        label=vitals.LABELS["alarm"],
        required=False,
        help_text=_("A red alarm on every monitor, whatever the values: a scenario's cue."),
    )
    spo2_probe_off = forms.BooleanField(label=vitals.LABELS["spo2_probe_off"], required=False)
    ecg_leads_off = forms.BooleanField(label=vitals.LABELS["ecg_leads_off"], required=False)
    no_pulse = forms.BooleanField(
        label=vitals.LABELS["no_pulse"],
        required=False,
        help_text=_("Any rhythm without a pulse (PEA, pulseless VT): no SpO2, no blood pressure."),
    )
    hidden = forms.MultipleChoiceField(
        label=_("Not connected"),
        choices=vitals.PARAMETERS.items(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    transition_seconds = forms.IntegerField(
        label=_("Transition (seconds)"),
        initial=0,
        required=False,
        min_value=0,
        max_value=vitals.MAX_TRANSITION_SECONDS,
        help_text=_("0 is instant; up to 900 (15 minutes)."),
        error_messages={
            "min_value": _("The transition must be from 0 to 900 seconds (15 minutes)."),
            "max_value": _("The transition must be from 0 to 900 seconds (15 minutes)."),
        },
    )

    @classmethod
    def initial_from(cls, values: dict | None) -> dict:
        values = values or vitals.DEFAULT_VALUES
        return {
            **{field: values.get(field) for field in vitals.NUMBER_FIELDS},
            **values["flags"],
            "transition_seconds": 0,
        }

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        values = {field: data[field] for field in vitals.INTEGER_FIELDS}
        if data["temperature"] is not None:
            values["temperature"] = data["temperature"]
        values["flags"] = {flag: data[flag] for flag in vitals.FLAG_KEYS}
        # Not posted (an older page, a script): the monitor's defaults.
        values["flags"]["ecg_lead2"] = data["ecg_lead2"] or vitals.DEFAULT_ECG_LEAD2
        values["flags"]["abp_damping"] = data["abp_damping"] or "normal"
        data["transition_seconds"] = data["transition_seconds"] or 0  # Empty is instant.
        try:
            data["values"] = vitals.validate(values)
        except vitals.VitalsError as error:
            for field, message in error.errors.items():
                self.add_error(field if field in self.fields else None, message)
        return data


def _profile_choices():
    return [(name, profile["label"]) for name, profile in vitals.PROFILES.items()]


class ProfileForm(forms.Form):
    """The control page's patient: adult, child, infant or neonate (vitals.PROFILES)."""

    profile = forms.ChoiceField(
        label=_("Patient"),
        choices=_profile_choices,
        error_messages={
            "required": _("Choose a patient from the list."),
            "invalid_choice": _("Choose a patient from the list."),
        },
    )


class AlarmLimitsForm(forms.Form):
    """Low and high for each parameter with limits; checked by vitals.validate_limits()."""

    def __init__(self, *args, limits: dict, **kwargs):
        super().__init__(*args, **kwargs)
        # A session from before the arterial line has no limits for it yet: the defaults show.
        limits = {**vitals.default_alarm_limits(), **limits}
        for field, (low, high) in limits.items():
            for end, value in (("low", low), ("high", high)):
                self.fields[f"{field}_{end}"] = _number_field(field)
                self.fields[f"{field}_{end}"].initial = value
                self.fields[f"{field}_{end}"].label = (
                    gettext("%(field)s low") if end == "low" else gettext("%(field)s high")
                ) % {"field": vitals.LABELS[field]}
        self.parameters = list(limits)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        limits = {field: [data[f"{field}_low"], data[f"{field}_high"]] for field in self.parameters}
        try:
            data["limits"] = vitals.validate_limits(limits)
        except vitals.VitalsError as error:
            for key, message in error.errors.items():
                # "limits.heart_rate" is shown at the heart rate's low limit.
                self.add_error(f"{key.removeprefix('limits.')}_low", message)
        return data


def _nibp_interval_choices():
    return [
        (minutes, gettext("Off") if minutes == 0 else gettext("Every %(n)d min") % {"n": minutes})
        for minutes in vitals.NIBP_INTERVALS
    ]


class NibpIntervalForm(forms.Form):
    minutes = forms.TypedChoiceField(
        label=_("Automatic NIBP"),
        coerce=int,
        choices=_nibp_interval_choices,
        error_messages={
            "required": _("Choose an NIBP interval from the list."),
            "invalid_choice": _("Choose an NIBP interval from the list."),
        },
    )


class ExtendForm(forms.Form):
    """The control page's +15, +30 and +60 min buttons."""

    minutes = forms.TypedChoiceField(
        coerce=int,
        choices=[(minutes, minutes) for minutes in vitals.SESSION_EXTENSIONS],
        error_messages={
            "required": _("Choose how much time to add."),
            "invalid_choice": _("Choose how much time to add."),
        },
    )


class TeamMemberForm(forms.Form):
    """The owner's "Add to the team": a colleague of the session's school and their role."""

    trainer = forms.ModelChoiceField(
        label=_("Colleague"),
        queryset=None,
        error_messages={
            "required": _("Choose a colleague."),
            "invalid_choice": _("Choose a colleague of this session's school."),
        },
    )
    role = forms.ChoiceField(label=_("Role"), choices=SessionMember.ROLES.items())

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = access.colleagues(session)
        self.fields["trainer"].label_from_instance = lambda trainer: (
            f"{trainer.name} ({trainer.email})" if trainer.name else trainer.email
        )

    def clean_trainer(self):
        # The service takes ids, as the live link sends them.
        return self.cleaned_data["trainer"].pk


class MemberForm(forms.Form):
    """A team member's "Remove"."""

    member = forms.ModelChoiceField(
        queryset=None,
        error_messages={"invalid_choice": _("This colleague is no longer on the team.")},
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = session.members.all()

    def clean_member(self):
        return self.cleaned_data["member"].pk


class LogActionForm(forms.Form):
    """The checklist's taps: an expected action's key, or the name of one nobody expected."""

    expected = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Another action"),
        required=False,
        max_length=LoggedAction.MAX_NAME,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Chest X-ray asked for")}),
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data["expected"]:
            return {"expected": data["expected"]}
        if not data["name"].strip():
            self.add_error("name", _("Name the action first: an empty one is not logged."))
            return data
        return {"name": data["name"].strip()}


class UndoActionForm(forms.Form):
    """Undo, beside an action just logged."""

    logged = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("No such logged action."),
            "invalid": _("No such logged action."),
        },
    )


class StepForm(forms.Form):
    """The control page's step buttons: a step's index, or none for the next step."""

    index = forms.IntegerField(
        required=False,
        min_value=0,
        error_messages={
            "invalid": _("This session has no such step."),
            "min_value": _("This session has no such step."),
        },
    )


def _mode_choices():
    return [
        ("off", gettext("Off: a monitor")),
        ("manual", gettext("Manual defibrillator and pacer")),
        ("aed", gettext("AED")),
    ]


def _cpr_quality_choices():
    return [
        (quality, label % {"etco2": treatment.CPR_ETCO2[quality]})
        for quality, label in (
            ("good", gettext("Good (EtCO2 %(etco2)s mmHg)")),
            ("fair", gettext("Fair (EtCO2 %(etco2)s mmHg)")),
            ("poor", gettext("Poor (EtCO2 %(etco2)s mmHg)")),
        )
    ]


class DefibrillatorForm(forms.Form):
    """The control page's device: what the trainee's monitor is, and how the patient answers
    pacing and CPR (sessions_app/treatment.py validates it again)."""

    mode = forms.ChoiceField(
        label=_("Trainee's monitor"),
        choices=_mode_choices,
        error_messages={"invalid_choice": _("Choose off, manual defibrillator or AED.")},
    )
    capture_threshold_ma = forms.IntegerField(
        label=_("Pacer captures from (mA)"),
        min_value=0,
        max_value=200,
        error_messages={
            "required": _("The capture threshold is a whole number of mA from 0 to 200."),
            "invalid": _("The capture threshold is a whole number of mA from 0 to 200."),
            "min_value": _("The capture threshold is a whole number of mA from 0 to 200."),
            "max_value": _("The capture threshold is a whole number of mA from 0 to 200."),
        },
    )
    cpr_quality = forms.ChoiceField(
        label=_("CPR quality"),
        choices=_cpr_quality_choices,
        error_messages={"invalid_choice": _("Choose good, fair or poor CPR.")},
    )

    def __init__(self, *args, settings: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in (settings or treatment.default_settings()).items():
            self.fields[name].initial = value


class CprForm(forms.Form):
    """Compressions on or off, from the control page."""

    on = forms.TypedChoiceField(
        coerce=lambda value: value == "true",
        choices=[("true", "true"), ("false", "false")],
        error_messages={
            "required": _("Say whether compressions start or stop."),
            "invalid_choice": _("Say whether compressions start or stop."),
        },
    )
# Results sent to the bedside: each form checks what it posts with sessions_app/results.py, as
# the control socket's messages are checked, and puts each refusal beside its field.

LAB_PANEL_FORM_ROWS = 8


def result_text_field(label, max_length, textarea=False):
    widget = forms.Textarea(attrs={"rows": 2}) if textarea else forms.TextInput(attrs={"autocomplete": "off"})
    return forms.CharField(label=label, required=False, max_length=max_length, widget=widget)


def decimal_text_field(label):
    # Text, not a number input: "7,21" typed the French way must reach the server as typed.
    return forms.CharField(
        label=label,
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class ResultForm(forms.Form):
    kind: str
    title = result_text_field(_("Title (optional)"), results.TITLE_MAX)
    comment = result_text_field(_("Comment (optional)"), results.COMMENT_MAX, textarea=True)

    def payload(self, data: dict) -> dict:
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        payload = self.payload(data)
        try:
            results.VALIDATORS[self.kind](payload)
        except vitals.VitalsError as error:
            for field, message in error.errors.items():
                self.add_error(self.form_field(field), message)
        return payload

    def form_field(self, key: str) -> str | None:
        return key if key in self.fields else None


class BloodGasForm(ResultForm):
    kind = results.BLOOD_GAS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, analyte in results.ANALYTES.items():
            label = f"{analyte.label} ({analyte.unit})" if analyte.unit else analyte.label
            self.fields[key] = decimal_text_field(label)
        # Title and comment after the values.
        self.order_fields([*results.ANALYTES, "title", "comment"])

    def analyte_fields(self):
        return [self[key] for key in results.ANALYTES]

    def payload(self, data):
        values = {key: data[key] for key in results.ANALYTES if data.get(key)}
        return {"title": data["title"], "comment": data["comment"], "values": values}


def lab_row_fields(name: str, rows: int) -> dict:
    """The fields of `rows` lab rows (name, value, unit, limits), each named by the `name`
    pattern ("row_{number}_{column}"), for the control page's form and a template's step."""
    labels = {
        "name": gettext("Test"),
        "value": gettext("Result"),
        "unit": gettext("Unit"),
        "low": gettext("Low limit"),
        "high": gettext("High limit"),
    }
    return {
        name.format(number=number, column=column): (
            decimal_text_field(labels[column])
            if column in ("low", "high")
            else result_text_field(labels[column], results.NAME_MAX)
        )
        for number in range(1, rows + 1)
        for column in LabPanelForm.COLUMNS
    }


class LabPanelForm(ResultForm):
    """Rows of name, value, unit and reference limits: as many as the page shows (the control
    socket takes up to results.ROWS_MAX)."""

    kind = results.LAB_PANEL
    COLUMNS = ("name", "value", "unit", "low", "high")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(lab_row_fields("row_{number}_{column}", LAB_PANEL_FORM_ROWS))

    def row_fields(self):
        """Per row, each field with the key the socket's refusals name it by ("rows.2.value")."""
        return [
            [
                {"field": self[f"row_{number}_{column}"], "key": f"rows.{number}.{column}"}
                for column in self.COLUMNS
            ]
            for number in range(1, LAB_PANEL_FORM_ROWS + 1)
        ]

    def payload(self, data):
        rows = [
            {column: data[f"row_{number}_{column}"] for column in self.COLUMNS}
            for number in range(1, LAB_PANEL_FORM_ROWS + 1)
        ]
        return {"title": data["title"], "comment": data["comment"], "rows": rows}

    def form_field(self, key):
        # "rows.2.value" is the second row's value.
        parts = key.split(".")
        if len(parts) == 3:
            return f"row_{parts[1]}_{parts[2]}"
        return key if key in self.fields else None


class GlucoseForm(ResultForm):
    kind = results.GLUCOSE
    value = decimal_text_field(_("Glucose (mmol/L)"))
    field_order = ["value", "title", "comment"]

    def payload(self, data):
        return {"title": data["title"], "comment": data["comment"], "value": data["value"]}


class ImageForm(ResultForm):
    kind = results.IMAGE
    image = forms.FileField(
        label=_("Image (PNG or JPEG, 5 MB at most)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    field_order = ["image", "title", "comment"]

    def __init__(self, *args, raw_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.raw_names = list(raw_names)

    def payload(self, data):
        return {
            "title": data["title"],
            "comment": data["comment"],
            "image": data["image"],
            "raw_names": self.raw_names,
        }
